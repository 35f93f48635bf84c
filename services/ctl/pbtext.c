#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "dh_pbjson.h"
#include "pbtext.h"

ProtobufCMessage *
pbtext_new (const ProtobufCMessageDescriptor *descriptor)
{
    ProtobufCMessage *message = calloc (1, descriptor->sizeof_message);
    if (message)
        protobuf_c_message_init (descriptor, message);
    return message;
}

//  Messages built here own every string and sub-message through
//  protobuf-c's default allocator layout, so free_unpacked frees them.
void
pbtext_free (ProtobufCMessage *message)
{
    if (message)
        protobuf_c_message_free_unpacked (message, NULL);
}

static const ProtobufCFieldDescriptor *
s_field (const ProtobufCMessageDescriptor *descriptor, const char *name, size_t length)
{
    for (unsigned i = 0; i < descriptor->n_fields; i++)
        if (strlen (descriptor->fields [i].name) == length && !strncmp (descriptor->fields [i].name, name, length))
            return &descriptor->fields [i];
    return NULL;
}

static int
s_scalar (const ProtobufCFieldDescriptor *field, const char *text, void *target, const char **error)
{
    char *end;
    errno = 0;
    switch (field->type) {
        case PROTOBUF_C_TYPE_STRING:
            *(char **) target = strdup (text);
            return 0;
        case PROTOBUF_C_TYPE_BOOL:
            if (!strcasecmp (text, "true") || !strcasecmp (text, "yes") || !strcmp (text, "1"))
                *(protobuf_c_boolean *) target = 1;
            else
            if (!strcasecmp (text, "false") || !strcasecmp (text, "no") || !strcmp (text, "0"))
                *(protobuf_c_boolean *) target = 0;
            else {
                *error = "want true or false";
                return -1;
            }
            return 0;
        case PROTOBUF_C_TYPE_INT32:
        case PROTOBUF_C_TYPE_SINT32:
        case PROTOBUF_C_TYPE_UINT32: {
            long long value = strtoll (text, &end, 10);
            if (errno || end == text || *end || value < INT32_MIN || value > UINT32_MAX) {
                *error = "want a whole number";
                return -1;
            }
            *(int32_t *) target = (int32_t) value;
            return 0;
        }
        case PROTOBUF_C_TYPE_INT64:
        case PROTOBUF_C_TYPE_SINT64:
        case PROTOBUF_C_TYPE_UINT64: {
            unsigned long long value = strtoull (text, &end, 10);
            if (errno || end == text || *end || *text == '-') {
                *error = "want a whole number, 0 or more";
                return -1;
            }
            *(uint64_t *) target = value;
            return 0;
        }
        case PROTOBUF_C_TYPE_DOUBLE: {
            double value = strtod (text, &end);
            if (errno || end == text || *end) {
                *error = "want a number";
                return -1;
            }
            *(double *) target = value;
            return 0;
        }
        case PROTOBUF_C_TYPE_ENUM: {
            const ProtobufCEnumDescriptor *enumeration = field->descriptor;
            char name [64];
            size_t i;
            for (i = 0; text [i] && i < sizeof name - 1; i++)
                name [i] = text [i] == '-'? '_': toupper ((unsigned char) text [i]);
            name [i] = 0;
            const ProtobufCEnumValue *value = protobuf_c_enum_descriptor_get_value_by_name (enumeration, name);
            if (!value) {
                *error = "not one of the allowed values";
                return -1;
            }
            *(int *) target = value->value;
            return 0;
        }
        default:
            *error = "this field cannot be set from the command line";
            return -1;
    }
}

int
pbtext_set (ProtobufCMessage *message, const char *path, const char *text, const char **error)
{
    const char *dot = strchr (path, '.');
    size_t length = dot? (size_t) (dot - path): strlen (path);
    const ProtobufCFieldDescriptor *field = s_field (message->descriptor, path, length);
    if (!field) {
        *error = "no such field";
        return -1;
    }
    char *base = (char *) message + field->offset;
    if (dot) {
        if (field->type != PROTOBUF_C_TYPE_MESSAGE || field->label == PROTOBUF_C_LABEL_REPEATED) {
            *error = "not a sub-message";
            return -1;
        }
        ProtobufCMessage **child = (ProtobufCMessage **) base;
        if (!*child)
            *child = pbtext_new (field->descriptor);
        return pbtext_set (*child, dot + 1, text, error);
    }
    if (field->label == PROTOBUF_C_LABEL_REPEATED) {
        size_t *count = (size_t *) ((char *) message + field->quantifier_offset);
        void **array = (void **) base;
        size_t size = dh_pbjson_value_size (field);
        char *grown = realloc (*array, (*count + 1) * size);
        if (!grown) {
            *error = "out of memory";
            return -1;
        }
        *array = grown;
        if (s_scalar (field, text, grown + *count * size, error))
            return -1;
        (*count)++;
        return 0;
    }
    if (field->type == PROTOBUF_C_TYPE_STRING) {
        char **slot = (char **) base;
        if (*slot && *slot != (char *) protobuf_c_empty_string && *slot != field->default_value)
            free (*slot);
    }
    return s_scalar (field, text, base, error);
}

static void
s_print_value (FILE *out, const ProtobufCFieldDescriptor *field, const void *value, int indent)
{
    if (field->type == PROTOBUF_C_TYPE_MESSAGE) {
        const ProtobufCMessage *child = *(ProtobufCMessage * const *) value;
        fprintf (out, "\n");
        if (child)
            pbtext_print (out, child, indent + 2);
        return;
    }
    if (dh_pbjson_is_time (field)) {
        int64_t at = *(const int64_t *) value;
        char text [40] = "-";
        if (at)
            dh_pbjson_time (at, text, sizeof text);
        fprintf (out, "%s\n", text);
        return;
    }
    json_t *json = dh_pbjson_value (field, value);
    if (json_is_string (json))
        fprintf (out, "%s\n", json_string_value (json));
    else {
        char *text = json_dumps (json, JSON_ENCODE_ANY);
        fprintf (out, "%s\n", text? text: "?");
        free (text);
    }
    json_decref (json);
}

void
pbtext_print (FILE *out, const ProtobufCMessage *message, int indent)
{
    const ProtobufCMessageDescriptor *descriptor = message->descriptor;
    for (unsigned i = 0; i < descriptor->n_fields; i++) {
        const ProtobufCFieldDescriptor *field = &descriptor->fields [i];
        const char *base = (const char *) message + field->offset;
        if (field->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t count = *(const size_t *) ((const char *) message + field->quantifier_offset);
            const char *items = *(char * const *) base;
            for (size_t j = 0; j < count; j++) {
                fprintf (out, "%*s%s[%zu]: ", indent, "", field->name, j + 1);
                s_print_value (out, field, items + j * dh_pbjson_value_size (field), indent);
            }
            continue;
        }
        //  Leave out what is empty: an operator reads what is there.
        if (field->type == PROTOBUF_C_TYPE_STRING && !**(char * const *) base)
            continue;
        if (field->type == PROTOBUF_C_TYPE_MESSAGE && !*(void * const *) base)
            continue;
        fprintf (out, "%*s%s: ", indent, "", field->name);
        s_print_value (out, field, base, indent);
    }
}

//  Protobuf messages to and from JSON through protobuf-c's descriptors.
//  Out, as dunghanctl --json prints them and the gateway answers; in,
//  strictly, since a web client's JSON is untrusted: every key must be a
//  field and every value of its field's type.
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "dh_error.h"
#include "dh_pbjson.h"

void
dh_pbjson_time (int64_t utc_ms, char *buffer, size_t size)
{
    time_t seconds = (time_t) ((utc_ms + 7 * 3600000LL) / 1000);
    struct tm local;
    gmtime_r (&seconds, &local);
    strftime (buffer, size, "%Y-%m-%dT%H:%M:%S+07:00", &local);
}

//  By our naming rule an instant is `at` or ends in `_at`.
bool
dh_pbjson_is_time (const ProtobufCFieldDescriptor *field)
{
    size_t length = strlen (field->name);
    return field->type == PROTOBUF_C_TYPE_INT64
        && (!strcmp (field->name, "at") || (length > 3 && !strcmp (field->name + length - 3, "_at")));
}

size_t
dh_pbjson_value_size (const ProtobufCFieldDescriptor *field)
{
    switch (field->type) {
        case PROTOBUF_C_TYPE_STRING:  return sizeof (char *);
        case PROTOBUF_C_TYPE_BYTES:   return sizeof (ProtobufCBinaryData);
        case PROTOBUF_C_TYPE_BOOL:    return sizeof (protobuf_c_boolean);
        case PROTOBUF_C_TYPE_INT64:
        case PROTOBUF_C_TYPE_SINT64:
        case PROTOBUF_C_TYPE_UINT64:  return 8;
        case PROTOBUF_C_TYPE_DOUBLE:  return sizeof (double);
        case PROTOBUF_C_TYPE_MESSAGE: return sizeof (void *);
        default:                      return 4;
    }
}

json_t *
dh_pbjson_value (const ProtobufCFieldDescriptor *field, const void *value)
{
    switch (field->type) {
        case PROTOBUF_C_TYPE_STRING:  return json_string (*(char * const *) value);
        case PROTOBUF_C_TYPE_BOOL:    return json_boolean (*(const protobuf_c_boolean *) value);
        case PROTOBUF_C_TYPE_INT32:
        case PROTOBUF_C_TYPE_SINT32:  return json_integer (*(const int32_t *) value);
        case PROTOBUF_C_TYPE_UINT32:  return json_integer (*(const uint32_t *) value);
        case PROTOBUF_C_TYPE_INT64:
        case PROTOBUF_C_TYPE_SINT64:  return json_integer (*(const int64_t *) value);
        case PROTOBUF_C_TYPE_UINT64:  return json_integer ((json_int_t) *(const uint64_t *) value);
        case PROTOBUF_C_TYPE_DOUBLE:  return json_real (*(const double *) value);
        case PROTOBUF_C_TYPE_ENUM: {
            const ProtobufCEnumValue *name = protobuf_c_enum_descriptor_get_value (field->descriptor,
                                                                                   *(const int *) value);
            return name? json_string (name->name): json_integer (*(const int *) value);
        }
        case PROTOBUF_C_TYPE_MESSAGE: {
            const ProtobufCMessage *child = *(ProtobufCMessage * const *) value;
            return child? dh_pbjson_from_message (child): json_null ();
        }
        default:                      return json_null ();   //  bytes: opaque to a web client
    }
}

json_t *
dh_pbjson_from_message (const ProtobufCMessage *message)
{
    json_t *object = json_object ();
    const ProtobufCMessageDescriptor *descriptor = message->descriptor;
    for (unsigned i = 0; object && i < descriptor->n_fields; i++) {
        const ProtobufCFieldDescriptor *field = &descriptor->fields [i];
        const char *base = (const char *) message + field->offset;
        if (field->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t count = *(const size_t *) ((const char *) message + field->quantifier_offset);
            json_t *array = json_array ();
            const char *items = *(char * const *) base;
            for (size_t j = 0; j < count; j++)
                json_array_append_new (array, dh_pbjson_value (field, items + j * dh_pbjson_value_size (field)));
            json_object_set_new (object, field->name, array);
            continue;
        }
        json_object_set_new (object, field->name, dh_pbjson_value (field, base));
        if (dh_pbjson_is_time (field) && *(const int64_t *) base) {
            char text [40], name [80];
            dh_pbjson_time (*(const int64_t *) base, text, sizeof text);
            snprintf (name, sizeof name, "%s_local", field->name);
            json_object_set_new (object, name, json_string (text));
        }
    }
    return object;
}

static const ProtobufCFieldDescriptor *
s_field (const ProtobufCMessageDescriptor *descriptor, const char *name)
{
    for (unsigned i = 0; i < descriptor->n_fields; i++)
        if (!strcmp (descriptor->fields [i].name, name))
            return &descriptor->fields [i];
    return NULL;
}

static const char *
s_json_type (json_t *value)
{
    switch (json_typeof (value)) {
        case JSON_OBJECT:  return "an object";
        case JSON_ARRAY:   return "an array";
        case JSON_STRING:  return "a string";
        case JSON_INTEGER: return "a whole number";
        case JSON_REAL:    return "a number";
        case JSON_TRUE:
        case JSON_FALSE:   return "a boolean";
        default:           return "null";
    }
}

static int s_message (const ProtobufCMessageDescriptor *descriptor, json_t *json, ProtobufCMessage **message,
                      const char *path, char *why, size_t why_size);

//  One value of field into target, or DH_E_INVALID with words in why.
static int
s_scalar (const ProtobufCFieldDescriptor *field, json_t *value, void *target, const char *path,
          char *why, size_t why_size)
{
    const char *wanted = NULL;
    switch (field->type) {
        case PROTOBUF_C_TYPE_STRING:
            if (!json_is_string (value)) {
                wanted = "a string";
                break;
            }
            //  jansson took only valid UTF-8; an embedded NUL (\u0000) it
            //  refuses too, so strlen is the whole value.
            *(char **) target = strdup (json_string_value (value));
            return *(char **) target? 0: DH_E_NOMEM;
        case PROTOBUF_C_TYPE_BOOL:
            if (!json_is_boolean (value)) {
                wanted = "true or false";
                break;
            }
            *(protobuf_c_boolean *) target = json_is_true (value);
            return 0;
        case PROTOBUF_C_TYPE_INT32:
        case PROTOBUF_C_TYPE_SINT32:
            if (!json_is_integer (value) || json_integer_value (value) < INT32_MIN
            ||  json_integer_value (value) > INT32_MAX) {
                wanted = "a whole number (32 bits)";
                break;
            }
            *(int32_t *) target = (int32_t) json_integer_value (value);
            return 0;
        case PROTOBUF_C_TYPE_UINT32:
            if (!json_is_integer (value) || json_integer_value (value) < 0
            ||  json_integer_value (value) > UINT32_MAX) {
                wanted = "a whole number from 0 (32 bits)";
                break;
            }
            *(uint32_t *) target = (uint32_t) json_integer_value (value);
            return 0;
        case PROTOBUF_C_TYPE_INT64:
        case PROTOBUF_C_TYPE_SINT64:
            if (!json_is_integer (value)) {
                wanted = "a whole number";
                break;
            }
            *(int64_t *) target = json_integer_value (value);
            return 0;
        case PROTOBUF_C_TYPE_UINT64:
            if (!json_is_integer (value) || json_integer_value (value) < 0) {
                wanted = "a whole number from 0";
                break;
            }
            *(uint64_t *) target = (uint64_t) json_integer_value (value);
            return 0;
        case PROTOBUF_C_TYPE_DOUBLE:
            if (!json_is_number (value)) {
                wanted = "a number";
                break;
            }
            *(double *) target = json_number_value (value);
            return 0;
        case PROTOBUF_C_TYPE_ENUM: {
            if (!json_is_string (value)) {
                wanted = "a string";
                break;
            }
            //  "in-person" is IN_PERSON, as on dunghanctl's command line.
            const char *text = json_string_value (value);
            char name [64];
            size_t i;
            for (i = 0; text [i] && i < sizeof name - 1; i++)
                name [i] = text [i] == '-'? '_': (char) toupper ((unsigned char) text [i]);
            name [i] = 0;
            const ProtobufCEnumValue *found = text [i]? NULL:
                protobuf_c_enum_descriptor_get_value_by_name (field->descriptor, name);
            if (!found || found->value == 0) {
                snprintf (why, why_size, "%s: '%.40s' is not one of its values", path, text);
                return DH_E_INVALID;
            }
            *(int *) target = found->value;
            return 0;
        }
        case PROTOBUF_C_TYPE_MESSAGE:
            if (!json_is_object (value)) {
                wanted = "an object";
                break;
            }
            return s_message (field->descriptor, value, (ProtobufCMessage **) target, path, why, why_size);
        default:
            snprintf (why, why_size, "%s cannot be given in JSON", path);
            return DH_E_INVALID;
    }
    snprintf (why, why_size, "%s must be %s, not %s", path, wanted, s_json_type (value));
    return DH_E_INVALID;
}

static int
s_message (const ProtobufCMessageDescriptor *descriptor, json_t *json, ProtobufCMessage **message,
           const char *path, char *why, size_t why_size)
{
    *message = calloc (1, descriptor->sizeof_message);
    if (!*message)
        return DH_E_NOMEM;
    protobuf_c_message_init (descriptor, *message);
    const char *key;
    json_t *value;
    json_object_foreach (json, key, value) {
        char field_path [200];
        snprintf (field_path, sizeof field_path, "%s%s%.64s", path, *path? ".": "", key);
        const ProtobufCFieldDescriptor *field = s_field (descriptor, key);
        if (!field) {
            snprintf (why, why_size, "unknown field '%s'", field_path);
            return DH_E_INVALID;
        }
        char *base = (char *) *message + field->offset;
        if (field->label != PROTOBUF_C_LABEL_REPEATED) {
            if (json_is_null (value))
                continue;
            int rc = s_scalar (field, value, base, field_path, why, why_size);
            if (rc)
                return rc;
            continue;
        }
        if (!json_is_array (value)) {
            snprintf (why, why_size, "%s must be an array, not %s", field_path, s_json_type (value));
            return DH_E_INVALID;
        }
        size_t count = json_array_size (value);
        if (!count)
            continue;
        size_t size = dh_pbjson_value_size (field);
        char *items = calloc (count, size);
        if (!items)
            return DH_E_NOMEM;
        *(void **) base = items;
        size_t *quantity = (size_t *) ((char *) *message + field->quantifier_offset);
        for (size_t i = 0; i < count; i++) {
            char item_path [220];
            snprintf (item_path, sizeof item_path, "%.180s[%zu]", field_path, i);
            int rc = s_scalar (field, json_array_get (value, i), items + i * size, item_path, why, why_size);
            if (rc)
                return rc;
            //  Counted as it is filled, so a refusal frees what was made.
            *quantity = i + 1;
        }
    }
    return 0;
}

int
dh_pbjson_to_message (const ProtobufCMessageDescriptor *descriptor, json_t *json, ProtobufCMessage **message,
                   char *why, size_t why_size)
{
    *message = NULL;
    if (!json_is_object (json)) {
        snprintf (why, why_size, "the body must be a JSON object");
        return DH_E_INVALID;
    }
    int rc = s_message (descriptor, json, message, "", why, why_size);
    if (rc) {
        if (rc == DH_E_NOMEM)
            snprintf (why, why_size, "out of memory");
        if (*message)
            protobuf_c_message_free_unpacked (*message, NULL);
        *message = NULL;
    }
    return rc;
}

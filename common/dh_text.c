#include <stdio.h>
#include <string.h>
#include "dh_error.h"
#include "dh_text.h"

//  Every text field's limit, in characters (0: none beyond max_message),
//  and whether it may hold line breaks. One row per field that differs
//  from the default; the first row is the default.
typedef struct {
    const char *message;        //  the .proto's message name; NULL: the default row
    const char *field;
    size_t max_chars;
    bool lines;
} s_rule_t;

static const s_rule_t s_rules [] = {
    { NULL,             NULL,           200,  false },
    { "SubmitDossier",  "procedure_code", 64, false },
    { "SubmitDossier",  "documents",    300,  false },
    { "SubmitDossier",  "notify",       16,   false },
    { "Applicant",      "name",         200,  false },
    { "Applicant",      "id_number",    32,   false },
    { "Applicant",      "phone",        32,   false },
    { "Applicant",      "email",        200,  false },
    { "Applicant",      "address",      500,  true  },
    { "ItemCommand",    "code",         64,   false },
    { "ItemCommand",    "id_number",    32,   false },
    { "ItemCommand",    "handler",      64,   false },
    { "ItemCommand",    "unit",         64,   false },
    { "ItemCommand",    "reason",       2000, true  },
    { "ItemCommand",    "content",      4000, true  },
    { "ItemCommand",    "papers",       300,  false },
    { "ImportCsv",      "name",         64,   false },
    { "ImportCsv",      "text",         0,    true  },   //  a whole CSV file
};
#define S_RULES (sizeof s_rules / sizeof s_rules [0])

#define S_DEPTH_MAX 16

//  A field's path longer than its buffer is cut short: that only shortens
//  the words of a refusal.
#pragma GCC diagnostic ignored "-Wformat-truncation"          //  our messages nest two deep; a bound all the same

//  The field name is compared first: it differs from most rows at its
//  first byte, so a lookup costs a few byte compares, with no cache.
static const s_rule_t *
s_rule (const char *message, const char *field)
{
    for (size_t i = 1; i < S_RULES; i++)
        if (!strcmp (s_rules [i].field, field) && !strcmp (s_rules [i].message, message))
            return &s_rules [i];
    return &s_rules [0];
}

void
dh_text_rule (const char *message, const char *field, size_t *max_chars, bool *lines)
{
    const s_rule_t *rule = s_rule (message, field);
    *max_chars = rule->max_chars;
    *lines = rule->lines;
}

//  The length of the UTF-8 sequence that starts at s (left bytes on),
//  or 0 when it is not one. The second byte's range rules out overlong
//  forms (E0, F0), surrogates (ED) and code points past U+10FFFF (F4).
static size_t
s_sequence (const unsigned char *s, size_t left)
{
    unsigned char lead = s [0];
    unsigned char low = 0x80, high = 0xBF;
    size_t length;
    if (lead >= 0xC2 && lead <= 0xDF)
        length = 2;
    else
    if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        if (lead == 0xE0)
            low = 0xA0;
        if (lead == 0xED)
            high = 0x9F;
    }
    else
    if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        if (lead == 0xF0)
            low = 0x90;
        if (lead == 0xF4)
            high = 0x8F;
    }
    else
        return 0;
    if (left < length || s [1] < low || s [1] > high)
        return 0;
    for (size_t i = 2; i < length; i++)
        if (s [i] < 0x80 || s [i] > 0xBF)
            return 0;
    return length;
}

static void
s_place (char *place, size_t size, size_t at, size_t line)
{
    if (line)
        snprintf (place, size, "byte %zu (line %zu)", at, line);
    else
        snprintf (place, size, "byte %zu", at);
}

int
dh_text_check (const char *text, size_t size, size_t max_chars, bool lines, char *why, size_t why_size)
{
    const unsigned char *s = (const unsigned char *) text;
    size_t chars = 0, line = 1;
    //  Where it went wrong: the byte, and in a text of lines (a file
    //  imported), the line an operator opens the file at.
    char place [64];
    for (size_t at = 0; at < size; chars++) {
        unsigned char byte = s [at];
        if (lines && byte == '\n')
            line++;
        if (byte >= 0x20 && byte < 0x7F) {
            at++;
            continue;
        }
        unsigned control = 0x100;       //  none
        size_t length = 1;
        if (byte < 0x80) {
            bool line_break = byte == '\n' || (byte == '\r' && at + 1 < size && s [at + 1] == '\n');
            if (!(lines && line_break))
                control = byte;
        }
        else {
            length = s_sequence (s + at, size - at);
            if (!length) {
                s_place (place, sizeof place, at, lines? line: 0);
                snprintf (why, why_size, "not valid UTF-8 at %s", place);
                return DH_E_INVALID;
            }
            //  U+0080..U+009F, the C1 controls, are C2 80..C2 9F.
            if (byte == 0xC2 && s [at + 1] <= 0x9F)
                control = s [at + 1];
        }
        if (control != 0x100) {
            s_place (place, sizeof place, at, lines? line: 0);
            snprintf (why, why_size, "a control character (U+%04X) at %s", control, place);
            return DH_E_INVALID;
        }
        at += length;
    }
    if (max_chars && chars > max_chars) {
        snprintf (why, why_size, "%zu characters, at most %zu", chars, max_chars);
        return DH_E_INVALID;
    }
    return 0;
}

//  Where a field stands in the message, as a chain from the top, so its
//  name is written out only when something is wrong with it: formatting
//  every field's path on every command would cost more than checking it.
typedef struct s_path {
    const struct s_path *parent;
    const char *name;
    size_t index;
    bool repeated;
} s_path_t;

static size_t
s_format_path (const s_path_t *path, char *out, size_t size)
{
    size_t used = path->parent? s_format_path (path->parent, out, size): 0;
    if (used >= size)
        return used;
    int wrote = path->repeated? snprintf (out + used, size - used, "%s%s[%zu]", used? ".": "", path->name, path->index)
                              : snprintf (out + used, size - used, "%s%s", used? ".": "", path->name);
    return used + (wrote > 0? (size_t) wrote: 0);
}

//  One string of a field.
static int
s_check_string (const char *text, const s_rule_t *rule, const s_path_t *path, char *why, size_t why_size)
{
    if (!text)
        return 0;
    char fault [DH_TEXT_WHY_MAX];
    int rc = dh_text_check (text, strlen (text), rule->max_chars, rule->lines, fault, sizeof fault);
    if (rc) {
        char where [128];
        s_format_path (path, where, sizeof where);
        snprintf (why, why_size, "%s: %s", where, fault);
    }
    return rc;
}

static int s_check (const ProtobufCMessage *message, const s_path_t *path, int depth, char *why, size_t why_size);

//  One field of message: a string or a message, once or repeated.
static int
s_check_field (const ProtobufCMessage *message, const ProtobufCFieldDescriptor *field,
               const s_path_t *parent, int depth, char *why, size_t why_size)
{
    const char *base = (const char *) message;
    const void *member = base + field->offset;
    size_t count = 1;
    bool repeated = field->label == PROTOBUF_C_LABEL_REPEATED;
    if (repeated)
        count = *(const size_t *) (base + field->quantifier_offset);
    else
    if ((field->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
    &&  *(const uint32_t *) (base + field->quantifier_offset) != field->id)
        return 0;               //  another member of the oneof is set
    const s_rule_t *rule = field->type == PROTOBUF_C_TYPE_STRING?
        s_rule (message->descriptor->short_name, field->name): NULL;
    for (size_t i = 0; i < count; i++) {
        const void *value = repeated? (*(void *const *const *) member) [i]: *(void *const *) member;
        s_path_t path = { parent, field->name, i, repeated };
        int rc = rule? s_check_string (value, rule, &path, why, why_size)
                     : value? s_check (value, &path, depth + 1, why, why_size): 0;
        if (rc)
            return rc;
    }
    return 0;
}

static int
s_check (const ProtobufCMessage *message, const s_path_t *path, int depth, char *why, size_t why_size)
{
    if (depth > S_DEPTH_MAX) {
        char where [128] = "";
        if (path)
            s_format_path (path, where, sizeof where);
        snprintf (why, why_size, "%s: nested more than %d deep", where, S_DEPTH_MAX);
        return DH_E_INVALID;
    }
    const ProtobufCMessageDescriptor *descriptor = message->descriptor;
    for (unsigned i = 0; i < descriptor->n_fields; i++) {
        const ProtobufCFieldDescriptor *field = &descriptor->fields [i];
        if (field->type != PROTOBUF_C_TYPE_STRING && field->type != PROTOBUF_C_TYPE_MESSAGE)
            continue;
        int rc = s_check_field (message, field, path, depth, why, why_size);
        if (rc)
            return rc;
    }
    return 0;
}

int
dh_text_check_message (const ProtobufCMessage *message, char *why, size_t why_size)
{
    return s_check (message, NULL, 0, why, why_size);
}

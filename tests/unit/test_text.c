//  dh_text: every string field of every command's payload (nested and
//  repeated ones too) refuses each kind of bad text, with words that name
//  the field; good text, Vietnamese included, passes; the limits count
//  characters, not bytes. The fields are found from the messages'
//  descriptors, so a field added to a .proto is covered without a line here.
#include <czmq.h>
#include "envelope.pb-c.h"
#include "work.pb-c.h"
#include "dh_error.h"
#include "dh_text.h"
#include "unit.h"

//  The payloads clients send (a SNAPSHOT request carries bytes only).
static const ProtobufCMessageDescriptor *s_commands [] = {
    &dh__submit_dossier__descriptor, &dh__item_command__descriptor,
    &dh__import_csv__descriptor, &dh__clock_command__descriptor,
};

typedef struct {
    const char *what;
    const char *text;           //  NULL: one character past the field's limit
    const char *words;          //  what the refusal must say
} s_bad_t;

static const s_bad_t s_bad [] = {
    { "invalid UTF-8",         "Nguy\xff" "n",       "not valid UTF-8 at byte 4" },
    { "overlong encoding",     "A\xc0\xaf",          "not valid UTF-8 at byte 1" },
    { "a surrogate",           "x\xed\xa0\x80",      "not valid UTF-8 at byte 1" },
    { "past U+10FFFF",         "\xf4\x90\x80\x80",   "not valid UTF-8 at byte 0" },
    { "a terminal escape",     "ab\x1b[31m",         "a control character (U+001B) at byte 2" },
    { "a C1 control",          "ab\xc2\x85",         "a control character (U+0085) at byte 2" },
    { "DEL",                   "a\x7f",              "a control character (U+007F) at byte 1" },
    { "over-long by a letter", NULL,                 "characters, at most" },
};

//  A text of n letters 'ệ' (three bytes each): too long in characters
//  exactly when n passes the limit, whatever its bytes.
static char *
s_letters (size_t n)
{
    char *text = malloc (3 * n + 1);
    for (size_t i = 0; i < n; i++)
        memcpy (text + 3 * i, "\xe1\xbb\x87", 3);
    text [3 * n] = 0;
    return text;
}

//  Set the string field (or the first element of a repeated one) of a
//  fresh message to *slot.
static void
s_set (ProtobufCMessage *message, const ProtobufCFieldDescriptor *field, char **slot)
{
    void *at = (char *) message + field->offset;
    if (field->label == PROTOBUF_C_LABEL_REPEATED) {
        *(size_t *) ((char *) message + field->quantifier_offset) = 1;
        *(char ***) at = slot;
    }
    else
        *(char **) at = *slot;
}

//  A fresh `top` message in top_memory whose field (in the message `via`
//  leads to, in inner_memory, or in top itself) holds *slot.
static ProtobufCMessage *
s_message (const ProtobufCMessageDescriptor *top, const ProtobufCFieldDescriptor *via,
           const ProtobufCMessageDescriptor *descriptor, const ProtobufCFieldDescriptor *field,
           char **slot, uint8_t *top_memory, uint8_t *inner_memory)
{
    ProtobufCMessage *message = (ProtobufCMessage *) top_memory;
    protobuf_c_message_init (top, message);
    ProtobufCMessage *holder = message;
    if (via) {
        holder = (ProtobufCMessage *) inner_memory;
        protobuf_c_message_init (descriptor, holder);
        *(ProtobufCMessage **) ((char *) message + via->offset) = holder;
    }
    s_set (holder, field, slot);
    return message;
}

static int s_fields_checked;

//  Every string field of descriptor, reached from the command's top
//  message through at most one nested message (Applicant in
//  SubmitDossier): each bad text is refused naming path.
static void
s_check_fields (const ProtobufCMessageDescriptor *top, const ProtobufCFieldDescriptor *via,
                const ProtobufCMessageDescriptor *descriptor)
{
    for (unsigned f = 0; f < descriptor->n_fields; f++) {
        const ProtobufCFieldDescriptor *field = &descriptor->fields [f];
        if (field->type == PROTOBUF_C_TYPE_MESSAGE && !via) {
            s_check_fields (top, field, field->descriptor);
            continue;
        }
        if (field->type != PROTOBUF_C_TYPE_STRING)
            continue;
        size_t max_chars;
        bool lines;
        dh_text_rule (descriptor->short_name, field->name, &max_chars, &lines);
        char path [128];
        snprintf (path, sizeof path, "%s%s%s%s", via? via->name: "", via? ".": "", field->name,
                  field->label == PROTOBUF_C_LABEL_REPEATED? "[0]": "");
        for (size_t b = 0; b < sizeof s_bad / sizeof s_bad [0]; b++) {
            if (!s_bad [b].text && !max_chars)
                continue;       //  a field without a limit (a whole CSV file)
            char *text = s_bad [b].text? strdup (s_bad [b].text): s_letters (max_chars + 1);
            uint8_t top_memory [1024], inner_memory [1024];
            char *slot [1] = { text };
            ProtobufCMessage *message = s_message (top, via, descriptor, field, slot, top_memory, inner_memory);
            char why [DH_TEXT_WHY_MAX];
            int rc = dh_text_check_message (message, why, sizeof why);
            CHECK (rc == DH_E_INVALID, "%s %s with %s: refused (got %d)", top->short_name, path, s_bad [b].what, rc);
            CHECK (rc && !strncmp (why, path, strlen (path)) && strstr (why, s_bad [b].words),
                   "%s %s with %s: the words '%s' name the field and say '%s'", top->short_name, path,
                   s_bad [b].what, rc? why: "", s_bad [b].words);
            free (text);
        }
        //  A good Vietnamese text at the limit passes.
        char *good = s_letters (max_chars? max_chars: 1000);
        uint8_t top_memory [1024], inner_memory [1024];
        char *slot [1] = { good };
        ProtobufCMessage *message = s_message (top, via, descriptor, field, slot, top_memory, inner_memory);
        char why [DH_TEXT_WHY_MAX] = "";
        CHECK (dh_text_check_message (message, why, sizeof why) == 0, "%s %s: %zu Vietnamese letters refused: %s",
               top->short_name, path, max_chars, why);
        free (good);
        s_fields_checked++;
    }
}

int
main (void)
{
    for (size_t i = 0; i < sizeof s_commands / sizeof s_commands [0]; i++)
        s_check_fields (s_commands [i], NULL, s_commands [i]);
    CHECK (s_fields_checked >= 15, "only %d string fields found in the command payloads", s_fields_checked);
    char why [DH_TEXT_WHY_MAX];
    CHECK (dh_text_check ("hai\ndòng", 9, 100, true, why, sizeof why) == 0, "a line break where allowed");
    CHECK (dh_text_check ("hai\ndòng", 9, 100, false, why, sizeof why) == DH_E_INVALID, "a line break elsewhere");
    CHECK (dh_text_check ("a\0b", 3, 100, false, why, sizeof why) == DH_E_INVALID, "an embedded NUL");
    printf ("test_text: %d string fields of the command payloads\n", s_fields_checked);
    return UNIT_DONE ("test_text");
}

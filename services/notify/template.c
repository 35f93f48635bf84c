//  Notification templates (mẫu thông báo): the words for each event on
//  each channel, read from deploy/templates/templates.txt and checked
//  whole before any is kept, and their filling with an item's values.
//  Pure: libc and common/ only, no store and no loop, so that a unit test
//  can take this file in whole (tests/unit/test_template.c).
//
//  The file, line by line: '#' starts a comment; "[event channel]" starts
//  a block; an email block's first non-empty line is "Subject: ..."; the
//  rest up to the next block is the body, its leading and trailing blank
//  lines and each line's trailing spaces dropped, "\r\n" read as "\n".
//  A placeholder is a known name in braces on one line; "{{" is a brace.
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dh_error.h"
#include "dh_text.h"
#include "notify.h"

//  --------------------------------------------------------------- tables

//  The placeholders, in notify_fields_t's order: one list, an index per
//  name (for the events' required masks) and a row per name.
#define S_PLACEHOLDERS(X) \
    X (code) X (procedure) X (applicant) X (due) X (new_due) \
    X (counter) X (reason) X (papers) X (staff) X (unit) \
    X (open) X (overdue)

enum {
#define S_INDEX(name) S_P_##name,
    S_PLACEHOLDERS (S_INDEX)
#undef S_INDEX
    S_PLACEHOLDER_COUNT
};
#define S_NEEDS(name) (1u << S_P_##name)
#define S_NAME_MAX 16           //  longer than any placeholder's name

typedef struct {
    const char *name;
    size_t offset;              //  of its value in notify_fields_t
} s_placeholder_t;

static const s_placeholder_t s_placeholders [S_PLACEHOLDER_COUNT] = {
#define S_ROW(name) { #name, offsetof (notify_fields_t, name) },
    S_PLACEHOLDERS (S_ROW)
#undef S_ROW
};

//  The events notify tells of, and the placeholders each one's templates
//  must hold on every channel: a message that cannot say which dossier,
//  which papers or which new date is no use to the one who reads it.
typedef struct {
    const char *name;
    unsigned needs;             //  S_NEEDS mask
} s_event_t;

static const s_event_t s_events [] = {
    //  To the applicant (người nộp hồ sơ).
    { "received",             S_NEEDS (code) },                       //  đã tiếp nhận
    { "not_accepted",         S_NEEDS (code) | S_NEEDS (reason) },    //  không tiếp nhận
    { "supplement_requested", S_NEEDS (code) | S_NEEDS (papers) },    //  yêu cầu bổ sung
    { "fee_due",              S_NEEDS (code) },                       //  nộp phí, lệ phí
    { "apology",              S_NEEDS (code) | S_NEEDS (new_due) },   //  xin lỗi và hẹn lại
    { "result_ready",         S_NEEDS (code) | S_NEEDS (counter) },   //  đã có kết quả
    { "returned",             S_NEEDS (code) },                       //  đã trả kết quả
    //  To staff (cán bộ): handlers and heads of unit.
    { "assigned",             S_NEEDS (code) },
    { "due_soon",             S_NEEDS (code) },                       //  sắp đến hạn
    { "breached",             S_NEEDS (code) },                       //  quá hạn
    { "apology_to_approve",   S_NEEDS (code) },
    { "queue_summary",        S_NEEDS (staff) | S_NEEDS (open) },     //  about many items, so no code
};
#define S_EVENTS (sizeof s_events / sizeof s_events [0])

//  The channels. SMS and Zalo go through providers that take plain ASCII
//  well and Vietnamese with diacritics badly (an SMS in UCS-2 holds 70
//  characters, not 160), so their text is Vietnamese without diacritics.
typedef struct {
    const char *name;
    bool templated;             //  false: the body is made by code, not a template
    bool subject;               //  its block starts with "Subject: "
    bool ascii;                 //  text and filled values are ASCII
    size_t max_chars;           //  of the body before filling; 0: no limit
} s_channel_t;

static const s_channel_t s_channels [] = {
    { "email",   true,  true,  false, 0   },
    { "sms",     true,  false, true,  320 },    //  about two SMS, leaving room for the values
    { "zalo",    true,  false, true,  0   },
    { "webhook", false, false, false, 0   },    //  JSON from the NotifyEvent
};
#define S_CHANNELS (sizeof s_channels / sizeof s_channels [0])

//  Every precomposed Vietnamese letter (chữ có dấu) and đ, by the ASCII
//  letter it is left with when its marks are taken away.
static const struct {
    char ascii;
    const char *letters;
} s_letters [] = {
    { 'a', "àáảãạăằắẳẵặâầấẩẫậ" },   { 'A', "ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬ" },
    { 'd', "đ" },                   { 'D', "Đ" },
    { 'e', "èéẻẽẹêềếểễệ" },         { 'E', "ÈÉẺẼẸÊỀẾỂỄỆ" },
    { 'i', "ìíỉĩị" },               { 'I', "ÌÍỈĨỊ" },
    { 'o', "òóỏõọôồốổỗộơờớởỡợ" },   { 'O', "ÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢ" },
    { 'u', "ùúủũụưừứửữự" },         { 'U', "ÙÚỦŨỤƯỪỨỬỮỰ" },
    { 'y', "ỳýỷỹỵ" },               { 'Y', "ỲÝỶỸỴ" },
};
#define S_LETTER_ROWS (sizeof s_letters / sizeof s_letters [0])

static const s_event_t *
s_event_find (const char *name, size_t length)
{
    for (size_t i = 0; i < S_EVENTS; i++)
        if (strlen (s_events [i].name) == length && !memcmp (s_events [i].name, name, length))
            return &s_events [i];
    return NULL;
}

static const s_channel_t *
s_channel_find (const char *name, size_t length)
{
    for (size_t i = 0; i < S_CHANNELS; i++)
        if (strlen (s_channels [i].name) == length && !memcmp (s_channels [i].name, name, length))
            return &s_channels [i];
    return NULL;
}

//  The index of the placeholder named by length bytes at name, or -1.
static int
s_placeholder_find (const char *name, size_t length)
{
    for (int i = 0; i < S_PLACEHOLDER_COUNT; i++)
        if (strlen (s_placeholders [i].name) == length && !memcmp (s_placeholders [i].name, name, length))
            return i;
    return -1;
}

bool
notify_event_known (const char *event)
{
    return event && s_event_find (event, strlen (event));
}

bool
notify_channel_known (const char *channel)
{
    return channel && s_channel_find (channel, strlen (channel));
}

//  --------------------------------------------------------------- parsing

typedef struct {
    const char *name;               //  the file's, in refusals
    char *error;
    size_t error_size;
    notify_template_put_fn *put;    //  NULL in the checking pass
    void *arg;
    size_t line;                    //  the line being read, from 1
    //  The block being read; event NULL before the first.
    const s_event_t *event;
    const s_channel_t *channel;
    size_t block_line;              //  its [event channel] line
    bool subject_read;
    unsigned used;                  //  the placeholders met (S_NEEDS mask)
    char *subject;                  //  each as long as the whole text
    char *body;
    size_t body_length;
    size_t blanks;                  //  blank lines since the body's last text
    size_t seen [S_EVENTS][S_CHANNELS];   //  each template's block line; 0: none yet
} s_parser_t;

//  Words for a refusal at line: "NAME line N: [event channel]: why".
//  Returns DH_E_INVALID.
static int
s_fail (s_parser_t *self, size_t line, const char *format, ...)
{
    if (!self->error_size)
        return DH_E_INVALID;
    int used = snprintf (self->error, self->error_size, "%s line %zu: ", self->name, line);
    if (self->event && used >= 0 && (size_t) used < self->error_size)
        used += snprintf (self->error + used, self->error_size - used, "[%s %s]: ",
                          self->event->name, self->channel->name);
    if (used >= 0 && (size_t) used < self->error_size) {
        va_list args;
        va_start (args, format);
        vsnprintf (self->error + used, self->error_size - used, format, args);
        va_end (args);
    }
    return DH_E_INVALID;
}

static bool
s_blank (const char *line, size_t length)
{
    for (size_t i = 0; i < length; i++)
        if (line [i] != ' ')
            return false;
    return true;
}

//  A line of a subject or body: ASCII where the channel asks it, each
//  '{' closed on the line and naming a known placeholder.
static int
s_text_check (s_parser_t *self, const char *line, size_t length)
{
    if (self->channel->ascii)
        for (size_t i = 0; i < length; i++)
            if ((unsigned char) line [i] >= 0x80)
                return s_fail (self, self->line, "a non-ASCII character at byte %zu: %s text is "
                               "Vietnamese without diacritics (\"da co ket qua\")",
                               i, self->channel->name);
    for (size_t i = 0; i < length; i++) {
        if (line [i] != '{')
            continue;
        if (i + 1 < length && line [i + 1] == '{') {
            i++;
            continue;
        }
        const char *close = memchr (line + i, '}', length - i);
        if (!close)
            return s_fail (self, self->line, "'{' at byte %zu is not closed on its line "
                           "(\"{{\" writes a brace)", i);
        size_t name_length = close - (line + i + 1);
        int index = s_placeholder_find (line + i + 1, name_length);
        if (index < 0)
            return s_fail (self, self->line, "unknown placeholder {%.*s}",
                           (int) (name_length < 40? name_length: 40), line + i + 1);
        self->used |= 1u << index;
        i += name_length + 1;
    }
    return 0;
}

//  The block read so far is whole: check what only the whole can show,
//  then (in the second pass) hand it to put.
static int
s_block_end (s_parser_t *self)
{
    if (!self->event)
        return 0;
    if (self->channel->subject && !self->subject_read)
        return s_fail (self, self->block_line, "no \"Subject: ...\" line");
    if (!self->body_length)
        return s_fail (self, self->block_line, "the body is empty");
    unsigned missing = self->event->needs & ~self->used;
    if (missing) {
        char names [S_PLACEHOLDER_COUNT * (S_NAME_MAX + 3)] = "";
        for (int i = 0; i < S_PLACEHOLDER_COUNT; i++)
            if (missing & (1u << i)) {
                strcat (names, *names? " {": "{");
                strcat (names, s_placeholders [i].name);
                strcat (names, "}");
            }
        return s_fail (self, self->block_line, "no %s, which every %s template must hold",
                       names, self->event->name);
    }
    if (self->channel->max_chars && self->body_length > self->channel->max_chars)
        return s_fail (self, self->block_line, "the body has %zu characters; %s takes at most %zu "
                       "before filling", self->body_length, self->channel->name, self->channel->max_chars);
    if (self->put) {
        self->body [self->body_length] = 0;
        int rc = self->put (self->arg, self->event->name, self->channel->name,
                            self->subject, self->body);
        if (rc) {
            s_fail (self, self->block_line, "not kept: %s", dh_strerror (rc));
            return rc;
        }
    }
    self->event = NULL;
    self->channel = NULL;
    return 0;
}

//  "[event channel]": one space between, trailing spaces allowed.
static int
s_block_start (s_parser_t *self, const char *line, size_t length)
{
    while (length && line [length - 1] == ' ')
        length--;
    const char *inner = line + 1;
    size_t inner_length = length >= 2 && line [length - 1] == ']'? length - 2: 0;
    const char *space = memchr (inner, ' ', inner_length);
    if (!inner_length || !space || space == inner || space == inner + inner_length - 1
    ||  memchr (space + 1, ' ', inner_length - (space + 1 - inner)))
        return s_fail (self, self->line, "a block starts with a line \"[event channel]\"");
    size_t event_length = space - inner;
    size_t channel_length = inner_length - event_length - 1;
    const s_event_t *event = s_event_find (inner, event_length);
    if (!event) {
        char known [S_EVENTS * 24] = "";
        for (size_t i = 0; i < S_EVENTS; i++) {
            strcat (known, i? ", ": "");
            strcat (known, s_events [i].name);
        }
        return s_fail (self, self->line, "unknown event \"%.*s\" (known: %s)",
                       (int) (event_length < 40? event_length: 40), inner, known);
    }
    const s_channel_t *channel = s_channel_find (space + 1, channel_length);
    if (!channel)
        return s_fail (self, self->line, "unknown channel \"%.*s\" (known: email, sms, zalo, webhook)",
                       (int) (channel_length < 40? channel_length: 40), space + 1);
    self->event = event;
    self->channel = channel;
    self->block_line = self->line;
    if (!channel->templated)
        return s_fail (self, self->line, "a webhook's body is JSON made by the code from the "
                       "event, not a template; leave webhook blocks out");
    size_t *seen = &self->seen [event - s_events][channel - s_channels];
    if (*seen)
        return s_fail (self, self->line, "a second block for it (the first is at line %zu)", *seen);
    *seen = self->line;
    self->subject_read = false;
    self->used = 0;
    self->subject [0] = 0;
    self->body_length = 0;
    self->blanks = 0;
    return 0;
}

//  A line inside a block: the subject, or a line of the body.
static int
s_block_line (s_parser_t *self, const char *line, size_t length)
{
    while (length && line [length - 1] == ' ')
        length--;
    int rc;
    if (self->channel->subject && !self->subject_read) {
        if (!length)
            return 0;
        if (length < 8 || memcmp (line, "Subject:", 8))
            return s_fail (self, self->line, "an email block's first line is \"Subject: ...\"");
        size_t skip = 8;
        while (skip < length && line [skip] == ' ')
            skip++;
        if (skip == length)
            return s_fail (self, self->line, "the Subject is empty");
        if ((rc = s_text_check (self, line + skip, length - skip)))
            return rc;
        memcpy (self->subject, line + skip, length - skip);
        self->subject [length - skip] = 0;
        self->subject_read = true;
        return 0;
    }
    if (!length) {
        if (self->body_length)
            self->blanks++;         //  kept only if text follows
        return 0;
    }
    if ((rc = s_text_check (self, line, length)))
        return rc;
    if (self->body_length)
        for (size_t i = 0; i <= self->blanks; i++)
            self->body [self->body_length++] = '\n';
    memcpy (self->body + self->body_length, line, length);
    self->body_length += length;
    self->blanks = 0;
    return 0;
}

static int
s_line (s_parser_t *self, const char *line, size_t length)
{
    int rc;
    bool header = length && line [0] == '[';
    //  The block before ends first, so its refusals come first and do not
    //  name the new one.
    if (header && (rc = s_block_end (self)))
        return rc;
    char why [DH_TEXT_WHY_MAX];
    if (dh_text_check (line, length, 0, false, why, sizeof why))
        return s_fail (self, self->line, "%s", why);
    if (length && line [0] == '#')
        return 0;
    if (header)
        return s_block_start (self, line, length);
    if (!self->event) {
        if (s_blank (line, length))
            return 0;
        return s_fail (self, self->line, "text before the first [event channel] line");
    }
    return s_block_line (self, line, length);
}

//  One pass over the whole text: checking alone while self->put is NULL.
static int
s_walk (s_parser_t *self, const char *text)
{
    memset (self->seen, 0, sizeof self->seen);
    self->event = NULL;
    self->channel = NULL;
    self->line = 0;
    const char *at = text;
    while (*at) {
        const char *end = strchr (at, '\n');
        if (!end)
            end = at + strlen (at);
        size_t length = end - at;
        if (length && at [length - 1] == '\r')
            length--;
        self->line++;
        int rc = s_line (self, at, length);
        if (rc)
            return rc;
        at = *end? end + 1: end;
    }
    return s_block_end (self);
}

int
notify_templates_parse (const char *name, const char *text, notify_template_put_fn *put, void *arg,
                        char *error, size_t error_size)
{
    assert (name && text && put);
    if (error_size)
        *error = 0;
    s_parser_t self = { .name = name, .error = error, .error_size = error_size, .arg = arg };
    //  A subject or a body is never longer than the whole text.
    size_t size = strlen (text) + 1;
    char *buffer = malloc (2 * size);
    if (!buffer) {
        if (error_size)
            snprintf (error, error_size, "%s: out of memory", name);
        return DH_E_NOMEM;
    }
    self.subject = buffer;
    self.body = buffer + size;
    //  Check everything first, so a refused file hands put nothing.
    int rc = s_walk (&self, text);
    if (!rc) {
        self.put = put;
        rc = s_walk (&self, text);
    }
    free (buffer);
    return rc;
}

//  -------------------------------------------------------------- rendering

typedef struct {
    char *out;
    size_t size;
    size_t length;              //  what it would take: past size-1 nothing is written
} s_out_t;

static void
s_append (s_out_t *self, const char *bytes, size_t length)
{
    if (self->length + length < self->size)
        memcpy (self->out + self->length, bytes, length);
    self->length += length;
}

//  The length of the UTF-8 sequence at s (lead byte and continuation
//  bytes only; the text was checked at the door), or 0.
static size_t
s_sequence (const unsigned char *s)
{
    size_t length = s [0] >= 0xC2 && s [0] <= 0xDF? 2
                  : s [0] >= 0xE0 && s [0] <= 0xEF? 3
                  : s [0] >= 0xF0 && s [0] <= 0xF4? 4: 0;
    for (size_t i = 1; i < length; i++)
        if (s [i] < 0x80 || s [i] > 0xBF)
            return 0;
    return length;
}

//  Bytes as ASCII: a Vietnamese letter loses its marks, a combining mark
//  (U+0300..U+036F, text typed decomposed) goes, anything else not ASCII
//  becomes '?'.
static void
s_append_ascii (s_out_t *self, const char *bytes, size_t length)
{
    const unsigned char *s = (const unsigned char *) bytes;
    for (size_t at = 0; at < length;) {
        if (s [at] < 0x80) {
            s_append (self, bytes + at++, 1);
            continue;
        }
        size_t n = s_sequence (s + at);
        if (!n || at + n > length) {
            s_append (self, "?", 1);
            at++;
            continue;
        }
        char ascii = '?';
        if (s [at] == 0xCC || (s [at] == 0xCD && s [at + 1] <= 0xAF))
            ascii = 0;
        else {
            char letter [5] = "";
            memcpy (letter, bytes + at, n);
            for (size_t i = 0; i < S_LETTER_ROWS; i++)
                if (strstr (s_letters [i].letters, letter)) {
                    ascii = s_letters [i].ascii;
                    break;
                }
        }
        if (ascii)
            s_append (self, &ascii, 1);
        at += n;
    }
}

static void
s_append_text (s_out_t *self, const char *bytes, size_t length, bool ascii)
{
    if (ascii)
        s_append_ascii (self, bytes, length);
    else
        s_append (self, bytes, length);
}

int
notify_render (const char *text, const notify_fields_t *fields, bool ascii, char *out, size_t size)
{
    assert (text && fields && (out || !size));
    s_out_t self = { out, size, 0 };
    const char *at = text;
    while (*at) {
        //  The run of plain text up to the next brace, in one piece.
        size_t run = strcspn (at, "{");
        s_append_text (&self, at, run, ascii);
        at += run;
        if (!*at)
            break;
        if (at [1] == '{') {
            s_append (&self, "{", 1);
            at += 2;
            continue;
        }
        //  A placeholder the parser did not let through stays as it is.
        const char *close = memchr (at + 1, '}', strnlen (at + 1, S_NAME_MAX + 1));
        int index = close? s_placeholder_find (at + 1, close - at - 1): -1;
        if (index < 0) {
            s_append (&self, "{", 1);
            at++;
            continue;
        }
        const char *value = *(const char *const *) ((const char *) fields + s_placeholders [index].offset);
        if (value)
            s_append_text (&self, value, strlen (value), ascii);
        at = close + 1;
    }
    if (self.length >= size) {
        if (size)
            *out = 0;           //  never half a message
        return DH_E_TOO_BIG;
    }
    out [self.length] = 0;
    return 0;
}

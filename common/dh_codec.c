#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "envelope.pb-c.h"
#include "dh_codec.h"
#include "dh_error.h"
#include "dh_text.h"
#include "dh_types.h"

//  A bump arena in chunks; a chunk is never moved, so pointers into it
//  stay valid until the reset.
typedef struct s_chunk_t {
    struct s_chunk_t *next;
    size_t size, used;
    max_align_t data [];
} s_chunk_t;

struct _dh_codec_t {
    size_t max_size;
    s_chunk_t *chunks;
    ProtobufCAllocator allocator;
    uint32_t scratch_count;     //  dh_codec_scratch calls since the reset
    uint32_t scratch_fail;      //  the one of them that fails; 0: none
    bool alloc_failed;          //  since the last decode began: tells no memory from bad bytes
    char error [DH_TEXT_WHY_MAX];
};

#define S_CHUNK_SIZE (256 * 1024)

void *
dh_codec_alloc (dh_codec_t *self, size_t size)
{
    size = (size + 15) & ~(size_t) 15;
    s_chunk_t *chunk = self->chunks;
    if (!chunk || chunk->size - chunk->used < size) {
        size_t chunk_size = size > S_CHUNK_SIZE? size: S_CHUNK_SIZE;
        chunk = malloc (sizeof (s_chunk_t) + chunk_size);
        if (!chunk)
            return NULL;
        chunk->size = chunk_size;
        chunk->used = 0;
        //  Keep the big standard chunk at the head so small requests use it.
        if (self->chunks && chunk_size > S_CHUNK_SIZE) {
            chunk->next = self->chunks->next;
            self->chunks->next = chunk;
        }
        else {
            chunk->next = self->chunks;
            self->chunks = chunk;
        }
    }
    void *block = (char *) chunk->data + chunk->used;
    chunk->used += size;
    return block;
}

void *
dh_codec_scratch (dh_codec_t *self, size_t size)
{
    if (self->scratch_fail && ++self->scratch_count == self->scratch_fail)
        return NULL;
    return dh_codec_alloc (self, size);
}

void
dh_codec_fail_scratch (dh_codec_t *self, uint32_t nth)
{
    self->scratch_fail = nth;
    self->scratch_count = 0;
}

static void *
s_alloc (void *arg, size_t size)
{
    dh_codec_t *self = arg;
    void *block = dh_codec_alloc (self, size);
    if (!block)
        self->alloc_failed = true;
    return block;
}

static void
s_free (void *self, void *pointer)
{
    (void) self;
    (void) pointer;
}

dh_codec_t *
dh_codec_new (size_t max_size)
{
    dh_codec_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->max_size = max_size;
    self->allocator.alloc = s_alloc;
    self->allocator.free = s_free;
    self->allocator.allocator_data = self;
    return self;
}

void
dh_codec_reset (dh_codec_t *self)
{
    self->scratch_count = 0;
    //  Keep one standard chunk to serve the next batch without malloc.
    s_chunk_t *chunk = self->chunks;
    while (chunk && chunk->next) {
        s_chunk_t *next = chunk->next;
        chunk->next = next->next;
        free (next);
    }
    if (chunk) {
        if (chunk->size > S_CHUNK_SIZE) {
            free (chunk);
            self->chunks = NULL;
        }
        else
            chunk->used = 0;
    }
}

void
dh_codec_destroy (dh_codec_t **self_p)
{
    dh_codec_t *self = *self_p;
    if (!self)
        return;
    while (self->chunks) {
        s_chunk_t *next = self->chunks->next;
        free (self->chunks);
        self->chunks = next;
    }
    free (self);
    *self_p = NULL;
}

static int
s_fail (dh_codec_t *self, int code, const char *format, ...)
{
    va_list args;
    va_start (args, format);
    vsnprintf (self->error, sizeof self->error, format, args);
    va_end (args);
    return code;
}

const char *
dh_codec_error (dh_codec_t *self)
{
    return self->error;
}

//  One of the envelope's own texts: at most max bytes (they are names and
//  keys, compared byte for byte), and valid text all the same, since they
//  are logged and printed.
static int
s_check_name (dh_codec_t *self, const char *what, const char *name, size_t max, bool required)
{
    size_t length = strlen (name);
    if (required && length == 0)
        return s_fail (self, DH_E_MALFORMED, "%s: missing", what);
    if (length > max)
        return s_fail (self, DH_E_TOO_BIG, "%s: %zu bytes, at most %zu", what, length, max);
    char why [DH_TEXT_WHY_MAX];
    if (dh_text_check (name, length, 0, false, why, sizeof why))
        return s_fail (self, DH_E_INVALID, "%s: %s", what, why);
    return 0;
}

//  The bytes of a varint at *at, moving past it; false when cut short.
static bool
s_varint (const uint8_t **at, const uint8_t *end, uint64_t *value)
{
    *value = 0;
    for (int shift = 0; shift < 64 && *at < end; shift += 7) {
        uint8_t byte = *(*at)++;
        *value |= (uint64_t) (byte & 0x7f) << shift;
        if (!(byte & 0x80))
            return true;
    }
    return false;
}

//  The Envelope's seq (field 3, a varint) read straight off the wire, for
//  bytes protobuf-c would not (or may not) unpack: too many, a field too
//  long, a field cut short after it. 0 when the bytes do not get that far.
static uint64_t
s_peek_seq (const void *data, size_t size)
{
    const uint8_t *at = data, *end = at + size;
    uint64_t seq = 0, tag, value;
    while (at < end && s_varint (&at, end, &tag)) {
        unsigned wire = tag & 7;
        if (wire == 0) {
            if (!s_varint (&at, end, &value))
                break;
            if (tag >> 3 == 3)
                seq = value;
        }
        else
        if (wire == 2) {
            if (!s_varint (&at, end, &value) || value > (uint64_t) (end - at))
                break;
            at += value;
        }
        else
        if ((wire == 1 || wire == 5) && (size_t) (end - at) >= (wire == 1? 8u: 4u))
            at += wire == 1? 8: 4;
        else
            break;
    }
    return seq;
}

int
dh_codec_decode_envelope (dh_codec_t *self, const void *data, size_t size, dh_envelope_t *envelope)
{
    envelope->seq = 0;
    if (size > self->max_size) {
        envelope->seq = s_peek_seq (data, size);
        return s_fail (self, DH_E_TOO_BIG, "%zu bytes, at most %zu", size, self->max_size);
    }
    self->alloc_failed = false;
    Dh__Envelope *message = dh__envelope__unpack (&self->allocator, size, data);
    if (!message) {
        envelope->seq = s_peek_seq (data, size);
        if (self->alloc_failed)
            return s_fail (self, DH_E_NOMEM, "no memory to decode %zu bytes", size);
        return s_fail (self, DH_E_MALFORMED, "%zu bytes that are no Envelope", size);
    }
    envelope->seq = message->seq;
    if (message->version != DH_PROTOCOL_VERSION)
        return s_fail (self, DH_E_VERSION, "protocol version %u, this program speaks %u",
                       message->version, DH_PROTOCOL_VERSION);
    int rc = s_check_name (self, "sender", message->sender, DH_NAME_MAX, true);
    if (!rc)
        rc = s_check_name (self, "actor", message->actor, DH_NAME_MAX, false);
    if (!rc)
        rc = s_check_name (self, "idempotency_key", message->idempotency_key, DH_KEY_MAX, false);
    if (rc)
        return rc;
    envelope->sender = message->sender;
    envelope->type = message->type;
    envelope->sent_at = message->sent_at;
    envelope->actor = message->actor;
    envelope->payload = message->payload.data;
    envelope->payload_size = message->payload.len;
    envelope->link = message->link;
    envelope->idempotency_key = message->idempotency_key;
    envelope->expires_at = message->expires_at;
    return 0;
}

//  Replies and events come from our own services: only what keeps a
//  client from misreading them is checked.
static int
s_check_size (const char *name, bool required)
{
    size_t length = strlen (name);
    return (required && length == 0) || length > DH_NAME_MAX? DH_E_MALFORMED: 0;
}

int
dh_codec_decode_reply (dh_codec_t *self, const void *data, size_t size, dh_reply_t *reply)
{
    if (size > self->max_size)
        return DH_E_TOO_BIG;
    Dh__Reply *message = dh__reply__unpack (&self->allocator, size, data);
    if (!message)
        return DH_E_MALFORMED;
    if (message->version != DH_PROTOCOL_VERSION)
        return DH_E_VERSION;
    if (s_check_size (message->sender, false))
        return DH_E_MALFORMED;
    reply->sender = message->sender;
    reply->seq = message->seq;
    reply->status = message->status > 0? -message->status: message->status;
    reply->error_name = message->error_name;
    reply->error_text = message->error_text;
    reply->payload = message->payload.data;
    reply->payload_size = message->payload.len;
    return 0;
}

int
dh_codec_decode_event (dh_codec_t *self, const void *data, size_t size, dh_event_t *event)
{
    if (size > self->max_size)
        return DH_E_TOO_BIG;
    Dh__Event *message = dh__event__unpack (&self->allocator, size, data);
    if (!message)
        return DH_E_MALFORMED;
    if (message->version != DH_PROTOCOL_VERSION)
        return DH_E_VERSION;
    if (s_check_size (message->service, true))
        return DH_E_MALFORMED;
    event->service = message->service;
    event->seq = message->seq;
    event->type = message->type;
    event->at = message->at;
    event->payload = message->payload.data;
    event->payload_size = message->payload.len;
    return 0;
}

//  protobuf-c wants char * for strings it only reads when packing.
#define S_STR(s) ((char *) ((s)? (s): ""))

static void
s_envelope_fill (Dh__Envelope *message, const dh_envelope_t *envelope)
{
    dh__envelope__init (message);
    message->version = DH_PROTOCOL_VERSION;
    message->sender = S_STR (envelope->sender);
    message->seq = envelope->seq;
    message->type = envelope->type;
    message->sent_at = envelope->sent_at;
    message->actor = S_STR (envelope->actor);
    message->payload.data = (uint8_t *) envelope->payload;
    message->payload.len = envelope->payload_size;
    message->link = envelope->link;
    message->idempotency_key = S_STR (envelope->idempotency_key);
    message->expires_at = envelope->expires_at;
}

size_t
dh_envelope_size (const dh_envelope_t *envelope)
{
    Dh__Envelope message;
    s_envelope_fill (&message, envelope);
    return dh__envelope__get_packed_size (&message);
}

size_t
dh_envelope_pack (const dh_envelope_t *envelope, uint8_t *buffer)
{
    Dh__Envelope message;
    s_envelope_fill (&message, envelope);
    return dh__envelope__pack (&message, buffer);
}

static void
s_reply_fill (Dh__Reply *message, const dh_reply_t *reply)
{
    dh__reply__init (message);
    message->version = DH_PROTOCOL_VERSION;
    message->sender = S_STR (reply->sender);
    message->seq = reply->seq;
    message->status = reply->status < 0? -reply->status: reply->status;
    message->error_name = S_STR (reply->error_name);
    message->error_text = S_STR (reply->error_text);
    message->payload.data = (uint8_t *) reply->payload;
    message->payload.len = reply->payload_size;
}

size_t
dh_reply_size (const dh_reply_t *reply)
{
    Dh__Reply message;
    s_reply_fill (&message, reply);
    return dh__reply__get_packed_size (&message);
}

size_t
dh_reply_pack (const dh_reply_t *reply, uint8_t *buffer)
{
    Dh__Reply message;
    s_reply_fill (&message, reply);
    return dh__reply__pack (&message, buffer);
}

static void
s_event_fill (Dh__Event *message, const dh_event_t *event)
{
    dh__event__init (message);
    message->version = DH_PROTOCOL_VERSION;
    message->service = S_STR (event->service);
    message->seq = event->seq;
    message->type = event->type;
    message->at = event->at;
    message->payload.data = (uint8_t *) event->payload;
    message->payload.len = event->payload_size;
}

size_t
dh_event_size (const dh_event_t *event)
{
    Dh__Event message;
    s_event_fill (&message, event);
    return dh__event__get_packed_size (&message);
}

size_t
dh_event_pack (const dh_event_t *event, uint8_t *buffer)
{
    Dh__Event message;
    s_event_fill (&message, event);
    return dh__event__pack (&message, buffer);
}

//  A batch is a LinkBatch: field 1 (length-delimited) once per envelope,
//  so an envelope is appended as tag, length, bytes, with no message to
//  build around the whole.
#define S_BATCH_TAG 0x0a

static size_t
s_varint_size (size_t value)
{
    size_t size = 1;
    while (value >= 0x80) {
        value >>= 7;
        size++;
    }
    return size;
}

size_t
dh_batch_item_size (const dh_envelope_t *envelope)
{
    size_t size = dh_envelope_size (envelope);
    return 1 + s_varint_size (size) + size;
}

size_t
dh_batch_item_pack (const dh_envelope_t *envelope, uint8_t *buffer)
{
    size_t size = dh_envelope_size (envelope);
    uint8_t *at = buffer;
    *at++ = S_BATCH_TAG;
    for (size_t value = size; ; value >>= 7) {
        *at++ = (uint8_t) (value & 0x7f) | (value >= 0x80? 0x80: 0);
        if (value < 0x80)
            break;
    }
    at += dh_envelope_pack (envelope, at);
    return (size_t) (at - buffer);
}

int
dh_codec_decode_batch (dh_codec_t *self, const uint8_t *payload, size_t size, const char *sender,
                       dh_batch_t *batch)
{
    if (size > self->max_size)
        return s_fail (self, DH_E_TOO_BIG, "a batch of %zu bytes, at most %zu", size, self->max_size);
    self->alloc_failed = false;
    Dh__LinkBatch *message = dh__link_batch__unpack (&self->allocator, size, payload);
    if (!message && self->alloc_failed)
        return s_fail (self, DH_E_NOMEM, "no memory to open a batch of %zu bytes", size);
    if (!message || message->n_envelopes == 0)
        return s_fail (self, DH_E_MALFORMED, "%zu bytes that are no LinkBatch", size);
    size_t count = message->n_envelopes;
    dh_envelope_t *envelopes = dh_codec_alloc (self, count * sizeof *envelopes);
    int *results = dh_codec_alloc (self, count * sizeof *results);
    const char **why = dh_codec_alloc (self, count * sizeof *why);
    if (!envelopes || !results || !why)
        return s_fail (self, DH_E_NOMEM, "no memory for a batch of %zu", count);
    memset (envelopes, 0, count * sizeof *envelopes);
    for (size_t i = 0; i < count; i++) {
        int rc = dh_codec_decode_envelope (self, message->envelopes [i].data, message->envelopes [i].len,
                                           &envelopes [i]);
        if (rc == DH_E_NOMEM)
            return rc;
        if (!rc && !envelopes [i].link)
            rc = s_fail (self, DH_E_MALFORMED, "a command inside a batch (only link messages)");
        else
        if (!rc && envelopes [i].type == DH_MSG_LINK_BATCH)
            rc = s_fail (self, DH_E_MALFORMED, "a batch inside a batch");
        else
        if (!rc && strcmp (envelopes [i].sender, sender))
            rc = s_fail (self, DH_E_MALFORMED, "a message of %s inside a batch from %s",
                         envelopes [i].sender, sender);
        results [i] = rc;
        why [i] = NULL;
        if (rc) {
            uint64_t seq = envelopes [i].seq;
            envelopes [i] = (dh_envelope_t) { .sender = sender, .seq = seq, .actor = "", .link = true };
            size_t length = strlen (self->error) + 1;
            char *words = dh_codec_alloc (self, length);
            if (!words)
                return s_fail (self, DH_E_NOMEM, "no memory for a batch of %zu", count);
            why [i] = memcpy (words, self->error, length);
        }
    }
    batch->envelopes = envelopes;
    batch->results = results;
    batch->why = why;
    batch->count = count;
    return 0;
}

const char *
dh_type_name (unsigned type)
{
    switch (type) {
#define DH_TYPE_CASE(sym, num, name) case num: return name;
        DH_TYPE_LIST (DH_TYPE_CASE)
#undef DH_TYPE_CASE
    }
    return "?";
}

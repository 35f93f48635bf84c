#include <stdlib.h>
#include <string.h>
#include "envelope.pb-c.h"
#include "dh_codec.h"
#include "dh_error.h"
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
s_alloc (void *self, size_t size)
{
    return dh_codec_alloc (self, size);
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
s_check_name (const char *name, bool required)
{
    size_t length = strlen (name);
    if (required && length == 0)
        return DH_E_MALFORMED;
    return length > DH_NAME_MAX? DH_E_TOO_BIG: 0;
}

int
dh_codec_decode_envelope (dh_codec_t *self, const void *data, size_t size, dh_envelope_t *envelope)
{
    if (size > self->max_size)
        return DH_E_TOO_BIG;
    Dh__Envelope *message = dh__envelope__unpack (&self->allocator, size, data);
    if (!message)
        return DH_E_MALFORMED;
    if (message->version != DH_PROTOCOL_VERSION)
        return DH_E_VERSION;
    int rc = s_check_name (message->sender, true);
    if (!rc)
        rc = s_check_name (message->actor, false);
    if (rc)
        return rc;
    envelope->sender = message->sender;
    envelope->seq = message->seq;
    envelope->type = message->type;
    envelope->sent_at = message->sent_at;
    envelope->actor = message->actor;
    envelope->payload = message->payload.data;
    envelope->payload_size = message->payload.len;
    envelope->link = message->link;
    return 0;
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
    if (s_check_name (message->sender, false))
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
    if (s_check_name (message->service, true))
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
                       dh_envelope_t **envelopes, size_t *count)
{
    if (size > self->max_size)
        return DH_E_TOO_BIG;
    Dh__LinkBatch *batch = dh__link_batch__unpack (&self->allocator, size, payload);
    if (!batch || batch->n_envelopes == 0)
        return DH_E_MALFORMED;
    dh_envelope_t *decoded = dh_codec_alloc (self, batch->n_envelopes * sizeof *decoded);
    if (!decoded)
        return DH_E_NOMEM;
    for (size_t i = 0; i < batch->n_envelopes; i++) {
        int rc = dh_codec_decode_envelope (self, batch->envelopes [i].data, batch->envelopes [i].len, &decoded [i]);
        if (rc)
            return rc;
        if (!decoded [i].link || decoded [i].type == DH_MSG_LINK_BATCH || strcmp (decoded [i].sender, sender))
            return DH_E_MALFORMED;
    }
    *envelopes = decoded;
    *count = batch->n_envelopes;
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

/*  dh_codec — envelopes, replies and events to and from bytes.

    The only module of common/ that sees protobuf-c; the rest speaks these
    plain structs.  Input from a socket is untrusted: its size is checked
    before unpacking, then the version, then every field; a bad message
    gives an error code, never a crash or an assert.

    Decoding allocates from the codec's arena, so a batch of a thousand
    messages costs no malloc per message: dh_codec_reset frees them all
    at once when the batch is done.  */
#ifndef DH_CODEC_H
#define DH_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DH_NAME_MAX 64          //  service, sender and actor names, bytes
#define DH_KEY_MAX  128         //  an idempotency key, bytes

typedef struct {
    const char *sender;
    uint64_t seq;
    uint32_t type;
    int64_t sent_at;
    const char *actor;
    const uint8_t *payload;
    size_t payload_size;
    bool link;
    //  A command that a retry must not apply twice carries a key: the
    //  service answers a key it has seen with the reply it gave then
    //  (dh_idempotency.h). NULL or "": none.
    const char *idempotency_key;
    //  UTC ms on the wall clock after which the client no longer waits:
    //  a command still queued then is refused (E_TIMEOUT), not applied.
    //  0: no limit.
    int64_t expires_at;
} dh_envelope_t;

typedef struct {
    const char *sender;
    uint64_t seq;
    int status;                 //  0 or a negative code from dh_error.h
    const char *error_name;
    const char *error_text;
    const uint8_t *payload;
    size_t payload_size;
} dh_reply_t;

typedef struct {
    const char *service;
    uint64_t seq;
    uint32_t type;
    int64_t at;
    const uint8_t *payload;
    size_t payload_size;
} dh_event_t;

typedef struct _dh_codec_t dh_codec_t;

//  A codec that refuses messages larger than max_size bytes.
dh_codec_t *dh_codec_new (size_t max_size);
void dh_codec_destroy (dh_codec_t **self_p);

//  Free everything decoded since the last reset.
void dh_codec_reset (dh_codec_t *self);

//  Decode an envelope. Errors: DH_E_TOO_BIG (before unpacking; or a
//  name over DH_NAME_MAX, a key over DH_KEY_MAX), DH_E_MALFORMED
//  (truncated, garbage, missing sender), DH_E_VERSION, DH_E_INVALID
//  (sender, actor or key not valid text: dh_text.h), DH_E_NOMEM.
//  On any error envelope->seq still holds the request's seq when the
//  bytes name one (else 0), so the refusal reaches its own request, and
//  dh_codec_error says why.
//  @note the strings and payload point into the codec's arena: valid
//  until dh_codec_reset.
int dh_codec_decode_envelope (dh_codec_t *self, const void *data, size_t size, dh_envelope_t *envelope);

//  Words for the last refusal of a decode ("actor: 70 bytes, at most
//  64"). @note owned by the codec; valid until its next decode.
const char *dh_codec_error (dh_codec_t *self);
int dh_codec_decode_reply (dh_codec_t *self, const void *data, size_t size, dh_reply_t *reply);
int dh_codec_decode_event (dh_codec_t *self, const void *data, size_t size, dh_event_t *event);

//  Bytes needed to pack, and pack into buffer (which must hold that many).
//  Return the bytes written.
size_t dh_envelope_size (const dh_envelope_t *envelope);
size_t dh_envelope_pack (const dh_envelope_t *envelope, uint8_t *buffer);
size_t dh_reply_size (const dh_reply_t *reply);
size_t dh_reply_pack (const dh_reply_t *reply, uint8_t *buffer);
size_t dh_event_size (const dh_event_t *event);
size_t dh_event_pack (const dh_event_t *event, uint8_t *buffer);

//  A link batch (LINK_BATCH's payload): link envelopes packed one after
//  another. The bytes one envelope adds to a batch, and pack it there.
size_t dh_batch_item_size (const dh_envelope_t *envelope);
size_t dh_batch_item_pack (const dh_envelope_t *envelope, uint8_t *buffer);

//  A link batch, decoded envelope by envelope: one bad envelope is
//  refused alone and its neighbours go on.
typedef struct {
    dh_envelope_t *envelopes;   //  count of them, in order
    int *results;               //  0, or why envelopes [i] is refused (it is then empty)
    const char **why;           //  words for each refused one, else NULL
    size_t count;
} dh_batch_t;

//  Decode a batch's envelopes into arrays from the arena. Each must be a
//  link envelope from sender and no batch itself, or its result is
//  DH_E_MALFORMED; else its result is dh_codec_decode_envelope's. Errors
//  for the batch as a whole: DH_E_TOO_BIG, DH_E_MALFORMED (no LinkBatch,
//  or an empty one), DH_E_NOMEM (also when one envelope could not be
//  decoded for want of memory: the batch is worth a resend, no refusal).
int dh_codec_decode_batch (dh_codec_t *self, const uint8_t *payload, size_t size, const char *sender,
                           dh_batch_t *batch);

//  Allocate from the codec's arena (freed by dh_codec_reset). NULL when
//  out of memory.
void *dh_codec_alloc (dh_codec_t *self, size_t size);

//  The same, for handlers' scratch memory (dh_service_scratch): the
//  allocations that dh_codec_fail_scratch counts.
void *dh_codec_scratch (dh_codec_t *self, size_t size);

//  Tests only: the nth dh_codec_scratch after each dh_codec_reset (one
//  per batch) returns NULL as if memory ran out; 0 never. Every
//  allocation a command makes can be made to fail this way, one run per n.
void dh_codec_fail_scratch (dh_codec_t *self, uint32_t nth);

#endif

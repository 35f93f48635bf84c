//  dh_codec: round trips, and every kind of bad input: truncated at every
//  length, random garbage, oversized, wrong version, bad names. Never a
//  crash, always a code.
#include <czmq.h>
#include "dh_codec.h"
#include "dh_error.h"
#include "dh_types.h"
#include "unit.h"

int
main (void)
{
    dh_codec_t *codec = dh_codec_new (4096);
    uint8_t payload [300];
    for (int i = 0; i < 300; i++)
        payload [i] = (uint8_t) i;
    dh_envelope_t envelope = { "intake", 42, DH_MSG_SUBMIT, 1745546400000, "bd.mc", payload, sizeof payload, true };
    uint8_t bytes [8192];
    size_t size = dh_envelope_pack (&envelope, bytes);
    CHECK (size == dh_envelope_size (&envelope), "size");
    dh_envelope_t decoded;
    CHECK (dh_codec_decode_envelope (codec, bytes, size, &decoded) == 0, "decode");
    CHECK (!strcmp (decoded.sender, "intake") && decoded.seq == 42 && decoded.type == DH_MSG_SUBMIT
        && decoded.sent_at == 1745546400000 && !strcmp (decoded.actor, "bd.mc") && decoded.link
        && decoded.payload_size == 300 && !memcmp (decoded.payload, payload, 300), "round trip");

    //  Every truncation: an error or (rarely) a shorter valid message, never a crash.
    int refused = 0;
    for (size_t cut = 0; cut < size; cut++) {
        int rc = dh_codec_decode_envelope (codec, bytes, cut, &decoded);
        CHECK (rc == 0 || rc == DH_E_MALFORMED || rc == DH_E_VERSION, "cut %zu: %d", cut, rc);
        refused += rc != 0;
        dh_codec_reset (codec);
    }
    CHECK (refused > (int) size / 2, "most truncations refused (%d of %zu)", refused, size);
    CHECK (dh_codec_decode_envelope (codec, bytes, 0, &decoded) != 0, "empty refused");

    //  Garbage.
    uint64_t state = 12345;
    int garbage_refused = 0;
    for (int i = 0; i < 20000; i++) {
        size_t length = 1 + i % 200;
        for (size_t j = 0; j < length; j++) {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17;
            bytes [j] = (uint8_t) state;
        }
        int rc = dh_codec_decode_envelope (codec, bytes, length, &decoded);
        garbage_refused += rc != 0;
        CHECK (rc == 0 || rc == DH_E_MALFORMED || rc == DH_E_VERSION || rc == DH_E_TOO_BIG, "garbage: %d", rc);
        dh_codec_reset (codec);
    }
    CHECK (garbage_refused > 19000, "garbage refused %d of 20000", garbage_refused);

    //  Too big: refused before unpacking.
    uint8_t large [5000] = { 0 };
    dh_envelope_t big = { "intake", 1, 1, 0, "", large, sizeof large, false };
    uint8_t big_bytes [6000];
    size_t big_size = dh_envelope_pack (&big, big_bytes);
    CHECK (dh_codec_decode_envelope (codec, big_bytes, big_size, &decoded) == DH_E_TOO_BIG, "oversized");
    CHECK (dh_codec_decode_reply (codec, big_bytes, big_size, &(dh_reply_t) { 0 }) == DH_E_TOO_BIG, "oversized reply");

    //  A version we do not speak: rewrite the version field (tag 1, varint).
    size = dh_envelope_pack (&envelope, bytes);
    CHECK (bytes [0] == 0x08 && bytes [1] == DH_PROTOCOL_VERSION, "version is the first field");
    bytes [1] = DH_PROTOCOL_VERSION + 1;
    CHECK (dh_codec_decode_envelope (codec, bytes, size, &decoded) == DH_E_VERSION, "wrong version");

    //  Names: required sender, bounded lengths.
    dh_envelope_t anonymous = { "", 1, 1, 0, "", NULL, 0, false };
    size = dh_envelope_pack (&anonymous, bytes);
    CHECK (dh_codec_decode_envelope (codec, bytes, size, &decoded) == DH_E_MALFORMED, "empty sender");
    char long_name [100];
    memset (long_name, 'n', 99);
    long_name [99] = 0;
    dh_envelope_t named = { long_name, 1, 1, 0, "", NULL, 0, false };
    size = dh_envelope_pack (&named, bytes);
    CHECK (dh_codec_decode_envelope (codec, bytes, size, &decoded) == DH_E_TOO_BIG, "long sender");
    dh_envelope_t acting = { "intake", 1, 1, 0, long_name, NULL, 0, false };
    size = dh_envelope_pack (&acting, bytes);
    CHECK (dh_codec_decode_envelope (codec, bytes, size, &decoded) == DH_E_TOO_BIG, "long actor");

    //  Reply and event round trips; a negative status travels as positive.
    dh_reply_t reply = { "assign", 7, DH_E_STALE, "E_STALE", "stale token", payload, 10 };
    size = dh_reply_pack (&reply, bytes);
    CHECK (size == dh_reply_size (&reply), "reply size");
    dh_reply_t reply_back;
    CHECK (dh_codec_decode_reply (codec, bytes, size, &reply_back) == 0 && reply_back.status == DH_E_STALE
        && reply_back.seq == 7 && !strcmp (reply_back.error_name, "E_STALE") && reply_back.payload_size == 10,
           "reply round trip");
    dh_event_t event = { "intake", 99, DH_MSG_ITEM_RECEIVED, 123, payload, 5 }, event_back;
    size = dh_event_pack (&event, bytes);
    CHECK (dh_codec_decode_event (codec, bytes, size, &event_back) == 0 && event_back.seq == 99
        && event_back.type == DH_MSG_ITEM_RECEIVED && !strcmp (event_back.service, "intake"), "event round trip");

    //  The arena: a thousand decodes, one reset, still sound.
    size = dh_envelope_pack (&envelope, bytes);
    for (int i = 0; i < 1000; i++)
        CHECK (dh_codec_decode_envelope (codec, bytes, size, &decoded) == 0, "decode %d", i);
    dh_codec_reset (codec);
    CHECK (dh_codec_decode_envelope (codec, bytes, size, &decoded) == 0 && decoded.seq == 42, "after reset");
    void *block = dh_codec_alloc (codec, 1 << 20);
    CHECK (block != NULL, "a block larger than a chunk");
    memset (block, 1, 1 << 20);
    dh_codec_reset (codec);
    //  Link batches: envelopes one after another, decoded in order; an
    //  envelope of 200 bytes takes a two-byte length.
    uint8_t batch [8192];
    size_t batch_size = 0;
    dh_envelope_t inner [3] = {
        { "intake", 0, DH_MSG_ITEM_RECEIVED, 1, "clerk", payload, 10, true },
        { "intake", 0, DH_MSG_ITEM_CHANGED, 2, "", payload, 200, true },
        { "intake", 0, DH_MSG_ITEM_RECEIVED, 3, "clerk", NULL, 0, true },
    };
    for (int i = 0; i < 3; i++) {
        size_t item = dh_batch_item_pack (&inner [i], batch + batch_size);
        CHECK (item == dh_batch_item_size (&inner [i]), "batch item %d size", i);
        batch_size += item;
    }
    dh_envelope_t *envelopes;
    size_t count;
    CHECK (dh_codec_decode_batch (codec, batch, batch_size, "intake", &envelopes, &count) == 0 && count == 3
        && envelopes [0].type == DH_MSG_ITEM_RECEIVED && envelopes [0].payload_size == 10
        && envelopes [1].type == DH_MSG_ITEM_CHANGED && envelopes [1].payload_size == 200
        && !memcmp (envelopes [1].payload, payload, 200) && envelopes [2].sent_at == 3
        && !strcmp (envelopes [2].actor, "clerk"), "batch round trip");
    CHECK (dh_codec_decode_batch (codec, batch, batch_size, "assign", &envelopes, &count) == DH_E_MALFORMED,
           "a batch of another sender's messages");
    CHECK (dh_codec_decode_batch (codec, batch, 0, "intake", &envelopes, &count) == DH_E_MALFORMED, "empty batch");
    int batch_refused = 0;
    for (size_t cut = 1; cut < batch_size; cut++) {
        int rc = dh_codec_decode_batch (codec, batch, cut, "intake", &envelopes, &count);
        CHECK (rc == 0 || rc == DH_E_MALFORMED || rc == DH_E_VERSION, "batch cut %zu: %d", cut, rc);
        batch_refused += rc != 0;
    }
    CHECK (batch_refused > (int) batch_size / 2, "most batch truncations refused (%d of %zu)",
           batch_refused, batch_size);
    dh_envelope_t command = { "intake", 0, DH_MSG_ITEM_RECEIVED, 1, "", NULL, 0, false };
    dh_envelope_t nested = { "intake", 0, DH_MSG_LINK_BATCH, 1, "", batch, batch_size, true };
    size_t one = dh_batch_item_pack (&command, batch);
    CHECK (dh_codec_decode_batch (codec, batch, one, "intake", &envelopes, &count) == DH_E_MALFORMED,
           "a command inside a batch");
    one = dh_batch_item_pack (&nested, bytes);
    CHECK (dh_codec_decode_batch (codec, bytes, one, "intake", &envelopes, &count) == DH_E_MALFORMED,
           "a batch inside a batch");
    dh_codec_reset (codec);

    CHECK (!strcmp (dh_strerror (DH_E_STALE), "stale step token (the step was reassigned)")
        && !strcmp (dh_errname (-DH_E_INVALID), "E_INVALID") && !strcmp (dh_type_name (DH_MSG_SUBMIT), "SUBMIT"),
           "words for codes");
    dh_codec_destroy (&codec);
    dh_codec_destroy (&codec);
    return UNIT_DONE ("codec");
}

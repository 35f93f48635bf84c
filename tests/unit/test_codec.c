//  dh_codec: round trips, and every kind of bad input: truncated at every
//  length, random garbage, oversized, wrong version, bad names. Never a
//  crash, always a code.
#include <czmq.h>
#include "dh_codec.h"
#include "dh_error.h"
#include "dh_types.h"
#include "unit.h"

//  Envelopes are written out positionally; the fields they leave out
//  (key, expiry) are zero.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

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
        CHECK (rc == 0 || rc == DH_E_MALFORMED || rc == DH_E_VERSION || rc == DH_E_TOO_BIG || rc == DH_E_INVALID,
               "garbage: %d", rc);
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
    dh_batch_t opened;
    CHECK (dh_codec_decode_batch (codec, batch, batch_size, "intake", &opened) == 0 && opened.count == 3
        && opened.results [0] == 0 && opened.results [1] == 0 && opened.results [2] == 0
        && opened.envelopes [0].type == DH_MSG_ITEM_RECEIVED && opened.envelopes [0].payload_size == 10
        && opened.envelopes [1].type == DH_MSG_ITEM_CHANGED && opened.envelopes [1].payload_size == 200
        && !memcmp (opened.envelopes [1].payload, payload, 200) && opened.envelopes [2].sent_at == 3
        && !strcmp (opened.envelopes [2].actor, "clerk"), "batch round trip");
    CHECK (dh_codec_decode_batch (codec, batch, batch_size, "assign", &opened) == 0 && opened.count == 3
        && opened.results [0] == DH_E_MALFORMED && opened.results [2] == DH_E_MALFORMED,
           "another sender's messages in a batch are refused one by one");
    CHECK (dh_codec_decode_batch (codec, batch, 0, "intake", &opened) == DH_E_MALFORMED, "empty batch");
    int batch_refused = 0;
    for (size_t cut = 1; cut < batch_size; cut++) {
        int rc = dh_codec_decode_batch (codec, batch, cut, "intake", &opened);
        CHECK (rc == 0 || rc == DH_E_MALFORMED || rc == DH_E_VERSION, "batch cut %zu: %d", cut, rc);
        batch_refused += rc != 0 || opened.results [opened.count - 1] != 0;
    }
    CHECK (batch_refused > (int) batch_size / 2, "most batch truncations refused (%d of %zu)",
           batch_refused, batch_size);
    dh_envelope_t command = { "intake", 0, DH_MSG_ITEM_RECEIVED, 1, "", NULL, 0, false };
    dh_envelope_t nested = { "intake", 0, DH_MSG_LINK_BATCH, 1, "", batch, batch_size, true };
    size_t one = dh_batch_item_pack (&command, batch);
    CHECK (dh_codec_decode_batch (codec, batch, one, "intake", &opened) == 0 && opened.count == 1
        && opened.results [0] == DH_E_MALFORMED && strstr (opened.why [0], "command"),
           "a command inside a batch");
    one = dh_batch_item_pack (&nested, bytes);
    CHECK (dh_codec_decode_batch (codec, bytes, one, "intake", &opened) == 0 && opened.count == 1
        && opened.results [0] == DH_E_MALFORMED, "a batch inside a batch");

    //  One bad message in a batch is refused alone: an actor over
    //  DH_NAME_MAX, one of invalid UTF-8, and a message of bytes that are
    //  no envelope, between good ones. The good ones decode; each bad one
    //  has its code, its words, and the seq the bytes name.
    char long_actor [DH_NAME_MAX + 2];
    memset (long_actor, 'a', DH_NAME_MAX + 1);
    long_actor [DH_NAME_MAX + 1] = 0;
    dh_envelope_t mixed [5] = {
        { "intake", 11, DH_MSG_ITEM_RECEIVED, 1, "clerk", payload, 10, true },
        { "intake", 12, DH_MSG_ITEM_RECEIVED, 2, long_actor, payload, 10, true },
        { "intake", 13, DH_MSG_ITEM_CHANGED, 3, "cl\xc3\x28rk", payload, 10, true },
        { "intake", 14, DH_MSG_ITEM_CHANGED, 4, "clerk", payload, 20, true },
        { "intake", 15, DH_MSG_ITEM_CHANGED, 5, "clerk", payload, 30, true },
    };
    batch_size = 0;
    for (int i = 0; i < 5; i++) {
        if (i == 3) {           //  tag, length 3, bytes that are no envelope
            memcpy (batch + batch_size, "\x0a\x03\xff\xff\xff", 5);
            batch_size += 5;
            continue;
        }
        batch_size += dh_batch_item_pack (&mixed [i], batch + batch_size);
    }
    CHECK (dh_codec_decode_batch (codec, batch, batch_size, "intake", &opened) == 0 && opened.count == 5,
           "a batch with bad messages opens");
    CHECK (opened.results [0] == 0 && opened.envelopes [0].seq == 11 && opened.envelopes [0].payload_size == 10
        && opened.results [4] == 0 && opened.envelopes [4].seq == 15 && opened.envelopes [4].payload_size == 30,
           "its good messages decode");
    CHECK (opened.results [1] == DH_E_TOO_BIG && opened.envelopes [1].seq == 12
        && strstr (opened.why [1], "actor: 65 bytes, at most 64"), "an oversized actor is refused alone: %s",
           opened.why [1]? opened.why [1]: "");
    CHECK (opened.results [2] == DH_E_INVALID && opened.envelopes [2].seq == 13
        && strstr (opened.why [2], "actor: not valid UTF-8 at byte 2"), "invalid UTF-8 is refused alone: %s",
           opened.why [2]? opened.why [2]: "");
    CHECK (opened.results [3] == DH_E_MALFORMED && opened.why [3], "garbage is refused alone");
    CHECK (opened.why [0] == NULL && opened.why [4] == NULL, "no words for the good ones");

    //  A refusal still names the request's seq when the bytes hold it.
    dh_envelope_t oversized = { "dunghanctl", 4242, DH_MSG_SUBMIT, 0, long_actor, NULL, 0, false };
    size = dh_envelope_pack (&oversized, bytes);
    CHECK (dh_codec_decode_envelope (codec, bytes, size, &decoded) == DH_E_TOO_BIG && decoded.seq == 4242
        && strstr (dh_codec_error (codec), "actor"), "the seq of an envelope with a long actor");
    dh_envelope_t heavy = { "dunghanctl", 4343, DH_MSG_SUBMIT, 0, "", large, sizeof large, false };
    size = dh_envelope_pack (&heavy, big_bytes);
    CHECK (dh_codec_decode_envelope (codec, big_bytes, size, &decoded) == DH_E_TOO_BIG && decoded.seq == 4343,
           "the seq of an envelope over max_size");
    size = dh_envelope_pack (&oversized, bytes);
    CHECK (dh_codec_decode_envelope (codec, bytes, size - 3, &decoded) != 0 && decoded.seq == 4242,
           "the seq of a truncated envelope");
    dh_envelope_t keyed = { "dunghanctl", 7, DH_MSG_SUBMIT, 0, "bd.mc", NULL, 0, false, "k-1", 1234 };
    size = dh_envelope_pack (&keyed, bytes);
    CHECK (dh_codec_decode_envelope (codec, bytes, size, &decoded) == 0
        && !strcmp (decoded.idempotency_key, "k-1") && decoded.expires_at == 1234, "key and expiry round trip");
    dh_envelope_t escaped = { "dunghanctl", 8, DH_MSG_SUBMIT, 0, "bd\x1b[2J", NULL, 0, false };
    size = dh_envelope_pack (&escaped, bytes);
    CHECK (dh_codec_decode_envelope (codec, bytes, size, &decoded) == DH_E_INVALID && decoded.seq == 8
        && strstr (dh_codec_error (codec), "control character (U+001B)"), "an escape sequence in the actor");
    dh_codec_reset (codec);

    CHECK (!strcmp (dh_strerror (DH_E_STALE), "stale step token (the step was reassigned)")
        && !strcmp (dh_errname (-DH_E_INVALID), "E_INVALID") && !strcmp (dh_type_name (DH_MSG_SUBMIT), "SUBMIT"),
           "words for codes");
    dh_codec_destroy (&codec);
    dh_codec_destroy (&codec);
    return UNIT_DONE ("codec");
}

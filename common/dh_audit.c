#include <sodium.h>
#include <string.h>
#include "dh_audit.h"
#include "dh_error.h"

//  A record: prev_hash[32] hash[32] at[8, big-endian] actor\0 command\0 item\0
#define S_HEADER (2 * DH_AUDIT_HASH + 8)
#define S_FIELD_MAX 256

//  BLAKE2b-256 (libsodium's generichash): a quarter of SHA-256's time on
//  a record this small, and every state-changing command pays it.
static void
s_hash (const uint8_t *prev, const uint8_t *body, size_t body_size, uint8_t *hash)
{
    crypto_generichash_state state;
    crypto_generichash_init (&state, NULL, 0, DH_AUDIT_HASH);
    crypto_generichash_update (&state, prev, DH_AUDIT_HASH);
    crypto_generichash_update (&state, body, body_size);
    crypto_generichash_final (&state, hash, DH_AUDIT_HASH);
}

int
dh_audit_append (dh_txn_t *txn, dh_dbi_t dbi, dh_audit_head_t *head, const char *actor,
                 const char *command, const char *item, int64_t at)
{
    size_t lengths [3] = { strlen (actor), strlen (command), strlen (item) };
    if (lengths [0] > S_FIELD_MAX || lengths [1] > S_FIELD_MAX || lengths [2] > S_FIELD_MAX)
        return DH_E_TOO_BIG;
    size_t size = S_HEADER + lengths [0] + lengths [1] + lengths [2] + 3;
    uint8_t *record;
    uint64_t seq;
    int rc = dh_txn_reserve_next (txn, dbi, size, (void **) &record, &seq);
    if (rc)
        return rc;
    uint8_t prev [DH_AUDIT_HASH] = { 0 };
    if (head && head->seq && head->seq == seq - 1)
        memcpy (prev, head->hash, DH_AUDIT_HASH);
    else
    if (seq > 1) {
        uint8_t key [8];
        dh_key_u64 (key, seq - 1);
        dh_val_t previous;
        if ((rc = dh_txn_get (txn, dbi, key, 8, &previous)))
            return rc == DH_E_NOT_FOUND? DH_E_CORRUPT: rc;
        if (previous.size < S_HEADER)
            return DH_E_CORRUPT;
        memcpy (prev, (const uint8_t *) previous.data + DH_AUDIT_HASH, DH_AUDIT_HASH);
    }
    memcpy (record, prev, DH_AUDIT_HASH);
    uint8_t *body = record + 2 * DH_AUDIT_HASH;
    dh_key_u64 (body, (uint64_t) at);
    uint8_t *cursor_at = body + 8;
    const char *fields [3] = { actor, command, item };
    for (int i = 0; i < 3; i++) {
        memcpy (cursor_at, fields [i], lengths [i] + 1);
        cursor_at += lengths [i] + 1;
    }
    s_hash (prev, body, size - 2 * DH_AUDIT_HASH, record + DH_AUDIT_HASH);
    if (head) {
        head->seq = seq;
        memcpy (head->hash, record + DH_AUDIT_HASH, DH_AUDIT_HASH);
    }
    return 0;
}

int
dh_audit_verify (dh_txn_t *txn, dh_dbi_t dbi, uint64_t *count, uint64_t *broken)
{
    *count = 0;
    *broken = 0;
    uint8_t prev [DH_AUDIT_HASH] = { 0 };
    uint64_t expected_seq = 1;
    dh_cursor_t *cursor;
    int rc = dh_cursor_open (txn, dbi, &cursor);
    if (rc)
        return rc;
    dh_val_t key, value;
    for (rc = dh_cursor_first (cursor, &key, &value); rc == 0; rc = dh_cursor_next (cursor, &key, &value)) {
        uint64_t seq = key.size == 8? dh_key_u64_read (key.data): 0;
        const uint8_t *record = value.data;
        uint8_t hash [DH_AUDIT_HASH];
        bool good = seq == expected_seq && value.size >= S_HEADER
                 && memcmp (record, prev, DH_AUDIT_HASH) == 0;
        if (good) {
            s_hash (prev, record + 2 * DH_AUDIT_HASH, value.size - 2 * DH_AUDIT_HASH, hash);
            good = memcmp (hash, record + DH_AUDIT_HASH, DH_AUDIT_HASH) == 0;
        }
        if (!good) {
            *broken = seq? seq: expected_seq;
            dh_cursor_close (&cursor);
            return DH_E_CORRUPT;
        }
        memcpy (prev, hash, DH_AUDIT_HASH);
        expected_seq++;
        (*count)++;
    }
    dh_cursor_close (&cursor);
    return rc == DH_E_NOT_FOUND? 0: rc;
}

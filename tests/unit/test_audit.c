//  dh_audit: a chain that holds, and one changed, removed or reordered
//  record named as the first broken one. Also dh_clock and dh_csv.
#include <czmq.h>
#include <sodium.h>
#include "dh_audit.h"
#include "dh_clock.h"
#include "dh_csv.h"
#include "dh_error.h"
#include "unit.h"

static void
s_audit (const char *folder)
{
    char *path = zsys_sprintf ("%s/audit", folder);
    dh_store_t *store;
    dh_dbi_t dbi;
    CHECK (dh_store_open (path, NULL, &store) == 0 && dh_store_dbi (store, "audit", &dbi) == 0, "open");
    dh_txn_t *txn;
    dh_txn_begin (store, true, &txn);
    for (int i = 0; i < 50; i++) {
        char item [48];
        snprintf (item, sizeof item, "000.10.01.H26-250425-%04d", i + 1);
        CHECK (dh_audit_append (txn, dbi, NULL, "bd.mc", "submit", item, 1745546400000 + i) == 0, "append %d", i);
    }
    char long_field [300];
    memset (long_field, 'x', 299);
    long_field [299] = 0;
    CHECK (dh_audit_append (txn, dbi, NULL, long_field, "submit", "x", 0) == DH_E_TOO_BIG, "long field");
    dh_txn_commit (&txn);
    uint64_t count, broken;
    dh_txn_begin (store, false, &txn);
    CHECK (dh_audit_verify (txn, dbi, &count, &broken) == 0 && count == 50 && broken == 0, "holds: %" PRIu64, count);
    dh_txn_abort (&txn);

    //  The hash is BLAKE2b-256 over the previous hash (zeros for the
    //  first) and the record's fields, so anyone can check it by hand.
    dh_txn_begin (store, false, &txn);
    uint8_t first_key [8], zeros [DH_AUDIT_HASH] = { 0 }, want [DH_AUDIT_HASH];
    dh_key_u64 (first_key, 1);
    dh_val_t first;
    CHECK (dh_txn_get (txn, dbi, first_key, 8, &first) == 0 && first.size > 2 * DH_AUDIT_HASH, "record 1");
    crypto_generichash_state state;
    crypto_generichash_init (&state, NULL, 0, DH_AUDIT_HASH);
    crypto_generichash_update (&state, zeros, DH_AUDIT_HASH);
    crypto_generichash_update (&state, (const uint8_t *) first.data + 2 * DH_AUDIT_HASH, first.size - 2 * DH_AUDIT_HASH);
    crypto_generichash_final (&state, want, DH_AUDIT_HASH);
    CHECK (!memcmp ((const uint8_t *) first.data + DH_AUDIT_HASH, want, DH_AUDIT_HASH), "record 1 is BLAKE2b-256");
    dh_txn_abort (&txn);

    //  A head carried between appends spares reading the record before;
    //  cleared after an abort (whose numbers come again) and ignored when
    //  it is not the record before, the chain still holds.
    dh_audit_head_t head = { 0 };
    for (int round = 0; round < 3; round++) {
        dh_txn_begin (store, true, &txn);
        for (int i = 0; i < 5; i++)
            CHECK (dh_audit_append (txn, dbi, &head, "bd.mc", round == 1? "aborted": "kept", "x", i) == 0,
                   "append with a head");
        if (round == 1) {
            dh_txn_abort (&txn);
            head.seq = 0;
        }
        else
            dh_txn_commit (&txn);
    }
    head.seq = 3;               //  not the newest: read from the store instead
    dh_txn_begin (store, true, &txn);
    CHECK (dh_audit_append (txn, dbi, &head, "bd.mc", "kept", "x", 0) == 0 && head.seq == 61, "seq 61");
    dh_txn_commit (&txn);
    dh_txn_begin (store, false, &txn);
    CHECK (dh_audit_verify (txn, dbi, &count, &broken) == 0 && count == 61 && broken == 0,
           "holds with heads: %" PRIu64 " %" PRIu64, count, broken);
    dh_txn_abort (&txn);

    //  Change one byte of record 20 (its actor): 20 is named.
    uint8_t key [8];
    dh_key_u64 (key, 20);
    dh_txn_begin (store, true, &txn);
    dh_val_t value;
    dh_txn_get (txn, dbi, key, 8, &value);
    uint8_t *copy = malloc (value.size);
    memcpy (copy, value.data, value.size);
    copy [72] ^= 1;
    dh_txn_put (txn, dbi, key, 8, copy, value.size);
    CHECK (dh_audit_verify (txn, dbi, &count, &broken) == DH_E_CORRUPT && broken == 20 && count == 19,
           "changed record found: %" PRIu64, broken);
    dh_txn_abort (&txn);
    //  Remove record 30: 31 no longer follows.
    dh_key_u64 (key, 30);
    dh_txn_begin (store, true, &txn);
    dh_txn_del (txn, dbi, key, 8);
    CHECK (dh_audit_verify (txn, dbi, &count, &broken) == DH_E_CORRUPT && broken == 31, "removed record: %" PRIu64, broken);
    dh_txn_abort (&txn);
    //  Damage the stored hash of record 10: 10 is named.
    dh_key_u64 (key, 10);
    dh_txn_begin (store, true, &txn);
    dh_txn_get (txn, dbi, key, 8, &value);
    memcpy (copy, value.data, value.size);
    copy [40] ^= 0xff;          //  inside its own hash
    dh_txn_put (txn, dbi, key, 8, copy, value.size);
    CHECK (dh_audit_verify (txn, dbi, &count, &broken) == DH_E_CORRUPT && broken == 10, "bad hash: %" PRIu64, broken);
    dh_txn_abort (&txn);
    free (copy);
    dh_store_destroy (&store);
    free (path);
}

static void
s_clock (void)
{
    CHECK (!dh_clock_test_mode (), "real time by default");
    CHECK (dh_clock_set (5) == DH_E_STATE, "cannot set real time");
    int64_t real = dh_clock_now ();
    CHECK (real > 1700000000000LL, "real clock: %" PRId64, real);
    dh_clock_set_test_mode (true);
    CHECK (dh_clock_set (1745546400000) == 0 && dh_clock_now () == 1745546400000, "set");
    zclock_sleep (5);
    CHECK (dh_clock_now () == 1745546400000, "stands still");
    CHECK (dh_clock_advance (10LL * 24 * 3600 * 1000) == 0 && dh_clock_now () == 1746410400000, "ten days in no time");
    CHECK (dh_clock_advance (-1) == DH_E_RANGE && dh_clock_set (-5) == DH_E_RANGE, "no going back below zero");
    dh_clock_set_test_mode (false);
    CHECK (dh_clock_now () >= real, "back to real time");
}

static void
s_csv (void)
{
    dh_csv_t csv;
    dh_csv_init (&csv, "# comment\ncode,name\r\n\n1.1,\"Thay đổi, cải chính \"\"hộ tịch\"\"\"\n  2 ,x\n\"open,quote\n");
    const char *fields [DH_CSV_MAX_FIELDS];
    CHECK (dh_csv_row (&csv, fields, DH_CSV_MAX_FIELDS) == 2 && !strcmp (fields [1], "name") && csv.line == 2, "header");
    CHECK (dh_csv_row (&csv, fields, DH_CSV_MAX_FIELDS) == 2 && !strcmp (fields [1], "Thay đổi, cải chính \"hộ tịch\""),
           "quoted comma and quotes: %s", fields [1]);
    CHECK (dh_csv_row (&csv, fields, DH_CSV_MAX_FIELDS) == 2 && !strcmp (fields [0], "  2 "), "spaces kept inside");
    CHECK (dh_csv_row (&csv, fields, DH_CSV_MAX_FIELDS) == DH_E_INVALID && csv.line == 6, "unterminated quote, line %zu", csv.line);
    dh_csv_free (&csv);
    dh_csv_init (&csv, "a,b,c,d\n");
    CHECK (dh_csv_row (&csv, fields, 3) == DH_E_INVALID, "too many columns");
    dh_csv_free (&csv);
}

int
main (void)
{
    zsys_set_logstream (NULL);
    char *folder = unit_tmpdir ();
    s_audit (folder);
    s_clock ();
    s_csv ();
    unit_rmdir (folder);
    return UNIT_DONE ("audit, clock, csv");
}

//  dh_store: reads and writes, durability across a reopen, abort, cursors,
//  MDB_MAP_FULL: sticky, grow, rerun, refuse past the maximum; numbered
//  appends that count on across transactions and forget an abort.
#include <czmq.h>
#include "dh_error.h"
#include "dh_store.h"
#include "unit.h"

static void
s_basics (const char *folder)
{
    char *path = zsys_sprintf ("%s/basics", folder);
    dh_store_t *store;
    dh_dbi_t dbi, numbers;
    CHECK (dh_store_open (path, NULL, &store) == 0, "open");
    CHECK (dh_store_dbi (store, "things", &dbi) == 0 && dh_store_dbi (store, "numbers", &numbers) == 0, "dbi");
    dh_txn_t *txn;
    dh_val_t value;
    CHECK (dh_txn_begin (store, true, &txn) == 0, "begin");
    CHECK (dh_txn_put (txn, dbi, "a", 1, "one", 3) == 0, "put");
    CHECK (dh_txn_put_new (txn, dbi, "a", 1, "uno", 3) == DH_E_EXISTS, "put_new over a key");
    CHECK (dh_txn_get (txn, dbi, "zz", 2, &value) == DH_E_NOT_FOUND, "missing key");
    CHECK (dh_txn_error (txn) == 0, "NOT_FOUND and EXISTS are not sticky");
    void *room;
    CHECK (dh_txn_reserve (txn, dbi, "b", 1, 3, false, &room) == 0, "reserve");
    memcpy (room, "two", 3);
    uint8_t key [8];
    for (uint64_t n = 1; n <= 100; n++) {
        dh_key_u64 (key, n);
        CHECK (dh_txn_append (txn, numbers, key, 8, &n, 8) == 0, "append %" PRIu64, n);
    }
    dh_key_u64 (key, 50);
    CHECK (dh_txn_append (txn, numbers, key, 8, "x", 1) == DH_E_EXISTS, "append out of order");
    CHECK (dh_txn_writes (txn) == 102, "writes counted: %" PRIu64, dh_txn_writes (txn));
    CHECK (dh_txn_commit (&txn) == 0 && txn == NULL, "commit");

    CHECK (dh_txn_begin (store, true, &txn) == 0, "begin 2");
    dh_txn_put (txn, dbi, "c", 1, "three", 5);
    dh_txn_del (txn, dbi, "a", 1);
    dh_txn_abort (&txn);
    dh_txn_abort (&txn);        //  harmless twice
    dh_store_destroy (&store);
    dh_store_destroy (&store);

    //  Reopened: the commit is there, the aborted changes are not.
    CHECK (dh_store_open (path, NULL, &store) == 0 && dh_store_dbi (store, "things", &dbi) == 0
        && dh_store_dbi (store, "numbers", &numbers) == 0, "reopen");
    CHECK (dh_txn_begin (store, false, &txn) == 0, "read");
    CHECK (dh_txn_get (txn, dbi, "a", 1, &value) == 0 && value.size == 3 && !memcmp (value.data, "one", 3), "a kept");
    CHECK (dh_txn_get (txn, dbi, "b", 1, &value) == 0 && !memcmp (value.data, "two", 3), "reserved value");
    CHECK (dh_txn_get (txn, dbi, "c", 1, &value) == DH_E_NOT_FOUND, "aborted put gone");
    uint64_t count;
    CHECK (dh_txn_count (txn, dbi, &count) == 0 && count == 2, "count %" PRIu64, count);
    CHECK (dh_txn_count (txn, numbers, &count) == 0 && count == 100, "count %" PRIu64, count);
    dh_cursor_t *cursor;
    dh_val_t k, v;
    CHECK (dh_cursor_open (txn, dbi, &cursor) == 0, "cursor");
    CHECK (dh_cursor_last (cursor, &k, &v) == 0 && k.size == 1 && *(char *) k.data == 'b', "last");
    dh_cursor_close (&cursor);
    CHECK (dh_cursor_open (txn, numbers, &cursor) == 0, "cursor");
    dh_key_u64 (key, 98);
    CHECK (dh_cursor_seek (cursor, key, 8, &k, &v) == 0 && dh_key_u64_read (k.data) == 98, "seek");
    CHECK (dh_cursor_next (cursor, &k, &v) == 0 && dh_key_u64_read (k.data) == 99, "next");
    CHECK (dh_cursor_last (cursor, &k, &v) == 0 && dh_key_u64_read (k.data) == 100, "last");
    CHECK (dh_cursor_next (cursor, &k, &v) == DH_E_NOT_FOUND, "past the end");
    CHECK (dh_cursor_first (cursor, &k, &v) == 0 && k.size == 8, "first");
    dh_cursor_close (&cursor);
    dh_txn_abort (&txn);
    dh_store_destroy (&store);
    free (path);
}

static void
s_map_full (const char *folder)
{
    char *path = zsys_sprintf ("%s/full", folder);
    dh_store_options_t options = { 64 << 10, 1 << 20, 4 };
    dh_store_t *store;
    dh_dbi_t dbi;
    CHECK (dh_store_open (path, &options, &store) == 0 && dh_store_dbi (store, "big", &dbi) == 0, "open small");
    uint8_t value [1000] = { 0 };
    //  Write until the map is full; the error sticks to the transaction.
    dh_txn_t *txn;
    dh_txn_begin (store, true, &txn);
    int rc = 0, n;
    for (n = 0; n < 10000 && !rc; n++)
        rc = dh_txn_put (txn, dbi, &n, sizeof n, value, sizeof value);
    CHECK (rc == DH_E_FULL, "a small map fills: %d", rc);
    CHECK (dh_txn_error (txn) == DH_E_FULL, "sticky");
    CHECK (dh_txn_put (txn, dbi, "x", 1, "y", 1) == DH_E_FULL, "writes after FULL refused");
    CHECK (dh_txn_commit (&txn) == DH_E_FULL && txn == NULL, "commit refuses and frees");
    //  Grow and run the same transaction again: it fits.
    size_t before = dh_store_map_size (store);
    int writes = n - 1;
    bool done = false;
    while (!done) {
        if (dh_store_grow (store) != 0)
            break;
        dh_txn_begin (store, true, &txn);
        rc = 0;
        for (int i = 0; i < writes && !rc; i++)
            rc = dh_txn_put (txn, dbi, &i, sizeof i, value, sizeof value);
        done = rc == 0 && dh_txn_commit (&txn) == 0;
        dh_txn_abort (&txn);
    }
    CHECK (done && dh_store_map_size (store) > before, "grown from %zu to %zu", before, dh_store_map_size (store));
    //  Past the maximum: refused with DH_E_FULL, and nothing changes.
    dh_txn_begin (store, true, &txn);
    rc = 0;
    for (int i = 0; i < 100000 && !rc; i++)
        rc = dh_txn_put (txn, dbi, &i, sizeof i, value, 900 + i % 100);
    CHECK (rc == DH_E_FULL, "fills again");
    dh_txn_abort (&txn);
    while (dh_store_grow (store) == 0)
        ;
    CHECK (dh_store_map_size (store) == 1 << 20, "stops at the maximum: %zu", dh_store_map_size (store));
    CHECK (dh_store_grow (store) == DH_E_FULL, "no growth past the maximum");
    dh_txn_begin (store, false, &txn);
    uint64_t count;
    dh_txn_count (txn, dbi, &count);
    CHECK ((int) count == writes, "the failed transaction changed nothing: %" PRIu64 " vs %d", count, writes);
    dh_txn_abort (&txn);
    dh_store_destroy (&store);
    free (path);
}

static uint64_t
s_next (dh_txn_t *txn, dh_dbi_t dbi, const char *text)
{
    void *data;
    uint64_t seq = 0;
    if (dh_txn_reserve_next (txn, dbi, strlen (text), &data, &seq) == 0)
        memcpy (data, text, strlen (text));
    return seq;
}

static void
s_reserve_next (const char *folder)
{
    char *path = zsys_sprintf ("%s/next", folder);
    dh_store_t *store;
    dh_dbi_t journal, other;
    CHECK (dh_store_open (path, NULL, &store) == 0, "open");
    CHECK (dh_store_dbi (store, "journal", &journal) == 0 && dh_store_dbi (store, "other", &other) == 0, "dbi");
    dh_txn_t *txn;
    CHECK (dh_txn_begin (store, true, &txn) == 0, "begin");
    CHECK (s_next (txn, journal, "a") == 1 && s_next (txn, journal, "b") == 2, "an empty table starts at 1");
    CHECK (s_next (txn, other, "x") == 1 && s_next (txn, journal, "c") == 3, "each table counts alone");
    CHECK (dh_txn_commit (&txn) == 0, "commit");
    CHECK (dh_txn_begin (store, true, &txn) == 0, "begin");
    CHECK (s_next (txn, journal, "d") == 4 && s_next (txn, journal, "e") == 5, "a new transaction goes on");
    dh_txn_abort (&txn);
    CHECK (dh_txn_begin (store, true, &txn) == 0, "begin");
    CHECK (s_next (txn, journal, "d2") == 4, "an aborted transaction's numbers are given again");
    uint8_t key [8];
    dh_key_u64 (key, 3);
    dh_val_t value;
    CHECK (dh_txn_get (txn, journal, key, 8, &value) == 0 && value.size == 1
           && !memcmp (value.data, "c", 1), "entries are stored under their numbers");
    CHECK (dh_txn_put (txn, other, "not-a-number", 12, "", 0) == 0, "a key that is not a number");
    dh_txn_t *fresh;
    CHECK (dh_txn_commit (&txn) == 0 && dh_txn_begin (store, true, &fresh) == 0, "commit, begin");
    void *data;
    uint64_t seq;
    CHECK (dh_txn_reserve_next (fresh, other, 1, &data, &seq) == DH_E_CORRUPT, "a last key of another size is corrupt");
    dh_txn_abort (&fresh);
    dh_store_destroy (&store);
    free (path);
}

int
main (void)
{
    zsys_set_logstream (NULL);
    char *folder = unit_tmpdir ();
    s_basics (folder);
    s_map_full (folder);
    s_reserve_next (folder);
    unit_rmdir (folder);
    return UNIT_DONE ("store");
}

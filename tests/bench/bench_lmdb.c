/*  bench_lmdb — the disk's limit for our store: 1,000 puts per durable
    commit (default flags: data and meta fsynced), through common/dh_store.
    bench_lmdb FOLDER  */
#include <czmq.h>
#include "dh_error.h"
#include "dh_store.h"

int
main (int argc, char **argv)
{
    const char *folder = argc > 1? argv [1]: "/tmp";
    char *path = zsys_sprintf ("%s/lmdb-bench", folder);
    char *command = zsys_sprintf ("rm -rf %s", path);
    if (system (command)) {}
    dh_store_t *store;
    dh_dbi_t dbi;
    dh_store_options_t options = { (size_t) 8 << 30, (size_t) 8 << 30, 4 };
    if (dh_store_open (path, &options, &store) || dh_store_dbi (store, "bench", &dbi))
        return 1;
    uint8_t value [100];
    memset (value, 'v', sizeof value);
    uint64_t key = 0;
    int commits = 0;
    int64_t begin = zclock_usecs ();
    while (zclock_usecs () - begin < 3000000) {
        dh_txn_t *txn;
        if (dh_txn_begin (store, true, &txn))
            return 1;
        for (int i = 0; i < 1000; i++) {
            uint8_t bytes [8];
            dh_key_u64 (bytes, ++key);
            dh_txn_append (txn, dbi, bytes, 8, value, sizeof value);
        }
        int rc = dh_txn_commit (&txn);
        if (rc) {
            fprintf (stderr, "bench_lmdb: commit failed: %s\n", dh_strerror (rc));
            return 1;
        }
        commits++;
    }
    double seconds = (zclock_usecs () - begin) / 1e6;
    printf ("bench lmdb_batched_puts_per_s %.0f puts_per_s\n", key / seconds);
    printf ("bench lmdb_commits_per_s %.0f commits_per_s\n", commits / seconds);
    dh_store_destroy (&store);
    if (system (command)) {}
    free (command);
    free (path);
    return 0;
}

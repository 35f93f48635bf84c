/*  dh_store — one LMDB environment with named sub-databases.

    Durable by default: a commit returns only after LMDB has fsynced data
    and meta pages (no MDB_NOSYNC, MDB_NOMETASYNC or MDB_MAPASYNC, ever),
    so whatever a caller acknowledges after dh_txn_commit survives a power
    cut.  Speed comes from many changes sharing one commit (dh_service).

    The map grows on demand: a write that hits MDB_MAP_FULL marks the
    transaction failed with DH_E_FULL (sticky, see dh_txn_error); the
    caller aborts, calls dh_store_grow and runs the transaction again.
    Past the configured maximum dh_store_grow refuses with DH_E_FULL.

    LMDB's codes never leave this module: every function returns 0 or a
    negative code from dh_error.h.  */
#ifndef DH_STORE_H
#define DH_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct _dh_store_t dh_store_t;
typedef struct _dh_txn_t dh_txn_t;
typedef struct _dh_cursor_t dh_cursor_t;
typedef unsigned int dh_dbi_t;

//  A value seen through a transaction.
//  @note data points into the LMDB map: valid until the transaction ends
//  or the next write to the same sub-database; copy what must live longer.
typedef struct {
    const void *data;
    size_t size;
} dh_val_t;

typedef struct {
    size_t map_size;        //  initial map size in bytes (default 64 MiB)
    size_t map_max;         //  the map never grows past this (default 16 GiB)
    unsigned max_dbs;       //  named sub-databases (default 64)
} dh_store_options_t;

//  Open (creating the folder and files if needed) the environment at path.
//  One process at a time: DH_E_BUSY when another holds the store.
//  options may be NULL for defaults. Errors: DH_E_IO, DH_E_CORRUPT,
//  DH_E_NOMEM, DH_E_INVALID.
int dh_store_open (const char *path, const dh_store_options_t *options, dh_store_t **self_p);

//  Close the environment; no transaction may be open. Sets *self_p to NULL.
void dh_store_destroy (dh_store_t **self_p);

//  Handle of the named sub-database, created if missing. Must not be
//  called while a write transaction is open. Errors: DH_E_FULL (too many
//  names), DH_E_IO.
int dh_store_dbi (dh_store_t *self, const char *name, dh_dbi_t *dbi);

//  Double the map (up to map_max). No transaction may be open.
//  Errors: DH_E_FULL at the maximum.
int dh_store_grow (dh_store_t *self);

//  Current map size in bytes.
size_t dh_store_map_size (dh_store_t *self);

//  The most the map may grow to (map_max), in bytes.
size_t dh_store_map_max (dh_store_t *self);

//  Bytes of the map in use as of the last commit: (last page + 1) * page
//  size. Pages freed inside the file are reused, never given back, so
//  this only grows: how close the store is to map_max.
size_t dh_store_map_used (dh_store_t *self);

//  Path of the environment folder. Owned by the store.
const char *dh_store_path (dh_store_t *self);

//  Begin a transaction. One write transaction at a time per store.
int dh_txn_begin (dh_store_t *store, bool write, dh_txn_t **txn_p);

//  Commit and fsync (write) or end (read). Frees *txn_p even on error.
//  A transaction whose sticky error is set is aborted and that error
//  returned. Errors: DH_E_FULL, DH_E_IO, and the sticky error.
int dh_txn_commit (dh_txn_t **txn_p);

//  Abandon every change. Frees *txn_p; harmless on NULL.
void dh_txn_abort (dh_txn_t **txn_p);

//  First error that makes the whole transaction unusable (DH_E_FULL,
//  DH_E_IO, DH_E_CORRUPT), or 0. Ordinary results (DH_E_NOT_FOUND,
//  DH_E_EXISTS) never set it.
int dh_txn_error (dh_txn_t *txn);

//  How many writes this transaction made; lets a caller tell whether a
//  handler that failed had already changed something.
uint64_t dh_txn_writes (dh_txn_t *txn);

//  Read a key. Errors: DH_E_NOT_FOUND.
int dh_txn_get (dh_txn_t *txn, dh_dbi_t dbi, const void *key, size_t key_size, dh_val_t *value);

//  Write a key (replacing any old value).
int dh_txn_put (dh_txn_t *txn, dh_dbi_t dbi, const void *key, size_t key_size,
                const void *data, size_t size);

//  Write a key that must not exist yet. Errors: DH_E_EXISTS.
int dh_txn_put_new (dh_txn_t *txn, dh_dbi_t dbi, const void *key, size_t key_size,
                    const void *data, size_t size);

//  Append a key greater than every key in the sub-database (cheap for
//  sequence-numbered tables). Errors: DH_E_EXISTS if not greater.
int dh_txn_append (dh_txn_t *txn, dh_dbi_t dbi, const void *key, size_t key_size,
                   const void *data, size_t size);

//  Make room for a value of size bytes under key and hand back where to
//  write it, so a caller packs straight into the map (no copy). append:
//  the key is greater than every key present (as dh_txn_append).
//  @note *data is valid until the next write in this transaction.
int dh_txn_reserve (dh_txn_t *txn, dh_dbi_t dbi, const void *key, size_t key_size,
                    size_t size, bool append, void **data);

//  Reserve (as dh_txn_reserve) under the next number of a table keyed by
//  8-byte big-endian numbers (dh_key_u64), written only through this
//  function: its last key is read once per transaction and then counted,
//  so a long batch of appends does not look it up each time. *seq gets
//  the number. Errors: DH_E_CORRUPT if the last key is not 8 bytes.
int dh_txn_reserve_next (dh_txn_t *txn, dh_dbi_t dbi, size_t size, void **data, uint64_t *seq);

//  Delete a key. Errors: DH_E_NOT_FOUND.
int dh_txn_del (dh_txn_t *txn, dh_dbi_t dbi, const void *key, size_t key_size);

//  Number of entries in a sub-database.
int dh_txn_count (dh_txn_t *txn, dh_dbi_t dbi, uint64_t *count);

//  Cursor over one sub-database, in key order. Closed by dh_cursor_close
//  (before the transaction ends).
int dh_cursor_open (dh_txn_t *txn, dh_dbi_t dbi, dh_cursor_t **cursor_p);
void dh_cursor_close (dh_cursor_t **cursor_p);

//  Position at the first key >= key (seek), the first, the next or the
//  last entry. Errors: DH_E_NOT_FOUND past the end.
int dh_cursor_seek (dh_cursor_t *self, const void *key, size_t key_size, dh_val_t *k, dh_val_t *v);
int dh_cursor_first (dh_cursor_t *self, dh_val_t *k, dh_val_t *v);
int dh_cursor_next (dh_cursor_t *self, dh_val_t *k, dh_val_t *v);
int dh_cursor_last (dh_cursor_t *self, dh_val_t *k, dh_val_t *v);
//  Delete the entry under the cursor.
int dh_cursor_del (dh_cursor_t *self);

//  Big-endian 8-byte keys sort in numeric order.
static inline void
dh_key_u64 (uint8_t key [8], uint64_t n)
{
    for (int i = 7; i >= 0; i--) {
        key [i] = (uint8_t) n;
        n >>= 8;
    }
}

static inline uint64_t
dh_key_u64_read (const void *key)
{
    const uint8_t *k = key;
    uint64_t n = 0;
    for (int i = 0; i < 8; i++)
        n = (n << 8) | k [i];
    return n;
}

#endif

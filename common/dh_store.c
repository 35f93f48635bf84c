#include <errno.h>
#include <lmdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <czmq.h>
#include "dh_error.h"
#include "dh_store.h"

struct _dh_store_t {
    MDB_env *env;
    char *path;
    size_t map_size;
    size_t map_max;
    bool writing;               //  a write transaction is open
};

#define S_NEXT_SLOTS 8

//  A sequence-keyed table's last key, as this transaction left it.
typedef struct {
    dh_dbi_t dbi;
    uint64_t last;
} s_last_key_t;

struct _dh_txn_t {
    dh_store_t *store;
    MDB_txn *txn;
    bool write;
    int error;                  //  sticky: the transaction cannot commit
    uint64_t writes;
    s_last_key_t next [S_NEXT_SLOTS];   //  for dh_txn_reserve_next
    size_t next_count;
};

struct _dh_cursor_t {
    MDB_cursor *cursor;
    dh_txn_t *txn;
};

//  LMDB's numbers mapped to ours; nothing above this module sees MDB_*.
static int
s_map (int rc)
{
    switch (rc) {
        case MDB_SUCCESS:           return 0;
        case MDB_NOTFOUND:          return DH_E_NOT_FOUND;
        case MDB_KEYEXIST:          return DH_E_EXISTS;
        case MDB_MAP_FULL:          return DH_E_FULL;
        case MDB_DBS_FULL:          return DH_E_FULL;
        case MDB_BAD_VALSIZE:       return DH_E_TOO_BIG;
        case MDB_CORRUPTED:
        case MDB_PAGE_NOTFOUND:
        case MDB_INVALID:
        case MDB_VERSION_MISMATCH:  return DH_E_CORRUPT;
        case ENOMEM:                return DH_E_NOMEM;
        case EINVAL:                return DH_E_INVALID;
        case EIO:
        case ENOSPC:
        case EACCES:
        case ENOENT:                return DH_E_IO;
        default:                    return DH_E_INTERNAL;
    }
}

//  Errors after which the transaction must not commit.
static int
s_fail (dh_txn_t *txn, int rc)
{
    int code = s_map (rc);
    if (code != DH_E_NOT_FOUND && code != DH_E_EXISTS && code != 0 && !txn->error)
        txn->error = code;
    return code;
}

int
dh_store_open (const char *path, const dh_store_options_t *options, dh_store_t **self_p)
{
    assert (path && self_p);
    dh_store_options_t defaults = { 64u << 20, (size_t) 16 << 30, 64 };
    if (!options)
        options = &defaults;
    dh_store_t *self = calloc (1, sizeof *self);
    if (!self)
        return DH_E_NOMEM;
    self->path = strdup (path);
    self->map_size = options->map_size? options->map_size: defaults.map_size;
    self->map_max = options->map_max? options->map_max: defaults.map_max;
    if (self->map_max < self->map_size)
        self->map_max = self->map_size;
    int rc;
    if (zsys_dir_create ("%s", path) != 0) {
        zsys_error ("store: cannot create folder %s: %s", path, strerror (errno));
        rc = DH_E_IO;
        goto fail;
    }
    if ((rc = s_map (mdb_env_create (&self->env))))
        goto fail;
    mdb_env_set_maxdbs (self->env, options->max_dbs? options->max_dbs: defaults.max_dbs);
    mdb_env_set_mapsize (self->env, self->map_size);
    //  Durable flags only. MDB_NOTLS: read transactions are ours to manage.
    int lmdb_rc = mdb_env_open (self->env, path, MDB_NOTLS, 0640);
    if (lmdb_rc) {
        zsys_error ("store: cannot open %s: %s", path, mdb_strerror (lmdb_rc));
        rc = s_map (lmdb_rc);
        goto fail;
    }
    //  One process per store: a second daemon started on the same folder
    //  would share the map but not the link's counters in memory, and
    //  would take over the api endpoint. The lock goes with the process.
    mdb_filehandle_t fd;
    if (mdb_env_get_fd (self->env, &fd) == 0 && flock (fd, LOCK_EX | LOCK_NB)) {
        zsys_error ("store: %s is in use by another process (is this daemon already running?)", path);
        rc = DH_E_BUSY;
        goto fail;
    }
    //  An existing environment may be larger than asked: keep its size.
    MDB_envinfo info;
    mdb_env_info (self->env, &info);
    self->map_size = info.me_mapsize;
    if (self->map_max < self->map_size)
        self->map_max = self->map_size;
    *self_p = self;
    return 0;
fail:
    dh_store_destroy (&self);
    return rc;
}

void
dh_store_destroy (dh_store_t **self_p)
{
    assert (self_p);
    dh_store_t *self = *self_p;
    if (!self)
        return;
    if (self->env)
        mdb_env_close (self->env);
    free (self->path);
    free (self);
    *self_p = NULL;
}

int
dh_store_dbi (dh_store_t *self, const char *name, dh_dbi_t *dbi)
{
    assert (self && name && dbi && !self->writing);
    MDB_txn *txn;
    int rc = mdb_txn_begin (self->env, NULL, 0, &txn);
    if (rc)
        return s_map (rc);
    MDB_dbi handle;
    rc = mdb_dbi_open (txn, name, MDB_CREATE, &handle);
    if (rc) {
        mdb_txn_abort (txn);
        zsys_error ("store: cannot open sub-database %s: %s", name, mdb_strerror (rc));
        return s_map (rc);
    }
    rc = mdb_txn_commit (txn);
    if (rc)
        return s_map (rc);
    *dbi = handle;
    return 0;
}

int
dh_store_grow (dh_store_t *self)
{
    assert (self && !self->writing);
    if (self->map_size >= self->map_max)
        return DH_E_FULL;
    size_t next = self->map_size * 2;
    if (next > self->map_max)
        next = self->map_max;
    int rc = mdb_env_set_mapsize (self->env, next);
    if (rc)
        return s_map (rc);
    zsys_info ("store: %s map grown from %zu to %zu MiB",
               self->path, self->map_size >> 20, next >> 20);
    self->map_size = next;
    return 0;
}

size_t
dh_store_map_size (dh_store_t *self)
{
    return self->map_size;
}

size_t
dh_store_map_max (dh_store_t *self)
{
    return self->map_max;
}

size_t
dh_store_map_used (dh_store_t *self)
{
    MDB_envinfo info;
    MDB_stat stat;
    if (mdb_env_info (self->env, &info) || mdb_env_stat (self->env, &stat))
        return 0;
    return (info.me_last_pgno + 1) * (size_t) stat.ms_psize;
}

const char *
dh_store_path (dh_store_t *self)
{
    return self->path;
}

int
dh_txn_begin (dh_store_t *store, bool write, dh_txn_t **txn_p)
{
    assert (store && txn_p);
    assert (!(write && store->writing));
    dh_txn_t *self = calloc (1, sizeof *self);
    if (!self)
        return DH_E_NOMEM;
    int rc = mdb_txn_begin (store->env, NULL, write? 0: MDB_RDONLY, &self->txn);
    if (rc == MDB_MAP_RESIZED) {
        //  Another process grew the map (dunghanctl reading a live store).
        mdb_env_set_mapsize (store->env, 0);
        rc = mdb_txn_begin (store->env, NULL, write? 0: MDB_RDONLY, &self->txn);
    }
    if (rc) {
        free (self);
        return s_map (rc);
    }
    self->store = store;
    self->write = write;
    if (write)
        store->writing = true;
    *txn_p = self;
    return 0;
}

static void
s_txn_free (dh_txn_t **txn_p)
{
    dh_txn_t *self = *txn_p;
    if (self->write)
        self->store->writing = false;
    free (self);
    *txn_p = NULL;
}

int
dh_txn_commit (dh_txn_t **txn_p)
{
    assert (txn_p);
    dh_txn_t *self = *txn_p;
    if (!self)
        return 0;
    int rc;
    if (self->error) {
        mdb_txn_abort (self->txn);
        rc = self->error;
    }
    else
        rc = s_map (mdb_txn_commit (self->txn));
    s_txn_free (txn_p);
    return rc;
}

void
dh_txn_abort (dh_txn_t **txn_p)
{
    assert (txn_p);
    if (!*txn_p)
        return;
    mdb_txn_abort ((*txn_p)->txn);
    s_txn_free (txn_p);
}

int
dh_txn_error (dh_txn_t *txn)
{
    return txn->error;
}

uint64_t
dh_txn_writes (dh_txn_t *txn)
{
    return txn->writes;
}

int
dh_txn_get (dh_txn_t *txn, dh_dbi_t dbi, const void *key, size_t key_size, dh_val_t *value)
{
    MDB_val k = { key_size, (void *) key }, v;
    int rc = mdb_get (txn->txn, dbi, &k, &v);
    if (rc)
        return s_fail (txn, rc);
    value->data = v.mv_data;
    value->size = v.mv_size;
    return 0;
}

static int
s_put (dh_txn_t *txn, dh_dbi_t dbi, const void *key, size_t key_size,
       const void *data, size_t size, unsigned flags)
{
    assert (txn->write);
    if (txn->error)
        return txn->error;
    MDB_val k = { key_size, (void *) key }, v = { size, (void *) data };
    int rc = mdb_put (txn->txn, dbi, &k, &v, flags);
    if (rc)
        return s_fail (txn, rc);
    txn->writes++;
    return 0;
}

int
dh_txn_put (dh_txn_t *txn, dh_dbi_t dbi, const void *key, size_t key_size,
            const void *data, size_t size)
{
    return s_put (txn, dbi, key, key_size, data, size, 0);
}

int
dh_txn_put_new (dh_txn_t *txn, dh_dbi_t dbi, const void *key, size_t key_size,
                const void *data, size_t size)
{
    return s_put (txn, dbi, key, key_size, data, size, MDB_NOOVERWRITE);
}

int
dh_txn_append (dh_txn_t *txn, dh_dbi_t dbi, const void *key, size_t key_size,
               const void *data, size_t size)
{
    return s_put (txn, dbi, key, key_size, data, size, MDB_APPEND);
}

int
dh_txn_reserve (dh_txn_t *txn, dh_dbi_t dbi, const void *key, size_t key_size,
                size_t size, bool append, void **data)
{
    assert (txn->write);
    if (txn->error)
        return txn->error;
    MDB_val k = { key_size, (void *) key }, v = { size, NULL };
    int rc = mdb_put (txn->txn, dbi, &k, &v, MDB_RESERVE | (append? MDB_APPEND: 0));
    if (rc)
        return s_fail (txn, rc);
    txn->writes++;
    *data = v.mv_data;
    return 0;
}

int
dh_txn_reserve_next (dh_txn_t *txn, dh_dbi_t dbi, size_t size, void **data, uint64_t *seq)
{
    size_t slot = 0;
    while (slot < txn->next_count && txn->next [slot].dbi != dbi)
        slot++;
    uint64_t last = 0;
    if (slot < txn->next_count)
        last = txn->next [slot].last;
    else {
        MDB_cursor *cursor;
        MDB_val k, v;
        int rc = mdb_cursor_open (txn->txn, dbi, &cursor);
        if (rc)
            return s_fail (txn, rc);
        rc = mdb_cursor_get (cursor, &k, &v, MDB_LAST);
        mdb_cursor_close (cursor);
        if (rc == 0 && k.mv_size != 8)
            return DH_E_CORRUPT;
        if (rc == 0)
            last = dh_key_u64_read (k.mv_data);
        else
        if (rc != MDB_NOTFOUND)
            return s_fail (txn, rc);
        if (slot < S_NEXT_SLOTS)
            txn->next [txn->next_count++] = (s_last_key_t) { dbi, last };
    }
    uint8_t key [8];
    dh_key_u64 (key, last + 1);
    int rc = dh_txn_reserve (txn, dbi, key, 8, size, true, data);
    if (rc)
        return rc;
    if (slot < txn->next_count)
        txn->next [slot].last = last + 1;
    *seq = last + 1;
    return 0;
}

int
dh_txn_del (dh_txn_t *txn, dh_dbi_t dbi, const void *key, size_t key_size)
{
    assert (txn->write);
    if (txn->error)
        return txn->error;
    MDB_val k = { key_size, (void *) key };
    int rc = mdb_del (txn->txn, dbi, &k, NULL);
    if (rc)
        return s_fail (txn, rc);
    txn->writes++;
    return 0;
}

int
dh_txn_count (dh_txn_t *txn, dh_dbi_t dbi, uint64_t *count)
{
    MDB_stat stat;
    int rc = mdb_stat (txn->txn, dbi, &stat);
    if (rc)
        return s_fail (txn, rc);
    *count = stat.ms_entries;
    return 0;
}

int
dh_cursor_open (dh_txn_t *txn, dh_dbi_t dbi, dh_cursor_t **cursor_p)
{
    dh_cursor_t *self = calloc (1, sizeof *self);
    if (!self)
        return DH_E_NOMEM;
    int rc = mdb_cursor_open (txn->txn, dbi, &self->cursor);
    if (rc) {
        free (self);
        return s_fail (txn, rc);
    }
    self->txn = txn;
    *cursor_p = self;
    return 0;
}

void
dh_cursor_close (dh_cursor_t **cursor_p)
{
    if (!*cursor_p)
        return;
    mdb_cursor_close ((*cursor_p)->cursor);
    free (*cursor_p);
    *cursor_p = NULL;
}

static int
s_cursor_get (dh_cursor_t *self, MDB_val *k, dh_val_t *key, dh_val_t *value, MDB_cursor_op op)
{
    MDB_val v;
    int rc = mdb_cursor_get (self->cursor, k, &v, op);
    if (rc)
        return s_fail (self->txn, rc);
    if (key) {
        key->data = k->mv_data;
        key->size = k->mv_size;
    }
    if (value) {
        value->data = v.mv_data;
        value->size = v.mv_size;
    }
    return 0;
}

int
dh_cursor_seek (dh_cursor_t *self, const void *key, size_t key_size, dh_val_t *k, dh_val_t *v)
{
    MDB_val mk = { key_size, (void *) key };
    return s_cursor_get (self, &mk, k, v, MDB_SET_RANGE);
}

int
dh_cursor_first (dh_cursor_t *self, dh_val_t *k, dh_val_t *v)
{
    MDB_val mk = { 0, NULL };
    return s_cursor_get (self, &mk, k, v, MDB_FIRST);
}

int
dh_cursor_next (dh_cursor_t *self, dh_val_t *k, dh_val_t *v)
{
    MDB_val mk = { 0, NULL };
    return s_cursor_get (self, &mk, k, v, MDB_NEXT);
}

int
dh_cursor_last (dh_cursor_t *self, dh_val_t *k, dh_val_t *v)
{
    MDB_val mk = { 0, NULL };
    return s_cursor_get (self, &mk, k, v, MDB_LAST);
}

int
dh_cursor_del (dh_cursor_t *self)
{
    int rc = mdb_cursor_del (self->cursor, 0);
    if (rc)
        return s_fail (self->txn, rc);
    self->txn->writes++;
    return 0;
}

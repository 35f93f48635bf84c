#include <string.h>
#include "dh_error.h"
#include "dh_schedule.h"

#define S_KEY_MAX (8 + DH_SCHEDULE_ID_MAX)

static int
s_key (uint8_t key [S_KEY_MAX], int64_t due_ms, const void *id, size_t id_size, size_t *key_size)
{
    if (due_ms < 0)
        return DH_E_RANGE;
    if (id_size == 0 || id_size > DH_SCHEDULE_ID_MAX)
        return DH_E_TOO_BIG;
    dh_key_u64 (key, (uint64_t) due_ms);
    memcpy (key + 8, id, id_size);
    *key_size = 8 + id_size;
    return 0;
}

int
dh_schedule_put (dh_txn_t *txn, dh_dbi_t dbi, int64_t due_ms, const void *id, size_t id_size,
                 const void *value, size_t size)
{
    uint8_t key [S_KEY_MAX];
    size_t key_size;
    int rc = s_key (key, due_ms, id, id_size, &key_size);
    if (!rc && size > DH_SCHEDULE_VALUE_MAX)
        rc = DH_E_TOO_BIG;
    return rc? rc: dh_txn_put (txn, dbi, key, key_size, value, size);
}

int
dh_schedule_remove (dh_txn_t *txn, dh_dbi_t dbi, int64_t due_ms, const void *id, size_t id_size)
{
    uint8_t key [S_KEY_MAX];
    size_t key_size;
    int rc = s_key (key, due_ms, id, id_size, &key_size);
    return rc? rc: dh_txn_del (txn, dbi, key, key_size);
}

//  The first entry, copied out of the map (the delete that follows moves
//  what the map held). DH_E_NOT_FOUND when empty.
static int
s_first (dh_txn_t *txn, dh_dbi_t dbi, uint8_t key [S_KEY_MAX], size_t *key_size, dh_val_t *value)
{
    dh_cursor_t *cursor;
    int rc = dh_cursor_open (txn, dbi, &cursor);
    if (rc)
        return rc;
    dh_val_t k;
    rc = dh_cursor_first (cursor, &k, value);
    if (!rc && (k.size <= 8 || k.size > S_KEY_MAX))
        rc = DH_E_CORRUPT;
    if (!rc) {
        memcpy (key, k.data, k.size);
        *key_size = k.size;
    }
    dh_cursor_close (&cursor);
    return rc;
}

int
dh_schedule_next (dh_txn_t *txn, dh_dbi_t dbi, int64_t *due_ms)
{
    uint8_t key [S_KEY_MAX];
    size_t key_size;
    dh_val_t value;
    int rc = s_first (txn, dbi, key, &key_size, &value);
    *due_ms = rc? 0: (int64_t) dh_key_u64_read (key);
    return rc == DH_E_NOT_FOUND? 0: rc;
}

int
dh_schedule_take (dh_txn_t *txn, dh_dbi_t dbi, int64_t now_ms, size_t limit,
                  dh_schedule_fn *fn, void *arg, size_t *taken)
{
    *taken = 0;
    uint8_t key [S_KEY_MAX], copy [DH_SCHEDULE_VALUE_MAX];
    while (*taken < limit) {
        size_t key_size;
        dh_val_t value;
        int rc = s_first (txn, dbi, key, &key_size, &value);
        if (rc == DH_E_NOT_FOUND)
            return 0;
        if (rc)
            return rc;
        int64_t due_ms = (int64_t) dh_key_u64_read (key);
        if (due_ms > now_ms)
            return 0;
        if (value.size > sizeof copy)
            return DH_E_CORRUPT;    //  dh_schedule_put never writes one
        size_t size = value.size;
        memcpy (copy, value.data, size);
        if ((rc = dh_txn_del (txn, dbi, key, key_size)))
            return rc;
        (*taken)++;
        if ((rc = fn (arg, due_ms, key + 8, key_size - 8, copy, size)))
            return rc;
    }
    return 0;
}

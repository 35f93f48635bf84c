/*  dh_schedule — durable timers by the million: an LMDB sub-database keyed
    by (due time, id), read from its start up to now.

    Firing what fell due costs O(k log n) for k due entries among n, never
    a scan. An entry is taken (deleted) in the same transaction as the
    effect of firing it, so a commit either holds both or neither: a loop
    that falls behind, or a daemon killed and restarted, never fires the
    same entry twice. Pair it with a dh_timer (dh_service.h) set to
    dh_schedule_next.

    Keys: 8-byte big-endian due time (UTC ms, dh_clock) then the id's
    bytes, so entries sort by due time, ties by id. The value is the
    caller's (may be empty).  */
#ifndef DH_SCHEDULE_H
#define DH_SCHEDULE_H

#include "dh_store.h"

#define DH_SCHEDULE_ID_MAX    256
#define DH_SCHEDULE_VALUE_MAX 4096

//  Schedule id at due_ms with value (copied; size may be 0). An id may be
//  scheduled at several times; the same (due, id) again replaces its
//  value. Errors: DH_E_RANGE (due_ms < 0), DH_E_TOO_BIG (id empty or
//  over DH_SCHEDULE_ID_MAX, value over DH_SCHEDULE_VALUE_MAX), store
//  errors.
int dh_schedule_put (dh_txn_t *txn, dh_dbi_t dbi, int64_t due_ms, const void *id, size_t id_size,
                     const void *value, size_t size);

//  Remove id's entry at due_ms (a clock stopped before it fell due).
//  Errors: DH_E_NOT_FOUND, as dh_schedule_put.
int dh_schedule_remove (dh_txn_t *txn, dh_dbi_t dbi, int64_t due_ms, const void *id, size_t id_size);

//  *due_ms gets the earliest due time, 0 when nothing is scheduled.
//  Errors: DH_E_CORRUPT (a key shorter than a due time), store errors.
int dh_schedule_next (dh_txn_t *txn, dh_dbi_t dbi, int64_t *due_ms);

//  What to do with one entry that fell due: its effect, in txn. A
//  non-zero return stops the taking and is returned by dh_schedule_take
//  (the caller then fails the transaction, undoing the take too).
//  @note id and value are valid only during the call.
typedef int (dh_schedule_fn) (void *arg, int64_t due_ms, const void *id, size_t id_size,
                              const void *value, size_t size);

//  Take the entries due at or before now_ms, earliest first, at most
//  limit: delete each and call fn on it. *taken gets how many. Entries
//  fn schedules at or before now_ms are taken in the same call (within
//  the limit). Errors: fn's, DH_E_CORRUPT, store errors.
int dh_schedule_take (dh_txn_t *txn, dh_dbi_t dbi, int64_t now_ms, size_t limit,
                      dh_schedule_fn *fn, void *arg, size_t *taken);

#endif

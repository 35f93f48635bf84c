//  dh_schedule: entries come out earliest first, only those due, at most
//  the limit; a take undone by an abort is there again; what the effect
//  schedules in the past is taken in the same call; bad input refused.
#include <czmq.h>
#include "dh_error.h"
#include "dh_schedule.h"
#include "unit.h"

typedef struct {
    char fired [64][16];
    int64_t due [64];
    size_t count;
    dh_txn_t *txn;
    dh_dbi_t dbi;
    bool reschedule;            //  schedule "again" in the past on "b"
    bool fail_on_c;
} s_log_t;

static int
s_fire (void *arg, int64_t due_ms, const void *id, size_t id_size, const void *value, size_t size)
{
    s_log_t *log = arg;
    CHECK (size == 1 && ((const char *) value) [0] == 'v', "value handed over");
    if (log->fail_on_c && id_size == 1 && ((const char *) id) [0] == 'c')
        return DH_E_INVALID;
    snprintf (log->fired [log->count], 16, "%.*s", (int) id_size, (const char *) id);
    log->due [log->count++] = due_ms;
    if (log->reschedule && id_size == 1 && ((const char *) id) [0] == 'b')
        return dh_schedule_put (log->txn, log->dbi, 5, "again", 5, "v", 1);
    return 0;
}

int
main (void)
{
    char *folder = unit_tmpdir ();
    dh_store_t *store;
    dh_dbi_t dbi;
    CHECK (dh_store_open (folder, NULL, &store) == 0 && dh_store_dbi (store, "schedule", &dbi) == 0, "store");
    dh_txn_t *txn;
    int64_t next = -1;
    CHECK (dh_txn_begin (store, true, &txn) == 0, "begin");
    CHECK (dh_schedule_next (txn, dbi, &next) == 0 && next == 0, "empty: next is 0");
    //  Out of order on purpose; 300 sorts after 20 only as a number.
    CHECK (dh_schedule_put (txn, dbi, 300, "c", 1, "v", 1) == 0, "put c");
    CHECK (dh_schedule_put (txn, dbi, 20, "b", 1, "v", 1) == 0, "put b");
    CHECK (dh_schedule_put (txn, dbi, 10, "a", 1, "v", 1) == 0, "put a");
    CHECK (dh_schedule_put (txn, dbi, 5000, "z", 1, "v", 1) == 0, "put z");
    CHECK (dh_schedule_put (txn, dbi, 7000, "gone", 4, "v", 1) == 0, "put gone");
    CHECK (dh_schedule_remove (txn, dbi, 7000, "gone", 4) == 0, "remove");
    CHECK (dh_schedule_remove (txn, dbi, 7000, "gone", 4) == DH_E_NOT_FOUND, "removed once");
    CHECK (dh_schedule_put (txn, dbi, -1, "x", 1, "v", 1) == DH_E_RANGE, "negative due refused");
    CHECK (dh_schedule_put (txn, dbi, 1, "", 0, "v", 1) == DH_E_TOO_BIG, "empty id refused");
    char big [DH_SCHEDULE_VALUE_MAX + 1] = { 0 };
    CHECK (dh_schedule_put (txn, dbi, 1, big, DH_SCHEDULE_ID_MAX + 1, "v", 1) == DH_E_TOO_BIG, "long id refused");
    CHECK (dh_schedule_put (txn, dbi, 1, "x", 1, big, sizeof big) == DH_E_TOO_BIG, "big value refused");
    CHECK (dh_schedule_next (txn, dbi, &next) == 0 && next == 10, "next is the earliest: %" PRId64, next);
    CHECK (dh_txn_commit (&txn) == 0, "commit");

    //  A take whose transaction is undone leaves everything in place.
    s_log_t log = { .dbi = dbi };
    size_t taken;
    CHECK (dh_txn_begin (store, true, &txn) == 0, "begin");
    CHECK (dh_schedule_take (txn, dbi, 1000, 10, s_fire, &log, &taken) == 0 && taken == 3, "three due");
    dh_txn_abort (&txn);
    CHECK (dh_txn_begin (store, true, &txn) == 0, "begin");
    CHECK (dh_schedule_next (txn, dbi, &next) == 0 && next == 10, "undone take leaves a");

    //  Limit 1, then the rest; an effect that schedules in the past.
    log = (s_log_t) { .txn = txn, .dbi = dbi, .reschedule = true };
    CHECK (dh_schedule_take (txn, dbi, 1000, 1, s_fire, &log, &taken) == 0 && taken == 1, "limit 1");
    CHECK (log.count == 1 && !strcmp (log.fired [0], "a") && log.due [0] == 10, "a first");
    CHECK (dh_schedule_take (txn, dbi, 1000, 100, s_fire, &log, &taken) == 0 && taken == 3,
           "b, again, c: %zu", taken);
    CHECK (log.count == 4 && !strcmp (log.fired [1], "b") && !strcmp (log.fired [2], "again")
           && !strcmp (log.fired [3], "c"), "in due order, the rescheduled one included");
    CHECK (dh_schedule_take (txn, dbi, 1000, 100, s_fire, &log, &taken) == 0 && taken == 0, "nothing more due");
    CHECK (dh_schedule_next (txn, dbi, &next) == 0 && next == 5000, "z waits");
    CHECK (dh_txn_commit (&txn) == 0, "commit");

    //  An effect's error stops the take and comes back.
    CHECK (dh_txn_begin (store, true, &txn) == 0, "begin");
    CHECK (dh_schedule_put (txn, dbi, 100, "c", 1, "v", 1) == 0, "c again");
    log = (s_log_t) { .fail_on_c = true };
    CHECK (dh_schedule_take (txn, dbi, 6000, 10, s_fire, &log, &taken) == DH_E_INVALID && taken == 1,
           "the effect's error returned");
    dh_txn_abort (&txn);
    dh_store_destroy (&store);
    unit_rmdir (folder);
    return UNIT_DONE ("test_schedule");
}

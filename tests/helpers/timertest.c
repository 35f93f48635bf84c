/*  timertest — a service on the timer API (dh_timer + dh_schedule) that
    proves firing is exactly once.

    timertest --config F [--set timers/count=N] [--set timers/spread_ms=MS]
        On its first start schedules N timers, due over the next spread_ms
        in a shuffled order, in its store. Each firing, in the transaction
        that takes it from the schedule, counts the number in its own
        `applied` table and sends TEST_APPLY to "receiver" (a `linktest
        receiver`) through the outbox. At most per_turn fire per turn.
    TEST_COUNT answers "fired scheduled".

    `linktest verify` reads both stores: each number applied once.  */
#include <czmq.h>
#include "dh_clock.h"
#include "dh_error.h"
#include "dh_schedule.h"
#include "dh_service.h"
#include "dh_types.h"

typedef struct {
    uint64_t number;
    int64_t produced_at;        //  as linktest's receiver reads it
} s_message_t;

typedef struct {
    dh_dbi_t schedule;          //  (due, number) -> nothing
    dh_dbi_t applied;           //  number -> times fired (uint32), as linktest verify reads it
    dh_dbi_t meta;              //  "made" once the schedule is
    dh_timer_t *timer;
    uint64_t count, spread_ms, per_turn;
    uint64_t fired;             //  since start, committed or not (for TEST_COUNT only)
} s_timers_t;

//  The state a firing needs, handed through dh_schedule_take's arg.
typedef struct {
    dh_call_t *call;
    s_timers_t *self;
} s_firing_t;

static int
s_fire_one (void *arg, int64_t due_ms, const void *id, size_t id_size, const void *value, size_t size)
{
    (void) value;
    (void) size;
    s_firing_t *firing = arg;
    dh_txn_t *txn = firing->call->txn;
    if (id_size != 8)
        return DH_E_CORRUPT;
    uint32_t times = 0;
    dh_val_t current;
    if (dh_txn_get (txn, firing->self->applied, id, 8, &current) == 0 && current.size == 4)
        memcpy (&times, current.data, 4);
    times++;
    int rc = dh_txn_put (txn, firing->self->applied, id, 8, &times, 4);
    if (rc)
        return rc;
    s_message_t message = { dh_key_u64_read (id), due_ms };
    return dh_service_send (firing->call->service, txn, "receiver", DH_MSG_TEST_APPLY, "timertest",
                            &message, sizeof message);
}

static int
s_work (dh_call_t *call, void *arg)
{
    s_timers_t *self = arg;
    s_firing_t firing = { call, self };
    size_t taken;
    int64_t now = dh_clock_now (), next;
    int rc = dh_schedule_take (call->txn, self->schedule, now, self->per_turn, s_fire_one, &firing, &taken);
    if (!rc)
        rc = dh_schedule_next (call->txn, self->schedule, &next);
    if (rc)
        return dh_call_fail (call, rc, "cannot fire timers: %s", dh_strerror (rc));
    self->fired += taken;
    if (next)
        dh_timer_at (self->timer, next);
    return 0;
}

//  First start only: the schedule, in one transaction with the mark
//  that it was made, so a kill during it makes it again from nothing.
static int
s_schedule_all (dh_call_t *call, void *arg)
{
    s_timers_t *self = arg;
    dh_val_t value;
    if (dh_txn_get (call->txn, self->meta, "made", 4, &value) == 0)
        return 0;
    int64_t start = dh_clock_now ();
    for (uint64_t i = 0; i < self->count; i++) {
        //  A shuffled order: due times do not follow the numbers.
        uint64_t slot = (i * 7919) % self->count;
        int64_t due = start + (int64_t) (slot * self->spread_ms / self->count);
        uint8_t id [8];
        dh_key_u64 (id, i);
        int rc = dh_schedule_put (call->txn, self->schedule, due, id, 8, NULL, 0);
        if (rc)
            return dh_call_fail (call, rc, "cannot schedule %" PRIu64, i);
    }
    return dh_txn_put (call->txn, self->meta, "made", 4, "", 0);
}

static int
s_handle_count (dh_call_t *call, void *state)
{
    s_timers_t *self = state;
    uint64_t scheduled;
    int rc = dh_txn_count (call->txn, self->schedule, &scheduled);
    if (rc)
        return dh_call_fail (call, rc, "cannot count");
    char text [64];
    int size = snprintf (text, sizeof text, "fired=%" PRIu64 " scheduled=%" PRIu64, self->fired, scheduled);
    return dh_call_reply (call, text, (size_t) size);
}

static const dh_config_key_t s_keys [] = {
    { "count", "10000", "timers to schedule on the first start", false },
    { "spread_ms", "3000", "their due times spread over this many ms from the first start", false },
    { "per_turn", "100", "most timers fired in one transaction", false },
    { NULL, NULL, NULL, false }
};

static const dh_command_t s_commands [] = {
    { DH_MSG_TEST_COUNT, s_handle_count, DH_FROM_CLIENT, 0, false, NULL },
    { 0 }
};

static int
s_setup (dh_service_t *service, void *arg)
{
    s_timers_t *self = arg;
    dh_config_t *config = dh_service_config (service);
    int64_t count, spread_ms, per_turn;
    int rc;
    if ((rc = dh_config_int (config, "count", 1, 10000000, &count))
    ||  (rc = dh_config_int (config, "spread_ms", 1, 3600000, &spread_ms))
    ||  (rc = dh_config_int (config, "per_turn", 1, 100000, &per_turn))
    ||  (rc = dh_store_dbi (dh_service_store (service), "schedule", &self->schedule))
    ||  (rc = dh_store_dbi (dh_service_store (service), "applied", &self->applied))
    ||  (rc = dh_store_dbi (dh_service_store (service), "meta", &self->meta))
    ||  (rc = dh_service_add_peer (service, "receiver")))
        return rc;
    self->count = count;
    self->spread_ms = spread_ms;
    self->per_turn = per_turn;
    dh_service_register (service, s_commands, self);
    self->timer = dh_service_timer_new (service, s_work, self);
    if (!self->timer)
        return DH_E_NOMEM;
    if ((rc = dh_service_transact (service, s_schedule_all, self)))
        return rc;
    //  Whatever is left, overdue or not, fires from the schedule's start.
    dh_timer_at (self->timer, dh_clock_now ());
    return 0;
}

int
main (int argc, char **argv)
{
    s_timers_t timers = { 0 };
    return dh_service_main ("timers",
        "usage: timertest [--config F] [--set key=value]...\n"
        "Schedules timers once and fires each exactly once to a linktest receiver.",
        argc, argv, s_keys, s_setup, &timers);
}

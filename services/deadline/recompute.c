//  RECOMPUTE: the working calendar changed (a holiday announced, a
//  compensatory day moved). Load it again and recompute every open clock
//  from its ledger; report how many due times moved and by how much. A
//  calendar that does not load changes nothing. The new calendar is in
//  force from the command's commit.
//
//  A million clocks do not fit in one transaction: LMDB keeps every page
//  a transaction dirties in private memory until the commit (gigabytes),
//  and the loop would serve nothing meanwhile. So the command only
//  starts a run, kept in the store; a timer then recomputes
//  recompute_batch clocks a turn, each turn a transaction of its own,
//  until the last. A clock not yet reached keeps its old due time (and
//  may fire on it) for those seconds. A daemon restarted mid-run loads
//  the calendar folder again and goes on from the last clock done.
#include "dh_call.h"
#include "dh_clock.h"
#include "dh_error.h"
#include "dh_types.h"
#include "deadline.h"

static dh_handler_fn s_recompute, s_recompute_status;

const dh_command_t deadline_recompute_commands [] = {
    { DH_MSG_RECOMPUTE,        s_recompute,        DH_FROM_CLIENT, 0, false, NULL },
    { DH_MSG_RECOMPUTE_STATUS, s_recompute_status, DH_FROM_CLIENT, 0, false, NULL },
    { 0 }
};

#define S_RUN_KEY "recompute"

static int
s_run_get (deadline_t *self, dh_call_t *call, Dh__RecomputeReply **run)
{
    return dh_call_get_message (call, self->runs, S_RUN_KEY, &dh__recompute_reply__descriptor,
                                (ProtobufCMessage **) run);
}

static void
s_drop_pending (deadline_t *self)
{
    if (self->pending)
        dh_calendar_destroy (&self->pending);
}

static void
s_count_shift (Dh__RecomputeReply *run, int64_t shift)
{
    if (!shift)
        return;
    run->moved++;
    if (shift > 0)
        run->moved_later++;
    else
        run->moved_earlier++;
    int64_t size = shift > 0? shift: -shift;
    run->total_shift_ms += size;
    if (size > run->max_shift_ms)
        run->max_shift_ms = size;
}

//  Recompute up to recompute_batch clocks after run->last_clock; clears
//  run->running after the last one.
static int
s_recompute_some (deadline_t *self, dh_call_t *call, Dh__RecomputeReply *run)
{
    dh_cursor_t *cursor;
    int rc = dh_cursor_open (call->txn, self->clocks, &cursor);
    if (rc)
        return rc;
    char at [256];
    size_t at_size = strlen (run->last_clock);
    if (at_size >= sizeof at) {
        dh_cursor_close (&cursor);
        return DH_E_CORRUPT;
    }
    memcpy (at, run->last_clock, at_size + 1);
    dh_val_t key, value;
    if (at_size) {
        //  Clocks are never deleted (a stopped one stays): the last one
        //  done is there, and the turn goes on after it.
        rc = dh_cursor_seek (cursor, at, at_size, &key, &value);
        if (!rc && key.size == at_size && !memcmp (key.data, at, at_size))
            rc = dh_cursor_next (cursor, &key, &value);
    }
    else
        rc = dh_cursor_first (cursor, &key, &value);
    for (uint32_t done = 0; !rc && done < self->recompute_batch; done++) {
        if (key.size >= sizeof at) {
            rc = DH_E_CORRUPT;
            break;
        }
        at_size = key.size;
        memcpy (at, key.data, key.size);
        at [at_size] = 0;
        run->checked++;
        deadline_clock_t clock;
        if ((rc = deadline_clock_get (self, call, at, &clock)))
            break;
        if (!clock.record->stopped_at) {
            Dh__Clock before = *clock.record;
            if ((rc = deadline_clock_store (self, call, &clock, &before)))
                break;
            run->clocks++;
            s_count_shift (run, clock.record->due_at - before.due_at);
            //  The store may have moved the cursor's page: find the place again.
            if ((rc = dh_cursor_seek (cursor, at, at_size, &key, &value)))
                break;
        }
        rc = dh_cursor_next (cursor, &key, &value);
    }
    dh_cursor_close (&cursor);
    if (rc && rc != DH_E_NOT_FOUND)
        return rc;
    char *last = dh_service_scratch (self->service, at_size + 1);
    if (!last)
        return DH_E_NOMEM;
    memcpy (last, at, at_size + 1);
    run->last_clock = last;
    if (rc == DH_E_NOT_FOUND) {
        run->running = false;
        run->finished_at = dh_clock_now ();
    }
    return 0;
}

//  The timer's work: one turn of the run under way, if there is one.
static int
s_recompute_turn (dh_call_t *call, void *arg)
{
    deadline_t *self = arg;
    Dh__RecomputeReply *run;
    int rc = s_run_get (self, call, &run);
    if (rc == DH_E_NOT_FOUND)
        return 0;
    if (!rc && !run->running)
        return 0;
    if (rc
    ||  (rc = s_recompute_some (self, call, run))
    ||  (rc = dh_call_put_message (call, self->runs, S_RUN_KEY, &run->base)))
        return dh_call_fail (call, rc, "cannot recompute the clocks: %s", dh_strerror (rc));
    if (run->running)
        dh_timer_at (self->recompute_timer, dh_clock_now ());
    else
        zsys_info ("deadline: recompute asked by %s done: %" PRIu64 " open clocks, %" PRIu64 " moved "
                   "(%" PRIu64 " later, %" PRIu64 " earlier), the largest shift %" PRId64 " ms",
                   run->by, run->clocks, run->moved, run->moved_later, run->moved_earlier, run->max_shift_ms);
    return 0;
}

static void
s_committed (dh_service_t *service, void *arg)
{
    (void) service;
    deadline_t *self = arg;
    if (self->pending) {
        dh_calendar_destroy (&self->calendar);
        self->calendar = self->pending;
        self->pending = NULL;
    }
}

static int
s_recompute (dh_call_t *call, void *state)
{
    deadline_t *self = state;
    s_drop_pending (self);      //  a batch run again loads it again
    Dh__RecomputeReply *run;
    int rc = s_run_get (self, call, &run);
    if (rc && rc != DH_E_NOT_FOUND)
        return dh_call_fail (call, rc, "cannot read the recompute under way: %s", dh_strerror (rc));
    if (!rc && run->running)
        return dh_call_fail (call, DH_E_BUSY, "a recompute asked by %s is under way (%" PRIu64 " of %" PRIu64
                             " clocks looked at): ask again when it is done (recompute-status)",
                             run->by, run->checked, run->total);
    dh_calendar_t *calendar;
    if ((rc = dh_calendar_load (self->calendar_dir, &calendar)))
        return dh_call_fail (call, DH_E_INVALID, "the calendar in %s does not load, nothing changed: %s",
                             self->calendar_dir, dh_calendar_error ());
    self->pending = calendar;
    dh_service_on_commit (self->service, s_committed, self);
    Dh__RecomputeReply started = DH__RECOMPUTE_REPLY__INIT;
    started.running = true;
    started.started_at = dh_clock_now ();
    started.by = (char *) call->envelope->actor;
    if ((rc = dh_txn_count (call->txn, self->clocks, &started.total))
    ||  (rc = dh_call_put_message (call, self->runs, S_RUN_KEY, &started.base))
    ||  (rc = dh_service_audit (self->service, call->txn, call->envelope->actor, "recompute", "calendar"))) {
        s_drop_pending (self);
        return dh_call_fail (call, rc, "cannot start the recompute: %s", dh_strerror (rc));
    }
    //  Armed from a batch that may yet be undone: the turn reads the run
    //  from the store and finds none under way then.
    dh_timer_at (self->recompute_timer, dh_clock_now ());
    zsys_info ("deadline: calendar reloaded from %s by %s; recomputing %" PRIu64 " clocks, %u a turn",
               self->calendar_dir, call->envelope->actor, started.total, self->recompute_batch);
    return dh_call_reply_message (call, &started.base);
}

static int
s_recompute_status (dh_call_t *call, void *state)
{
    deadline_t *self = state;
    Dh__RecomputeReply *run;
    int rc = s_run_get (self, call, &run);
    if (rc == DH_E_NOT_FOUND)
        return dh_call_fail (call, rc, "no recompute has been asked for");
    if (rc)
        return dh_call_fail (call, rc, "cannot read the recompute: %s", dh_strerror (rc));
    return dh_call_reply_message (call, &run->base);
}

int
deadline_recompute_setup (deadline_t *self)
{
    self->recompute_timer = dh_service_timer_new (self->service, s_recompute_turn, self);
    if (!self->recompute_timer)
        return DH_E_NOMEM;
    dh_timer_share (self->recompute_timer, self->burst_share);
    //  A run the daemon was stopped in goes on (the turn finds whether).
    dh_timer_at (self->recompute_timer, dh_clock_now ());
    return 0;
}

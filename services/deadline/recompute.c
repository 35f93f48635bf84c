//  RECOMPUTE: the working calendar changed (a holiday announced, a
//  compensatory day moved). Load it again and recompute every open clock
//  from its ledger; report how many due times moved and by how much. A
//  calendar that does not load changes nothing. The new calendar is in
//  force for the rest of the batch and, once it commits, for good.
#include "dh_call.h"
#include "dh_error.h"
#include "dh_types.h"
#include "deadline.h"

static dh_handler_fn s_recompute;

const dh_command_t deadline_recompute_commands [] = {
    { DH_MSG_RECOMPUTE, s_recompute, DH_FROM_CLIENT, 0, false, NULL },
    { 0 }
};

static void
s_drop_pending (deadline_t *self)
{
    if (self->pending)
        dh_calendar_destroy (&self->pending);
}

static int
s_recompute_all (deadline_t *self, dh_call_t *call, Dh__RecomputeReply *reply)
{
    dh_cursor_t *cursor;
    int rc = dh_cursor_open (call->txn, self->clocks, &cursor);
    if (rc)
        return dh_call_fail (call, rc, "cannot read the clocks: %s", dh_strerror (rc));
    uint8_t at [256];
    size_t at_size = 0;
    dh_val_t key, value;
    for (rc = dh_cursor_first (cursor, &key, &value); !rc; rc = dh_cursor_next (cursor, &key, &value)) {
        if (key.size >= sizeof at) {
            rc = DH_E_CORRUPT;
            break;
        }
        at_size = key.size;
        memcpy (at, key.data, key.size);
        char id [sizeof at + 1];
        memcpy (id, at, at_size);
        id [at_size] = 0;
        deadline_clock_t clock;
        if ((rc = deadline_clock_get (self, call, id, &clock)))
            break;
        if (clock.record->stopped_at)
            continue;
        Dh__Clock before = *clock.record;
        if ((rc = deadline_clock_store (self, call, &clock, &before))) {
            dh_cursor_close (&cursor);
            return rc;
        }
        reply->clocks++;
        int64_t shift = clock.record->due_at - before.due_at;
        if (shift) {
            reply->moved++;
            if (shift > 0)
                reply->moved_later++;
            else
                reply->moved_earlier++;
            int64_t size = shift > 0? shift: -shift;
            reply->total_shift_ms += size;
            if (size > reply->max_shift_ms)
                reply->max_shift_ms = size;
        }
        //  The store may have moved the cursor's page: find the place again.
        if ((rc = dh_cursor_seek (cursor, at, at_size, &key, &value)))
            break;
    }
    dh_cursor_close (&cursor);
    if (rc && rc != DH_E_NOT_FOUND)
        return dh_call_fail (call, rc, "cannot recompute the clocks: %s", dh_strerror (rc));
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
    dh_calendar_t *calendar;
    int rc = dh_calendar_load (self->calendar_dir, &calendar);
    if (rc)
        return dh_call_fail (call, DH_E_INVALID, "the calendar in %s does not load, nothing changed: %s",
                             self->calendar_dir, dh_calendar_error ());
    self->pending = calendar;
    dh_service_on_commit (self->service, s_committed, self);
    Dh__RecomputeReply reply = DH__RECOMPUTE_REPLY__INIT;
    if ((rc = s_recompute_all (self, call, &reply))
    ||  (rc = dh_service_audit (self->service, call->txn, call->envelope->actor, "recompute", "calendar"))) {
        s_drop_pending (self);
        return rc;
    }
    zsys_info ("deadline: calendar reloaded from %s by %s: %" PRIu64 " open clocks, %" PRIu64 " moved",
               self->calendar_dir, call->envelope->actor, reply.clocks, reply.moved);
    return dh_call_reply_message (call, &reply.base);
}

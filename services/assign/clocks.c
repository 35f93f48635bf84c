//  What the deadline daemon hears: every change that moves a clock of an
//  item (its whole time, or the step its holder is on) goes to it as a
//  ClockChange over the link, in the transaction of the change, so a
//  clock never disagrees with its item. Assign alone sends them, in
//  order: what happens at the counter reaches assign first.
//
//  Nothing is built when no deadline daemon is configured here.
#include "deadline.pb-c.h"
#include "dh_call.h"
#include "dh_clock.h"
#include "dh_error.h"
#include "dh_types.h"
#include "assign.h"

static const char *s_peer = "deadline";

//  The head of the unit (trưởng đơn vị), who approves apologies and hears
//  escalations; "" when the unit or its head is not in the org chart.
static const char *
s_head (assign_t *self, dh_call_t *call, const char *unit_code)
{
    Dh__Unit *unit;
    if (!*unit_code || assign_unit_get (self, call, unit_code, &unit))
        return "";
    return unit->head;
}

static int
s_send (dh_call_t *call, Dh__ClockChange *change)
{
    size_t size;
    uint8_t *bytes = dh_call_pack (call, &change->base, &size);
    if (!bytes)
        return dh_call_fail (call, DH_E_NOMEM, "no memory for the clock of %s", change->item);
    int rc = dh_service_send (call->service, call->txn, s_peer, DH_MSG_CLOCK_CHANGE,
                              call->envelope->actor, bytes, size);
    return rc? dh_call_fail (call, rc, "cannot tell deadline of %s: %s", change->item, dh_strerror (rc)): 0;
}

static void
s_init (Dh__ClockChange *change, const Dh__Assignment *item, Dh__ClockKind kind, Dh__ClockAction action,
        int64_t at)
{
    dh__clock_change__init (change);
    change->item = item->code;
    change->kind = kind;
    change->action = action;
    change->at = at;
}

//  The holder's step starts at the item's node; deadline closes the step
//  clock open before it.
static int
s_step_start (assign_t *self, dh_call_t *call, const Dh__Assignment *item, int64_t at)
{
    Dh__ClockChange change;
    s_init (&change, item, DH__CLOCK_KIND__STEP_CLOCK, DH__CLOCK_ACTION__CLOCK_START, at);
    change.holder = item->handler;
    change.node = item->step_node;
    change.unit = item->lead_unit;
    change.head = (char *) s_head (self, call, item->lead_unit);
    return s_send (call, &change);
}

int
assign_clock_received (assign_t *self, dh_call_t *call, const Dh__ItemReceived *received,
                       const Dh__Assignment *item, int64_t at)
{
    if (!dh_service_has_peer (call->service, s_peer))
        return 0;
    Dh__ClockChange change;
    s_init (&change, item, DH__CLOCK_KIND__ITEM_CLOCK, DH__CLOCK_ACTION__CLOCK_START, received->received_at);
    change.unit = item->lead_unit;
    change.procedure = received->procedure_code;
    change.channel = received->channel;
    change.hours = received->hours;
    change.due_at = received->due_at;
    change.restart_after_supplement = received->restart_after_supplement;
    change.supplement_hours = received->supplement_hours;
    change.n_steps = received->n_steps;
    change.steps = received->steps;
    change.head = (char *) s_head (self, call, item->lead_unit);
    int rc = s_send (call, &change);
    if (rc || !*item->handler)
        return rc;              //  no handler yet: the step clock starts with ASSIGN
    return s_step_start (self, call, item, at);
}

int
assign_clock_step_start (assign_t *self, dh_call_t *call, const Dh__ItemCommand *command,
                         const Dh__Assignment *item, const Dh__Step *step)
{
    (void) command;
    if (!dh_service_has_peer (call->service, s_peer))
        return 0;
    return s_step_start (self, call, item, step->at);
}

int
assign_clock_transfer (assign_t *self, dh_call_t *call, const Dh__ItemCommand *command,
                       const Dh__Assignment *item, const Dh__Step *step)
{
    if (!dh_service_has_peer (call->service, s_peer))
        return 0;
    Dh__ClockChange change;
    s_init (&change, item, DH__CLOCK_KIND__ITEM_CLOCK, DH__CLOCK_ACTION__CLOCK_MOVE, step->at);
    change.unit = item->lead_unit;      //  already the new one
    change.head = (char *) s_head (self, call, item->lead_unit);
    change.reason = command->reason;
    int rc = s_send (call, &change);
    return rc? rc: s_step_start (self, call, item, step->at);
}

int
assign_clock_step_stop (assign_t *self, dh_call_t *call, const Dh__ItemCommand *command,
                        const Dh__Assignment *item, const Dh__Step *step)
{
    (void) self;
    (void) command;
    if (!dh_service_has_peer (call->service, s_peer))
        return 0;
    Dh__ClockChange change;
    s_init (&change, item, DH__CLOCK_KIND__STEP_CLOCK, DH__CLOCK_ACTION__CLOCK_STOP, step->at);
    //  Which step stops, so deadline can check it is the one open.
    change.holder = item->handler;
    change.node = item->step_node;
    change.unit = item->lead_unit;
    return s_send (call, &change);
}

int
assign_clock_pause (assign_t *self, dh_call_t *call, const Dh__ItemCommand *command,
                    const Dh__Assignment *item, const Dh__Step *step)
{
    (void) self;
    if (!dh_service_has_peer (call->service, s_peer))
        return 0;
    Dh__ClockChange change;
    s_init (&change, item, DH__CLOCK_KIND__ITEM_CLOCK, DH__CLOCK_ACTION__CLOCK_PAUSE, step->at);
    change.reason = command->reason;
    return s_send (call, &change);
}

int
assign_clock_fee (assign_t *self, dh_call_t *call, const Dh__ItemCommand *command,
                  const Dh__Assignment *item, const Dh__Step *step)
{
    (void) self;
    if (!dh_service_has_peer (call->service, s_peer))
        return 0;
    Dh__ClockChange change;
    s_init (&change, item, DH__CLOCK_KIND__ITEM_CLOCK, DH__CLOCK_ACTION__CLOCK_PAUSE, step->at);
    change.reason = command->reason;
    change.fee = true;
    return s_send (call, &change);
}

int
assign_clock_resolve (assign_t *self, dh_call_t *call, const Dh__ItemCommand *command,
                      const Dh__Assignment *item, const Dh__Step *step)
{
    (void) self;
    if (!dh_service_has_peer (call->service, s_peer))
        return 0;
    Dh__ClockChange change;
    s_init (&change, item, DH__CLOCK_KIND__ITEM_CLOCK, DH__CLOCK_ACTION__CLOCK_STOP, step->at);
    //  Only a result is judged early, on time or late.
    change.end = command->approved? DH__CLOCK_END__END_FINISHED: DH__CLOCK_END__END_REFUSED;
    change.reason = command->reason;
    return s_send (call, &change);
}

int
assign_clock_counter (assign_t *self, dh_call_t *call, const Dh__Assignment *item, Dh__ItemState before,
                      const Dh__Step *step)
{
    (void) self;
    if (!dh_service_has_peer (call->service, s_peer))
        return 0;
    Dh__ClockChange change;
    int64_t at = step && step->at? step->at: dh_clock_now ();
    if (item->state == DH__ITEM_STATE__WITHDRAWN || item->state == DH__ITEM_STATE__REJECTED) {
        //  An item that ended here first (resolved while the applicant
        //  withdrew) has its clock stopped already.
        if (!assign_state_open (before))
            return 0;
        s_init (&change, item, DH__CLOCK_KIND__ITEM_CLOCK, DH__CLOCK_ACTION__CLOCK_STOP, at);
        change.end = item->state == DH__ITEM_STATE__WITHDRAWN? DH__CLOCK_END__END_WITHDRAWN:
                                                               DH__CLOCK_END__END_NOT_ACCEPTED;
        change.reason = step? step->content: "";
    }
    else
    if (item->state == DH__ITEM_STATE__IN_PROGRESS
    &&  (before == DH__ITEM_STATE__SUPPLEMENT_REQUESTED || before == DH__ITEM_STATE__AWAITING_FEE))
        s_init (&change, item, DH__CLOCK_KIND__ITEM_CLOCK, DH__CLOCK_ACTION__CLOCK_RESUME, at);
    else
        return 0;
    return s_send (call, &change);
}

//  What dunghan-notify hears from assign: an item given to a handler (by
//  routing, ASSIGN, REASSIGN or TRANSFER), papers asked for, a result
//  ready or a refusal after examination, a result handed over. Each goes
//  as a NotifyEvent over the link, in the transaction of the change it
//  tells of. The applicant's contact is notify's already (intake told it
//  with "received"): these carry the code. And each morning a handler's
//  queue summary (summary.c), in the transaction that marks it sent.
//
//  Nothing is built when no notify daemon is configured here.
#include "notify.pb-c.h"
#include "dh_call.h"
#include "dh_error.h"
#include "dh_types.h"
#include "assign.h"

static const char *s_peer = "notify";

//  Timer work has no envelope: assign itself is the actor then.
static int
s_send (dh_call_t *call, Dh__NotifyEvent *event)
{
    const char *about = *event->code? event->code: event->staff;
    size_t size;
    uint8_t *bytes = dh_call_pack (call, &event->base, &size);
    if (!bytes)
        return dh_call_fail (call, DH_E_NOMEM, "no memory to tell notify of %s", about);
    int rc = dh_service_send (call->service, call->txn, s_peer, DH_MSG_NOTIFY_EVENT,
                              call->envelope? call->envelope->actor: "assign", bytes, size);
    return rc? dh_call_fail (call, rc, "cannot tell notify of %s: %s", about, dh_strerror (rc)): 0;
}

//  Assign knows the procedure by its code only: its name went with
//  intake's "received", so procedure is left empty here.
static void
s_init (Dh__NotifyEvent *event, const char *name, const Dh__Assignment *item, const Dh__Step *step)
{
    dh__notify_event__init (event);
    event->event = (char *) name;
    event->code = item->code;
    event->due_at = item->due_at;
    event->unit = item->lead_unit;
    event->at = step->at;
}

int
assign_tell_assigned (assign_t *self, dh_call_t *call, const Dh__ItemCommand *command,
                      const Dh__Assignment *item, const Dh__Step *step)
{
    (void) self;
    if (!dh_service_has_peer (call->service, s_peer))
        return 0;
    Dh__NotifyEvent event;
    s_init (&event, "assigned", item, step);
    event.staff = item->handler;
    if (command)
        event.reason = command->reason;     //  why it was handed on to them
    return s_send (call, &event);
}

int
assign_tell_supplement (assign_t *self, dh_call_t *call, const Dh__ItemCommand *command,
                        const Dh__Assignment *item, const Dh__Step *step)
{
    (void) self;
    if (!dh_service_has_peer (call->service, s_peer))
        return 0;
    Dh__NotifyEvent event;
    s_init (&event, "supplement_requested", item, step);
    event.papers = step->content;           //  the list, "; " between them (work.c)
    event.reason = command->reason;
    return s_send (call, &event);
}

int
assign_tell_fee (assign_t *self, dh_call_t *call, const Dh__ItemCommand *command,
                 const Dh__Assignment *item, const Dh__Step *step)
{
    (void) self;
    if (!dh_service_has_peer (call->service, s_peer))
        return 0;
    Dh__NotifyEvent event;
    s_init (&event, "fee_due", item, step);
    event.reason = command->reason;
    return s_send (call, &event);
}

int
assign_tell_resolved (assign_t *self, dh_call_t *call, const Dh__ItemCommand *command,
                      const Dh__Assignment *item, const Dh__Step *step)
{
    (void) self;
    if (!dh_service_has_peer (call->service, s_peer))
        return 0;
    Dh__NotifyEvent event;
    //  A refusal after examination reaches the applicant as a dossier
    //  not accepted, with its reason. Where to collect a result is
    //  notify's setting: counter is left empty.
    s_init (&event, command->approved? "result_ready": "not_accepted", item, step);
    if (!command->approved)
        event.reason = command->reason;
    return s_send (call, &event);
}

int
assign_tell_returned (assign_t *self, dh_call_t *call, const Dh__ItemCommand *command,
                      const Dh__Assignment *item, const Dh__Step *step)
{
    (void) self;
    (void) command;
    if (!dh_service_has_peer (call->service, s_peer))
        return 0;
    Dh__NotifyEvent event;
    s_init (&event, "returned", item, step);
    return s_send (call, &event);
}

int
assign_tell_queue_summary (assign_t *self, dh_call_t *call, const char *staff, const char *unit, uint32_t open,
                           int64_t at)
{
    (void) self;
    if (!dh_service_has_peer (call->service, s_peer))
        return 0;
    Dh__NotifyEvent event = DH__NOTIFY_EVENT__INIT;
    event.event = "queue_summary";
    event.staff = (char *) staff;
    event.unit = (char *) unit;
    event.open_items = open;
    //  Which items are past their due time is the deadline daemon's to
    //  know, not assign's: overdue_items stays 0.
    event.at = at;
    return s_send (call, &event);
}

//  What dunghan-notify hears from the counter: a dossier received, and one
//  not accepted (by the clerk, or because the applicant's time to bring
//  the missing papers ran out). Each goes as a NotifyEvent over the link,
//  in the transaction of the change it tells of.
//
//  Intake alone knows the applicant's contact and chosen channels: they
//  go once, with "received", and notify keeps them; later events carry
//  only the code. A withdrawal is not told: the applicant did it.
//
//  Nothing is built when no notify daemon is configured here.
#include "notify.pb-c.h"
#include "dh_call.h"
#include "dh_error.h"
#include "dh_types.h"
#include "intake.h"

static const char *s_peer = "notify";

static int
s_send (dh_call_t *call, Dh__NotifyEvent *event, const char *actor)
{
    size_t size;
    uint8_t *bytes = dh_call_pack (call, &event->base, &size);
    if (!bytes)
        return dh_call_fail (call, DH_E_NOMEM, "no memory to tell notify of %s", event->code);
    int rc = dh_service_send (call->service, call->txn, s_peer, DH_MSG_NOTIFY_EVENT, actor, bytes, size);
    return rc? dh_call_fail (call, rc, "cannot tell notify of %s: %s", event->code, dh_strerror (rc)): 0;
}

//  What every event of a dossier says: which one, the item, its
//  procedure, its appointment, its lead unit, when.
static void
s_init (Dh__NotifyEvent *event, const char *name, const Dh__Item *item, const char *procedure,
        const char *unit, int64_t at)
{
    dh__notify_event__init (event);
    event->event = (char *) name;
    event->code = item->code;
    event->procedure = (char *) procedure;
    event->due_at = item->due_at;
    event->unit = (char *) unit;
    event->at = at;
}

int
intake_tell_received (intake_t *self, dh_call_t *call, const Dh__Item *item, const Dh__Procedure *procedure)
{
    (void) self;
    if (!dh_service_has_peer (call->service, s_peer))
        return 0;
    Dh__NotifyEvent event;
    s_init (&event, "received", item, procedure->name, procedure->lead_unit, item->submitted_at);
    Dh__Contact applicant = DH__CONTACT__INIT;
    applicant.name = item->applicant->name;
    applicant.email = item->applicant->email;
    applicant.phone = item->applicant->phone;
    event.applicant = &applicant;
    event.n_channels = item->n_notify;
    event.channels = item->notify;
    //  Where to collect the result is notify's `counter` setting: the
    //  catalog has no counter address of its own yet.
    return s_send (call, &event, item->received_by);
}

int
intake_tell_not_accepted (intake_t *self, dh_call_t *call, const Dh__Item *item, const Dh__Step *step)
{
    if (!dh_service_has_peer (call->service, s_peer))
        return 0;
    //  The procedure's name as the catalog has it today; a procedure
    //  taken out of the catalog since leaves it empty.
    Dh__Procedure *procedure;
    const char *name = "";
    int rc = intake_procedure_get (self, call, item->procedure_code, &procedure);
    if (rc == 0)
        name = procedure->name;
    else
    if (rc != DH_E_NOT_FOUND)
        return dh_call_fail (call, rc, "cannot read procedure %s: %s", item->procedure_code, dh_strerror (rc));
    Dh__NotifyEvent event;
    s_init (&event, "not_accepted", item, name, item->lead_unit, step->at);
    event.reason = item->reason;
    return s_send (call, &event, step->sender);
}

//  What dunghan-notify hears of apologies (phiếu xin lỗi và hẹn lại): one
//  drafted goes to the head of the lead unit to approve; one approved
//  goes to the applicant with the new appointment. Each is a NotifyEvent
//  over the link, in the transaction of the change it tells of.
//  (Warnings, breaches and stops go as they are: deadline_tell, clock.c.)
//
//  Nothing is built when no notify daemon is configured here.
#include "notify.pb-c.h"
#include "dh_call.h"
#include "dh_error.h"
#include "dh_types.h"
#include "deadline.h"

static const char *s_peer = "notify";

//  The clock knows its procedure by code only; the name went with
//  intake's "received", so procedure is left empty here.
static int
s_send (deadline_t *self, dh_call_t *call, const char *name, const Dh__Clock *record, const char *staff,
        int64_t due_at, int64_t at)
{
    Dh__NotifyEvent event = DH__NOTIFY_EVENT__INIT;
    event.event = (char *) name;
    event.code = record->item;
    event.staff = (char *) staff;
    event.due_at = due_at;
    event.new_due_at = record->apology_due_at;
    event.reason = record->apology_reason;
    event.unit = record->unit;
    event.at = at;
    size_t size;
    uint8_t *bytes = dh_call_pack (call, &event.base, &size);
    if (!bytes)
        return dh_call_fail (call, DH_E_NOMEM, "no memory to tell notify of %s", record->item);
    int rc = dh_service_send (self->service, call->txn, s_peer, DH_MSG_NOTIFY_EVENT, call->envelope->actor,
                              bytes, size);
    return rc? dh_call_fail (call, rc, "cannot tell notify of %s: %s", record->item, dh_strerror (rc)): 0;
}

int
deadline_tell_apology_drafted (deadline_t *self, dh_call_t *call, const Dh__Clock *record, int64_t at)
{
    if (!dh_service_has_peer (self->service, s_peer))
        return 0;
    return s_send (self, call, "apology_to_approve", record, record->head, record->due_at, at);
}

int
deadline_tell_apology_approved (deadline_t *self, dh_call_t *call, const Dh__Clock *record, int64_t due_at,
                                int64_t at)
{
    if (!dh_service_has_peer (self->service, s_peer))
        return 0;
    return s_send (self, call, "apology", record, "", due_at, at);
}

//  The apology (phiếu xin lỗi và hẹn lại ngày trả kết quả): the official
//  holding the item drafts it before the due time, the head of the lead
//  unit approves or refuses it, and an approved one sets the new
//  appointment. One re-appointment only; the figures keep judging by the
//  original due time (clock.c).
#include "dh_call.h"
#include "dh_clock.h"
#include "dh_error.h"
#include "dh_types.h"
#include "deadline.h"

static dh_handler_fn s_draft, s_decide;

const dh_command_t deadline_apology_commands [] = {
    { DH_MSG_APOLOGY_DRAFT,  s_draft,  DH_FROM_CLIENT, 0, false, NULL },
    { DH_MSG_APOLOGY_DECIDE, s_decide, DH_FROM_CLIENT, 0, false, NULL },
    { 0 }
};

//  The command and the item's open clock it is about.
static int
s_read (deadline_t *self, dh_call_t *call, Dh__ApologyCommand **command, deadline_clock_t *clock)
{
    int rc = dh_call_unpack (call, &dh__apology_command__descriptor, (ProtobufCMessage **) command);
    if (rc)
        return rc;
    const char *code = (*command)->code;
    if (!*code || strlen (code) > 100 || strchr (code, '|'))
        return dh_call_fail (call, DH_E_INVALID, "an item's code is required (1-100 bytes)");
    if (strlen ((*command)->reason) > 1000)
        return dh_call_fail (call, DH_E_TOO_BIG, "the reason is longer than 1,000 bytes");
    if ((rc = deadline_clock_get (self, call, code, clock)) == DH_E_NOT_FOUND)
        return dh_call_fail (call, rc, "no clock for item %s", code);
    if (rc)
        return dh_call_fail (call, rc, "cannot read clock %s: %s", code, dh_strerror (rc));
    if (clock->record->stopped_at)
        return dh_call_fail (call, DH_E_STATE, "%s is finished: no apology", code);
    if (clock->ledger.reappointed)
        return dh_call_fail (call, DH_E_STATE, "%s was re-appointed once already: one re-appointment only", code);
    return 0;
}

static int
s_draft (dh_call_t *call, void *state)
{
    deadline_t *self = state;
    Dh__ApologyCommand *command;
    deadline_clock_t clock;
    int rc = s_read (self, call, &command, &clock);
    if (rc)
        return rc;
    Dh__Clock *record = clock.record;
    const char *actor = call->envelope->actor;
    if (strcmp (actor, record->holder))
        return dh_call_fail (call, DH_E_DENIED, "apology for %s: drafted by the official who holds it (%s), "
                             "not %.64s", record->item, *record->holder? record->holder: "nobody yet", actor);
    if (record->apology == DH__APOLOGY_STATE__APOLOGY_DRAFTED)
        return dh_call_fail (call, DH_E_STATE, "apology for %s is drafted already, waiting for %s",
                             record->item, *record->head? record->head: "the head of unit");
    if (record->paused)
        return dh_call_fail (call, DH_E_STATE, "%s is paused for supplementation: its due time is not running",
                             record->item);
    int64_t now = dh_clock_now ();
    if (record->breached || now >= record->due_at) {
        char due [40];
        dh_time_format (record->due_at, due, sizeof due);
        return dh_call_fail (call, DH_E_STATE, "apology for %s after its due time %s: it must be made before",
                             record->item, due);
    }
    int64_t new_due;
    if (dh_time_parse (command->new_due, &new_due))
        return dh_call_fail (call, DH_E_INVALID, "new_due is a time, YYYY-MM-DD HH:MM or ISO 8601 (got '%.40s')",
                             command->new_due);
    if (new_due <= record->due_at)
        return dh_call_fail (call, DH_E_INVALID, "the new appointment must come after the due time");
    if (!*command->reason)
        return dh_call_fail (call, DH_E_INVALID, "an apology gives the reason for the delay");
    Dh__Clock before = *record;
    record->apology = DH__APOLOGY_STATE__APOLOGY_DRAFTED;
    record->apology_due_at = new_due;
    record->apology_by = (char *) actor;
    record->apology_reason = command->reason;
    if ((rc = deadline_clock_store (self, call, &clock, &before))
    ||  (rc = dh_service_audit (self->service, call->txn, actor, "apology-draft", record->item))
    ||  (rc = deadline_tell_apology_drafted (self, call, record, now)))
        return rc;
    return deadline_report (self, call, record->item);
}

static int
s_decide (dh_call_t *call, void *state)
{
    deadline_t *self = state;
    Dh__ApologyCommand *command;
    deadline_clock_t clock;
    int rc = s_read (self, call, &command, &clock);
    if (rc)
        return rc;
    Dh__Clock *record = clock.record;
    const char *actor = call->envelope->actor;
    if (!*record->head || strcmp (actor, record->head))
        return dh_call_fail (call, DH_E_DENIED, "apology for %s: decided by the head of %s (%s), not %.64s",
                             record->item, record->unit, *record->head? record->head: "unknown", actor);
    if (record->apology != DH__APOLOGY_STATE__APOLOGY_DRAFTED)
        return dh_call_fail (call, DH_E_STATE, "no apology for %s is waiting for a decision", record->item);
    if (!command->approved && !*command->reason)
        return dh_call_fail (call, DH_E_INVALID, "a refused apology needs a reason");
    Dh__Clock before = *record;
    if (command->approved) {
        if ((rc = dh_ledger_reappoint (&clock.ledger, deadline_calendar (self), record->apology_due_at)))
            return dh_call_fail (call, rc, "cannot re-appoint %s: %s", record->item,
                                 rc == DH_E_INVALID? "the new appointment is not after the due time":
                                 dh_strerror (rc));
        if ((rc = deadline_count (self, call, record->unit, dh_clock_now (), DEADLINE_APOLOGIES, 1)))
            return rc;
    }
    record->apology = command->approved? DH__APOLOGY_STATE__APOLOGY_APPROVED: DH__APOLOGY_STATE__APOLOGY_REFUSED;
    //  The refused one is the holder's to hear from the head; the
    //  applicant keeps the first appointment and is told nothing.
    if ((rc = deadline_clock_store (self, call, &clock, &before))
    ||  (rc = dh_service_audit (self->service, call->txn, actor,
                                command->approved? "apology-approve": "apology-refuse", record->item))
    ||  (command->approved && (rc = deadline_tell_apology_approved (self, call, record, before.due_at,
                                                                    dh_clock_now ()))))
        return rc;
    return deadline_report (self, call, record->item);
}

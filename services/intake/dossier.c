//  A dossier at the counter: submit, status, public lookup, not accepted,
//  withdraw, supplement provided; and what assign says happened to it.
#include <ctype.h>
#include "dh_calendar.h"
#include "dh_call.h"
#include "dh_clock.h"
#include "dh_error.h"
#include "dh_types.h"
#include "intake.h"

#define S_UTC7_MS (7 * 3600 * 1000LL)
#define S_STEPS_MAX 10000       //  steps read back for one dossier
#define S_CODE_MAX (INTAKE_AGENCY_MAX + 24)   //  agency-yyMMdd-N, N up to 7 digits

//  A counter command that moves the item: the columns of its row beyond
//  dh_command_t's.
typedef struct {
    const char *name;           //  in refusals, the audit chain and the step
    Dh__ItemState from [5];     //  states it is allowed in
    Dh__ItemState to;
    bool reason;                //  a reason is required
    intake_tell_fn *tell;       //  what notify hears of it (tell.c); NULL: nothing
} s_transition_t;

static dh_handler_fn s_submit, s_item_status, s_lookup, s_transition, s_supplement_expired, s_item_changed;

const dh_command_t intake_dossier_commands [] = {
    { DH_MSG_SUBMIT,      s_submit,      DH_FROM_CLIENT, 0, false, NULL },
    { DH_MSG_ITEM_STATUS, s_item_status, DH_FROM_CLIENT, 0, false, NULL },
    //  The public: a lookup shows state and appointment, nothing private;
    //  the receipt slip (same code and ID number) what the slip prints.
    { DH_MSG_LOOKUP,      s_lookup,      DH_FROM_CLIENT, 0, false, NULL },
    { DH_MSG_RECEIPT,     s_lookup,      DH_FROM_CLIENT, 0, false, &(const bool) { true } },
    { DH_MSG_NOT_ACCEPT, s_transition, DH_FROM_CLIENT, 0, false, &(const s_transition_t) {
      "not-accept", { DH__ITEM_STATE__RECEIVED, DH__ITEM_STATE__ASSIGNED }, DH__ITEM_STATE__REJECTED,
      true, intake_tell_not_accepted } },
    { DH_MSG_WITHDRAW, s_transition, DH_FROM_CLIENT, 0, false, &(const s_transition_t) {
      "withdraw", { DH__ITEM_STATE__RECEIVED, DH__ITEM_STATE__ASSIGNED, DH__ITEM_STATE__IN_PROGRESS,
      DH__ITEM_STATE__SUPPLEMENT_REQUESTED, DH__ITEM_STATE__AWAITING_FEE }, DH__ITEM_STATE__WITHDRAWN, false,
      NULL } },
    { DH_MSG_SUPPLEMENT_PROVIDE, s_transition, DH_FROM_CLIENT, 0, false, &(const s_transition_t) {
      "supplement-provide", { DH__ITEM_STATE__SUPPLEMENT_REQUESTED }, DH__ITEM_STATE__IN_PROGRESS,
      false, NULL } },
    //  The applicant paid the fee or met the obligation at the counter.
    { DH_MSG_FEE_PAID, s_transition, DH_FROM_CLIENT, 0, false, &(const s_transition_t) {
      "fee-paid", { DH__ITEM_STATE__AWAITING_FEE }, DH__ITEM_STATE__IN_PROGRESS, false, NULL } },
    //  From the deadline daemon: the applicant's supplementation time ran out.
    { DH_MSG_SUPPLEMENT_EXPIRED, s_supplement_expired, DH_FROM_LINK, 0, false, &(const s_transition_t) {
      "supplement-expired", { DH__ITEM_STATE__SUPPLEMENT_REQUESTED }, DH__ITEM_STATE__REJECTED, false,
      intake_tell_not_accepted } },
    { DH_MSG_ITEM_CHANGED, s_item_changed, DH_FROM_LINK, 0, false, NULL },
    { 0 }
};

static bool
s_text_ok (const char *text, size_t min, size_t max)
{
    size_t length = strlen (text);
    return length >= min && length <= max;
}

//  Only digits, min to max of them; a phone number may open with '+'.
static bool
s_digits (const char *text, size_t min, size_t max, bool plus_allowed)
{
    if (plus_allowed && *text == '+')
        text++;
    size_t length = strlen (text);
    if (length < min || length > max)
        return false;
    for (size_t i = 0; i < length; i++)
        if (!isdigit ((unsigned char) text [i]))
            return false;
    return true;
}

//  Every field, before anything is written.
static int
s_check_submit (dh_call_t *call, const Dh__SubmitDossier *submit)
{
    const Dh__Applicant *applicant = submit->applicant;
    if (!s_text_ok (submit->procedure_code, 1, 64))
        return dh_call_fail (call, DH_E_INVALID, "procedure_code is required (at most 64 bytes)");
    if (!applicant)
        return dh_call_fail (call, DH_E_INVALID, "applicant is required");
    if (!s_text_ok (applicant->name, 1, 200))
        return dh_call_fail (call, DH_E_INVALID, "applicant name is required (at most 200 bytes)");
    //  Citizen ID (CCCD) has 12 digits; the old ID card 9.
    if (!*applicant->id_number)
        return dh_call_fail (call, DH_E_INVALID, "applicant id_number is required");
    size_t id_length = strlen (applicant->id_number);
    if ((id_length != 9 && id_length != 12) || !s_digits (applicant->id_number, 9, 12, false))
        return dh_call_fail (call, DH_E_INVALID, "applicant id_number must be 9 or 12 digits");
    if (*applicant->phone && !s_digits (applicant->phone, 8, 15, true))
        return dh_call_fail (call, DH_E_INVALID, "applicant phone must be 8-15 digits");
    if (*applicant->email && (!s_text_ok (applicant->email, 3, 200) || !strchr (applicant->email, '@')))
        return dh_call_fail (call, DH_E_INVALID, "applicant email is not an address");
    if (!s_text_ok (applicant->address, 0, 500))
        return dh_call_fail (call, DH_E_INVALID, "applicant address is longer than 500 bytes");
    if (submit->channel < DH__CHANNEL__IN_PERSON || submit->channel > DH__CHANNEL__POST)
        return dh_call_fail (call, DH_E_INVALID, "channel must be in-person, online or post");
    if (submit->n_documents > 50)
        return dh_call_fail (call, DH_E_INVALID, "at most 50 documents");
    for (size_t i = 0; i < submit->n_documents; i++)
        if (!s_text_ok (submit->documents [i], 1, 300))
            return dh_call_fail (call, DH_E_INVALID, "document %zu must be 1-300 bytes", i + 1);
    if (submit->n_notify > 3)
        return dh_call_fail (call, DH_E_INVALID, "at most 3 notification channels");
    for (size_t i = 0; i < submit->n_notify; i++) {
        if (strcmp (submit->notify [i], "email") && strcmp (submit->notify [i], "sms") && strcmp (submit->notify [i], "zalo"))
            return dh_call_fail (call, DH_E_INVALID, "notify channel '%.20s' is not email, sms or zalo", submit->notify [i]);
        //  Twice would be two notifications the receiver could not tell apart.
        for (size_t j = 0; j < i; j++)
            if (!strcmp (submit->notify [i], submit->notify [j]))
                return dh_call_fail (call, DH_E_INVALID, "notify channel %s is named twice", submit->notify [i]);
    }
    return 0;
}

//  Zero-padded to width, longer when the value needs it. Codes are
//  written by hand: two snprintf calls were a tenth of a submit.
static char *
s_put_number (char *out, uint32_t value, int width)
{
    char digits [10];
    int count = 0;
    do
        digits [count++] = (char) ('0' + value % 10);
    while ((value /= 10) || count < width);
    while (count)
        *out++ = digits [--count];
    return out;
}

static char *
s_put_text (char *out, const char *text)
{
    size_t length = strlen (text);
    memcpy (out, text, length);
    return out + length;
}

//  {agency}-{yyMMdd}-{NNNN}: the day in UTC+7, the number per agency and
//  day taken in this transaction, so a rerun or a crash never skips one.
//  Past 9999 in a day the number grows a digit rather than turn a citizen
//  away.
static int
s_new_code (intake_t *self, dh_txn_t *txn, const char *agency, int64_t at, char *code)
{
    time_t seconds = (time_t) ((at + S_UTC7_MS) / 1000);
    struct tm day;
    gmtime_r (&seconds, &day);
    char yymmdd [6];
    s_put_number (s_put_number (s_put_number (yymmdd, (uint32_t) (day.tm_year % 100), 2),
                                (uint32_t) day.tm_mon + 1, 2), (uint32_t) day.tm_mday, 2);
    char key [INTAKE_AGENCY_MAX + 8], *end = s_put_text (key, agency);
    *end++ = '|';
    memcpy (end, yymmdd, 6);
    size_t key_size = (size_t) (end + 6 - key);
    uint32_t last = 0;
    dh_val_t value;
    if (dh_txn_get (txn, self->day_counters, key, key_size, &value) == 0 && value.size == 4)
        memcpy (&last, value.data, 4);
    if (last == 9999999)
        return DH_E_FULL;
    last++;
    int rc = dh_txn_put (txn, self->day_counters, key, key_size, &last, 4);
    if (!rc) {
        end = s_put_text (code, agency);
        *end++ = '-';
        memcpy (end, yymmdd, 6);
        end += 6;
        *end++ = '-';
        *s_put_number (end, last, 4) = 0;
    }
    return rc;
}

//  The whole item, for a reply: what was received, what changed since
//  (*status, the part that changes), and its steps from the journal.
static int
s_item_get (intake_t *self, dh_call_t *call, const char *code, Dh__Item **item, Dh__ItemStatus **status)
{
    if (!s_text_ok (code, 1, 100))
        return dh_call_fail (call, DH_E_INVALID, "code is required");
    int rc = dh_call_get_message (call, self->status, code, &dh__item_status__descriptor,
                                  (ProtobufCMessage **) status);
    if (!rc)
        rc = dh_call_get_message (call, self->dossiers, code, &dh__item__descriptor, (ProtobufCMessage **) item);
    if (!rc)
        rc = dh_call_journal_read (call, self->steps, (*status)->last_step, S_STEPS_MAX, &dh__step__descriptor,
                                   (ProtobufCMessage ***) &(*item)->steps, &(*item)->n_steps);
    if (rc == DH_E_NOT_FOUND)
        return dh_call_fail (call, rc, "no dossier %s", code);
    if (rc)
        return dh_call_fail (call, rc, "cannot read dossier %s: %s", code, dh_strerror (rc));
    (*item)->state = (*status)->state;
    (*item)->lead_unit = (*status)->lead_unit;
    (*item)->handler = (*status)->handler;
    (*item)->reason = (*status)->reason;
    return 0;
}

//  Add a step to the item's journal (the public lookup shows its name),
//  and to the item in hand if there is one.
static int
s_add_step (intake_t *self, dh_call_t *call, Dh__ItemStatus *status, Dh__Item *item, Dh__Step *step)
{
    int rc = dh_call_journal_append (call, self->steps, status->last_step, &step->base, &status->last_step);
    if (rc || !item)
        return rc;
    Dh__Step **steps = dh_service_scratch (call->service, (item->n_steps + 1) * sizeof *steps);
    if (!steps)
        return DH_E_NOMEM;
    if (item->n_steps)
        memcpy (steps, item->steps, item->n_steps * sizeof *steps);
    steps [item->n_steps++] = step;
    item->steps = steps;
    return 0;
}

static Dh__Step *
s_step (dh_service_t *service, const char *action, const char *sender, const char *content)
{
    Dh__Step *step = dh_service_scratch (service, sizeof *step);
    if (step) {
        dh__step__init (step);
        step->at = dh_clock_now ();
        step->node = "intake";
        step->action = (char *) action;
        step->sender = (char *) sender;
        step->content = (char *) content;
    }
    return step;
}

static int
s_submit (dh_call_t *call, void *state)
{
    intake_t *self = state;
    Dh__SubmitDossier *submit;
    int rc = dh_call_unpack (call, &dh__submit_dossier__descriptor, (ProtobufCMessage **) &submit);
    if (rc)
        return rc;
    rc = s_check_submit (call, submit);
    if (rc)
        return rc;
    Dh__Procedure *procedure;
    rc = intake_procedure_get (self, call, submit->procedure_code, &procedure);
    if (rc == DH_E_NOT_FOUND)
        return dh_call_fail (call, rc, "no procedure %s in the catalog", submit->procedure_code);
    if (rc)
        return dh_call_fail (call, rc, "cannot read procedure %s: %s", submit->procedure_code, dh_strerror (rc));
    int64_t submitted_at = dh_clock_now (), received_at, due_at;
    rc = intake_appointment (self, procedure, submit->channel, submitted_at, &received_at, &due_at);
    if (rc)
        return dh_call_fail (call, rc, "cannot fix the appointment: %s", dh_calendar_error ());
    char code [S_CODE_MAX];
    if ((rc = s_new_code (self, call->txn, procedure->agency, submitted_at, code)))
        return dh_call_fail (call, rc, "no dossier number left for %s today", procedure->agency);

    Dh__Item item = DH__ITEM__INIT;
    item.code = code;
    item.kind = "DOSSIER";
    item.procedure_code = procedure->code;
    item.agency = procedure->agency;
    item.applicant = submit->applicant;
    item.channel = submit->channel;
    item.n_documents = submit->n_documents;
    item.documents = submit->documents;
    item.n_notify = submit->n_notify;
    item.notify = submit->notify;
    item.submitted_at = submitted_at;
    item.received_at = received_at;
    item.due_at = due_at;
    item.rule_version = procedure->rule_version;
    item.received_by = (char *) call->envelope->actor;
    Dh__ItemStatus status = DH__ITEM_STATUS__INIT;
    status.state = DH__ITEM_STATE__RECEIVED;
    status.lead_unit = procedure->lead_unit;
    Dh__Step *step = s_step (call->service, "received", call->envelope->actor, procedure->name);
    if (!step)
        return dh_call_fail (call, DH_E_NOMEM, "no memory for the step of %s", code);
    if ((rc = dh_call_put_message (call, self->dossiers, code, &item.base))
    ||  (rc = s_add_step (self, call, &status, NULL, step))
    ||  (rc = dh_call_put_message (call, self->status, code, &status.base)))
        return dh_call_fail (call, rc, "cannot store dossier %s: %s", code, dh_strerror (rc));

    Dh__ItemReceived received = DH__ITEM_RECEIVED__INIT;
    received.code = code;
    received.procedure_code = procedure->code;
    received.lead_unit = procedure->lead_unit;
    received.received_at = received_at;
    received.due_at = due_at;
    //  What the item's clock needs, from the catalog as it is today: the
    //  dossier keeps the rules it was received under.
    received.channel = submit->channel;
    received.hours = intake_procedure_hours (procedure, submit->channel);
    received.restart_after_supplement = procedure->restart_after_supplement;
    received.supplement_hours = procedure->supplement_hours;
    received.n_steps = procedure->n_steps;
    received.steps = procedure->steps;
    size_t size;
    uint8_t *bytes = dh_call_pack (call, &received.base, &size);
    if (!bytes)
        return dh_call_fail (call, DH_E_NOMEM, "no memory to tell of dossier %s", code);
    if ((rc = dh_service_send (call->service, call->txn, "assign", DH_MSG_ITEM_RECEIVED,
                               call->envelope->actor, bytes, size))
    ||  (rc = dh_service_audit (call->service, call->txn, call->envelope->actor, "submit", code))
    ||  (rc = dh_service_publish (call->service, call->txn, DH_MSG_ITEM_RECEIVED, bytes, size)))
        return dh_call_fail (call, rc, "cannot record dossier %s: %s", code, dh_strerror (rc));
    if ((rc = intake_tell_received (self, call, &item, procedure)))
        return rc;
    Dh__SubmitReply reply = DH__SUBMIT_REPLY__INIT;
    reply.code = code;
    reply.received_at = received_at;
    reply.due_at = due_at;
    return dh_call_reply_message (call, &reply.base);
}

static int
s_item_status (dh_call_t *call, void *state)
{
    Dh__ItemCommand *command;
    int rc = dh_call_unpack (call, &dh__item_command__descriptor, (ProtobufCMessage **) &command);
    if (rc)
        return rc;
    Dh__Item *item;
    Dh__ItemStatus *status;
    rc = s_item_get (state, call, command->code, &item, &status);
    return rc? rc: dh_call_reply_message (call, &item->base);
}

//  What the receipt slip prints besides state and appointment: of the
//  applicant, the name alone (the slip is theirs; their phone, e-mail
//  and address stay private). procedure is NULL when the catalog no
//  longer holds it.
static void
s_lookup_receipt (Dh__LookupReply *reply, const Dh__Item *item, const Dh__Procedure *procedure)
{
    reply->procedure_code = item->procedure_code;
    reply->applicant_name = item->applicant->name;
    reply->received_at = item->received_at;
    reply->n_documents = item->n_documents;
    reply->documents = item->documents;
    reply->received_by = item->received_by;
    reply->lead_unit = item->lead_unit;
    reply->agency = item->agency;
    reply->channel = item->channel;
    if (procedure) {
        reply->procedure_name = procedure->name;
        reply->hours = intake_procedure_hours (procedure, item->channel);
        reply->same_day = procedure->same_day;
        reply->calendar_days = procedure->calendar_days;
    }
}

//  The public sees state, appointment and the steps' names (LOOKUP), or
//  besides what the receipt slip prints (RECEIPT); and "no such dossier"
//  whether the code or the ID was wrong.
static int
s_lookup (dh_call_t *call, void *state)
{
    Dh__ItemCommand *command;
    int rc = dh_call_unpack (call, &dh__item_command__descriptor, (ProtobufCMessage **) &command);
    if (rc)
        return rc;
    if (!*command->id_number)
        return dh_call_fail (call, DH_E_INVALID, "lookup needs the code and the applicant's ID number");
    Dh__Item *item;
    Dh__ItemStatus *status;
    rc = s_item_get (state, call, command->code, &item, &status);
    if (rc == DH_E_NOT_FOUND
    ||  (!rc && (!item->applicant || strcmp (item->applicant->id_number, command->id_number))))
        return dh_call_fail (call, DH_E_NOT_FOUND, "no dossier %s for that ID number", command->code);
    if (rc)
        return rc;
    Dh__Procedure *procedure = NULL;
    rc = intake_procedure_get (state, call, item->procedure_code, &procedure);
    if (rc && rc != DH_E_NOT_FOUND)
        return dh_call_fail (call, rc, "cannot read procedure %s: %s", item->procedure_code, dh_strerror (rc));
    Dh__LookupReply reply = DH__LOOKUP_REPLY__INIT;
    reply.code = item->code;
    reply.state = item->state;
    reply.due_at = item->due_at;
    if (call->command->rule)
        s_lookup_receipt (&reply, item, rc? NULL: procedure);
    char **steps = dh_service_scratch (call->service, (item->n_steps + 1) * sizeof (char *));
    if (!steps)
        return dh_call_fail (call, DH_E_NOMEM, "no memory for the steps of %s", item->code);
    for (size_t i = 0; i < item->n_steps; i++)
        steps [i] = item->steps [i]->action;
    reply.steps = steps;
    reply.n_steps = item->n_steps;
    return dh_call_reply_message (call, &reply.base);
}

//  Move the item as transition says (the caller checked that its state
//  allows it, and the reason), record the step, tell assign, audit and
//  publish, tell notify where the row says so, all in actor's name: what a
//  counter command and the deadline daemon's word share.
static int
s_move (intake_t *self, dh_call_t *call, const s_transition_t *transition, Dh__Item *item,
        Dh__ItemStatus *status, const char *actor, const char *reason)
{
    item->state = status->state = transition->to;
    item->reason = status->reason = (char *) reason;
    Dh__Step *step = s_step (call->service, transition->name, actor, reason);
    if (!step)
        return dh_call_fail (call, DH_E_NOMEM, "no memory for the step of %s", item->code);
    Dh__ItemChanged changed = DH__ITEM_CHANGED__INIT;
    changed.code = item->code;
    changed.state = item->state;
    changed.step = step;
    size_t size;
    uint8_t *bytes = dh_call_pack (call, &changed.base, &size);
    if (!bytes)
        return dh_call_fail (call, DH_E_NOMEM, "no memory to tell %s of %s", transition->name, item->code);
    int rc;
    if ((rc = s_add_step (self, call, status, item, step))
    ||  (rc = dh_call_put_message (call, self->status, item->code, &status->base))
    ||  (rc = dh_service_send (call->service, call->txn, "assign", DH_MSG_ITEM_CHANGED, actor, bytes, size))
    ||  (rc = dh_service_audit (call->service, call->txn, actor, transition->name, item->code))
    ||  (rc = dh_service_publish (call->service, call->txn, DH_MSG_ITEM_CHANGED, bytes, size)))
        return dh_call_fail (call, rc, "cannot record %s of %s: %s", transition->name, item->code,
                             dh_strerror (rc));
    return transition->tell? transition->tell (self, call, item, step): 0;
}

static bool
s_allowed (const s_transition_t *transition, Dh__ItemState state)
{
    for (int i = 0; i < 5 && transition->from [i]; i++)
        if (transition->from [i] == state)
            return true;
    return false;
}

//  A counter command that moves the item by its row, tells assign, and
//  records who did it and why.
static int
s_transition (dh_call_t *call, void *state)
{
    intake_t *self = state;
    const s_transition_t *transition = call->command->rule;
    Dh__ItemCommand *command;
    int rc = dh_call_unpack (call, &dh__item_command__descriptor, (ProtobufCMessage **) &command);
    if (rc)
        return rc;
    if (transition->reason && !s_text_ok (command->reason, 1, 1000))
        return dh_call_fail (call, DH_E_INVALID, "%s needs a reason (1-1000 bytes)", transition->name);
    if (!s_text_ok (command->reason, 0, 1000))
        return dh_call_fail (call, DH_E_INVALID, "reason is longer than 1000 bytes");
    Dh__Item *item;
    Dh__ItemStatus *status;
    if ((rc = s_item_get (self, call, command->code, &item, &status)))
        return rc;
    if (!s_allowed (transition, item->state))
        return dh_call_fail (call, DH_E_STATE, "cannot %s dossier %s: it is %s", transition->name,
                             item->code, dh_call_enum_name (&dh__item_state__descriptor, item->state));
    if ((rc = s_move (self, call, transition, item, status, call->envelope->actor, command->reason)))
        return rc;
    return dh_call_reply_message (call, &item->base);
}

//  The deadline daemon says the applicant's time to bring the missing
//  papers ran out. Still waiting for them, the dossier is not accepted
//  (không tiếp nhận: a missed supplementation deadline ends it as the
//  clerk's refusal does); in any other state the applicant supplied in
//  time or withdrew, and the word came too late to matter.
static int
s_supplement_expired (dh_call_t *call, void *state)
{
    intake_t *self = state;
    const s_transition_t *transition = call->command->rule;
    //  The clock that ran out is the deadline daemon's; no other peer
    //  may end a dossier this way.
    if (strcmp (call->envelope->sender, "deadline"))
        return dh_call_fail (call, DH_E_DENIED, "%s may come only from deadline, not %.64s",
                             transition->name, call->envelope->sender);
    Dh__ItemCommand *command;
    int rc = dh_call_unpack (call, &dh__item_command__descriptor, (ProtobufCMessage **) &command);
    if (rc)
        return rc;
    if (!s_text_ok (command->reason, 0, 1000))
        return dh_call_fail (call, DH_E_INVALID, "reason is longer than 1000 bytes");
    Dh__Item *item;
    Dh__ItemStatus *status;
    if ((rc = s_item_get (self, call, command->code, &item, &status)))
        return rc;
    if (!s_allowed (transition, item->state)) {
        zsys_info ("intake: %s: supplementation time ran out, but it is %s; nothing to do", item->code,
                   dh_call_enum_name (&dh__item_state__descriptor, item->state));
        return 0;
    }
    return s_move (self, call, transition, item, status, "deadline",
                   *command->reason? command->reason: "supplementation not made in time");
}

//  Assign moved the item: follow it, so the counter and the public see it.
//  This runs for every step of every dossier, so only the small part
//  that changes is read and written.
static int
s_item_changed (dh_call_t *call, void *state)
{
    intake_t *self = state;
    Dh__ItemChanged *changed;
    int rc = dh_call_unpack (call, &dh__item_changed__descriptor, (ProtobufCMessage **) &changed);
    if (rc)
        return rc;
    if (!s_text_ok (changed->code, 1, 100))
        return dh_call_fail (call, DH_E_INVALID, "code is required");
    Dh__ItemStatus *status;
    rc = dh_call_get_message (call, self->status, changed->code, &dh__item_status__descriptor,
                              (ProtobufCMessage **) &status);
    if (rc == DH_E_NOT_FOUND)
        return dh_call_fail (call, rc, "no dossier %s", changed->code);
    if (rc)
        return dh_call_fail (call, rc, "cannot read dossier %s: %s", changed->code, dh_strerror (rc));
    //  The counter decided first (the applicant withdrew, the clerk
    //  refused); a late word from assign does not bring the item back.
    if (status->state == DH__ITEM_STATE__WITHDRAWN || status->state == DH__ITEM_STATE__REJECTED) {
        zsys_info ("intake: %s is %s; ignoring assign's %s", changed->code,
                   dh_call_enum_name (&dh__item_state__descriptor, status->state),
                   dh_call_enum_name (&dh__item_state__descriptor, changed->state));
        return 0;
    }
    status->state = changed->state;
    if (*changed->lead_unit)
        status->lead_unit = changed->lead_unit;
    if (*changed->handler)
        status->handler = changed->handler;
    if ((changed->step && (rc = dh_call_journal_append (call, self->steps, status->last_step,
                                                         &changed->step->base, &status->last_step)))
    ||  (rc = dh_call_put_message (call, self->status, changed->code, &status->base)))
        return dh_call_fail (call, rc, "cannot store %s", changed->code);
    //  The event is assign's word as it came.
    if ((rc = dh_service_publish (call->service, call->txn, DH_MSG_ITEM_CHANGED,
                                  call->envelope->payload, call->envelope->payload_size)))
        return dh_call_fail (call, rc, "cannot publish %s: %s", changed->code, dh_strerror (rc));
    return 0;
}

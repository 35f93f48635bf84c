//  Commands on an item: each is one row of assign_work_commands, with the
//  states it is allowed in and the state it leads to; fencing by step
//  token; every change is recorded, told to intake, audited, published,
//  and told to the deadline and notify daemons as its row says.
#include "dh_call.h"
#include "dh_clock.h"
#include "dh_error.h"
#include "dh_types.h"
#include "assign.h"

#define S_BIT(state) (1u << DH__ITEM_STATE__##state)
#define S_ROLE(role) (1u << DH__ROLE__##role)
//  Who leads a unit's work: its head and deputies (trưởng, phó).
#define S_LEADERS    (S_ROLE (HEAD) | S_ROLE (DEPUTY))
#define S_UNIT_DEPTH 16         //  more levels above a unit than any org chart has

typedef int (s_apply_fn) (assign_t *self, dh_call_t *call, Dh__ItemCommand *command,
                          Dh__Assignment *item, Dh__Step *step);

//  The columns of a command on an item beyond dh_command_t's. Its roles
//  are those that may give it from the lead unit or a unit above it (an
//  S_ROLE mask); a fenced command has none: only the holder may.
typedef struct {
    const char *name;           //  in refusals, the audit chain and the step
    uint32_t from;              //  states it is allowed in (S_BIT mask)
    Dh__ItemState to;           //  0: the apply function decides or unchanged
    bool reason;                //  a reason is required
    s_apply_fn *apply;
    assign_clock_fn *clock;     //  how it moves the item's clocks (clocks.c); NULL: not at all
    assign_tell_fn *tell;       //  what notify hears of it (tell.c); NULL: nothing
} s_rule_t;

static dh_handler_fn s_item_command, s_item_changed, s_history, s_assignment;
static s_apply_fn s_assign, s_reassign, s_transfer, s_step_start, s_step_complete,
                  s_supplement_request, s_fee_request, s_resolve, s_return;

const dh_command_t assign_work_commands [] = {
    { DH_MSG_ASSIGN, s_item_command, DH_FROM_CLIENT, S_LEADERS, false, &(const s_rule_t) {
      "assign", S_BIT (RECEIVED), DH__ITEM_STATE__ASSIGNED, false, s_assign, assign_clock_step_start,
      assign_tell_assigned } },
    { DH_MSG_REASSIGN, s_item_command, DH_FROM_CLIENT, S_LEADERS, false, &(const s_rule_t) {
      "reassign", S_BIT (ASSIGNED) | S_BIT (IN_PROGRESS) | S_BIT (SUPPLEMENT_REQUESTED) | S_BIT (AWAITING_FEE),
      0, false,
      s_reassign, assign_clock_step_start, assign_tell_assigned } },
    { DH_MSG_TRANSFER, s_item_command, DH_FROM_CLIENT, S_LEADERS, false, &(const s_rule_t) {
      "transfer", S_BIT (RECEIVED) | S_BIT (ASSIGNED) | S_BIT (IN_PROGRESS), 0, true, s_transfer,
      assign_clock_transfer, assign_tell_assigned } },
    { DH_MSG_STEP_START, s_item_command, DH_FROM_CLIENT, 0, true, &(const s_rule_t) {
      "step-start", S_BIT (ASSIGNED) | S_BIT (IN_PROGRESS), DH__ITEM_STATE__IN_PROGRESS, false,
      s_step_start, assign_clock_step_start, NULL } },
    { DH_MSG_STEP_COMPLETE, s_item_command, DH_FROM_CLIENT, 0, true, &(const s_rule_t) {
      "step-complete", S_BIT (IN_PROGRESS), DH__ITEM_STATE__IN_PROGRESS, false, s_step_complete,
      assign_clock_step_stop, NULL } },
    { DH_MSG_SUPPLEMENT_REQUEST, s_item_command, DH_FROM_CLIENT, 0, true, &(const s_rule_t) {
      "supplement-request", S_BIT (IN_PROGRESS), DH__ITEM_STATE__SUPPLEMENT_REQUESTED, true,
      s_supplement_request, assign_clock_pause, assign_tell_supplement } },
    //  A fee or tax is due before the result (status 6): the clock waits.
    { DH_MSG_FEE_REQUEST, s_item_command, DH_FROM_CLIENT, 0, true, &(const s_rule_t) {
      "fee-request", S_BIT (IN_PROGRESS), DH__ITEM_STATE__AWAITING_FEE, true, s_fee_request,
      assign_clock_fee, assign_tell_fee } },
    { DH_MSG_RESOLVE, s_item_command, DH_FROM_CLIENT, 0, true, &(const s_rule_t) {
      "resolve", S_BIT (IN_PROGRESS), 0, false, s_resolve, assign_clock_resolve,
      assign_tell_resolved } },
    //  The one-stop counter (bộ phận một cửa) hands the result over.
    { DH_MSG_RETURN, s_item_command, DH_FROM_CLIENT, S_ROLE (CLERK) | S_LEADERS, false, &(const s_rule_t) {
      "return", S_BIT (RESOLVED) | S_BIT (REJECTED), DH__ITEM_STATE__RETURNED, false, s_return, NULL,
      assign_tell_returned } },
    { DH_MSG_HISTORY,      s_history,      DH_FROM_CLIENT, 0, false, NULL },
    { DH_MSG_ASSIGNMENT,   s_assignment,   DH_FROM_CLIENT, 0, false, NULL },
    { DH_MSG_ITEM_CHANGED, s_item_changed, DH_FROM_LINK,   0, false, NULL },
    { 0 }
};

int
assign_item_get (assign_t *self, dh_call_t *call, const char *code, Dh__Assignment **item,
                 uint64_t *last_step)
{
    Dh__AssignmentRecord *record;
    int rc = dh_call_get_message (call, self->items, code, &dh__assignment_record__descriptor,
                                  (ProtobufCMessage **) &record);
    if (!rc && !record->item)
        rc = DH_E_CORRUPT;
    if (rc)
        return rc;
    *item = record->item;
    if (last_step)
        *last_step = record->last_step;
    return 0;
}

//  Why the item under code could not be read (rc from assign_item_get).
static int
s_item_fail (dh_call_t *call, int rc, const char *code)
{
    if (rc == DH_E_NOT_FOUND || rc == DH_E_INVALID)
        return dh_call_fail (call, rc, "no item %.100s", code);
    return dh_call_fail (call, rc, "cannot read item %.100s: %s", code, dh_strerror (rc));
}

//  A handler for this unit: known staff, of the unit, who handles work.
static int
s_check_handler (assign_t *self, dh_call_t *call, const char *id, const char *unit)
{
    Dh__Staff *staff;
    if (!*id)
        return dh_call_fail (call, DH_E_INVALID, "a handler is required");
    int rc = assign_staff_get (self, call, id, &staff);
    if (rc == DH_E_NOT_FOUND)
        return dh_call_fail (call, rc, "no staff member %.64s", id);
    if (rc)
        return dh_call_fail (call, rc, "cannot read staff %.64s: %s", id, dh_strerror (rc));
    if (strcmp (staff->unit, unit))
        return dh_call_fail (call, DH_E_INVALID, "%s belongs to unit %s, not the lead unit %s",
                             id, staff->unit, unit);
    if (staff->role != DH__ROLE__HANDLER && staff->role != DH__ROLE__DEPUTY && staff->role != DH__ROLE__HEAD)
        return dh_call_fail (call, DH_E_INVALID, "%s is not a handler, deputy or head", id);
    return 0;
}

//  The item changes hands: loads follow, the token moves on so the old
//  holder cannot finish a step any more.
static int
s_hand_over (assign_t *self, dh_call_t *call, Dh__Assignment *item, char *handler, Dh__Step *step)
{
    int rc;
    if ((rc = assign_load_add (self, call->txn, item->handler, -1))
    ||  (rc = assign_load_add (self, call->txn, handler, 1)))
        return dh_call_fail (call, rc, "cannot count loads");
    step->receiver = handler;
    item->handler = handler;
    item->step_token++;
    item->step_node = "handling";
    item->step_started_at = step->at;
    return 0;
}

static int
s_assign (assign_t *self, dh_call_t *call, Dh__ItemCommand *command, Dh__Assignment *item, Dh__Step *step)
{
    int rc = s_check_handler (self, call, command->handler, item->lead_unit);
    return rc? rc: s_hand_over (self, call, item, command->handler, step);
}

static int
s_reassign (assign_t *self, dh_call_t *call, Dh__ItemCommand *command, Dh__Assignment *item, Dh__Step *step)
{
    int rc = s_check_handler (self, call, command->handler, item->lead_unit);
    if (rc)
        return rc;
    if (!strcmp (command->handler, item->handler))
        return dh_call_fail (call, DH_E_INVALID, "%s already holds %s", command->handler, item->code);
    return s_hand_over (self, call, item, command->handler, step);
}

static int
s_transfer (assign_t *self, dh_call_t *call, Dh__ItemCommand *command, Dh__Assignment *item, Dh__Step *step)
{
    Dh__Unit *unit;
    if (!*command->unit)
        return dh_call_fail (call, DH_E_INVALID, "transfer needs the unit to transfer to");
    int rc = assign_unit_get (self, call, command->unit, &unit);
    if (rc == DH_E_NOT_FOUND)
        return dh_call_fail (call, rc, "no unit %.64s", command->unit);
    if (rc)
        return dh_call_fail (call, rc, "cannot read unit %.64s: %s", command->unit, dh_strerror (rc));
    if (!strcmp (command->unit, item->lead_unit))
        return dh_call_fail (call, DH_E_INVALID, "%s is already led by %s", item->code, item->lead_unit);
    char *handler = command->handler;
    if (*handler) {
        if ((rc = s_check_handler (self, call, handler, command->unit)))
            return rc;
    }
    else
    if ((rc = assign_pick_handler (self, call, command->unit, &handler)) == DH_E_NOT_FOUND)
        return dh_call_fail (call, DH_E_INVALID, "unit %s has no handler to take %s", command->unit, item->code);
    else
    if (rc)
        return dh_call_fail (call, rc, "cannot pick a handler in %s: %s", command->unit, dh_strerror (rc));
    item->lead_unit = command->unit;    //  one lead unit, replaced, never two
    step->content = command->unit;
    item->state = DH__ITEM_STATE__ASSIGNED;
    return s_hand_over (self, call, item, handler, step);
}

static int
s_step_start (assign_t *self, dh_call_t *call, Dh__ItemCommand *command, Dh__Assignment *item, Dh__Step *step)
{
    (void) self;
    if (!*command->node || strlen (command->node) > 100)
        return dh_call_fail (call, DH_E_INVALID, "step start needs the process node (1-100 bytes)");
    item->step_node = command->node;
    item->step_started_at = step->at;
    step->node = command->node;     //  the step recorded is the node it starts
    return 0;
}

static int
s_step_complete (assign_t *self, dh_call_t *call, Dh__ItemCommand *command, Dh__Assignment *item, Dh__Step *step)
{
    (void) self;
    (void) call;
    (void) command;
    step->duration_ms = step->at - item->step_started_at;
    item->step_started_at = step->at;
    return 0;
}

static int
s_supplement_request (assign_t *self, dh_call_t *call, Dh__ItemCommand *command, Dh__Assignment *item, Dh__Step *step)
{
    (void) self;
    (void) item;
    if (command->n_papers == 0)
        return dh_call_fail (call, DH_E_INVALID, "name the missing papers");
    size_t length = 0;
    for (size_t i = 0; i < command->n_papers; i++)
        length += strlen (command->papers [i]) + 2;
    if (length > 4000)
        return dh_call_fail (call, DH_E_TOO_BIG, "the list of missing papers is too long");
    char *papers = dh_service_scratch (call->service, length + 1);
    if (!papers)
        return dh_call_fail (call, DH_E_NOMEM, "no memory for the list of papers");
    papers [0] = 0;
    for (size_t i = 0; i < command->n_papers; i++) {
        if (i)
            strcat (papers, "; ");
        strcat (papers, command->papers [i]);
    }
    step->content = papers;
    return 0;
}

static int
s_fee_request (assign_t *self, dh_call_t *call, Dh__ItemCommand *command, Dh__Assignment *item, Dh__Step *step)
{
    (void) self;
    (void) call;
    (void) item;
    step->content = command->reason;        //  which fee or obligation
    return 0;
}

static int
s_resolve (assign_t *self, dh_call_t *call, Dh__ItemCommand *command, Dh__Assignment *item, Dh__Step *step)
{
    if (!command->approved && !*command->reason)
        return dh_call_fail (call, DH_E_INVALID, "a refusal after examination needs a reason");
    item->state = command->approved? DH__ITEM_STATE__RESOLVED: DH__ITEM_STATE__REJECTED;
    step->action = command->approved? "resolved": "refused";
    step->duration_ms = step->at - item->step_started_at;
    int rc = assign_load_add (self, call->txn, item->handler, -1);
    return rc? dh_call_fail (call, rc, "cannot count loads"): 0;
}

static int
s_return (assign_t *self, dh_call_t *call, Dh__ItemCommand *command, Dh__Assignment *item, Dh__Step *step)
{
    (void) self;
    (void) call;
    (void) command;
    (void) item;
    (void) step;
    return 0;
}

//  One lead unit answers for an item, so its commands come from that
//  unit's own line: staff of the lead unit or of a unit above it, in a
//  role the command's row allows. An operator runs the system, not the
//  work.
static int
s_check_role (assign_t *self, dh_call_t *call, const s_rule_t *rule, const Dh__Staff *staff,
              const Dh__Assignment *item)
{
    uint32_t roles = call->command->roles;
    if ((unsigned) staff->role >= 32 || !(roles & (1u << staff->role)))
        return dh_call_fail (call, DH_E_DENIED, "%s of %s: %s is a %s; it needs a %s of %s or a unit above it",
                             rule->name, item->code, staff->id,
                             dh_call_enum_name (&dh__role__descriptor, staff->role),
                             roles & S_ROLE (CLERK)? "clerk, head or deputy": "head or deputy",
                             item->lead_unit);
    const char *unit_code = item->lead_unit;
    for (int depth = 0; *unit_code && depth < S_UNIT_DEPTH; depth++) {
        if (!strcmp (unit_code, staff->unit))
            return 0;
        Dh__Unit *unit;
        int rc = assign_unit_get (self, call, unit_code, &unit);
        if (rc)
            return dh_call_fail (call, rc, "cannot read unit %.64s: %s", unit_code, dh_strerror (rc));
        unit_code = unit->parent;
    }
    return dh_call_fail (call, DH_E_DENIED, "%s of %s: %s works in %s, which is not %s or above it",
                         rule->name, item->code, staff->id, staff->unit, item->lead_unit);
}

static int
s_item_command (dh_call_t *call, void *state)
{
    assign_t *self = state;
    const s_rule_t *rule = call->command->rule;
    Dh__ItemCommand *command;
    int rc = dh_call_unpack (call, &dh__item_command__descriptor, (ProtobufCMessage **) &command);
    if (rc)
        return rc;
    if (strlen (command->reason) > 1000 || strlen (command->content) > 4000)
        return dh_call_fail (call, DH_E_TOO_BIG, "reason (1,000 bytes) or content (4,000 bytes) too long");
    if (rule->reason && !*command->reason)
        return dh_call_fail (call, DH_E_INVALID, "%s needs a reason", rule->name);
    const char *actor = call->envelope->actor;
    Dh__Staff *staff;
    if (!*actor || (rc = assign_staff_get (self, call, actor, &staff)) == DH_E_NOT_FOUND)
        return dh_call_fail (call, DH_E_DENIED, "%s: '%.64s' is not a staff member", rule->name, actor);
    if (rc)
        return dh_call_fail (call, rc, "%s: cannot read staff %.64s: %s", rule->name, actor, dh_strerror (rc));
    Dh__Assignment *item;
    uint64_t last_step;
    if (!*command->code)
        return dh_call_fail (call, DH_E_INVALID, "code is required");
    if ((rc = assign_item_get (self, call, command->code, &item, &last_step)))
        return s_item_fail (call, rc, command->code);
    if (!(rule->from & (1u << item->state)))
        return dh_call_fail (call, DH_E_STATE, "cannot %s %s: it is %s", rule->name, item->code,
                             dh_call_enum_name (&dh__item_state__descriptor, item->state));
    if (call->command->fenced) {
        if (command->step_token != item->step_token)
            return dh_call_fail (call, DH_E_STALE, "step token %" PRIu64 " of %s is stale (now %" PRIu64
                                 ", held by %s)", command->step_token, item->code, item->step_token, item->handler);
        if (strcmp (actor, item->handler))
            return dh_call_fail (call, DH_E_DENIED, "%s is held by %s, not %s", item->code, item->handler, actor);
    }
    else
    if ((rc = s_check_role (self, call, rule, staff, item)))
        return rc;
    Dh__Step *step = dh_service_scratch (call->service, sizeof *step);
    if (!step)
        return dh_call_fail (call, DH_E_NOMEM, "no memory for the step of %s", item->code);
    dh__step__init (step);
    step->at = dh_clock_now ();
    step->node = *item->step_node? item->step_node: "handling";
    step->sender = (char *) actor;
    step->receiver = item->handler;
    step->action = (char *) rule->name;
    step->content = *command->content? command->content: command->reason;
    if ((rc = rule->apply (self, call, command, item, step)))
        return rc;
    if (rule->to)
        item->state = rule->to;
    if (rule->clock && (rc = rule->clock (self, call, command, item, step)))
        return rc;
    if (rule->tell && (rc = rule->tell (self, call, command, item, step)))
        return rc;
    return assign_record (self, call, item, last_step, step, rule->name, true);
}

//  The packed item inside a packed AssignmentRecord: field 1 comes first,
//  its tag byte, then its length as a varint, then the item's bytes.
static const uint8_t *
s_record_item (const uint8_t *record, size_t *item_size)
{
    const uint8_t *at = record + 1;
    *item_size = 0;
    for (unsigned shift = 0; ; shift += 7) {
        *item_size |= (size_t) (*at & 0x7f) << shift;
        if (!(*at++ & 0x80))
            return at;
    }
}

int
assign_record (assign_t *self, dh_call_t *call, Dh__Assignment *item, uint64_t last_step,
               Dh__Step *step, const char *command, bool tell_intake)
{
    Dh__AssignmentRecord record = DH__ASSIGNMENT_RECORD__INIT;
    record.item = item;
    int rc = dh_call_journal_append (call, self->steps, last_step, &step->base, &record.last_step);
    if (rc)
        return dh_call_fail (call, rc, "cannot record %s of %s", command, item->code);
    item->history_count++;
    //  Packed once: stored, and the answer to the command, which is the
    //  item's bytes inside the record (after field 1's tag and length).
    size_t record_size, item_size;
    uint8_t *record_bytes = dh_call_pack (call, &record.base, &record_size);
    if (!record_bytes)
        return dh_call_fail (call, DH_E_NOMEM, "no memory for %s of %s", command, item->code);
    const uint8_t *item_bytes = s_record_item (record_bytes, &item_size);
    if ((rc = dh_txn_put (call->txn, self->items, item->code, strlen (item->code), record_bytes, record_size))
    ||  (rc = dh_service_audit (call->service, call->txn, call->envelope->actor, command, item->code)))
        return dh_call_fail (call, rc, "cannot record %s of %s", command, item->code);
    Dh__ItemChanged changed = DH__ITEM_CHANGED__INIT;
    changed.code = item->code;
    changed.state = item->state;
    changed.lead_unit = item->lead_unit;
    changed.handler = item->handler;
    changed.step = step;
    size_t size;
    uint8_t *bytes = dh_call_pack (call, &changed.base, &size);
    if (!bytes)
        return dh_call_fail (call, DH_E_NOMEM, "no memory to tell %s of %s", command, item->code);
    if ((tell_intake && (rc = dh_service_send (call->service, call->txn, "intake", DH_MSG_ITEM_CHANGED,
                                               call->envelope->actor, bytes, size)))
    ||  (rc = dh_service_publish (call->service, call->txn, DH_MSG_ITEM_CHANGED, bytes, size)))
        return dh_call_fail (call, rc, "cannot send %s of %s", command, item->code);
    return call->envelope->link? 0: dh_call_reply (call, item_bytes, item_size);
}

//  Intake moved the item (withdrawn, not accepted, papers supplied).
static int
s_item_changed (dh_call_t *call, void *state)
{
    assign_t *self = state;
    Dh__ItemChanged *changed;
    int rc = dh_call_unpack (call, &dh__item_changed__descriptor, (ProtobufCMessage **) &changed);
    if (rc)
        return rc;
    Dh__Assignment *item;
    uint64_t last_step;
    if ((rc = assign_item_get (self, call, changed->code, &item, &last_step)))
        return s_item_fail (call, rc, changed->code);
    bool closing = changed->state == DH__ITEM_STATE__WITHDRAWN || changed->state == DH__ITEM_STATE__REJECTED;
    Dh__ItemState before = item->state;
    if (closing && assign_state_open (before) && (rc = assign_load_add (self, call->txn, item->handler, -1)))
        return dh_call_fail (call, rc, "cannot count loads");
    item->state = changed->state;
    Dh__Step *step = changed->step;
    if (!step) {
        step = dh_service_scratch (call->service, sizeof *step);
        if (!step)
            return dh_call_fail (call, DH_E_NOMEM, "no memory for the step of %s", item->code);
        dh__step__init (step);
        step->at = dh_clock_now ();
        step->action = "changed at the counter";
    }
    if ((rc = assign_clock_counter (self, call, item, before, changed->step)))
        return rc;
    return assign_record (self, call, item, last_step, step, "intake", false);
}

static int
s_history (dh_call_t *call, void *state)
{
    assign_t *self = state;
    Dh__ItemCommand *command;
    int rc = dh_call_unpack (call, &dh__item_command__descriptor, (ProtobufCMessage **) &command);
    if (rc)
        return rc;
    Dh__Assignment *item;
    uint64_t last_step;
    rc = *command->code? assign_item_get (self, call, command->code, &item, &last_step): DH_E_INVALID;
    if (rc)
        return s_item_fail (call, rc, command->code);
    Dh__History history = DH__HISTORY__INIT;
    history.code = item->code;
    rc = dh_call_journal_read (call, self->steps, last_step, item->history_count, &dh__step__descriptor,
                               (ProtobufCMessage ***) &history.steps, &history.n_steps);
    if (rc)
        return dh_call_fail (call, rc, "cannot read the history of %s: %s", item->code, dh_strerror (rc));
    return dh_call_reply_message (call, &history.base);
}

static int
s_assignment (dh_call_t *call, void *state)
{
    assign_t *self = state;
    Dh__ItemCommand *command;
    int rc = dh_call_unpack (call, &dh__item_command__descriptor, (ProtobufCMessage **) &command);
    if (rc)
        return rc;
    Dh__Assignment *item;
    rc = *command->code? assign_item_get (self, call, command->code, &item, NULL): DH_E_INVALID;
    if (rc)
        return s_item_fail (call, rc, command->code);
    return dh_call_reply_message (call, &item->base);
}

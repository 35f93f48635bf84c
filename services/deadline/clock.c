//  Clocks as assign drives them (CLOCK_CHANGE over the link): an item's
//  clock starts at receipt, pauses for supplementation (and the
//  applicant's own clock starts), resumes, moves to another lead unit,
//  stops; each step's clock runs while its official holds it. Every
//  change recomputes the due time from the ledger and moves the clock's
//  entries in the schedule and the lists in the same transaction.
#include "dh_call.h"
#include "dh_error.h"
#include "dh_schedule.h"
#include "dh_types.h"
#include "deadline.h"

#define S_ID_MAX 160            //  item code (100) and |s|NNNN
#define S_ITEM_MAX 100
#define S_STEPS_MAX 64          //  process steps an item clock keeps

static dh_handler_fn s_clock_change;

const dh_command_t deadline_clock_commands [] = {
    { DH_MSG_CLOCK_CHANGE, s_clock_change, DH_FROM_LINK, 0, false, NULL },
    { 0 }
};

dh_calendar_t *
deadline_calendar (deadline_t *self)
{
    return self->pending? self->pending: self->calendar;
}

//  What the stored record said, to move what it had placed.
typedef struct {
    bool open, warned, breached;
    int64_t due, warn;
    const char *unit;
} s_was_t;

static void
s_was (const Dh__Clock *record, s_was_t *was)
{
    was->open = record->stopped_at == 0;
    was->warned = record->warned;
    was->breached = record->breached;
    was->due = record->due_at;
    was->warn = record->warn_at;
    was->unit = record->unit;
}

static size_t
s_fired_key (char tag, int64_t at, const char *id, uint8_t *key)
{
    size_t id_size = strlen (id);
    key [0] = (uint8_t) tag;
    dh_key_u64 (key + 1, (uint64_t) at);
    memcpy (key + 9, id, id_size);
    return id_size + 9;
}

static int
s_fired (deadline_t *self, dh_call_t *call, char tag, int64_t at, const char *id, bool *fired)
{
    uint8_t key [9 + S_ID_MAX];
    if (strlen (id) > S_ID_MAX)
        return DH_E_CORRUPT;
    dh_val_t value;
    int rc = dh_txn_get (call->txn, self->fired, key, s_fired_key (tag, at, id, key), &value);
    *fired = rc == 0;
    return rc == DH_E_NOT_FOUND? 0: rc;
}

int
deadline_clock_fold (deadline_t *self, dh_call_t *call, Dh__Clock *record, bool *warning, bool *breach)
{
    bool fired = false;
    int rc = 0;
    if (warning)
        *warning = false;
    if (breach)
        *breach = false;
    if (record->stopped_at)
        return 0;               //  stored after any firing: folded
    if (!record->warned && record->warn_at && !(rc = s_fired (self, call, 'W', record->warn_at, record->id, &fired))
    &&  fired) {
        record->warned = true;
        if (warning)
            *warning = true;
    }
    if (!rc && !record->breached && record->due_at
    &&  !(rc = s_fired (self, call, 'B', record->due_at, record->id, &fired)) && fired) {
        record->breached = record->warned = true;
        if (breach)
            *breach = true;
    }
    return rc;
}

int
deadline_clock_get (deadline_t *self, dh_call_t *call, const char *id, deadline_clock_t *clock)
{
    int rc = dh_call_get_message (call, self->clocks, id, &dh__clock__descriptor,
                                  (ProtobufCMessage **) &clock->record);
    if (rc)
        return rc;
    if (dh_ledger_unpack (&clock->ledger, clock->record->ledger.data, clock->record->ledger.len))
        return DH_E_CORRUPT;
    return deadline_clock_fold (self, call, clock->record, &clock->fired_warning, &clock->fired_breach);
}

size_t
deadline_list_key (const char *unit, int64_t due, const char *item, uint8_t *key, size_t size)
{
    size_t unit_size = strlen (unit), item_size = strlen (item);
    if (unit_size + 1 + 8 + item_size > size)
        return 0;
    memcpy (key, unit, unit_size);
    key [unit_size] = 0;
    dh_key_u64 (key + unit_size + 1, (uint64_t) due);
    memcpy (key + unit_size + 9, item, item_size);
    return unit_size + 9 + item_size;
}

//  The working time before the due time when the due-soon warning fires:
//  a ledger with that much less time gives it.
static int
s_warn_time (deadline_t *self, const dh_ledger_t *ledger, int64_t *warn_at)
{
    *warn_at = 0;
    if (ledger->reappointed)
        return 0;               //  the apology's appointment was warned of before it was made
    dh_ledger_t earlier = *ledger;
    int64_t margin = self->warn == DEADLINE_WARN_SHARE? ledger->budget_ms * self->warn_amount / 1000:
                     self->warn_amount;
    earlier.budget_ms = ledger->budget_ms > margin? ledger->budget_ms - margin: 0;
    bool paused;
    return dh_ledger_due (&earlier, deadline_calendar (self), warn_at, &paused);
}

static int
s_schedule_move (deadline_t *self, dh_txn_t *txn, char tag, const char *id, bool was, int64_t old_at,
                 bool now, int64_t new_at)
{
    uint8_t key [1 + S_ID_MAX];
    size_t id_size = strlen (id);
    if (id_size > S_ID_MAX)
        return DH_E_TOO_BIG;
    key [0] = (uint8_t) tag;
    memcpy (key + 1, id, id_size);
    int rc = 0;
    if (was && (!now || old_at != new_at)
    &&  (rc = dh_schedule_remove (txn, self->schedule, old_at, key, id_size + 1)) == DH_E_NOT_FOUND)
        rc = 0;                 //  taken by the firing that is changing it
    if (!rc && now && (!was || old_at != new_at))
        rc = dh_schedule_put (txn, self->schedule, new_at, key, id_size + 1, NULL, 0);
    return rc;
}

static int
s_list_move (dh_txn_t *txn, dh_dbi_t list, bool was, const char *old_unit, int64_t old_due,
             bool now, const char *unit, int64_t due, const char *item)
{
    uint8_t old_key [512], new_key [512];
    size_t old_size = was? deadline_list_key (old_unit, old_due, item, old_key, sizeof old_key): 0;
    size_t new_size = now? deadline_list_key (unit, due, item, new_key, sizeof new_key): 0;
    if ((was && !old_size) || (now && !new_size))
        return DH_E_TOO_BIG;
    if (was == now && (!was || (old_size == new_size && !memcmp (old_key, new_key, old_size))))
        return 0;
    int rc = 0;
    if (was && (rc = dh_txn_del (txn, list, old_key, old_size)) == DH_E_NOT_FOUND)
        rc = 0;
    if (!rc && now)
        rc = dh_txn_put (txn, list, new_key, new_size, "", 0);
    return rc;
}

//  The key of an item in a list sorts it by the due time it is late or
//  near to; a paused item keeps its original one.
static int64_t
s_list_due (const Dh__Clock *record, int64_t due)
{
    return due? due: record->original_due_at;
}

//  An item's place in the due-soon and overdue lists follows its flags.
static int
s_lists (deadline_t *self, dh_call_t *call, const Dh__Clock *record, const s_was_t *was, bool open, int64_t due)
{
    if (record->kind != DH__CLOCK_KIND__ITEM_CLOCK)
        return 0;
    const char *old_unit = was->unit? was->unit: record->unit;
    bool soon_was = was->open && was->warned && !was->breached;
    bool soon_now = open && record->warned && !record->breached;
    bool late_was = was->open && was->breached, late_now = open && record->breached;
    int rc;
    if ((rc = s_list_move (call->txn, self->due_soon, soon_was, old_unit, s_list_due (record, was->due),
                           soon_now, record->unit, s_list_due (record, due), record->item))
    ||  (rc = s_list_move (call->txn, self->overdue, late_was, old_unit, s_list_due (record, was->due),
                           late_now, record->unit, s_list_due (record, due), record->item)))
        return dh_call_fail (call, rc, "cannot list %s: %s", record->id, dh_strerror (rc));
    return 0;
}

//  An item clock's entry in the `open` index (unit, receipt, item), put
//  when it starts or joins a unit and taken when it stops or leaves: a
//  unit's first key there is its oldest open item (queues.c).
static int
s_open_entry (deadline_t *self, dh_call_t *call, const char *unit, int64_t received_at, const char *item,
              bool put)
{
    uint8_t key [512];
    size_t size = deadline_list_key (unit, received_at, item, key, sizeof key);
    if (!size)
        return dh_call_fail (call, DH_E_TOO_BIG, "cannot index %s as open: unit or code too long", item);
    int rc = put? dh_txn_put (call->txn, self->open, key, size, "", 0): dh_txn_del (call->txn, self->open, key, size);
    if (rc == DH_E_NOT_FOUND)
        rc = 0;                 //  open before the index was added (main.c)
    return rc? dh_call_fail (call, rc, "cannot index %s as open: %s", item, dh_strerror (rc)): 0;
}

int
deadline_clock_fired (deadline_t *self, dh_call_t *call, deadline_clock_t *clock, const Dh__Clock *before,
                      char tag, int64_t at)
{
    Dh__Clock *record = clock->record;
    s_was_t was;
    s_was (before, &was);
    uint8_t key [9 + S_ID_MAX];
    if (strlen (record->id) > S_ID_MAX)
        return dh_call_fail (call, DH_E_TOO_BIG, "clock id %s is too long", record->id);
    int rc = dh_txn_put (call->txn, self->fired, key, s_fired_key (tag, at, record->id, key), "", 0);
    if (rc)
        return dh_call_fail (call, rc, "cannot mark %s fired: %s", record->id, dh_strerror (rc));
    if (tag == 'W')
        clock->fired_warning = true;
    else
        clock->fired_breach = true;
    return s_lists (self, call, record, &was, true, record->due_at);
}

static int
s_put (deadline_t *self, dh_call_t *call, deadline_clock_t *clock, const s_was_t *was)
{
    Dh__Clock *record = clock->record;
    dh_ledger_t *ledger = &clock->ledger;
    bool open = ledger->stopped_at == 0, paused = false;
    int64_t due = 0, warn = 0;
    int rc;
    if (open) {
        if ((rc = dh_ledger_due (ledger, deadline_calendar (self), &due, &paused)))
            return dh_call_fail (call, rc, "cannot compute the due time of %s: %s", record->id,
                                 dh_calendar_error ());
        if (!paused && !record->warned && record->kind != DH__CLOCK_KIND__SUPPLEMENT_CLOCK
        &&  (rc = s_warn_time (self, ledger, &warn)))
            return dh_call_fail (call, rc, "cannot compute the warning time of %s: %s", record->id,
                                 dh_calendar_error ());
        record->due_at = due;
    }
    record->warn_at = warn;
    record->paused = paused;
    record->stopped_at = ledger->stopped_at;
    if (!record->original_due_at)
        record->original_due_at = ledger->original_due;
    bool breach_was = was->open && was->due && !was->breached;
    bool breach_now = open && due && !record->breached;
    bool warn_was = was->open && was->warn && !was->warned;
    bool warn_now = open && warn && !record->warned;
    if ((rc = s_schedule_move (self, call->txn, 'B', record->id, breach_was, was->due, breach_now, due))
    ||  (rc = s_schedule_move (self, call->txn, 'W', record->id, warn_was, was->warn, warn_now, warn)))
        return dh_call_fail (call, rc, "cannot schedule %s: %s", record->id, dh_strerror (rc));
    if (breach_now)
        deadline_fire_arm (self, due);
    if (warn_now)
        deadline_fire_arm (self, warn);
    if ((rc = s_lists (self, call, record, was, open, due)))
        return rc;
    //  The marks of firings are in the record from now on.
    uint8_t key [9 + S_ID_MAX];
    if ((clock->fired_warning
         && (rc = dh_txn_del (call->txn, self->fired, key, s_fired_key ('W', was->warn, record->id, key))))
    ||  (clock->fired_breach
         && (rc = dh_txn_del (call->txn, self->fired, key, s_fired_key ('B', was->due, record->id, key)))))
        return dh_call_fail (call, rc, "cannot fold the firings of %s: %s", record->id, dh_strerror (rc));
    clock->fired_warning = clock->fired_breach = false;
    size_t size = dh_ledger_packed_size (ledger);
    uint8_t *bytes = dh_service_scratch (call->service, size);
    if (!bytes)
        return dh_call_fail (call, DH_E_NOMEM, "no memory for the ledger of %s", record->id);
    dh_ledger_pack (ledger, bytes);
    record->ledger.data = bytes;
    record->ledger.len = size;
    if ((rc = dh_call_put_message (call, self->clocks, record->id, &record->base)))
        return dh_call_fail (call, rc, "cannot store clock %s: %s", record->id, dh_strerror (rc));
    return 0;
}

int
deadline_clock_store (deadline_t *self, dh_call_t *call, deadline_clock_t *clock, const Dh__Clock *before)
{
    s_was_t was = { 0 };
    if (before)
        s_was (before, &was);
    return s_put (self, call, clock, &was);
}

int
deadline_tell (deadline_t *self, dh_call_t *call, uint32_t type, const ProtobufCMessage *message)
{
    size_t size;
    uint8_t *bytes = dh_call_pack (call, message, &size);
    if (!bytes)
        return dh_call_fail (call, DH_E_NOMEM, "no memory to tell %s", dh_type_name (type));
    int rc = dh_service_publish (self->service, call->txn, type, bytes, size);
    if (!rc && dh_service_has_peer (self->service, "notify"))
        rc = dh_service_send (self->service, call->txn, "notify", type, "deadline", bytes, size);
    return rc? dh_call_fail (call, rc, "cannot tell %s: %s", dh_type_name (type), dh_strerror (rc)): 0;
}

//  The due time statistics judge by: an apology's re-appointment does not
//  count (DOMAIN: statistics keep the original due time).
static int
s_judged_due (deadline_t *self, const dh_ledger_t *ledger, int64_t *due)
{
    dh_ledger_t plain = *ledger;
    plain.reappointed = 0;
    bool paused;
    return dh_ledger_due (&plain, deadline_calendar (self), due, &paused);
}

//  Stop one clock at `at`: its outcome, told on the feed.
static int
s_stop (deadline_t *self, dh_call_t *call, deadline_clock_t *clock, int64_t at, Dh__ClockEnd end,
        Dh__LateStep **late, size_t late_count)
{
    Dh__Clock *record = clock->record;
    s_was_t was;
    s_was (clock->record, &was);
    int64_t due;
    int rc = s_judged_due (self, &clock->ledger, &due);
    if (rc)
        return dh_call_fail (call, rc, "cannot judge %s: %s", record->id, dh_calendar_error ());
    if ((rc = dh_ledger_stop (&clock->ledger, at)))
        return dh_call_fail (call, rc, "cannot stop clock %s: %s", record->id, dh_strerror (rc));
    dh_outcome_t outcome = 0;
    if (end == DH__CLOCK_END__END_FINISHED
    &&  (rc = dh_calendar_outcome (deadline_calendar (self), due, at, self->method, &outcome)))
        return dh_call_fail (call, rc, "cannot judge %s: %s", record->id, dh_calendar_error ());
    record->outcome = (Dh__Outcome) outcome;
    record->end = end;
    record->due_at = due;
    if ((rc = s_put (self, call, clock, &was)))
        return rc;
    Dh__ClockStopped stopped = DH__CLOCK_STOPPED__INIT;
    stopped.item = record->item;
    stopped.kind = record->kind;
    stopped.clock = record->id;
    stopped.unit = record->unit;
    stopped.holder = record->holder;
    stopped.outcome = record->outcome;
    stopped.end = end;
    stopped.due_at = due;
    stopped.stopped_at = at;
    stopped.late_steps = late;
    stopped.n_late_steps = late_count;
    return deadline_tell (self, call, DH_MSG_CLOCK_STOPPED, &stopped.base);
}

//  A clock of the item (step or supplement) that is still running: stop it.
static int
s_stop_child (deadline_t *self, dh_call_t *call, char **id, int64_t at, Dh__ClockEnd end)
{
    if (!**id)
        return 0;
    deadline_clock_t child;
    int rc = deadline_clock_get (self, call, *id, &child);
    if (rc)
        return dh_call_fail (call, rc, "cannot read clock %s: %s", *id, dh_strerror (rc));
    *id = "";
    return child.ledger.stopped_at? 0: s_stop (self, call, &child, at, end, NULL, 0);
}

//  The steps that overran their step deadlines, and who held them
//  (DOMAIN: what names the official who held a late dossier).
static int
s_late_steps (deadline_t *self, dh_call_t *call, const char *item, int64_t now, Dh__LateStep ***late,
              size_t *count)
{
    char prefix [S_ID_MAX + 4];
    int prefix_size = snprintf (prefix, sizeof prefix, "%s|s|", item);
    *late = NULL;
    *count = 0;
    dh_cursor_t *cursor;
    int rc = dh_cursor_open (call->txn, self->clocks, &cursor);
    if (rc)
        return rc;
    size_t capacity = 0;
    dh_val_t key, value;
    ProtobufCAllocator allocator = dh_call_allocator (call);
    for (rc = dh_cursor_seek (cursor, prefix, prefix_size, &key, &value);
         !rc && key.size > (size_t) prefix_size && !memcmp (key.data, prefix, prefix_size);
         rc = dh_cursor_next (cursor, &key, &value)) {
        Dh__Clock *step = dh__clock__unpack (&allocator, value.size, value.data);
        if (!step) {
            rc = DH_E_CORRUPT;
            break;
        }
        if ((rc = deadline_clock_fold (self, call, step, NULL, NULL)))
            break;
        int64_t finished = step->stopped_at? step->stopped_at: now;
        bool overran = step->outcome == DH__OUTCOME__LATE || (!step->stopped_at && step->breached);
        if (!overran || !step->due_at)
            continue;
        if (*count == capacity) {
            capacity = capacity? capacity * 2: 8;
            Dh__LateStep **grown = dh_service_scratch (call->service, capacity * sizeof *grown);
            if (!grown) {
                rc = DH_E_NOMEM;
                break;
            }
            if (*count)
                memcpy (grown, *late, *count * sizeof *grown);
            *late = grown;
        }
        Dh__LateStep *entry = dh_service_scratch (call->service, sizeof *entry);
        if (!entry) {
            rc = DH_E_NOMEM;
            break;
        }
        dh__late_step__init (entry);
        entry->node = step->node;
        entry->holder = step->holder;
        entry->due_at = step->due_at;
        entry->finished_at = step->stopped_at;
        int64_t over = 0;
        if (dh_calendar_between (deadline_calendar (self), step->due_at, finished, &over) == 0)
            entry->over_ms = over > 0? over: 0;
        (*late) [(*count)++] = entry;
    }
    dh_cursor_close (&cursor);
    return rc == DH_E_NOT_FOUND? 0: rc;
}

int
deadline_item_stop (deadline_t *self, dh_call_t *call, deadline_clock_t *clock, int64_t at,
                    Dh__ClockEnd end)
{
    Dh__Clock *record = clock->record;
    int rc;
    if ((rc = s_stop_child (self, call, &record->open_step, at, DH__CLOCK_END__END_FINISHED))
    ||  (rc = s_stop_child (self, call, &record->open_supplement, at, DH__CLOCK_END__END_WITHDRAWN)))
        return rc;
    bool paused = clock->ledger.count && clock->ledger.segments [clock->ledger.count - 1].paused;
    Dh__LateStep **late = NULL;
    size_t late_count = 0;
    if (end == DH__CLOCK_END__END_FINISHED && (rc = s_late_steps (self, call, record->item, at, &late, &late_count)))
        return dh_call_fail (call, rc, "cannot read the steps of %s: %s", record->item, dh_strerror (rc));
    if ((rc = s_stop (self, call, clock, at, end, late, late_count))
    ||  (rc = s_open_entry (self, call, record->unit, record->received_at, record->item, false)))
        return rc;
    deadline_figure_t figure =
        end == DH__CLOCK_END__END_REFUSED? DEADLINE_REFUSED:
        end == DH__CLOCK_END__END_WITHDRAWN? DEADLINE_WITHDRAWN:
        end == DH__CLOCK_END__END_NOT_ACCEPTED? DEADLINE_NOT_ACCEPTED:
        record->outcome == DH__OUTCOME__EARLY? DEADLINE_EARLY:
        record->outcome == DH__OUTCOME__ON_TIME? DEADLINE_ON_TIME: DEADLINE_LATE;
    if ((rc = deadline_count (self, call, record->unit, at, figure, 1))
    ||  (rc = deadline_count (self, call, record->unit, at, DEADLINE_CLOSED, 1))
    ||  (record->breached && (rc = deadline_count (self, call, record->unit, at, DEADLINE_OVERDUE_OUT, 1)))
    ||  (paused && (rc = deadline_count (self, call, record->unit, at, DEADLINE_PAUSED_OUT, 1))))
        return rc;
    return 0;
}

//  A new clock of the item (step or supplement): id, kind, people, ledger.
static int
s_child_start (deadline_t *self, dh_call_t *call, const Dh__Clock *item, Dh__ClockKind kind, char tag,
               uint32_t number, int64_t at, double hours, deadline_clock_t *child)
{
    Dh__Clock *record = dh_service_scratch (call->service, sizeof *record);
    char *id = dh_service_scratch (call->service, S_ID_MAX + 16);
    if (!record || !id)
        return dh_call_fail (call, DH_E_NOMEM, "no memory for a clock of %s", item->item);
    dh__clock__init (record);
    snprintf (id, S_ID_MAX + 16, "%s|%c|%04u", item->item, tag, number);
    record->id = id;
    record->item = item->item;
    record->kind = kind;
    record->unit = item->unit;
    record->head = item->head;
    record->procedure = item->procedure;
    record->channel = item->channel;
    record->received_at = at;
    child->record = record;
    child->fired_warning = child->fired_breach = false;
    int rc = dh_ledger_start (&child->ledger, deadline_calendar (self), at, hours, DH_POLICY_EXTEND);
    if (rc)
        return dh_call_fail (call, rc, "cannot start clock %s: %s", id, dh_calendar_error ());
    return 0;
}

static int
s_item_start (deadline_t *self, dh_call_t *call, const Dh__ClockChange *change)
{
    deadline_clock_t existing;
    int rc = deadline_clock_get (self, call, change->item, &existing);
    if (rc == 0)
        return dh_call_fail (call, DH_E_EXISTS, "%s already has a clock", change->item);
    if (rc != DH_E_NOT_FOUND)
        return dh_call_fail (call, rc, "cannot read clock %s: %s", change->item, dh_strerror (rc));
    if (change->channel < DH__CHANNEL__IN_PERSON || change->channel > DH__CHANNEL__POST)
        return dh_call_fail (call, DH_E_INVALID, "clock start of %s: no channel", change->item);
    if (!*change->unit)
        return dh_call_fail (call, DH_E_INVALID, "clock start of %s: no lead unit", change->item);
    if (change->n_steps > S_STEPS_MAX)
        return dh_call_fail (call, DH_E_TOO_BIG, "clock start of %s: over %d process steps", change->item,
                             S_STEPS_MAX);
    double hours = change->hours;
    if (!(hours > 0)) {
        //  Same day or calendar days: the working time up to the
        //  appointment is what the clock allows.
        int64_t working;
        if (change->due_at < change->at)
            return dh_call_fail (call, DH_E_INVALID, "clock start of %s: no hours and no due time after receipt",
                                 change->item);
        if ((rc = dh_calendar_between (deadline_calendar (self), change->at, change->due_at, &working)))
            return dh_call_fail (call, rc, "cannot start clock %s: %s", change->item, dh_calendar_error ());
        hours = working / (double) DH_HOUR_MS;
    }
    if (!(hours <= 100000) || change->supplement_hours < 0 || !(change->supplement_hours <= 100000))
        return dh_call_fail (call, DH_E_RANGE, "clock start of %s: hours out of range", change->item);
    Dh__Clock record = DH__CLOCK__INIT;
    record.id = change->item;
    record.item = change->item;
    record.kind = DH__CLOCK_KIND__ITEM_CLOCK;
    record.unit = change->unit;
    record.head = change->head;
    record.procedure = change->procedure;
    record.channel = change->channel;
    record.supplement_hours = change->supplement_hours;
    record.steps = change->steps;
    record.n_steps = change->n_steps;
    record.received_at = change->at;
    record.counted_day = (uint32_t) deadline_day (change->at);
    deadline_clock_t clock = { .record = &record };
    if ((rc = dh_ledger_start (&clock.ledger, deadline_calendar (self), change->at, hours,
                               change->restart_after_supplement? DH_POLICY_RESTART: DH_POLICY_EXTEND)))
        return dh_call_fail (call, rc, "cannot start clock %s: %s", change->item,
                             rc == DH_E_INVALID? "bad hours": dh_calendar_error ());
    deadline_figure_t received = change->channel == DH__CHANNEL__ONLINE? DEADLINE_RECEIVED_ONLINE:
                                 change->channel == DH__CHANNEL__POST? DEADLINE_RECEIVED_POST:
                                 DEADLINE_RECEIVED_IN_PERSON;
    s_was_t was = { 0 };
    if ((rc = s_put (self, call, &clock, &was))
    ||  (rc = s_open_entry (self, call, record.unit, record.received_at, record.item, true))
    ||  (rc = deadline_count (self, call, record.unit, change->at, received, 1))
    ||  (rc = deadline_count (self, call, record.unit, change->at, DEADLINE_OPENED, 1)))
        return rc;
    return 0;
}

//  The working hours of a step: its node's in the procedure's process,
//  else what is left of the item's time.
static int
s_step_hours (deadline_t *self, dh_call_t *call, const deadline_clock_t *item, const char *node,
              int64_t at, double *hours)
{
    for (size_t i = 0; i < item->record->n_steps; i++)
        if (!strcmp (item->record->steps [i]->node, node)) {
            *hours = item->record->steps [i]->hours;
            return 0;
        }
    int64_t used;
    int rc = dh_ledger_used (&item->ledger, deadline_calendar (self), at, &used);
    if (rc)
        return dh_call_fail (call, rc, "cannot measure the time used by %s: %s", item->record->id,
                             dh_calendar_error ());
    int64_t left = item->ledger.budget_ms - used;
    *hours = left > 0? left / (double) DH_HOUR_MS: 0;
    return 0;
}

static int
s_step_start (deadline_t *self, dh_call_t *call, deadline_clock_t *item, const Dh__ClockChange *change)
{
    Dh__Clock *record = item->record;
    if (!*change->holder || !*change->node)
        return dh_call_fail (call, DH_E_INVALID, "step clock of %s needs a holder and a node", change->item);
    int rc = s_stop_child (self, call, &record->open_step, change->at, DH__CLOCK_END__END_FINISHED);
    if (rc)
        return rc;
    double hours = 0;
    if ((rc = s_step_hours (self, call, item, change->node, change->at, &hours)))
        return rc;
    deadline_clock_t step;
    if ((rc = s_child_start (self, call, record, DH__CLOCK_KIND__STEP_CLOCK, 's', record->step_count + 1,
                             change->at, hours, &step)))
        return rc;
    step.record->holder = change->holder;
    step.record->node = change->node;
    if (record->paused && (rc = dh_ledger_pause (&step.ledger, change->at, DH_PAUSE_SUPPLEMENT)))
        return dh_call_fail (call, rc, "cannot pause step clock %s", step.record->id);
    s_was_t was = { 0 };
    if ((rc = s_put (self, call, &step, &was)))
        return rc;
    record->step_count++;
    record->open_step = step.record->id;
    record->holder = change->holder;
    record->node = change->node;
    if (*change->head)
        record->head = change->head;
    return 0;
}

//  The step clock running with the item: paused and resumed with it.
static int
s_step_follow (deadline_t *self, dh_call_t *call, const Dh__Clock *item, int64_t at, bool pause)
{
    if (!*item->open_step)
        return 0;
    deadline_clock_t step;
    int rc = deadline_clock_get (self, call, item->open_step, &step);
    if (rc)
        return dh_call_fail (call, rc, "cannot read clock %s: %s", item->open_step, dh_strerror (rc));
    s_was_t was;
    s_was (step.record, &was);
    rc = pause? dh_ledger_pause (&step.ledger, at, DH_PAUSE_SUPPLEMENT): dh_ledger_resume (&step.ledger, at);
    if (rc)
        return dh_call_fail (call, rc, "cannot %s step clock %s: %s", pause? "pause": "resume", step.record->id,
                             dh_strerror (rc));
    return s_put (self, call, &step, &was);
}

static int
s_item_pause (deadline_t *self, dh_call_t *call, deadline_clock_t *item, const Dh__ClockChange *change)
{
    Dh__Clock *record = item->record;
    int rc = dh_ledger_pause (&item->ledger, change->at, change->fee? DH_PAUSE_FEE: DH_PAUSE_SUPPLEMENT);
    if (rc)
        return dh_call_fail (call, rc, "cannot pause the clock of %s: %s", record->item,
                             rc == DH_E_STATE? "it is not running": dh_strerror (rc));
    //  Waiting for a fee (status 6) is a pause, not a supplementation: no
    //  deadline for the applicant, not counted as sent back.
    if (change->fee) {
        if ((rc = s_step_follow (self, call, record, change->at, true)))
            return rc;
        return deadline_count (self, call, record->unit, change->at, DEADLINE_PAUSED_IN, 1);
    }
    record->supplements++;
    if ((rc = s_step_follow (self, call, record, change->at, true))
    ||  (rc = deadline_count (self, call, record->unit, change->at, DEADLINE_SUPPLEMENTS, 1))
    ||  (rc = deadline_count (self, call, record->unit, change->at, DEADLINE_PAUSED_IN, 1))
    ||  (record->supplements == 2
         && (rc = deadline_count (self, call, record->unit, change->at, DEADLINE_SENT_BACK_TWICE, 1))))
        return rc;
    if (record->supplement_hours > 0) {
        deadline_clock_t supplement;
        if ((rc = s_child_start (self, call, record, DH__CLOCK_KIND__SUPPLEMENT_CLOCK, 'p', record->supplements,
                                 change->at, record->supplement_hours, &supplement)))
            return rc;
        supplement.record->holder = "applicant";
        supplement.record->node = "supplementation";
        s_was_t was = { 0 };
        if ((rc = s_put (self, call, &supplement, &was)))
            return rc;
        record->open_supplement = supplement.record->id;
    }
    return 0;
}

static int
s_item_resume (deadline_t *self, dh_call_t *call, deadline_clock_t *item, const Dh__ClockChange *change)
{
    Dh__Clock *record = item->record;
    int rc = dh_ledger_resume (&item->ledger, change->at);
    if (rc)
        return dh_call_fail (call, rc, "cannot resume the clock of %s: %s", record->item,
                             rc == DH_E_STATE? "it is not paused": dh_strerror (rc));
    if ((rc = s_stop_child (self, call, &record->open_supplement, change->at, DH__CLOCK_END__END_FINISHED))
    ||  (rc = s_step_follow (self, call, record, change->at, false))
    ||  (rc = deadline_count (self, call, record->unit, change->at, DEADLINE_PAUSED_OUT, 1)))
        return rc;
    return 0;
}

//  Another lead unit: the item leaves the old unit's open figures and
//  joins the new one's.
static int
s_item_move (deadline_t *self, dh_call_t *call, deadline_clock_t *item, const Dh__ClockChange *change)
{
    Dh__Clock *record = item->record;
    if (!*change->unit)
        return dh_call_fail (call, DH_E_INVALID, "clock move of %s needs the new unit", record->item);
    if (!strcmp (change->unit, record->unit))
        return 0;
    bool paused = record->paused;
    int rc;
    const char *units [2] = { record->unit, change->unit };
    for (int side = 0; side < 2; side++) {
        if ((rc = deadline_count (self, call, units [side], change->at, side? DEADLINE_OPENED: DEADLINE_CLOSED, 1))
        ||  (record->breached && (rc = deadline_count (self, call, units [side], change->at,
                                                       side? DEADLINE_OVERDUE_IN: DEADLINE_OVERDUE_OUT, 1)))
        ||  (paused && (rc = deadline_count (self, call, units [side], change->at,
                                             side? DEADLINE_PAUSED_IN: DEADLINE_PAUSED_OUT, 1))))
            return rc;
    }
    if ((rc = s_open_entry (self, call, record->unit, record->received_at, record->item, false))
    ||  (rc = s_open_entry (self, call, change->unit, record->received_at, record->item, true)))
        return rc;
    record->unit = change->unit;
    if (*change->head)
        record->head = change->head;
    return 0;
}

static int
s_clock_change (dh_call_t *call, void *state)
{
    deadline_t *self = state;
    Dh__ClockChange *change;
    int rc = dh_call_unpack (call, &dh__clock_change__descriptor, (ProtobufCMessage **) &change);
    if (rc)
        return rc;
    if (!*change->item || strlen (change->item) > S_ITEM_MAX || strchr (change->item, '|'))
        return dh_call_fail (call, DH_E_INVALID, "a clock change needs the item's code (1-%d bytes, no '|')",
                             S_ITEM_MAX);
    if (change->at <= 0)
        return dh_call_fail (call, DH_E_INVALID, "clock change of %s: no time", change->item);
    bool item_clock = change->kind == DH__CLOCK_KIND__ITEM_CLOCK;
    if (!item_clock && change->kind != DH__CLOCK_KIND__STEP_CLOCK)
        return dh_call_fail (call, DH_E_INVALID, "clock change of %s: kind must be item or step", change->item);
    if (item_clock && change->action == DH__CLOCK_ACTION__CLOCK_START)
        return s_item_start (self, call, change);
    deadline_clock_t item;
    if ((rc = deadline_clock_get (self, call, change->item, &item)) == DH_E_NOT_FOUND)
        return dh_call_fail (call, rc, "no clock for item %s", change->item);
    if (rc)
        return dh_call_fail (call, rc, "cannot read clock %s: %s", change->item, dh_strerror (rc));
    if (item.ledger.stopped_at)
        return dh_call_fail (call, DH_E_STATE, "the clock of %s is stopped (%s)", change->item,
                             dh_call_enum_name (&dh__clock_end__descriptor, item.record->end));
    s_was_t was;
    s_was (item.record, &was);
    switch (item_clock? (int) change->action: -(int) change->action) {
        case DH__CLOCK_ACTION__CLOCK_PAUSE:
            rc = s_item_pause (self, call, &item, change);
            break;
        case DH__CLOCK_ACTION__CLOCK_RESUME:
            rc = s_item_resume (self, call, &item, change);
            break;
        case DH__CLOCK_ACTION__CLOCK_MOVE:
            rc = s_item_move (self, call, &item, change);
            break;
        case DH__CLOCK_ACTION__CLOCK_STOP:
            if (change->end < DH__CLOCK_END__END_FINISHED || change->end > DH__CLOCK_END__END_NOT_ACCEPTED)
                return dh_call_fail (call, DH_E_INVALID, "clock stop of %s: no end", change->item);
            return deadline_item_stop (self, call, &item, change->at, change->end);
        case -DH__CLOCK_ACTION__CLOCK_START:
            rc = s_step_start (self, call, &item, change);
            break;
        case -DH__CLOCK_ACTION__CLOCK_STOP:
            rc = s_stop_child (self, call, &item.record->open_step, change->at, DH__CLOCK_END__END_FINISHED);
            break;
        default:
            return dh_call_fail (call, DH_E_INVALID, "clock change of %s: no such action for a %s clock",
                                 change->item, item_clock? "item": "step");
    }
    return rc? rc: s_put (self, call, &item, &was);
}

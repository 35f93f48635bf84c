//  What supervisors ask: an item's every deadline and ledger (CLOCK_SHOW),
//  the overdue items oldest first, the items due soon and the backlog of
//  open items in the order received, from their lists, never by scanning
//  clocks.
#include "dh_call.h"
#include "dh_clock.h"
#include "dh_error.h"
#include "dh_types.h"
#include "work.pb-c.h"
#include "deadline.h"

#define S_LIST_DEFAULT 1000
#define S_LIST_MAX 10000
#define S_CLOCKS_MAX 1000       //  clocks of one item shown

static dh_handler_fn s_clock_show, s_overdue, s_due_soon, s_backlog;

const dh_command_t deadline_query_commands [] = {
    { DH_MSG_CLOCK_SHOW, s_clock_show, DH_FROM_CLIENT, 0, false, NULL },
    { DH_MSG_OVERDUE,    s_overdue,    DH_FROM_CLIENT, 0, false, NULL },
    { DH_MSG_DUE_SOON,   s_due_soon,   DH_FROM_CLIENT, 0, false, NULL },
    { DH_MSG_BACKLOG,    s_backlog,    DH_FROM_CLIENT, 0, false, NULL },
    { 0 }
};

static const char *
s_segment_state (uint8_t paused)
{
    return paused == DH_PAUSE_SUPPLEMENT? "supplement": paused == DH_PAUSE_FEE? "fee":
           paused == DH_PAUSE_STOPPED? "stopped": "running";
}

static Dh__ClockView *
s_view (dh_call_t *call, Dh__Clock *record)
{
    Dh__ClockView *view = dh_service_scratch (call->service, sizeof *view);
    dh_ledger_t ledger;
    if (!view || dh_ledger_unpack (&ledger, record->ledger.data, record->ledger.len))
        return NULL;
    dh__clock_view__init (view);
    view->clock = record;
    view->segments = dh_service_scratch (call->service, (ledger.count + 1) * sizeof *view->segments);
    Dh__Segment *segments = dh_service_scratch (call->service, (ledger.count + 1) * sizeof *segments);
    if (!view->segments || !segments)
        return NULL;
    for (int i = 0; i < ledger.count; i++) {
        dh__segment__init (&segments [i]);
        segments [i].start = ledger.segments [i].start;
        segments [i].end = ledger.segments [i].end;
        segments [i].state = (char *) s_segment_state (ledger.segments [i].paused);
        view->segments [i] = &segments [i];
    }
    view->n_segments = ledger.count;
    return view;
}

int
deadline_report (deadline_t *self, dh_call_t *call, const char *code)
{
    Dh__ClockReport report = DH__CLOCK_REPORT__INIT;
    Dh__ClockView **views = dh_service_scratch (call->service, S_CLOCKS_MAX * sizeof *views);
    if (!views)
        return dh_call_fail (call, DH_E_NOMEM, "no memory for the clocks of %s", code);
    report.clocks = views;
    dh_cursor_t *cursor;
    int rc = dh_cursor_open (call->txn, self->clocks, &cursor);
    if (rc)
        return dh_call_fail (call, rc, "cannot read clocks: %s", dh_strerror (rc));
    size_t code_size = strlen (code);
    ProtobufCAllocator allocator = dh_call_allocator (call);
    dh_val_t key, value;
    //  The item's clock, then its step and supplementation clocks
    //  ("CODE|..."), which sort right after it.
    for (rc = dh_cursor_seek (cursor, code, code_size, &key, &value);
         !rc && report.n_clocks < S_CLOCKS_MAX && key.size >= code_size && !memcmp (key.data, code, code_size)
         && (key.size == code_size || ((const char *) key.data) [code_size] == '|');
         rc = dh_cursor_next (cursor, &key, &value)) {
        Dh__Clock *record = dh__clock__unpack (&allocator, value.size, value.data);
        if (record && (rc = deadline_clock_fold (self, call, record, NULL, NULL)))
            break;
        Dh__ClockView *view = record? s_view (call, record): NULL;
        if (!view) {
            rc = record? DH_E_NOMEM: DH_E_CORRUPT;
            break;
        }
        views [report.n_clocks++] = view;
    }
    dh_cursor_close (&cursor);
    if (rc && rc != DH_E_NOT_FOUND)
        return dh_call_fail (call, rc, "cannot read the clocks of %s: %s", code, dh_strerror (rc));
    if (!report.n_clocks)
        return dh_call_fail (call, DH_E_NOT_FOUND, "no clock for item %s", code);
    //  The late steps and who held them, from the step clocks.
    Dh__LateStep **late = dh_service_scratch (call->service, report.n_clocks * sizeof *late);
    if (!late)
        return dh_call_fail (call, DH_E_NOMEM, "no memory for the clocks of %s", code);
    report.late_steps = late;
    int64_t now = dh_clock_now ();
    for (size_t i = 0; i < report.n_clocks; i++) {
        Dh__Clock *step = views [i]->clock;
        bool overran = step->outcome == DH__OUTCOME__LATE || (!step->stopped_at && step->breached);
        if (step->kind != DH__CLOCK_KIND__STEP_CLOCK || !overran || !step->due_at)
            continue;
        Dh__LateStep *entry = dh_service_scratch (call->service, sizeof *entry);
        if (!entry)
            return dh_call_fail (call, DH_E_NOMEM, "no memory for the clocks of %s", code);
        dh__late_step__init (entry);
        entry->node = step->node;
        entry->holder = step->holder;
        entry->due_at = step->due_at;
        entry->finished_at = step->stopped_at;
        int64_t over;
        if (dh_calendar_between (deadline_calendar (self), step->due_at, step->stopped_at? step->stopped_at: now,
                                 &over) == 0)
            entry->over_ms = over > 0? over: 0;
        late [report.n_late_steps++] = entry;
    }
    return dh_call_reply_message (call, &report.base);
}

static int
s_clock_show (dh_call_t *call, void *state)
{
    Dh__ItemCommand *command;
    int rc = dh_call_unpack (call, &dh__item_command__descriptor, (ProtobufCMessage **) &command);
    if (rc)
        return rc;
    if (!*command->code || strlen (command->code) > 100 || strchr (command->code, '|'))
        return dh_call_fail (call, DH_E_INVALID, "an item's code is required (1-100 bytes)");
    return deadline_report (state, call, command->code);
}

typedef enum { S_OVERDUE, S_DUE_SOON, S_BACKLOG } s_list_t;

static int
s_by_due (const void *a, const void *b)
{
    int64_t left = (*(Dh__DeadlineEntry * const *) a)->due_at, right = (*(Dh__DeadlineEntry * const *) b)->due_at;
    return (left > right) - (left < right);
}

static int
s_by_received (const void *a, const void *b)
{
    int64_t left = (*(Dh__DeadlineEntry * const *) a)->received_at;
    int64_t right = (*(Dh__DeadlineEntry * const *) b)->received_at;
    return (left > right) - (left < right);
}

//  Walk a list of one unit or all into entries: overdue or due soon,
//  earliest due first, working_days past due or left; the backlog (the
//  open index), earliest received first, working_days since received.
static int
s_list (deadline_t *self, dh_call_t *call, dh_dbi_t list, s_list_t kind)
{
    Dh__DeadlineQuery *query;
    int rc = dh_call_unpack (call, &dh__deadline_query__descriptor, (ProtobufCMessage **) &query);
    if (rc)
        return rc;
    if (strlen (query->unit) > 64)
        return dh_call_fail (call, DH_E_INVALID, "unit code is longer than 64 bytes");
    size_t limit = query->limit? query->limit: S_LIST_DEFAULT;
    if (limit > S_LIST_MAX)
        return dh_call_fail (call, DH_E_RANGE, "at most %d entries at once", S_LIST_MAX);
    //  One unit's entries are in due order; all units' are merged by
    //  sorting what was read (a deployment has few units).
    Dh__DeadlineList reply = DH__DEADLINE_LIST__INIT;
    size_t capacity = 64, count = 0;
    Dh__DeadlineEntry **entries = dh_service_scratch (call->service, capacity * sizeof *entries);
    if (!entries)
        return dh_call_fail (call, DH_E_NOMEM, "no memory for the list");
    size_t prefix_size = *query->unit? strlen (query->unit) + 1: 0;
    dh_cursor_t *cursor;
    if ((rc = dh_cursor_open (call->txn, list, &cursor)))
        return dh_call_fail (call, rc, "cannot read the list: %s", dh_strerror (rc));
    int64_t now = dh_clock_now ();
    dh_val_t key, value;
    for (rc = prefix_size? dh_cursor_seek (cursor, query->unit, prefix_size, &key, &value):
                           dh_cursor_first (cursor, &key, &value);
         !rc && key.size > prefix_size + 8 && !memcmp (key.data, query->unit, prefix_size)
         && (prefix_size || count < S_LIST_MAX);
         rc = dh_cursor_next (cursor, &key, &value)) {
        if (prefix_size && count == limit)
            break;
        const char *unit_end = memchr (key.data, 0, key.size);
        if (!unit_end) {
            rc = DH_E_CORRUPT;
            break;
        }
        size_t item_size = key.size - (size_t) (unit_end + 9 - (const char *) key.data);
        char *item = dh_service_scratch (call->service, item_size + 1);
        if (!item) {
            rc = DH_E_NOMEM;
            break;
        }
        memcpy (item, unit_end + 9, item_size);
        item [item_size] = 0;
        deadline_clock_t clock;
        if ((rc = deadline_clock_get (self, call, item, &clock)))
            break;
        if (count == capacity) {
            Dh__DeadlineEntry **grown = dh_service_scratch (call->service, capacity * 2 * sizeof *grown);
            if (!grown) {
                rc = DH_E_NOMEM;
                break;
            }
            memcpy (grown, entries, count * sizeof *grown);
            entries = grown;
            capacity *= 2;
        }
        Dh__DeadlineEntry *entry = dh_service_scratch (call->service, sizeof *entry);
        if (!entry) {
            rc = DH_E_NOMEM;
            break;
        }
        Dh__Clock *record = clock.record;
        dh__deadline_entry__init (entry);
        entry->item = record->item;
        entry->unit = record->unit;
        entry->holder = record->holder;
        entry->node = record->node;
        int64_t at = (int64_t) dh_key_u64_read (unit_end + 1);
        entry->due_at = kind == S_BACKLOG? record->due_at: at;
        entry->received_at = kind == S_BACKLOG? at: 0;
        entry->clock = record->id;
        entry->kind = record->kind;
        int64_t working = 0;
        int64_t from = kind == S_DUE_SOON? now: at, to = kind == S_DUE_SOON? at: now;
        if (dh_calendar_between (deadline_calendar (self), from, to, &working) == 0)
            entry->working_days = working / (8.0 * DH_HOUR_MS);
        entries [count++] = entry;
    }
    dh_cursor_close (&cursor);
    if (rc && rc != DH_E_NOT_FOUND)
        return dh_call_fail (call, rc, "cannot read the list: %s", dh_strerror (rc));
    if (!prefix_size) {
        qsort (entries, count, sizeof *entries, kind == S_BACKLOG? s_by_received: s_by_due);
        if (count > limit)
            count = limit;
    }
    reply.entries = entries;
    reply.n_entries = count;
    return dh_call_reply_message (call, &reply.base);
}

static int
s_overdue (dh_call_t *call, void *state)
{
    deadline_t *self = state;
    return s_list (self, call, self->overdue, S_OVERDUE);
}

static int
s_due_soon (dh_call_t *call, void *state)
{
    deadline_t *self = state;
    return s_list (self, call, self->due_soon, S_DUE_SOON);
}

static int
s_backlog (dh_call_t *call, void *state)
{
    deadline_t *self = state;
    return s_list (self, call, self->open, S_BACKLOG);
}

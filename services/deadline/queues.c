//  QUEUES: per unit, in the manner of `rabbitmqctl list_queues`, its open
//  items, how many are due soon and overdue, and its oldest open item
//  with its age (DOMAIN §9: a queue is shown with the age of its oldest
//  item, not only its count). Open items and the oldest come from the
//  `open` index, where a unit's first key is its oldest; due soon and
//  overdue from their lists. Each is counted by walking the keys, one
//  step per open item: fine for a deployment's thousands of open items
//  (a few milliseconds); for millions, counters kept per unit in the
//  transactions that move the keys would be the next step. The overdue
//  ones are also counted by how long past due they are (a histogram, in
//  calendar seconds, for /metrics): ten overdue by an hour and ten
//  overdue by a month are not the same backlog.
#include "dh_call.h"
#include "dh_clock.h"
#include "dh_error.h"
#include "dh_types.h"
#include "deadline.h"

#define S_UNIT_MAX 64
#define S_AGE_BOUNDS 10

//  Seconds past due: an hour, four, a day, two, three, five, a week, two,
//  thirty days, ninety.
static const double s_age_bounds [S_AGE_BOUNDS] = {
    3600, 14400, 86400, 172800, 259200, 432000, 604800, 1209600, 2592000, 7776000
};

static dh_handler_fn s_queues;

const dh_command_t deadline_queue_commands [] = {
    { DH_MSG_QUEUES, s_queues, DH_FROM_CLIENT, 0, false, NULL },
    { 0 }
};

typedef enum { S_OPEN, S_DUE_SOON, S_OVERDUE } s_column_t;

typedef struct {
    dh_call_t *call;
    int64_t at;                 //  the daemon's time ages count to
    Dh__QueueRow **rows;
    size_t count, capacity;
    Dh__QueueRow *last;         //  keys come grouped by unit: usually the row of the next key
} s_rows_t;

//  The row of unit (size bytes, not terminated), added when new.
static Dh__QueueRow *
s_row (s_rows_t *rows, const char *unit, size_t size)
{
    if (rows->last && strlen (rows->last->unit) == size && !memcmp (rows->last->unit, unit, size))
        return rows->last;
    for (size_t i = 0; i < rows->count; i++)
        if (strlen (rows->rows [i]->unit) == size && !memcmp (rows->rows [i]->unit, unit, size))
            return rows->last = rows->rows [i];
    dh_service_t *service = rows->call->service;
    if (rows->count == rows->capacity) {
        size_t capacity = rows->capacity? rows->capacity * 2: 16;
        Dh__QueueRow **grown = dh_service_scratch (service, capacity * sizeof *grown);
        if (!grown)
            return NULL;
        if (rows->count)
            memcpy (grown, rows->rows, rows->count * sizeof *grown);
        rows->rows = grown;
        rows->capacity = capacity;
    }
    Dh__QueueRow *row = dh_service_scratch (service, sizeof *row);
    char *copy = dh_service_scratch (service, size + 1);
    Dh__Histogram *ages = dh_service_scratch (service, sizeof *ages);
    uint64_t *counts = dh_service_scratch (service, S_AGE_BOUNDS * sizeof *counts);
    if (!row || !copy || !ages || !counts)
        return NULL;
    dh__queue_row__init (row);
    dh__histogram__init (ages);
    memset (counts, 0, S_AGE_BOUNDS * sizeof *counts);
    ages->bounds = (double *) s_age_bounds;
    ages->n_bounds = ages->n_counts = S_AGE_BOUNDS;
    ages->counts = counts;
    row->overdue_age_s = ages;
    memcpy (copy, unit, size);
    copy [size] = 0;
    row->unit = copy;
    return rows->last = rows->rows [rows->count++] = row;
}

//  One overdue item, late_ms past its due time, in its unit's histogram
//  (per bucket here; s_cumulate makes the counts Prometheus's).
static void
s_count_age (Dh__Histogram *ages, int64_t late_ms)
{
    double late_s = late_ms > 0? late_ms / 1000.0: 0;
    size_t bucket = 0;
    while (bucket < ages->n_bounds && late_s > ages->bounds [bucket])
        bucket++;
    if (bucket < ages->n_bounds)
        ages->counts [bucket]++;
    ages->count++;
    ages->sum += late_s;
}

static void
s_cumulate (Dh__Histogram *ages)
{
    for (size_t i = 1; i < ages->n_counts; i++)
        ages->counts [i] += ages->counts [i - 1];
}

//  Walk one index (unit \0 time(8) item) for one unit or every unit into
//  the rows. The open index also gives each unit's oldest: its first key.
static int
s_walk (s_rows_t *rows, dh_dbi_t index, const char *unit, s_column_t column)
{
    dh_call_t *call = rows->call;
    size_t prefix_size = *unit? strlen (unit) + 1: 0;
    dh_cursor_t *cursor;
    int rc = dh_cursor_open (call->txn, index, &cursor);
    if (rc)
        return rc;
    dh_val_t key, value;
    for (rc = prefix_size? dh_cursor_seek (cursor, unit, prefix_size, &key, &value):
                           dh_cursor_first (cursor, &key, &value);
         !rc && key.size >= prefix_size && !memcmp (key.data, unit, prefix_size);
         rc = dh_cursor_next (cursor, &key, &value)) {
        const char *start = key.data, *unit_end = memchr (start, 0, key.size);
        size_t unit_size = unit_end? (size_t) (unit_end - start): 0;
        if (!unit_end || !unit_size || unit_size > S_UNIT_MAX || key.size <= unit_size + 9) {
            rc = DH_E_CORRUPT;
            break;
        }
        Dh__QueueRow *row = s_row (rows, start, unit_size);
        if (!row) {
            rc = DH_E_NOMEM;
            break;
        }
        if (column == S_OPEN && !row->open++) {
            size_t item_size = key.size - unit_size - 9;
            char *item = dh_service_scratch (call->service, item_size + 1);
            if (!item) {
                rc = DH_E_NOMEM;
                break;
            }
            memcpy (item, unit_end + 9, item_size);
            item [item_size] = 0;
            row->oldest_item = item;
            row->oldest_received_at = (int64_t) dh_key_u64_read (unit_end + 1);
        }
        else
        if (column == S_DUE_SOON)
            row->due_soon++;
        else
        if (column == S_OVERDUE) {
            row->overdue++;
            s_count_age (row->overdue_age_s, rows->at - (int64_t) dh_key_u64_read (unit_end + 1));
        }
    }
    dh_cursor_close (&cursor);
    return rc == DH_E_NOT_FOUND? 0: rc;
}

static int
s_by_unit (const void *a, const void *b)
{
    return strcmp ((*(Dh__QueueRow * const *) a)->unit, (*(Dh__QueueRow * const *) b)->unit);
}

static int
s_queues (dh_call_t *call, void *state)
{
    deadline_t *self = state;
    Dh__QueuesQuery *query;
    int rc = dh_call_unpack (call, &dh__queues_query__descriptor, (ProtobufCMessage **) &query);
    if (rc)
        return rc;
    if (strlen (query->unit) > S_UNIT_MAX)
        return dh_call_fail (call, DH_E_INVALID, "unit code is longer than %d bytes", S_UNIT_MAX);
    s_rows_t rows = { .call = call, .at = dh_clock_now () };
    //  A unit asked for by name has its row, if only of zeros.
    if (*query->unit && !s_row (&rows, query->unit, strlen (query->unit)))
        return dh_call_fail (call, DH_E_NOMEM, "no memory for the queues");
    if ((rc = s_walk (&rows, self->open, query->unit, S_OPEN))
    ||  (rc = s_walk (&rows, self->due_soon, query->unit, S_DUE_SOON))
    ||  (rc = s_walk (&rows, self->overdue, query->unit, S_OVERDUE)))
        return dh_call_fail (call, rc, "cannot read the queues: %s", dh_strerror (rc));
    //  The lists may name a unit the open index does not (a store from
    //  before the index: main.c): every unit in order all the same.
    if (rows.count > 1)
        qsort (rows.rows, rows.count, sizeof *rows.rows, s_by_unit);
    Dh__QueuesReply reply = DH__QUEUES_REPLY__INIT;
    reply.at = rows.at;
    for (size_t i = 0; i < rows.count; i++) {
        Dh__QueueRow *row = rows.rows [i];
        if (row->open && reply.at > row->oldest_received_at)
            row->oldest_age_s = (reply.at - row->oldest_received_at) / 1000;
        s_cumulate (row->overdue_age_s);
    }
    reply.rows = rows.rows;
    reply.n_rows = rows.count;
    return dh_call_reply_message (call, &reply.base);
}

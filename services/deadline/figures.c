//  The figures supervisors use (DOMAIN §7), kept per unit in daily
//  buckets in the transactions that change them, never by scanning
//  items: any period sums a few hundred buckets. Stocks (open, overdue,
//  paused) are flows in and out, summed from the unit's first day.
//  RECOUNT counts the same columns from the clocks themselves, so an
//  operator (and the tests) can check the buckets.
#include <math.h>
#include "dh_call.h"
#include "dh_error.h"
#include "dh_types.h"
#include "deadline.h"

#define S_UNIT_MAX 64
#define S_PERIOD_MAX_DAYS 3700  //  ten years and some

typedef struct {
    uint32_t figures [DEADLINE_FIGURES];
} s_bucket_t;

static dh_handler_fn s_stats, s_recount;

const dh_command_t deadline_figure_commands [] = {
    { DH_MSG_STATS,   s_stats,   DH_FROM_CLIENT, 0, false, NULL },
    { DH_MSG_RECOUNT, s_recount, DH_FROM_CLIENT, 0, false, NULL },
    { 0 }
};

int64_t
deadline_day (int64_t at)
{
    int64_t local = at + DH_UTC7_MS;
    return local >= 0? local / 86400000: -((-local + 86399999) / 86400000);
}

static size_t
s_bucket_key (const char *unit, int64_t day, uint8_t *key)
{
    size_t unit_size = strlen (unit);
    memcpy (key, unit, unit_size);
    key [unit_size] = 0;
    uint32_t value = (uint32_t) day;
    for (int i = 0; i < 4; i++)
        key [unit_size + 1 + i] = (uint8_t) (value >> (24 - 8 * i));
    return unit_size + 5;
}

int
deadline_count (deadline_t *self, dh_call_t *call, const char *unit, int64_t at, deadline_figure_t figure,
                int delta)
{
    if (!*unit || strlen (unit) > S_UNIT_MAX)
        return dh_call_fail (call, DH_E_INVALID, "cannot count for unit '%.80s'", unit);
    uint8_t key [S_UNIT_MAX + 8];
    size_t key_size = s_bucket_key (unit, deadline_day (at), key);
    s_bucket_t bucket = { { 0 } };
    dh_val_t value;
    int rc = dh_txn_get (call->txn, self->counters, key, key_size, &value);
    if (rc == 0 && value.size == sizeof bucket)
        memcpy (&bucket, value.data, sizeof bucket);
    else
    if (rc == 0)
        return dh_call_fail (call, DH_E_CORRUPT, "the figures of %s are not %zu bytes", unit, sizeof bucket);
    else
    if (rc != DH_E_NOT_FOUND)
        return dh_call_fail (call, rc, "cannot read the figures of %s: %s", unit, dh_strerror (rc));
    bucket.figures [figure] += (uint32_t) delta;
    if ((rc = dh_txn_put (call->txn, self->counters, key, key_size, &bucket, sizeof bucket)))
        return dh_call_fail (call, rc, "cannot count for %s: %s", unit, dh_strerror (rc));
    return 0;
}

//  "YYYY-MM-DD" as days since 1970.
static bool
s_parse_day (const char *text, int64_t *day)
{
    int year, month, date, used = 0;
    if (sscanf (text, "%4d-%2d-%2d%n", &year, &month, &date, &used) != 3 || used != 10 || text [10]
    ||  year < 2000 || year > 2200 || month < 1 || month > 12 || date < 1 || date > 31)
        return false;
    *day = dh_days_from_civil (year, month, date);
    int y, m, d;
    dh_civil_from_days (*day, &y, &m, &d);
    return y == year && m == month && d == date;
}

typedef struct {
    int64_t from, to;
    int64_t before [DEADLINE_FIGURES];  //  days before from
    int64_t within [DEADLINE_FIGURES];  //  from to `to`
} s_sums_t;

static int
s_period (dh_call_t *call, const Dh__StatsQuery *query, s_sums_t *sums)
{
    memset (sums, 0, sizeof *sums);
    if (strlen (query->unit) > S_UNIT_MAX)
        return dh_call_fail (call, DH_E_INVALID, "unit code is longer than %d bytes", S_UNIT_MAX);
    if (!s_parse_day (query->from, &sums->from) || !s_parse_day (query->to, &sums->to))
        return dh_call_fail (call, DH_E_INVALID, "from and to are dates, YYYY-MM-DD (got '%.20s' and '%.20s')",
                             query->from, query->to);
    if (sums->to < sums->from || sums->to - sums->from > S_PERIOD_MAX_DAYS)
        return dh_call_fail (call, DH_E_RANGE, "the period must run forwards, at most %d days",
                             S_PERIOD_MAX_DAYS);
    return 0;
}

static int64_t
s_stock (const int64_t *figures, deadline_figure_t in, deadline_figure_t out)
{
    int64_t stock = figures [in] - figures [out];
    return stock > 0? stock: 0;
}

//  The report's columns from the sums (DOMAIN §7 says how each is made).
static int
s_report (dh_call_t *call, const Dh__StatsQuery *query, const s_sums_t *sums)
{
    const int64_t *in = sums->within;
    int64_t through [DEADLINE_FIGURES];
    for (int i = 0; i < DEADLINE_FIGURES; i++)
        through [i] = sums->before [i] + in [i];
    Dh__StatsReport report = DH__STATS_REPORT__INIT;
    report.unit = query->unit;
    report.from = query->from;
    report.to = query->to;
    report.carried_over = s_stock (sums->before, DEADLINE_OPENED, DEADLINE_CLOSED);
    report.received_online = in [DEADLINE_RECEIVED_ONLINE];
    report.received_in_person = in [DEADLINE_RECEIVED_IN_PERSON];
    report.received_post = in [DEADLINE_RECEIVED_POST];
    report.received = report.carried_over + report.received_online + report.received_in_person
                    + report.received_post;
    report.finished_early = in [DEADLINE_EARLY];
    report.finished_on_time = in [DEADLINE_ON_TIME];
    report.finished_late = in [DEADLINE_LATE];
    report.refused = in [DEADLINE_REFUSED];
    report.finished = report.finished_early + report.finished_on_time + report.finished_late + report.refused;
    report.in_progress = s_stock (through, DEADLINE_OPENED, DEADLINE_CLOSED);
    report.open_overdue = s_stock (through, DEADLINE_OVERDUE_IN, DEADLINE_OVERDUE_OUT);
    //  More overdue than open would be a breach counted twice: shown, not hidden.
    report.open_within = report.in_progress > report.open_overdue? report.in_progress - report.open_overdue: 0;
    report.paused = s_stock (through, DEADLINE_PAUSED_IN, DEADLINE_PAUSED_OUT);
    report.withdrawn = in [DEADLINE_WITHDRAWN];
    report.not_accepted = in [DEADLINE_NOT_ACCEPTED];
    report.apologies = in [DEADLINE_APOLOGIES];
    report.supplements = in [DEADLINE_SUPPLEMENTS];
    report.sent_back_twice = in [DEADLINE_SENT_BACK_TWICE];
    //  A refusal after examination is finished but left out of the split.
    uint64_t judged = report.finished_early + report.finished_on_time + report.finished_late;
    uint64_t in_time = report.finished_early + report.finished_on_time;
    report.on_time_rate = judged? round (1000.0 * in_time / judged) / 10: 0;
    //  QĐ 766: a dossier sent back for supplementation more than once
    //  counts as overdue.
    uint64_t good = in_time + report.open_within;
    good = good > report.sent_back_twice? good - report.sent_back_twice: 0;
    uint64_t all = judged + report.in_progress;
    report.progress_points = all? round (2000.0 * good / all) / 100: 0;
    return dh_call_reply_message (call, &report.base);
}

static int
s_stats (dh_call_t *call, void *state)
{
    deadline_t *self = state;
    Dh__StatsQuery *query;
    s_sums_t sums;
    int rc = dh_call_unpack (call, &dh__stats_query__descriptor, (ProtobufCMessage **) &query);
    if (rc || (rc = s_period (call, query, &sums)))
        return rc;
    uint8_t prefix [S_UNIT_MAX + 8];
    size_t prefix_size = *query->unit? strlen (query->unit) + 1: 0;
    memcpy (prefix, query->unit, prefix_size);
    dh_cursor_t *cursor;
    if ((rc = dh_cursor_open (call->txn, self->counters, &cursor)))
        return dh_call_fail (call, rc, "cannot read the figures: %s", dh_strerror (rc));
    dh_val_t key, value;
    for (rc = prefix_size? dh_cursor_seek (cursor, prefix, prefix_size, &key, &value):
                           dh_cursor_first (cursor, &key, &value);
         !rc && key.size >= prefix_size + 4 && key.size >= 6 && !memcmp (key.data, prefix, prefix_size);
         rc = dh_cursor_next (cursor, &key, &value)) {
        const uint8_t *at = (const uint8_t *) key.data + key.size - 4;
        int64_t day = (int64_t) (((uint32_t) at [0] << 24) | ((uint32_t) at [1] << 16)
                               | ((uint32_t) at [2] << 8) | at [3]);
        if (day > sums.to)
            continue;
        if (value.size != sizeof (s_bucket_t)) {
            rc = DH_E_CORRUPT;
            break;
        }
        s_bucket_t bucket;
        memcpy (&bucket, value.data, sizeof bucket);
        int64_t *into = day < sums.from? sums.before: sums.within;
        for (int i = 0; i < DEADLINE_FIGURES; i++)
            into [i] += (int32_t) bucket.figures [i];
    }
    dh_cursor_close (&cursor);
    if (rc && rc != DH_E_NOT_FOUND)
        return dh_call_fail (call, rc, "cannot read the figures: %s", dh_strerror (rc));
    return s_report (call, query, &sums);
}

//  One item clock into the sums as the buckets would have it.
static void
s_recount_one (const Dh__Clock *clock, s_sums_t *sums)
{
    int64_t received = clock->counted_day;
    int64_t stopped = clock->stopped_at? deadline_day (clock->stopped_at): INT64_MAX;
    if (received > sums->to)
        return;
    int64_t *at_receipt = received < sums->from? sums->before: sums->within;
    deadline_figure_t channel = clock->channel == DH__CHANNEL__ONLINE? DEADLINE_RECEIVED_ONLINE:
                                clock->channel == DH__CHANNEL__POST? DEADLINE_RECEIVED_POST:
                                DEADLINE_RECEIVED_IN_PERSON;
    at_receipt [channel]++;
    at_receipt [DEADLINE_OPENED]++;
    if (stopped > sums->to) {
        if (clock->breached)
            sums->within [DEADLINE_OVERDUE_IN]++;
        if (clock->paused)
            sums->within [DEADLINE_PAUSED_IN]++;
        return;
    }
    int64_t *at_stop = stopped < sums->from? sums->before: sums->within;
    at_stop [DEADLINE_CLOSED]++;
    deadline_figure_t end =
        clock->end == DH__CLOCK_END__END_REFUSED? DEADLINE_REFUSED:
        clock->end == DH__CLOCK_END__END_WITHDRAWN? DEADLINE_WITHDRAWN:
        clock->end == DH__CLOCK_END__END_NOT_ACCEPTED? DEADLINE_NOT_ACCEPTED:
        clock->outcome == DH__OUTCOME__EARLY? DEADLINE_EARLY:
        clock->outcome == DH__OUTCOME__ON_TIME? DEADLINE_ON_TIME: DEADLINE_LATE;
    at_stop [end]++;
}

static int
s_recount (dh_call_t *call, void *state)
{
    deadline_t *self = state;
    Dh__StatsQuery *query;
    s_sums_t sums;
    int rc = dh_call_unpack (call, &dh__stats_query__descriptor, (ProtobufCMessage **) &query);
    if (rc || (rc = s_period (call, query, &sums)))
        return rc;
    dh_cursor_t *cursor;
    if ((rc = dh_cursor_open (call->txn, self->clocks, &cursor)))
        return dh_call_fail (call, rc, "cannot read the clocks: %s", dh_strerror (rc));
    ProtobufCAllocator allocator = dh_call_allocator (call);
    dh_val_t key, value;
    for (rc = dh_cursor_first (cursor, &key, &value); !rc; rc = dh_cursor_next (cursor, &key, &value)) {
        if (memchr (key.data, '|', key.size))
            continue;           //  a step's or supplementation's clock
        Dh__Clock *clock = dh__clock__unpack (&allocator, value.size, value.data);
        if (!clock) {
            rc = DH_E_CORRUPT;
            break;
        }
        if ((rc = deadline_clock_fold (self, call, clock, NULL, NULL)))
            break;
        if (!*query->unit || !strcmp (query->unit, clock->unit))
            s_recount_one (clock, &sums);
        dh__clock__free_unpacked (clock, &allocator);
    }
    dh_cursor_close (&cursor);
    if (rc && rc != DH_E_NOT_FOUND)
        return dh_call_fail (call, rc, "cannot read the clocks: %s", dh_strerror (rc));
    return s_report (call, query, &sums);
}

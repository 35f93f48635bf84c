//  GET /api/dashboard: what the supervisors' dashboard shows, in one JSON
//  answer, from the deadline daemon. Per unit: the period's figures
//  (STATS), its queue (QUEUES), its overdue items with their holders
//  (OVERDUE), the on-time rate of each of the last weeks (a STATS per
//  week) and the overdue items by age band.
//
//  Every question of a refresh goes down one client, pipelined, in two
//  rounds: QUEUES and OVERDUE first (they name the units and the
//  daemon's time, which is "today" in a test that moved the clock), then
//  every STATS at once. The daemon answers them in one or two of its
//  batches; asked one by one, each would wait for its own.
//
//  The units shown are those with an item open or overdue: the daemon
//  has no list of units, and one with nothing open is still counted in
//  the whole agency's row.
#include <microhttpd.h>
#include "deadline.pb-c.h"
#include "dh_calendar.h"
#include "dh_client.h"
#include "dh_error.h"
#include "dh_types.h"
#include "gateway.h"

#define S_WEEKS 8
#define S_UNITS_MAX 60          //  (units + 1) × (1 + S_WEEKS) questions in flight
#define S_OVERDUE_MAX 1000      //  overdue entries asked for
#define S_DAY_MS 86400000LL

//  Overdue items by working days past due: the chart's bars.
static const struct {
    double up_to;               //  this band holds what is over by at most this many days
    const char *label;
} s_bands [] = {
    { 2,  "≤ 2 ngày" },
    { 5,  "3–5 ngày" },
    { 10, "6–10 ngày" },
    { 1e300, "> 10 ngày" },
};
#define S_BANDS (sizeof s_bands / sizeof s_bands [0])

static const char *s_kinds [] = { "", "item", "step", "supplement" };

//  One question of a round and its answer.
typedef struct {
    uint32_t type;
    const ProtobufCMessage *request;
    const ProtobufCMessageDescriptor *reply_type;
    uint64_t seq;
    ProtobufCMessage *answer;
} s_question_t;

//  The days of a period and of the weeks before its end, as text the
//  STATS questions point into.
typedef struct {
    char from [11], to [11];
    char week_from [S_WEEKS][11], week_to [S_WEEKS][11];
} s_days_t;

static int64_t
s_day_of (int64_t utc_ms)
{
    int64_t local = utc_ms + DH_UTC7_MS;
    return local >= 0? local / S_DAY_MS: -((-local + S_DAY_MS - 1) / S_DAY_MS);
}

static void
s_day_text (int64_t day, char text [11])
{
    int year, month, date;
    dh_civil_from_days (day, &year, &month, &date);
    snprintf (text, 11, "%04u-%02u-%02u", (unsigned) year % 10000u, (unsigned) month % 100u,
              (unsigned) date % 100u);
}

//  "YYYY-MM-DD" that names a real date.
static bool
s_parse_day (const char *text, int64_t *day)
{
    int year, month, date, used = 0;
    if (strlen (text) != 10 || sscanf (text, "%4d-%2d-%2d%n", &year, &month, &date, &used) != 3 || used != 10
    ||  year < 2000 || year > 2200 || month < 1 || month > 12 || date < 1 || date > 31)
        return false;
    *day = dh_days_from_civil (year, month, date);
    int y, m, d;
    dh_civil_from_days (*day, &y, &m, &d);
    return y == year && m == month && d == date;
}

//  The period asked for, or this month up to today (Hanoi, by the
//  daemon's clock); and the S_WEEKS weeks, Monday to Sunday, up to the
//  one that holds its last day.
static bool
s_days (http_request_t *request, int64_t now, s_days_t *days, http_reply_t *reply)
{
    const char *from = http_request_query (request, "from");
    const char *to = http_request_query (request, "to");
    int64_t from_day, to_day = s_day_of (now);
    if (!from != !to) {
        http_reply_error (reply, DH_E_INVALID, "from and to go together (YYYY-MM-DD, Hanoi), or neither: "
                          "this month up to today");
        return false;
    }
    if (from && (!s_parse_day (from, &from_day) || !s_parse_day (to, &to_day))) {
        http_reply_error (reply, DH_E_INVALID, "from and to are dates, YYYY-MM-DD");
        return false;
    }
    if (!from) {
        int year, month, date;
        dh_civil_from_days (to_day, &year, &month, &date);
        from_day = to_day - (date - 1);
    }
    s_day_text (from_day, days->from);
    s_day_text (to_day, days->to);
    //  1970-01-01 was a Thursday: day + 3 counts from a Monday.
    int64_t monday = to_day - ((to_day + 3) % 7 + 7) % 7;
    for (int week = 0; week < S_WEEKS; week++) {
        int64_t first = monday - 7 * (S_WEEKS - 1 - week);
        s_day_text (first, days->week_from [week]);
        s_day_text (first + 6 < to_day? first + 6: to_day, days->week_to [week]);
    }
    return true;
}

static int
s_send_all (dh_client_t *client, const char *actor, s_question_t *questions, size_t count, http_reply_t *reply)
{
    for (size_t i = 0; i < count; i++) {
        size_t size = protobuf_c_message_get_packed_size (questions [i].request);
        uint8_t *payload = malloc (size + 1);
        if (!payload) {
            http_reply_error (reply, DH_E_NOMEM, "out of memory");
            return DH_E_NOMEM;
        }
        protobuf_c_message_pack (questions [i].request, payload);
        int rc = dh_client_send (client, questions [i].type, actor, payload, size, &questions [i].seq);
        free (payload);
        if (rc) {
            http_reply_error_status (reply, MHD_HTTP_SERVICE_UNAVAILABLE, DH_E_IO, "cannot send to deadline");
            return DH_E_IO;
        }
    }
    return 0;
}

//  The question the reply answers, or NULL: an answer to a question of
//  another time.
static s_question_t *
s_question_of (s_question_t *questions, size_t count, const dh_reply_t *got)
{
    for (size_t i = 0; i < count; i++)
        if (questions [i].seq == got->seq && !questions [i].answer)
            return &questions [i];
    return NULL;
}

static int
s_receive_all (gateway_t *gateway, dh_client_t *client, s_question_t *questions, size_t count,
               http_reply_t *reply)
{
    int64_t deadline = zclock_mono () + gateway->timeout_ms;
    for (size_t answered = 0; answered < count; ) {
        int64_t left = deadline - zclock_mono ();
        dh_reply_t got;
        if (left <= 0 || dh_client_recv (client, (int) left, &got)) {
            http_reply_error_status (reply, MHD_HTTP_SERVICE_UNAVAILABLE, DH_E_TIMEOUT,
                                     "deadline did not answer in %d ms: is it running?", gateway->timeout_ms);
            return DH_E_TIMEOUT;
        }
        s_question_t *question = s_question_of (questions, count, &got);
        if (!question)
            continue;
        if (got.status) {
            http_reply_error (reply, got.status, "%s", got.error_text);
            return got.status;
        }
        question->answer = protobuf_c_message_unpack (question->reply_type, NULL, got.payload_size, got.payload);
        if (!question->answer) {
            http_reply_error_status (reply, MHD_HTTP_INTERNAL_SERVER_ERROR, DH_E_MALFORMED,
                                     "deadline sent a reply that is not a %s", question->reply_type->short_name);
            return DH_E_MALFORMED;
        }
        answered++;
    }
    return 0;
}

//  Ask every question down one client, then wait for every answer.
//  Returns 0, or fills reply with the first refusal (503 when the daemon
//  did not answer in the gateway's timeout) and returns its code.
//  @note each answer is the caller's (s_questions_free).
static int
s_ask (gateway_t *gateway, const char *actor, s_question_t *questions, size_t count, http_reply_t *reply)
{
    //  The connection thread's client (clients.c), as gateway_call's.
    dh_client_t *client = gateway_client_take (gateway, "deadline");
    if (!client) {
        http_reply_error_status (reply, MHD_HTTP_SERVICE_UNAVAILABLE, DH_E_CONFIG,
                                 "cannot reach deadline at %s (see the gateway's log)",
                                 dh_config_get_for (gateway->config, "deadline", "api"));
        return DH_E_CONFIG;
    }
    int rc = s_send_all (client, actor, questions, count, reply);
    if (!rc)
        rc = s_receive_all (gateway, client, questions, count, reply);
    //  After a round that failed, answers may still be owed to the
    //  client: it is not kept.
    gateway_client_give_back (gateway, "deadline", &client, rc == 0);
    return rc;
}

static void
s_questions_free (s_question_t *questions, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (questions [i].answer)
            protobuf_c_message_free_unpacked (questions [i].answer, NULL);
}

static int
s_compare_units (const void *a, const void *b)
{
    return strcmp (*(const char * const *) a, *(const char * const *) b);
}

//  The units with an item open or overdue, sorted, at most S_UNITS_MAX.
//  @note the names point into the answers.
static size_t
s_units (const Dh__QueuesReply *queues, const Dh__DeadlineList *overdue, const char **units, bool *cut)
{
    size_t count = 0;
    *cut = false;
    for (size_t i = 0; i < queues->n_rows + overdue->n_entries; i++) {
        const char *unit = i < queues->n_rows? queues->rows [i]->unit: overdue->entries [i - queues->n_rows]->unit;
        bool known = !*unit;
        for (size_t k = 0; k < count && !known; k++)
            known = !strcmp (units [k], unit);
        if (known)
            continue;
        if (count == S_UNITS_MAX) {
            *cut = true;
            break;
        }
        units [count++] = unit;
    }
    qsort (units, count, sizeof *units, s_compare_units);
    return count;
}

static json_t *
s_rate (const Dh__StatsReport *stats)
{
    //  No item finished and judged: no rate, rather than a rate of 0.
    bool judged = stats->finished_early + stats->finished_on_time + stats->finished_late > 0;
    return judged? json_real (stats->on_time_rate): json_null ();
}

static json_t *
s_time (int64_t utc_ms)
{
    char local [40] = "";
    if (utc_ms)
        dh_pbjson_time (utc_ms, local, sizeof local);
    return json_pack ("{s:I, s:s}", "at", (json_int_t) utc_ms, "local", local);
}

//  A unit's queue, or the sum of every unit's (unit NULL).
static json_t *
s_queue (const Dh__QueuesReply *queues, const char *unit)
{
    uint64_t open = 0, due_soon = 0, overdue = 0;
    const Dh__QueueRow *oldest = NULL;
    for (size_t i = 0; i < queues->n_rows; i++) {
        const Dh__QueueRow *row = queues->rows [i];
        if (unit && strcmp (row->unit, unit))
            continue;
        open += row->open;
        due_soon += row->due_soon;
        overdue += row->overdue;
        if (row->oldest_received_at && (!oldest || row->oldest_received_at < oldest->oldest_received_at))
            oldest = row;
    }
    json_t *age = oldest? json_integer (queues->at - oldest->oldest_received_at > 0?
                                        (queues->at - oldest->oldest_received_at) / 1000: 0): json_null ();
    return json_pack ("{s:I, s:I, s:I, s:o, s:s, s:o}", "open", (json_int_t) open, "due_soon", (json_int_t) due_soon,
                      "overdue", (json_int_t) overdue, "oldest_age_s", age,
                      "oldest_item", oldest? oldest->oldest_item: "",
                      "oldest_received", s_time (oldest? oldest->oldest_received_at: 0));
}

//  One row of the figures table: the period's STATS, the queue and the
//  rate of each week (stats [0] the period, stats [1..] the weeks).
static json_t *
s_unit (const char *unit, s_question_t *stats, const Dh__QueuesReply *queues)
{
    const Dh__StatsReport *period = (const Dh__StatsReport *) stats [0].answer;
    json_t *weeks = json_array ();
    for (int week = 0; week < S_WEEKS; week++)
        json_array_append_new (weeks, s_rate ((const Dh__StatsReport *) stats [1 + week].answer));
    return json_pack ("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:I, s:I, s:o, s:o}",
                      "unit", unit, "received", (json_int_t) period->received,
                      "carried_over", (json_int_t) period->carried_over,
                      "finished", (json_int_t) period->finished, "early", (json_int_t) period->finished_early,
                      "on_time", (json_int_t) period->finished_on_time, "late", (json_int_t) period->finished_late,
                      "refused", (json_int_t) period->refused, "on_time_rate", s_rate (period),
                      "open_within", (json_int_t) period->open_within,
                      "open_overdue", (json_int_t) period->open_overdue,
                      "queue", s_queue (queues, *unit? unit: NULL), "weekly", weeks);
}

//  The overdue list, and the items (not their steps) by age band.
static void
s_overdue (json_t *board, const Dh__DeadlineList *overdue)
{
    json_t *list = json_array ();
    json_t *bands = json_array ();
    for (size_t b = 0; b < S_BANDS; b++)
        json_array_append_new (bands, json_pack ("{s:s, s:i, s:{}}", "label", s_bands [b].label, "count", 0,
                                                 "units"));
    for (size_t i = 0; i < overdue->n_entries; i++) {
        const Dh__DeadlineEntry *entry = overdue->entries [i];
        unsigned kind = entry->kind < 4? (unsigned) entry->kind: 0;
        json_array_append_new (list, json_pack ("{s:s, s:s, s:s, s:s, s:s, s:o, s:f}", "item", entry->item,
                                                "unit", entry->unit, "holder", entry->holder, "node", entry->node,
                                                "kind", s_kinds [kind], "due", s_time (entry->due_at),
                                                "working_days", entry->working_days));
        if (entry->kind != DH__CLOCK_KIND__ITEM_CLOCK)
            continue;
        size_t b = 0;
        while (b + 1 < S_BANDS && entry->working_days > s_bands [b].up_to)
            b++;
        json_t *band = json_array_get (bands, b);
        json_object_set_new (band, "count", json_integer (json_integer_value (json_object_get (band, "count")) + 1));
        json_t *per_unit = json_object_get (band, "units");
        json_t *now = json_object_get (per_unit, entry->unit);
        json_object_set_new (per_unit, entry->unit, json_integer (now? json_integer_value (now) + 1: 1));
    }
    json_object_set_new (board, "overdue", list);
    json_object_set_new (board, "overdue_cut", json_boolean (overdue->n_entries >= S_OVERDUE_MAX));
    json_object_set_new (board, "bands", bands);
}

//  Round two: for the agency ("") and each unit, the period's STATS and
//  one per week, nine questions each, in that order.
static s_question_t *
s_stats_questions (const s_days_t *days, const char **units, size_t unit_count, Dh__StatsQuery *queries)
{
    size_t per = 1 + S_WEEKS;
    s_question_t *questions = calloc ((unit_count + 1) * per, sizeof *questions);
    if (!questions)
        return NULL;
    for (size_t u = 0; u <= unit_count; u++)
        for (size_t q = 0; q < per; q++) {
            Dh__StatsQuery *query = &queries [u * per + q];
            dh__stats_query__init (query);
            query->unit = (char *) (u? units [u - 1]: "");
            query->from = (char *) (q? days->week_from [q - 1]: days->from);
            query->to = (char *) (q? days->week_to [q - 1]: days->to);
            questions [u * per + q] = (s_question_t) { DH_MSG_STATS, &query->base, &dh__stats_report__descriptor,
                                                       0, NULL };
        }
    return questions;
}

static json_t *
s_weeks (const s_days_t *days)
{
    json_t *weeks = json_array ();
    for (int week = 0; week < S_WEEKS; week++)
        json_array_append_new (weeks, json_pack ("{s:s, s:s}", "from", days->week_from [week],
                                                 "to", days->week_to [week]));
    return weeks;
}

//  The answer, from both rounds' answers (questions: round two's).
static json_t *
s_answer (http_request_t *request, const s_days_t *days, const char **units, size_t unit_count, bool cut,
          s_question_t *questions, const Dh__QueuesReply *queues, const Dh__DeadlineList *overdue)
{
    json_t *rows = json_array ();
    for (size_t u = 1; u <= unit_count; u++)
        json_array_append_new (rows, s_unit (units [u - 1], questions + u * (1 + S_WEEKS), queues));
    json_t *board = json_pack ("{s:s, s:o, s:s, s:s, s:o, s:o, s:b, s:o}", "staff", http_request_staff (request),
                               "now", s_time (queues->at), "from", days->from, "to", days->to,
                               "weeks", s_weeks (days), "units", rows, "units_cut", cut,
                               "total", s_unit ("", questions, queues));
    if (board)
        s_overdue (board, overdue);
    return board;
}

//  Round two and the answer, once round one named the units.
static void
s_board (gateway_t *gateway, http_request_t *request, http_reply_t *reply, const Dh__QueuesReply *queues,
         const Dh__DeadlineList *overdue)
{
    s_days_t days;
    if (!s_days (request, queues->at, &days, reply))
        return;
    const char *units [S_UNITS_MAX];
    bool cut;
    size_t unit_count = s_units (queues, overdue, units, &cut);
    size_t count = (unit_count + 1) * (1 + S_WEEKS);
    Dh__StatsQuery *queries = calloc (count, sizeof *queries);
    s_question_t *questions = queries? s_stats_questions (&days, units, unit_count, queries): NULL;
    if (!questions)
        http_reply_error (reply, DH_E_NOMEM, "out of memory");
    else
    if (!s_ask (gateway, http_request_staff (request), questions, count, reply)) {
        json_t *board = s_answer (request, &days, units, unit_count, cut, questions, queues, overdue);
        if (board)
            http_reply_json (reply, MHD_HTTP_OK, board);
        else
            http_reply_error (reply, DH_E_NOMEM, "out of memory");
    }
    if (questions)
        s_questions_free (questions, count);
    free (questions);
    free (queries);
}

void
board_answer (gateway_t *gateway, http_request_t *request, http_reply_t *reply)
{
    bool deployed = false;
    for (size_t i = 0; i < gateway->daemon_count; i++)
        deployed |= !strcmp (gateway->daemons [i], "deadline");
    if (!deployed) {
        http_reply_error_status (reply, MHD_HTTP_SERVICE_UNAVAILABLE, DH_E_CONFIG,
                                 "the dashboard needs the deadline daemon, which this configuration does not name");
        return;
    }
    Dh__QueuesQuery queues = DH__QUEUES_QUERY__INIT;
    Dh__DeadlineQuery overdue = DH__DEADLINE_QUERY__INIT;
    overdue.limit = S_OVERDUE_MAX;
    s_question_t first [2] = {
        { DH_MSG_QUEUES, &queues.base, &dh__queues_reply__descriptor, 0, NULL },
        { DH_MSG_OVERDUE, &overdue.base, &dh__deadline_list__descriptor, 0, NULL },
    };
    if (!s_ask (gateway, http_request_staff (request), first, 2, reply))
        s_board (gateway, request, reply, (const Dh__QueuesReply *) first [0].answer,
                 (const Dh__DeadlineList *) first [1].answer);
    s_questions_free (first, 2);
}

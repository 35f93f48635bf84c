/*  bench_deadline — the deadline daemon under millions of clocks
    (tests/bench/run.sh, section 5). One program, several parts:

    bench_deadline assign [--config F] [--set KEY=VALUE]...
        a service named "assign" that stands in for dunghan-assign: it
        writes CLOCK_CHANGE (item clock START) messages to its outbox for
        "deadline", per_commit at a time, at most in_flight link batches
        unacknowledged, as the plan it is given says (TEST_APPLY), and
        tells how far it got (TEST_COUNT).
    bench_deadline load ASSIGN_ENDPOINT FIRST COUNT [KEY=VALUE]...
        gives the loader a plan and waits until the deadline daemon has
        applied and acknowledged all of it. Plan keys: prefix (item code
        before the 9-digit number), at (UTC ms of receipt), spread_days
        (receipts spread over that many days, one day after another),
        spread_first / spread_count (the items the spread is over: several
        loads can share one), hours (working hours allowed), short_every /
        short_at / short_hours (every Nth item received at short_at with
        short_hours instead), burst_every / burst_at (the same, at
        burst_at, for the items short_every left), units (lead units
        BENCH.U00..).
        Prints: loaded COUNT ms MS per_s R
    bench_deadline fire DEADLINE_ENDPOINT SET_MS EXPECT
        moves the daemon's clock to SET_MS (CLOCK) and waits until EXPECT
        more events were published (one per warning or breach fired).
        Prints the daemon's own figures over the firing (STATUS before and
        after): batches, apply_us, commit_us, wall_ms (CLOCK sent to the
        last firing seen, polled every 2 ms).
    bench_deadline stats DEADLINE_ENDPOINT UNIT YEAR N
        N STATS queries of UNIT from YEAR-01-01 to YEAR-12-31; prints the
        median and the slowest round trip, the median of N PINGs (the
        round trip of a command that reads nothing), and the report's
        received.
    bench_deadline recompute DEADLINE_ENDPOINT PID
        one RECOMPUTE, followed by RECOMPUTE_STATUS every 20 ms until the
        run is done; prints how long it took, what it recomputed and
        moved, the daemon's RssAnon before and at its highest during
        (/proc/PID/status, read at each status), and the slowest status
        round trip (how long a command waited behind a turn).
    bench_deadline wait-file PATH TIMEOUT_S
        prints the real time (ns) at which PATH exists, polled every ms.

    Clients speak with the certificate "linktest" (an operator's).  */
#include <czmq.h>
#include "deadline.pb-c.h"
#include "envelope.pb-c.h"
#include "dh_client.h"
#include "dh_clock.h"
#include "dh_error.h"
#include "dh_link.h"
#include "dh_service.h"
#include "dh_types.h"
#include "../helpers/identity.h"
#include "../helpers/latency.h"

//  --------------------------------------------------------------- loader

typedef struct {
    char prefix [16];
    uint64_t first, count;
    int64_t at, spread_days, spread_first, spread_count, short_every, short_at, burst_every, burst_at, units;
    double hours, short_hours;
} s_plan_t;

typedef struct {
    dh_service_t *service;
    s_plan_t plan;
    bool active;
    uint64_t produced;          //  of the plan, committed
    uint64_t batch;             //  what the transaction under way writes
    uint64_t per_commit, in_flight;
    int64_t started_us, done_us;
} s_loader_t;

static const char *const s_procedure = "1.003583.000.00.00.H26";

static int
s_produce (dh_call_t *call, void *arg)
{
    s_loader_t *self = arg;
    const s_plan_t *plan = &self->plan;
    //  From what is committed: a batch run again writes the same clocks.
    uint64_t batch = plan->count - self->produced;
    if (batch > self->per_commit)
        batch = self->per_commit;
    self->batch = batch;
    for (uint64_t n = 0; n < batch; n++) {
        uint64_t offset = self->produced + n, i = plan->first + offset;
        char item [32], unit [32];
        snprintf (item, sizeof item, "%s%09" PRIu64, plan->prefix, i);
        snprintf (unit, sizeof unit, "BENCH.U%02" PRId64, (int64_t) (i / 3 % (uint64_t) plan->units));
        Dh__ClockChange change = DH__CLOCK_CHANGE__INIT;
        change.item = item;
        change.kind = DH__CLOCK_KIND__ITEM_CLOCK;
        change.action = DH__CLOCK_ACTION__CLOCK_START;
        change.unit = unit;
        change.procedure = (char *) s_procedure;
        change.channel = (Dh__Channel) (DH__CHANNEL__IN_PERSON + i % 3);
        if (plan->short_every && i % (uint64_t) plan->short_every == 0) {
            change.at = plan->short_at;
            change.hours = plan->short_hours;
        }
        else
        if (plan->burst_every && i % (uint64_t) plan->burst_every == 0) {
            change.at = plan->burst_at;
            change.hours = plan->short_hours;
        }
        else {
            //  Receipts one day after another, spread_days over the
            //  spread_count items from spread_first.
            int64_t day = plan->spread_days?
                (int64_t) ((i - (uint64_t) plan->spread_first) * (uint64_t) plan->spread_days
                           / (uint64_t) plan->spread_count): 0;
            change.at = plan->at + day * 86400000;
            change.hours = plan->hours;
        }
        uint8_t bytes [256];
        if (dh__clock_change__get_packed_size (&change) > sizeof bytes)
            return DH_E_TOO_BIG;
        size_t size = dh__clock_change__pack (&change, bytes);
        int rc = dh_service_send (call->service, call->txn, "deadline", DH_MSG_CLOCK_CHANGE, "assign",
                                  bytes, size);
        if (rc)
            return rc;
    }
    return 0;
}

static int
s_loader_timer (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    s_loader_t *self = arg;
    if (!self->active)
        return 0;
    const char *peer;
    uint64_t last, acked, sent;
    dh_link_t *link = dh_service_link (self->service);
    dh_link_peer_status (link, 0, &peer, &last, &acked, &sent);
    //  Several commits per tick while the deadline daemon keeps up.
    for (int commits = 0; commits < 16 && self->produced < self->plan.count
                          && last - acked < self->in_flight; commits++) {
        if (dh_service_transact (self->service, s_produce, self))
            break;              //  nothing kept: produced again next tick
        self->produced += self->batch;
        dh_link_peer_status (link, 0, &peer, &last, &acked, &sent);
    }
    if (self->produced == self->plan.count && last == acked) {
        self->active = false;
        self->done_us = zclock_usecs ();
        zsys_info ("assign: %" PRIu64 " clocks loaded and acknowledged in %.1f s", self->plan.count,
                   (self->done_us - self->started_us) / 1e6);
    }
    return 0;
}

static bool
s_plan_set (s_plan_t *plan, const char *key, const char *value)
{
    char *end;
    if (!strcmp (key, "prefix")) {
        if (strlen (value) >= sizeof plan->prefix || strchr (value, '|'))
            return false;
        strcpy (plan->prefix, value);
        return true;
    }
    if (!strcmp (key, "hours") || !strcmp (key, "short_hours")) {
        double number = strtod (value, &end);
        *(!strcmp (key, "hours")? &plan->hours: &plan->short_hours) = number;
        return *end == 0 && number > 0;
    }
    long long number = strtoll (value, &end, 10);
    if (*end || number < 0)
        return false;
    if (!strcmp (key, "at"))
        plan->at = number;
    else if (!strcmp (key, "spread_days"))
        plan->spread_days = number;
    else if (!strcmp (key, "short_every"))
        plan->short_every = number;
    else if (!strcmp (key, "short_at"))
        plan->short_at = number;
    else if (!strcmp (key, "burst_every"))
        plan->burst_every = number;
    else if (!strcmp (key, "burst_at"))
        plan->burst_at = number;
    else if (!strcmp (key, "spread_first"))
        plan->spread_first = number;
    else if (!strcmp (key, "spread_count") && number > 0)
        plan->spread_count = number;
    else if (!strcmp (key, "units") && number > 0 && number < 100)
        plan->units = number;
    else if (!strcmp (key, "first"))
        plan->first = (uint64_t) number;
    else if (!strcmp (key, "count") && number > 0)
        plan->count = (uint64_t) number;
    else
        return false;
    return true;
}

//  TEST_APPLY: "key=value key=value ...", a plan to load.
static int
s_handle_plan (dh_call_t *call, void *arg)
{
    s_loader_t *self = arg;
    if (self->active)
        return dh_call_fail (call, DH_E_BUSY, "a plan is being loaded");
    char text [1024];
    size_t size = call->envelope->payload_size;
    if (size >= sizeof text)
        return dh_call_fail (call, DH_E_TOO_BIG, "plan too long");
    memcpy (text, call->envelope->payload, size);
    text [size] = 0;
    s_plan_t plan = { .prefix = "BD", .hours = 80, .short_hours = 1, .units = 10,
                      .at = dh_clock_now (), .spread_first = -1 };
    char *save, *word;
    for (word = strtok_r (text, " ", &save); word; word = strtok_r (NULL, " ", &save)) {
        char *value = strchr (word, '=');
        if (!value)
            return dh_call_fail (call, DH_E_INVALID, "'%s' is not key=value", word);
        *value++ = 0;
        if (!s_plan_set (&plan, word, value))
            return dh_call_fail (call, DH_E_INVALID, "bad plan key or value: %s", word);
    }
    if (!plan.count)
        return dh_call_fail (call, DH_E_INVALID, "the plan needs a count");
    if (plan.spread_first < 0)
        plan.spread_first = (int64_t) plan.first;
    if (!plan.spread_count)
        plan.spread_count = (int64_t) plan.count;
    if ((uint64_t) plan.spread_first > plan.first)
        return dh_call_fail (call, DH_E_INVALID, "spread_first is after first");
    self->plan = plan;
    self->produced = 0;
    self->active = true;
    self->started_us = zclock_usecs ();
    self->done_us = 0;
    return 0;
}

static int
s_handle_count (dh_call_t *call, void *arg)
{
    s_loader_t *self = arg;
    char text [160];
    int size = snprintf (text, sizeof text, "produced=%" PRIu64 " count=%" PRIu64 " done=%d ms=%" PRId64,
                         self->produced, self->plan.count, !self->active && self->done_us,
                         ((self->done_us? self->done_us: zclock_usecs ()) - self->started_us) / 1000);
    return dh_call_reply (call, text, (size_t) size);
}

static const dh_config_key_t s_loader_keys [] = {
    { "per_commit", "2048", "clock messages written in one commit (one link batch)", false },
    { "in_flight", "8", "most link batches unacknowledged by the deadline daemon", false },
    { NULL, NULL, NULL, false }
};

static int
s_loader_setup (dh_service_t *service, void *arg)
{
    s_loader_t *self = arg;
    self->service = service;
    int64_t per_commit, in_flight;
    dh_config_t *config = dh_service_config (service);
    int rc = dh_config_int (config, "per_commit", 1, 100000, &per_commit);
    if (!rc)
        rc = dh_config_int (config, "in_flight", 1, 256, &in_flight);
    if (rc)
        return rc;
    self->per_commit = (uint64_t) per_commit;
    self->in_flight = (uint64_t) in_flight;
    static const dh_command_t commands [] = {
        { DH_MSG_TEST_APPLY, s_handle_plan,  DH_FROM_CLIENT, 0, false, NULL },
        { DH_MSG_TEST_COUNT, s_handle_count, DH_FROM_CLIENT, 0, false, NULL },
        { 0 }
    };
    dh_service_register (service, commands, self);
    if ((rc = dh_service_add_peer (service, "deadline")))
        return rc;
    zloop_timer (dh_service_loop (service), 1, 0, s_loader_timer, self);
    return 0;
}

//  -------------------------------------------------------------- clients

static dh_auth_t *s_auth;

static dh_client_t *
s_client (const char *service, const char *endpoint)
{
    if (!s_auth)
        s_auth = helper_auth ("linktest");
    dh_client_t *client = dh_client_new (s_auth, service, endpoint);
    if (!client) {
        fprintf (stderr, "bench_deadline: no client for %s at %s\n", service, endpoint);
        exit (1);
    }
    return client;
}

//  One command; exits on any failure (a benchmark has no use for half a figure).
static void
s_call (dh_client_t *client, uint32_t type, const void *payload, size_t size, int timeout_ms,
        dh_reply_t *reply)
{
    int rc = dh_client_call (client, type, "linktest", payload, size, timeout_ms, reply);
    if (rc || reply->status) {
        fprintf (stderr, "bench_deadline: %s failed: %s %s\n", dh_type_name (type),
                 rc? dh_strerror (rc): reply->error_name, rc? "": reply->error_text);
        exit (1);
    }
}

static Dh__ServiceStatus *
s_status (dh_client_t *client)
{
    dh_reply_t reply;
    s_call (client, DH_MSG_STATUS, NULL, 0, 10000, &reply);
    Dh__ServiceStatus *status = dh__service_status__unpack (NULL, reply.payload_size, reply.payload);
    if (!status) {
        fprintf (stderr, "bench_deadline: STATUS is not a ServiceStatus\n");
        exit (1);
    }
    return status;
}

static int
s_load (const char *endpoint, int argc, char **argv)
{
    dh_client_t *client = s_client ("assign", endpoint);
    char plan [1024];
    int size = snprintf (plan, sizeof plan, "first=%s count=%s", argv [0], argv [1]);
    for (int i = 2; i < argc && size < (int) sizeof plan; i++)
        size += snprintf (plan + size, sizeof plan - size, " %s", argv [i]);
    if (size >= (int) sizeof plan) {
        fprintf (stderr, "bench_deadline: plan too long\n");
        return 2;
    }
    dh_reply_t reply;
    s_call (client, DH_MSG_TEST_APPLY, plan, (size_t) size, 5000, &reply);
    char text [200] = "";
    for (;;) {
        zclock_sleep (20);
        s_call (client, DH_MSG_TEST_COUNT, NULL, 0, 5000, &reply);
        snprintf (text, sizeof text, "%.*s", (int) reply.payload_size, reply.payload);
        if (strstr (text, " done=1 "))
            break;
    }
    unsigned long long produced = 0, count = 0;
    long long ms = 0;
    int done = 0;
    sscanf (text, "produced=%llu count=%llu done=%d ms=%lld", &produced, &count, &done, &ms);
    printf ("loaded %llu ms %lld per_s %.0f\n", count, ms, ms? count * 1000.0 / ms: 0);
    dh_client_destroy (&client);
    return 0;
}

static int
s_fire (const char *endpoint, int64_t set_ms, uint64_t expect)
{
    dh_client_t *client = s_client ("deadline", endpoint);
    Dh__ServiceStatus *before = s_status (client);
    Dh__ClockCommand command = DH__CLOCK_COMMAND__INIT;
    command.set_ms = set_ms;
    uint8_t bytes [32];
    dh_reply_t reply;
    int64_t started = zclock_usecs ();
    s_call (client, DH_MSG_CLOCK, bytes, dh__clock_command__pack (&command, bytes), 10000, &reply);
    Dh__ServiceStatus *after = NULL;
    int64_t seen = 0;
    for (;;) {
        after = s_status (client);
        seen = zclock_usecs ();
        if (after->event_seq - before->event_seq >= expect)
            break;
        if (seen - started > 300000000) {
            fprintf (stderr, "bench_deadline: %" PRIu64 " of %" PRIu64 " fired in 300 s\n",
                     after->event_seq - before->event_seq, expect);
            return 1;
        }
        dh__service_status__free_unpacked (after, NULL);
        zclock_sleep (2);
    }
    printf ("fired %" PRIu64 " batches %" PRIu64 " messages %" PRIu64 " apply_us %" PRIu64
            " commit_us %" PRIu64 " wall_ms %.1f\n",
            after->event_seq - before->event_seq, after->batches - before->batches,
            after->messages - before->messages, after->apply_us - before->apply_us,
            after->commit_us - before->commit_us, (seen - started) / 1000.0);
    dh__service_status__free_unpacked (before, NULL);
    dh__service_status__free_unpacked (after, NULL);
    dh_client_destroy (&client);
    return 0;
}

static int
s_stats (const char *endpoint, const char *unit, int year, int count)
{
    dh_client_t *client = s_client ("deadline", endpoint);
    char from [16], to [16];
    snprintf (from, sizeof from, "%04d-01-01", year);
    snprintf (to, sizeof to, "%04d-12-31", year);
    Dh__StatsQuery query = DH__STATS_QUERY__INIT;
    query.unit = (char *) unit;
    query.from = from;
    query.to = to;
    uint8_t bytes [128];
    size_t size = dh__stats_query__pack (&query, bytes);
    int64_t *latencies = calloc ((size_t) count, sizeof (int64_t));
    uint64_t received = 0, in_progress = 0;
    for (int i = 0; i < count; i++) {
        dh_reply_t reply;
        int64_t started = zclock_usecs ();
        s_call (client, DH_MSG_PING, NULL, 0, 10000, &reply);
        latencies [i] = zclock_usecs () - started;
    }
    latency_sort (latencies, (size_t) count);
    double ping_ms = latency_ms (latencies, (size_t) count, 50);
    for (int i = 0; i < count; i++) {
        dh_reply_t reply;
        int64_t started = zclock_usecs ();
        s_call (client, DH_MSG_STATS, bytes, size, 10000, &reply);
        latencies [i] = zclock_usecs () - started;
        Dh__StatsReport *report = dh__stats_report__unpack (NULL, reply.payload_size, reply.payload);
        if (report) {
            received = report->received;
            in_progress = report->in_progress;
            dh__stats_report__free_unpacked (report, NULL);
        }
    }
    latency_sort (latencies, (size_t) count);
    printf ("median_ms %.2f max_ms %.2f ping_median_ms %.2f received %" PRIu64 " in_progress %" PRIu64 "\n",
            latency_ms (latencies, (size_t) count, 50), latencies [count - 1] / 1000.0, ping_ms, received,
            in_progress);
    free (latencies);
    dh_client_destroy (&client);
    return 0;
}

//  RssAnon of a process, kB (0 if it cannot be read).
static long
s_rss_anon (const char *pid)
{
    char path [64], line [256];
    snprintf (path, sizeof path, "/proc/%s/status", pid);
    FILE *file = fopen (path, "r");
    long kb = 0;
    while (file && fgets (line, sizeof line, file))
        if (sscanf (line, "RssAnon: %ld", &kb) == 1)
            break;
    if (file)
        fclose (file);
    return kb;
}

//  One RECOMPUTE, then RECOMPUTE_STATUS every 20 ms until the run is
//  done: each status waits behind at most one turn of the run, so the
//  slowest says how long the loop was held.
static int
s_recompute (const char *endpoint, const char *pid)
{
    dh_client_t *client = s_client ("deadline", endpoint);
    long rss_before = s_rss_anon (pid), rss_max = rss_before;
    int64_t started = zclock_usecs (), slowest = 0;
    dh_reply_t reply;
    uint32_t type = DH_MSG_RECOMPUTE;
    Dh__RecomputeReply *answer = NULL;
    size_t polls = 0;
    for (;;) {
        int64_t asked = zclock_usecs ();
        s_call (client, type, NULL, 0, 60000, &reply);
        if (type == DH_MSG_RECOMPUTE_STATUS && zclock_usecs () - asked > slowest)
            slowest = zclock_usecs () - asked;
        answer = dh__recompute_reply__unpack (NULL, reply.payload_size, reply.payload);
        if (!answer) {
            fprintf (stderr, "bench_deadline: the reply is not a RecomputeReply\n");
            return 1;
        }
        long rss = s_rss_anon (pid);
        if (rss > rss_max)
            rss_max = rss;
        if (!answer->running)
            break;
        dh__recompute_reply__free_unpacked (answer, NULL);
        if (zclock_usecs () - started > 600000000) {
            fprintf (stderr, "bench_deadline: the recompute was not done in 600 s\n");
            return 1;
        }
        zclock_sleep (20);
        type = DH_MSG_RECOMPUTE_STATUS;
        polls++;
    }
    double seconds = (zclock_usecs () - started) / 1e6;
    printf ("clocks %" PRIu64 " moved %" PRIu64 " seconds %.2f per_s %.0f rss_anon_kb_before %ld "
            "rss_anon_kb_max %ld rss_anon_kb_after %ld status_polls %zu status_max_ms %.1f\n", answer->clocks,
            answer->moved, seconds, answer->clocks / seconds, rss_before, rss_max, s_rss_anon (pid), polls,
            slowest / 1000.0);
    dh__recompute_reply__free_unpacked (answer, NULL);
    dh_client_destroy (&client);
    return 0;
}

static int
s_wait_file (const char *path, int timeout_s)
{
    int64_t started = zclock_usecs ();
    while (access (path, F_OK)) {
        if (zclock_usecs () - started > (int64_t) timeout_s * 1000000) {
            fprintf (stderr, "bench_deadline: no %s after %d s\n", path, timeout_s);
            return 1;
        }
        zclock_sleep (1);
    }
    struct timespec now;
    clock_gettime (CLOCK_REALTIME, &now);
    printf ("%lld\n", (long long) now.tv_sec * 1000000000LL + now.tv_nsec);
    return 0;
}

int
main (int argc, char **argv)
{
    const char *usage =
        "usage: bench_deadline assign [--config F] [--set KEY=VALUE]...\n"
        "       bench_deadline load ASSIGN_ENDPOINT FIRST COUNT [KEY=VALUE]...\n"
        "       bench_deadline fire DEADLINE_ENDPOINT SET_MS EXPECT\n"
        "       bench_deadline stats DEADLINE_ENDPOINT UNIT YEAR N\n"
        "       bench_deadline recompute DEADLINE_ENDPOINT PID\n"
        "       bench_deadline wait-file PATH TIMEOUT_S";
    const char *part = argc > 1? argv [1]: "";
    int rc = 2;
    if (!strcmp (part, "assign")) {
        s_loader_t loader = { 0 };
        return dh_service_main ("assign", usage, argc - 1, argv + 1, s_loader_keys, s_loader_setup, &loader);
    }
    if (!strcmp (part, "load") && argc >= 5)
        rc = s_load (argv [2], argc - 3, argv + 3);
    else
    if (!strcmp (part, "fire") && argc == 5)
        rc = s_fire (argv [2], strtoll (argv [3], NULL, 10), strtoull (argv [4], NULL, 10));
    else
    if (!strcmp (part, "stats") && argc == 6 && atoi (argv [5]) > 0)
        rc = s_stats (argv [2], argv [3], atoi (argv [4]), atoi (argv [5]));
    else
    if (!strcmp (part, "recompute") && argc == 4)
        rc = s_recompute (argv [2], argv [3]);
    else
    if (!strcmp (part, "wait-file") && argc == 4)
        rc = s_wait_file (argv [2], atoi (argv [3]));
    else {
        fprintf (rc == 2 && !strcmp (part, "--help")? stdout: stderr, "%s\n", usage);
        return strcmp (part, "--help")? 2: 0;
    }
    dh_auth_destroy (&s_auth);
    return rc;
}

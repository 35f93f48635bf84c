//  The commands asked of every daemon the configuration names, one row
//  each in s_surveys: audit verify, health, time advance, time set. A
//  daemon that is down or refuses is reported, never skipped, and makes
//  the exit status 1. A daemon without a ZeroMQ api (the web gateway,
//  which keeps nothing) is asked over HTTP by health (GET /healthz) and
//  skipped, saying so, by the others: it has no clock or audit chain.
#include <curl/curl.h>
#include <czmq.h>
#include <errno.h>
#include <jansson.h>
#include "envelope.pb-c.h"
#include "dh_auth.h"
#include "dh_calendar.h"
#include "dh_client.h"
#include "dh_config.h"
#include "dh_error.h"
#include "dh_types.h"
#include "ctl.h"

#define S_MAX_LAG_S     60      //  health: an outbox entry unacknowledged longer is a problem
#define S_STORE_FULL    0.9     //  health: a store using more of map_max is a problem
#define S_WEB_MAX       65536   //  the most of a /healthz answer read
#define S_MIB           (1024.0 * 1024.0)

//  Whether the configuration names service in a section (deploys it).
static bool
s_configured (dh_config_t *config, const char *service)
{
    const char *section;
    for (size_t i = 0; (section = dh_config_section (config, i)); i++)
        if (!strcmp (section, service))
            return true;
    return false;
}

//  What every report writes to: a line of text each, or one JSON array.
typedef struct {
    bool json;
    json_t *results;
    int64_t max_lag_s;          //  health --max-lag
} s_context_t;

//  What one daemon answered a survey: a line of text or a JSON object;
//  false when the answer says something is wrong (a broken chain, a lag).
typedef bool (s_survey_fn) (const char *service, const dh_reply_t *reply, s_context_t *context);

//  How a daemon without a ZeroMQ api, answering HTTP at url (the
//  gateway's "http://127.0.0.1:8080"), is asked instead: false when it
//  does not answer or something is wrong.
typedef bool (s_web_fn) (const char *service, const char *url, s_context_t *context);

//  The payload every daemon is sent, from the command's argument (at most
//  size bytes into buffer, *size set to what was packed). Says what is
//  wrong on stderr and returns -1 when the argument is bad (usage).
typedef int (s_payload_fn) (const char *name, const char *argument, uint8_t *buffer, size_t *size);

//  A command asked of every daemon the configuration names (or one).
typedef struct {
    const char *name;           //  "audit verify"
    const char *summary;
    const char *usage;          //  what it does, for --help
    uint32_t type;              //  the message each daemon is sent
    s_survey_fn *report;
    const char *argument;       //  "DURATION": the one argument it takes; NULL: none
    s_payload_fn *payload;      //  with argument: makes the payload of it
    s_web_fn *web;              //  a daemon without a ZeroMQ api; NULL: skipped
    bool max_lag;               //  takes --max-lag SECONDS
} s_survey_t;

static bool
s_report_audit (const char *service, const dh_reply_t *reply, s_context_t *context)
{
    Dh__AuditReport *report = dh__audit_report__unpack (NULL, reply->payload_size, reply->payload);
    if (!report) {
        printf (context->json? "": "%-9s answered what is not an audit report\n", service);
        return false;
    }
    bool ok = !report->broken_seq;
    if (!context->json)
        printf (ok? "%-9s ok, %" PRIu64 " records\n"
                  : "%-9s BROKEN at record %" PRIu64 " (of %" PRIu64 " checked before it)\n",
                service, ok? report->records: report->broken_seq, report->records);
    json_array_append_new (context->results, json_pack ("{s:s, s:b, s:I, s:I, s:b}", "service", service,
        "reachable", 1, "records", (json_int_t) report->records,
        "broken_seq", (json_int_t) report->broken_seq, "ok", ok));
    dh__audit_report__free_unpacked (report, NULL);
    return ok;
}

//  "3d 4h", "2h 5m", "5m 3s", "42s".
static void
s_duration_words (int64_t seconds, char *buffer, size_t size)
{
    if (seconds < 0)
        seconds = 0;
    if (seconds >= 86400)
        snprintf (buffer, size, "%" PRId64 "d %" PRId64 "h", seconds / 86400, seconds % 86400 / 3600);
    else
    if (seconds >= 3600)
        snprintf (buffer, size, "%" PRId64 "h %" PRId64 "m", seconds / 3600, seconds % 3600 / 60);
    else
    if (seconds >= 60)
        snprintf (buffer, size, "%" PRId64 "m %" PRId64 "s", seconds / 60, seconds % 60);
    else
        snprintf (buffer, size, "%" PRId64 "s", seconds);
}

//  Per peer: batches waiting and how long the oldest has (on the daemon's
//  own clock, as the entry's time is); one waiting past max_lag_s is a
//  problem.
static json_t *
s_health_links (const Dh__ServiceStatus *status, int64_t max_lag_s, json_t *problems)
{
    json_t *links = json_array ();
    for (size_t i = 0; i < status->n_peers; i++) {
        const Dh__PeerStatus *peer = status->peers [i];
        uint64_t depth = peer->last_seq > peer->acked_seq? peer->last_seq - peer->acked_seq: 0;
        int64_t age_s = depth && peer->oldest_at && status->now_ms > peer->oldest_at?
                        (status->now_ms - peer->oldest_at) / 1000: 0;
        json_array_append_new (links, json_pack ("{s:s, s:I, s:I}", "peer", peer->peer,
                                                 "depth", (json_int_t) depth, "oldest_age_s", (json_int_t) age_s));
        if (age_s > max_lag_s)
            json_array_append_new (problems, json_sprintf ("link to %s: its oldest batch unacknowledged for %"
                                                           PRId64 " s (over %" PRId64 ")", peer->peer, age_s,
                                                           max_lag_s));
    }
    return links;
}

//  The store's use of its map; past S_STORE_FULL of map_max (the map
//  grows on demand up to it, so only that is full) is a problem.
static json_t *
s_health_store (const Dh__ServiceStatus *status, json_t *problems)
{
    double used = (double) status->map_used;
    double of_size = status->map_size? 100 * used / status->map_size: 0;
    double of_max = status->map_max? 100 * used / status->map_max: 0;
    if (of_max > 100 * S_STORE_FULL)
        json_array_append_new (problems, json_sprintf ("store %.0f %% full (%.1f of at most %.0f MiB)", of_max,
                                                       used / S_MIB, status->map_max / S_MIB));
    return json_pack ("{s:I, s:I, s:I, s:f, s:f}", "used_bytes", (json_int_t) status->map_used,
                      "map_bytes", (json_int_t) status->map_size, "max_bytes", (json_int_t) status->map_max,
                      "used_percent", of_size, "max_percent", of_max);
}

//  One line from the daemon's JSON result.
static void
s_print_health (const char *service, json_t *result)
{
    char uptime [32];
    s_duration_words (json_integer_value (json_object_get (result, "uptime_s")), uptime, sizeof uptime);
    json_t *store = json_object_get (result, "store");
    printf ("%-9s up, version %s, uptime %s, store %.1f MiB of a %.0f MiB map (%.1f %%)", service,
            json_string_value (json_object_get (result, "version")), uptime,
            json_integer_value (json_object_get (store, "used_bytes")) / S_MIB,
            json_integer_value (json_object_get (store, "map_bytes")) / S_MIB,
            json_real_value (json_object_get (store, "used_percent")));
    size_t index;
    json_t *link, *problem;
    json_array_foreach (json_object_get (result, "links"), index, link) {
        printf ("%s %s %" JSON_INTEGER_FORMAT " waiting", index? ",": ", links:",
                json_string_value (json_object_get (link, "peer")),
                json_integer_value (json_object_get (link, "depth")));
        if (json_integer_value (json_object_get (link, "depth")))
            printf (" (oldest %" JSON_INTEGER_FORMAT " s)", json_integer_value (json_object_get (link, "oldest_age_s")));
    }
    json_array_foreach (json_object_get (result, "problems"), index, problem)
        printf ("; PROBLEM: %s", json_string_value (problem));
    printf ("\n");
}

static bool
s_report_health (const char *service, const dh_reply_t *reply, s_context_t *context)
{
    Dh__ServiceStatus *status = dh__service_status__unpack (NULL, reply->payload_size, reply->payload);
    if (!status) {
        printf (context->json? "": "%-9s answered what is not a status\n", service);
        return false;
    }
    uint64_t unacknowledged = 0;
    for (size_t i = 0; i < status->n_peers; i++)
        unacknowledged += status->peers [i]->last_seq - status->peers [i]->acked_seq;
    json_t *problems = json_array ();
    json_t *links = s_health_links (status, context->max_lag_s, problems);
    json_t *store = s_health_store (status, problems);
    //  Uptime on this machine's wall clock: the daemon's own may be a
    //  test clock, moved days ahead.
    int64_t uptime_s = status->started_at? (zclock_time () - status->started_at) / 1000: 0;
    bool ok = json_array_size (problems) == 0;
    json_t *result = json_pack ("{s:s, s:b, s:s, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:b}", "service", service,
        "reachable", 1, "version", status->version, "uptime_s", (json_int_t) uptime_s,
        "started_at", (json_int_t) status->started_at, "event_seq", (json_int_t) status->event_seq,
        "batches", (json_int_t) status->batches, "unacknowledged", (json_int_t) unacknowledged,
        "links", links, "store", store, "problems", problems, "ok", ok);
    if (!context->json)
        s_print_health (service, result);
    json_array_append_new (context->results, result);
    dh__service_status__free_unpacked (status, NULL);
    return ok;
}

static size_t
s_web_body (char *data, size_t size, size_t count, void *arg)
{
    zchunk_t *body = arg;
    if (zchunk_size (body) + size * count > S_WEB_MAX)
        return 0;               //  no /healthz is that long: stop reading
    zchunk_extend (body, data, size * count);
    return size * count;
}

//  GET url; the body as JSON when the answer is 200 with one, else NULL
//  and words in why.
static json_t *
s_web_get (const char *url, char *why, size_t why_size)
{
    CURL *curl = curl_easy_init ();
    zchunk_t *body = zchunk_new (NULL, 0);
    json_t *json = NULL;
    long code = 0;
    if (!curl || !body) {
        snprintf (why, why_size, "out of memory");
        goto done;
    }
    curl_easy_setopt (curl, CURLOPT_URL, url);
    curl_easy_setopt (curl, CURLOPT_TIMEOUT_MS, 5000L);
    curl_easy_setopt (curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, s_web_body);
    curl_easy_setopt (curl, CURLOPT_WRITEDATA, body);
    CURLcode rc = curl_easy_perform (curl);
    curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &code);
    if (rc != CURLE_OK)
        snprintf (why, why_size, "no answer at %s: %s", url, curl_easy_strerror (rc));
    else
    if (code != 200)
        snprintf (why, why_size, "%s answered HTTP %ld", url, code);
    else
    if (!(json = json_loadb ((const char *) zchunk_data (body), zchunk_size (body), 0, NULL))
    ||  !json_is_object (json)) {
        snprintf (why, why_size, "%s did not answer a JSON object", url);
        json_decref (json);
        json = NULL;
    }
done:
    zchunk_destroy (&body);
    if (curl)
        curl_easy_cleanup (curl);
    return json;
}

//  health of a web daemon: its /healthz (up, release, uptime, and whom
//  it reaches; those daemons are asked themselves, so it is only said).
static bool
s_web_health (const char *service, const char *url, s_context_t *context)
{
    char address [700], why [900] = "";
    snprintf (address, sizeof address, "%s/healthz", url);
    json_t *health = s_web_get (address, why, sizeof why);
    if (!health) {
        printf (context->json? "": "%-9s down: %s\n", service, why);
        json_array_append_new (context->results, json_pack ("{s:s, s:b, s:s, s:s, s:b}", "service", service,
            "reachable", 0, "url", address, "error", why, "ok", 0));
        return false;
    }
    const char *version = json_string_value (json_object_get (health, "version"));
    const char *state = json_string_value (json_object_get (health, "status"));
    json_int_t uptime_s = json_integer_value (json_object_get (health, "uptime_s"));
    char uptime [32];
    s_duration_words (uptime_s, uptime, sizeof uptime);
    if (!context->json)
        printf ("%-9s up, version %s, uptime %s, web %s (healthz: %s)\n", service, version? version: "?", uptime,
                url, state? state: "?");
    json_array_append_new (context->results, json_pack ("{s:s, s:b, s:s, s:s, s:s?, s:I, s:s?, s:O*, s:b}",
        "service", service, "reachable", 1, "via", "http", "url", address, "version", version,
        "uptime_s", uptime_s, "status", state, "daemons", json_object_get (health, "daemons"), "ok", 1));
    json_decref (health);
    return true;
}

static bool
s_report_clock (const char *service, const dh_reply_t *reply, s_context_t *context)
{
    Dh__ClockReply *clock = dh__clock_reply__unpack (NULL, reply->payload_size, reply->payload);
    if (!clock) {
        printf (context->json? "": "%-9s answered what is not a clock reply\n", service);
        return false;
    }
    char now [40];
    dh_time_format (clock->now_ms, now, sizeof now);
    if (!context->json)
        printf ("%-9s %s\n", service, now);
    json_array_append_new (context->results, json_pack ("{s:s, s:b, s:I, s:s, s:b}", "service", service,
        "reachable", 1, "now_ms", (json_int_t) clock->now_ms, "now_local", now, "ok", 1));
    dh__clock_reply__free_unpacked (clock, NULL);
    return true;
}

//  A length of time: a whole number with a unit (ms, s, m, h, d: a day is
//  24 hours, not a working day), or bare milliseconds. -1 when it is not.
static int64_t
s_duration (const char *text)
{
    static const struct { const char *unit; int64_t ms; } units [] = {
        { "", 1 }, { "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", DH_HOUR_MS }, { "d", 24 * DH_HOUR_MS }
    };
    if (*text < '0' || *text > '9')
        return -1;              //  no sign, no blank: strtoll would take them
    char *end;
    errno = 0;
    long long number = strtoll (text, &end, 10);
    if (errno)
        return -1;
    for (size_t i = 0; i < sizeof units / sizeof units [0]; i++)
        if (!strcmp (end, units [i].unit))
            return number > INT64_MAX / units [i].ms? -1: number * units [i].ms;
    return -1;
}

static int
s_payload_advance (const char *name, const char *argument, uint8_t *buffer, size_t *size)
{
    Dh__ClockCommand command = DH__CLOCK_COMMAND__INIT;
    command.advance_ms = s_duration (argument);
    if (command.advance_ms < 0) {
        fprintf (stderr, "dunghanctl %s: '%s' is not a duration: use a whole number with ms, s, m, h "
                 "or d (24 hours), e.g. 90m, 3h, 2d, 1500ms, or bare milliseconds\n", name, argument);
        return -1;
    }
    assert (dh__clock_command__get_packed_size (&command) <= *size);
    *size = dh__clock_command__pack (&command, buffer);
    return 0;
}

static int
s_payload_set (const char *name, const char *argument, uint8_t *buffer, size_t *size)
{
    Dh__ClockCommand command = DH__CLOCK_COMMAND__INIT;
    char why [256] = "";
    if (*argument == '@') {
        //  set_ms 0 would mean "leave it": the epoch itself is no test's time.
        char *end;
        errno = 0;
        long long ms = strtoll (argument + 1, &end, 10);
        if (errno || *end || argument [1] < '0' || argument [1] > '9' || ms <= 0)
            snprintf (why, sizeof why, "'%s' is not a time: after @, UTC milliseconds above 0", argument);
        command.set_ms = ms;
    }
    else
    if (dh_time_parse (argument, &command.set_ms))
        snprintf (why, sizeof why, "%s", dh_calendar_error ());     //  names the argument
    else
    if (command.set_ms <= 0)
        snprintf (why, sizeof why, "'%s' is not a time after 1970", argument);
    if (*why) {
        fprintf (stderr, "dunghanctl %s: %s; TIME is \"YYYY-MM-DD HH:MM\" (Hanoi), ISO 8601 or @MS "
                 "(UTC milliseconds)\n", name, why);
        return -1;
    }
    assert (dh__clock_command__get_packed_size (&command) <= *size);
    *size = dh__clock_command__pack (&command, buffer);
    return 0;
}

static const s_survey_t s_surveys [] = {
    { "audit verify", "check every daemon's audit chain end to end",
      "checks the hash-chained audit log end to end of every daemon the configuration\n"
      "  names in a section (or of one daemon); a daemon without a ZeroMQ api (the web\n"
      "  gateway: it keeps nothing) is skipped, saying so", DH_MSG_AUDIT_VERIFY, s_report_audit,
      NULL, NULL, NULL, false },
    { "health", "is every configured daemon well? (exit 1 if not)",
      "asks every daemon the configuration names in a section whether it is up, and\n"
      "  prints its version, uptime, store use (of its map) and, per peer, the link\n"
      "  batches not yet acknowledged and the age of the oldest. The web gateway (a\n"
      "  section whose daemon has no ZeroMQ api: its ready file says http=, or its\n"
      "  section sets http) is asked GET /healthz instead. Exits 1 when a daemon is\n"
      "  down or not configured, a link's oldest batch waits longer than --max-lag\n"
      "  SECONDS (default 60), or a store uses more than 90 % of map_max",
      DH_MSG_STATUS, s_report_health, NULL, NULL, s_web_health, true },
    { "time advance", "tests only: move every daemon's clock forward (time advance 3h)",
      "moves the test clock of every daemon the configuration names in a section (or of\n"
      "  one) forward by DURATION: 90m, 3h, 2d (24 hours), 1500ms, 30s or bare milliseconds;\n"
      "  prints each one's new time. A daemon without test_clock = 1 refuses (exit 1);\n"
      "  one without a ZeroMQ api (the web gateway: its time is the daemons') is skipped",
      DH_MSG_CLOCK, s_report_clock, "DURATION", s_payload_advance, NULL, false },
    { "time set", "tests only: set every daemon's clock (time set \"2025-04-25 09:00\")",
      "sets the test clock of every daemon the configuration names in a section (or of\n"
      "  one) to TIME: \"YYYY-MM-DD HH:MM\" (Hanoi), ISO 8601 (2025-04-25T09:00:00+07:00)\n"
      "  or @MS (UTC milliseconds); prints each one's new time. A daemon without\n"
      "  test_clock = 1 refuses (exit 1); one without a ZeroMQ api (the web gateway) is\n"
      "  skipped", DH_MSG_CLOCK, s_report_clock, "TIME", s_payload_set, NULL, false },
};
#define S_SURVEYS (sizeof s_surveys / sizeof s_surveys [0])

//  The options of a survey, from argv.
typedef struct {
    const char *config_path, *only, *cert, *argument;
    uint8_t payload [64];
    size_t size;
} s_options_t;

//  Read argv into options and context. Returns -1 to go on, else the
//  exit code (--help: 0, bad usage: 2).
static int
s_parse (const s_survey_t *survey, int argc, char **argv, s_options_t *options, s_context_t *context)
{
    for (int i = 0; i < argc; i++) {
        if (!strcmp (argv [i], "--help") || !strcmp (argv [i], "-h")) {
            printf ("usage: dunghanctl %s%s%s [--service NAME]%s [--json] [--config FILE] [--cert FILE]\n  %s\n",
                    survey->name, survey->argument? " ": "", survey->argument? survey->argument: "",
                    survey->max_lag? " [--max-lag SECONDS]": "", survey->usage);
            return 0;
        }
        char *end;
        if (!strcmp (argv [i], "--service") && i + 1 < argc)
            options->only = argv [++i];
        else
        if (!strcmp (argv [i], "--json"))
            context->json = true;
        else
        if (!strcmp (argv [i], "--config") && i + 1 < argc)
            options->config_path = argv [++i];
        else
        if (!strcmp (argv [i], "--cert") && i + 1 < argc)
            options->cert = argv [++i];
        else
        if (survey->max_lag && !strcmp (argv [i], "--max-lag") && i + 1 < argc) {
            errno = 0;
            context->max_lag_s = strtoll (argv [++i], &end, 10);
            if (errno || *end || argv [i][0] < '0' || argv [i][0] > '9') {
                fprintf (stderr, "dunghanctl %s: --max-lag takes whole seconds, not '%s'\n", survey->name, argv [i]);
                return 2;
            }
        }
        else
        if (survey->argument && !options->argument && (argv [i][0] != '-' || !argv [i][1]
                                                       || (argv [i][1] >= '0' && argv [i][1] <= '9')))
            options->argument = argv [i];   //  "-3h" is a bad duration, said as such below
        else {
            fprintf (stderr, "dunghanctl %s: unexpected '%s' (see --help)\n", survey->name, argv [i]);
            return 2;
        }
    }
    if (survey->argument && !options->argument) {
        fprintf (stderr, "dunghanctl %s: %s is required (see --help)\n", survey->name, survey->argument);
        return 2;
    }
    options->size = survey->argument? sizeof options->payload: 0;
    if (survey->argument && survey->payload (survey->name, options->argument, options->payload, &options->size))
        return 2;
    return -1;
}

//  A daemon without a ZeroMQ api answers HTTP: its ready file (on this
//  machine) says http= and no api=, or its section sets http. Its URL
//  into url (the ready file's first: the port it really listens on).
static bool
s_web_daemon (dh_config_t *config, const char *service, char *url, size_t size)
{
    char line [512], http [512] = "";
    bool api = false;
    FILE *ready = fopen (dh_config_get_for (config, service, "ready_file"), "r");
    while (ready && fgets (line, sizeof line, ready)) {
        line [strcspn (line, "\r\n")] = 0;
        api |= !strncmp (line, "api=", 4);
        if (!strncmp (line, "http=", 5))
            snprintf (http, sizeof http, "%s", line + 5);
    }
    if (ready)
        fclose (ready);
    if (api)
        return false;
    const char *configured = dh_config_get_for (config, service, "http");
    if (!*http && configured)
        snprintf (http, sizeof http, "%s", configured);
    if (!*http)
        return false;
    //  "*:8080" and "0.0.0.0:8080" listen on every address, this one too.
    const char *port = strrchr (http, ':');
    bool any = !strncmp (http, "*:", 2) || !strncmp (http, "0.0.0.0:", 8);
    snprintf (url, size, "http://%s%s", any? "127.0.0.1": "", any && port? port: http);
    return true;
}

typedef enum { S_ANSWERED, S_WRONG, S_REFUSED, S_DOWN, S_SKIPPED, S_UNCONFIGURED } s_outcome_t;

static s_outcome_t
s_ask_web (const s_survey_t *survey, const char *service, const char *url, s_context_t *context)
{
    if (survey->web)
        return survey->web (service, url, context)? S_ANSWERED: S_DOWN;
    if (!context->json)
        printf ("%-9s skipped: no ZeroMQ api (a web daemon at %s)\n", service, url);
    json_array_append_new (context->results, json_pack ("{s:s, s:b, s:s, s:s}", "service", service,
        "skipped", 1, "url", url, "why", "no ZeroMQ api"));
    return S_SKIPPED;
}

//  Ask one daemon the survey's command over its api.
static s_outcome_t
s_ask (const s_survey_t *survey, const s_options_t *options, s_context_t *context, dh_config_t *config,
       dh_auth_t *auth, const char *service)
{
    const char *endpoint = dh_config_get_for (config, service, "api");
    dh_client_t *client = dh_client_new (auth, service, endpoint);
    dh_reply_t reply;
    int rc = client? dh_client_call (client, survey->type, "", options->size? options->payload: NULL,
                                     options->size, options->only? 5000: 1000, &reply): DH_E_INVALID;
    s_outcome_t outcome = S_DOWN;
    if (rc == 0 && reply.status == 0)
        outcome = survey->report (service, &reply, context)? S_ANSWERED: S_WRONG;
    else
    if (rc == 0) {
        //  Up, and says why not (a clock moved outside test mode), on
        //  stderr as a one-daemon command says it.
        outcome = S_REFUSED;
        fprintf (stderr, "dunghanctl: %s refused: %s (%d): %s\n", service, reply.error_name, -reply.status,
                 reply.error_text);
        if (context->json)
            json_array_append_new (context->results, json_pack ("{s:s, s:b, s:i, s:s, s:s}", "service", service,
                "reachable", 1, "error", -reply.status, "name", reply.error_name, "text", reply.error_text));
    }
    else
    if (!context->json)
        printf ("%-9s down: no answer at %s\n", service, endpoint);
    else
        json_array_append_new (context->results, json_pack ("{s:s, s:b, s:s}", "service", service,
                                                            "reachable", 0, "endpoint", endpoint));
    dh_client_destroy (&client);
    return outcome;
}

static s_outcome_t
s_ask_any (const s_survey_t *survey, const s_options_t *options, s_context_t *context, dh_config_t *config,
           dh_auth_t *auth, const char *service)
{
    if (!s_configured (config, service)) {
        printf (context->json? "": "%-9s not configured (no section in the configuration)\n", service);
        if (context->json)
            json_array_append_new (context->results, json_pack ("{s:s, s:b, s:b}", "service", service,
                                                                "configured", 0, "reachable", 0));
        return S_UNCONFIGURED;
    }
    char url [600];
    if (s_web_daemon (config, service, url, sizeof url))
        return s_ask_web (survey, service, url, context);
    return s_ask (survey, options, context, config, auth, service);
}

//  The sections' http key: where a daemon without a ZeroMQ api answers.
static const dh_config_key_t s_keys [] = {
    { "http", "", "a web daemon's HOST:PORT (read from its own section, the gateway's)", false },
    { NULL, NULL, NULL, false }
};

//  Ask every daemon the configuration names (or --service NAME). A daemon
//  that is down or refuses is reported, never skipped, and makes the exit
//  status 1.
static int
s_survey (const s_survey_t *survey, int argc, char **argv)
{
    s_options_t options = { 0 };
    s_context_t context = { false, NULL, S_MAX_LAG_S };
    int usage = s_parse (survey, argc, argv, &options, &context);
    if (usage >= 0)
        return usage;
    //  As ctl_open, with the sections' http key besides.
    dh_config_t *config;
    if (dh_config_load_file ("ctl", options.config_path, s_keys, &config))
        return 1;
    dh_auth_t *auth = ctl_auth (config, options.cert);
    if (!auth) {
        dh_config_destroy (&config);
        return 1;
    }
    int counts [S_UNCONFIGURED + 1] = { 0 }, asked = 0;
    context.results = json_array ();
    const char *service;
    for (size_t i = 0; (service = options.only? (i? NULL: options.only): dh_config_section (config, i)); i++) {
        if (!options.only && !strcmp (service, dh_config_service (config)))
            continue;           //  dunghanctl's own section
        asked++;
        counts [s_ask_any (survey, &options, &context, config, auth, service)]++;
    }
    if (context.json) {
        json_dumpf (context.results, stdout, JSON_INDENT (2));
        printf ("\n");
    }
    json_decref (context.results);
    dh_auth_destroy (&auth);
    dh_config_destroy (&config);
    if (!asked) {
        fprintf (stderr, "dunghanctl: the configuration names no daemon (a section per daemon; "
                 "see deploy/dunghan.cfg)\n");
        return 1;
    }
    int silent = counts [S_DOWN] + counts [S_UNCONFIGURED];
    if (silent)
        fprintf (stderr, "dunghanctl: %d of %d daemons did not answer\n", silent, asked);
    return silent || counts [S_WRONG] || counts [S_REFUSED]? 1: 0;
}

//  The survey argv names ("audit verify", "health"), with how many words.
static const s_survey_t *
s_find_survey (int argc, char **argv, int *words)
{
    for (size_t i = 0; i < S_SURVEYS; i++) {
        const char *name = s_surveys [i].name, *space = strchr (name, ' ');
        if (!space && argc >= 1 && !strcmp (argv [0], name)) {
            *words = 1;
            return &s_surveys [i];
        }
        if (space && argc >= 2 && strlen (argv [0]) == (size_t) (space - name)
        &&  !strncmp (argv [0], name, space - name) && !strcmp (argv [1], space + 1)) {
            *words = 2;
            return &s_surveys [i];
        }
    }
    return NULL;
}


int
ctl_survey_main (int argc, char **argv)
{
    int words;
    const s_survey_t *survey = s_find_survey (argc, argv, &words);
    return survey? s_survey (survey, argc - words, argv + words): -1;
}

bool
ctl_survey_row (size_t index, const char **name, const char **summary)
{
    if (index >= S_SURVEYS)
        return false;
    *name = s_surveys [index].name;
    *summary = s_surveys [index].summary;
    return true;
}

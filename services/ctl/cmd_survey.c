//  The commands asked of every daemon the configuration names, one row
//  each in s_surveys: audit verify, health, time advance, time set. A
//  daemon that is down or refuses is reported, never skipped, and makes
//  the exit status 1.
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

//  What one daemon answered a survey: a line of text and a JSON object;
//  false when the answer says something is wrong (a broken chain).
typedef bool (s_survey_fn) (const char *service, const dh_reply_t *reply, bool json, json_t *results);

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
} s_survey_t;

static bool
s_report_audit (const char *service, const dh_reply_t *reply, bool json, json_t *results)
{
    Dh__AuditReport *report = dh__audit_report__unpack (NULL, reply->payload_size, reply->payload);
    if (!report) {
        printf (json? "": "%-9s answered what is not an audit report\n", service);
        return false;
    }
    bool ok = !report->broken_seq;
    if (!json)
        printf (ok? "%-9s ok, %" PRIu64 " records\n"
                  : "%-9s BROKEN at record %" PRIu64 " (of %" PRIu64 " checked before it)\n",
                service, ok? report->records: report->broken_seq, report->records);
    json_array_append_new (results, json_pack ("{s:s, s:b, s:I, s:I, s:b}", "service", service,
        "reachable", 1, "records", (json_int_t) report->records,
        "broken_seq", (json_int_t) report->broken_seq, "ok", ok));
    dh__audit_report__free_unpacked (report, NULL);
    return ok;
}

static bool
s_report_health (const char *service, const dh_reply_t *reply, bool json, json_t *results)
{
    Dh__ServiceStatus *status = dh__service_status__unpack (NULL, reply->payload_size, reply->payload);
    if (!status) {
        printf (json? "": "%-9s answered what is not a status\n", service);
        return false;
    }
    //  A peer whose link lags is the first thing an operator should see.
    uint64_t unacknowledged = 0;
    for (size_t i = 0; i < status->n_peers; i++)
        unacknowledged += status->peers [i]->last_seq - status->peers [i]->acked_seq;
    if (!json)
        printf ("%-9s up, event seq %" PRIu64 ", %" PRIu64 " batches, %" PRIu64
                " link batches unacknowledged\n", service, status->event_seq, status->batches, unacknowledged);
    json_array_append_new (results, json_pack ("{s:s, s:b, s:I, s:I, s:I, s:b}", "service", service,
        "reachable", 1, "event_seq", (json_int_t) status->event_seq, "batches", (json_int_t) status->batches,
        "unacknowledged", (json_int_t) unacknowledged, "ok", 1));
    dh__service_status__free_unpacked (status, NULL);
    return true;
}

static bool
s_report_clock (const char *service, const dh_reply_t *reply, bool json, json_t *results)
{
    Dh__ClockReply *clock = dh__clock_reply__unpack (NULL, reply->payload_size, reply->payload);
    if (!clock) {
        printf (json? "": "%-9s answered what is not a clock reply\n", service);
        return false;
    }
    char now [40];
    dh_time_format (clock->now_ms, now, sizeof now);
    if (!json)
        printf ("%-9s %s\n", service, now);
    json_array_append_new (results, json_pack ("{s:s, s:b, s:I, s:s, s:b}", "service", service,
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
      "  names in a section (or of one daemon)", DH_MSG_AUDIT_VERIFY, s_report_audit,
      NULL, NULL },
    { "health", "is every configured daemon up? (exit 1 if not)",
      "asks every daemon the configuration names in a section whether it is up,\n"
      "  with its event seq and link lag; exits 1 when one is down or not configured", DH_MSG_STATUS,
      s_report_health, NULL, NULL },
    { "time advance", "tests only: move every daemon's clock forward (time advance 3h)",
      "moves the test clock of every daemon the configuration names in a section (or of\n"
      "  one) forward by DURATION: 90m, 3h, 2d (24 hours), 1500ms, 30s or bare milliseconds;\n"
      "  prints each one's new time. A daemon without test_clock = 1 refuses (exit 1)",
      DH_MSG_CLOCK, s_report_clock, "DURATION", s_payload_advance },
    { "time set", "tests only: set every daemon's clock (time set \"2025-04-25 09:00\")",
      "sets the test clock of every daemon the configuration names in a section (or of\n"
      "  one) to TIME: \"YYYY-MM-DD HH:MM\" (Hanoi), ISO 8601 (2025-04-25T09:00:00+07:00)\n"
      "  or @MS (UTC milliseconds); prints each one's new time. A daemon without\n"
      "  test_clock = 1 refuses (exit 1)", DH_MSG_CLOCK, s_report_clock, "TIME", s_payload_set },
};
#define S_SURVEYS (sizeof s_surveys / sizeof s_surveys [0])

//  Ask every daemon the configuration names (or --service NAME). A daemon
//  that is down or refuses is reported, never skipped, and makes the exit
//  status 1.
static int
s_survey (const s_survey_t *survey, int argc, char **argv)
{
    const char *config_path = NULL, *only = NULL, *cert = NULL, *argument = NULL;
    bool json = false;
    for (int i = 0; i < argc; i++) {
        if (!strcmp (argv [i], "--help") || !strcmp (argv [i], "-h")) {
            printf ("usage: dunghanctl %s%s%s [--service NAME] [--json] [--config FILE] [--cert FILE]\n  %s\n",
                    survey->name, survey->argument? " ": "", survey->argument? survey->argument: "",
                    survey->usage);
            return 0;
        }
        if (!strcmp (argv [i], "--service") && i + 1 < argc)
            only = argv [++i];
        else
        if (!strcmp (argv [i], "--json"))
            json = true;
        else
        if (!strcmp (argv [i], "--config") && i + 1 < argc)
            config_path = argv [++i];
        else
        if (!strcmp (argv [i], "--cert") && i + 1 < argc)
            cert = argv [++i];
        else
        if (survey->argument && !argument && (argv [i][0] != '-' || !argv [i][1]
                                              || (argv [i][1] >= '0' && argv [i][1] <= '9')))
            argument = argv [i];    //  "-3h" is a bad duration, said as such below
        else {
            fprintf (stderr, "dunghanctl %s: unexpected '%s' (see --help)\n", survey->name, argv [i]);
            return 2;
        }
    }
    uint8_t payload [64];
    size_t size = 0;
    if (survey->argument) {
        if (!argument) {
            fprintf (stderr, "dunghanctl %s: %s is required (see --help)\n", survey->name, survey->argument);
            return 2;
        }
        size = sizeof payload;
        if (survey->payload (survey->name, argument, payload, &size))
            return 2;
    }
    dh_config_t *config;
    dh_auth_t *auth;
    if (ctl_open (config_path, cert, &config, &auth))
        return 1;
    int exit_code = 0, answered = 0, refused = 0, asked = 0;
    json_t *results = json_array ();
    const char *service;
    for (size_t i = 0; (service = only? (i? NULL: only): dh_config_section (config, i)); i++) {
        if (!only && !strcmp (service, dh_config_service (config)))
            continue;           //  dunghanctl's own section
        const char *endpoint = dh_config_get_for (config, service, "api");
        asked++;
        if (!s_configured (config, service)) {
            printf (json? "": "%-9s not configured (no section in the configuration)\n", service);
            if (json)
                json_array_append_new (results, json_pack ("{s:s, s:b, s:b}", "service", service,
                                                           "configured", 0, "reachable", 0));
            continue;
        }
        dh_client_t *client = dh_client_new (auth, service, endpoint);
        dh_reply_t reply;
        int rc = client? dh_client_call (client, survey->type, "", size? payload: NULL, size,
                                         only? 5000: 1000, &reply): DH_E_INVALID;
        if (rc == 0 && reply.status == 0) {
            answered++;
            if (!survey->report (service, &reply, json, results))
                exit_code = 1;
        }
        else
        if (rc == 0) {
            //  Up, and says why not (a clock moved outside test mode),
            //  on stderr as a one-daemon command says it.
            refused++;
            fprintf (stderr, "dunghanctl: %s refused: %s (%d): %s\n", service, reply.error_name,
                     -reply.status, reply.error_text);
            if (json)
                json_array_append_new (results, json_pack ("{s:s, s:b, s:i, s:s, s:s}", "service", service,
                    "reachable", 1, "error", -reply.status, "name", reply.error_name, "text", reply.error_text));
        }
        else
        if (!json)
            printf ("%-9s down: no answer at %s\n", service, endpoint);
        else
            json_array_append_new (results, json_pack ("{s:s, s:b, s:s}", "service", service,
                                                       "reachable", 0, "endpoint", endpoint));
        dh_client_destroy (&client);
    }
    if (json) {
        json_dumpf (results, stdout, JSON_INDENT (2));
        printf ("\n");
    }
    json_decref (results);
    dh_auth_destroy (&auth);
    dh_config_destroy (&config);
    if (!asked) {
        fprintf (stderr, "dunghanctl: the configuration names no daemon (a section per daemon; "
                 "see deploy/dunghan.cfg)\n");
        return 1;
    }
    if (answered + refused < asked)
        fprintf (stderr, "dunghanctl: %d of %d daemons did not answer\n", asked - answered - refused, asked);
    return answered < asked? 1: exit_code;
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

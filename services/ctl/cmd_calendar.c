//  dunghanctl calendar due|between|outcome — the working-day arithmetic of
//  common/dh_calendar, without any daemon.
#include <czmq.h>
#include <jansson.h>
#include "dh_calendar.h"
#include "dh_error.h"
#include "ctl.h"

typedef struct {
    const char *calendar;
    const char *from, *to, *due, *finished, *method;
    const char *hours, *calendar_days;
    bool same_day, json;
} s_args_t;

static const char *s_usage [] = {
    "usage: dunghanctl calendar due --from T (--hours N | --same-day | --calendar-days N) [--json] [--calendar DIR]\n"
    "  the due time of a procedure received at T (adjusted to office hours, rounded up to the quarter hour)\n",
    "usage: dunghanctl calendar between --from T1 --to T2 [--json] [--calendar DIR]\n"
    "  working hours between two instants, as a decimal number\n",
    "usage: dunghanctl calendar outcome --due T1 --finished T2 --method date|time [--json] [--calendar DIR]\n"
    "  early, on-time or late\n",
};

static int
s_parse (int argc, char **argv, s_args_t *args, int which)
{
    memset (args, 0, sizeof *args);
    args->calendar = "deploy/calendar";
    for (int i = 1; i < argc; i++) {
        const char *arg = argv [i];
        const char **slot = !strcmp (arg, "--calendar")? &args->calendar:
                            !strcmp (arg, "--from")? &args->from: !strcmp (arg, "--to")? &args->to:
                            !strcmp (arg, "--due")? &args->due: !strcmp (arg, "--finished")? &args->finished:
                            !strcmp (arg, "--method")? &args->method: !strcmp (arg, "--hours")? &args->hours:
                            !strcmp (arg, "--calendar-days")? &args->calendar_days: NULL;
        if (slot) {
            if (i + 1 >= argc) {
                fprintf (stderr, "dunghanctl calendar: %s needs a value\n", arg);
                return 2;
            }
            *slot = argv [++i];
        }
        else
        if (!strcmp (arg, "--same-day"))
            args->same_day = true;
        else
        if (!strcmp (arg, "--json"))
            args->json = true;
        else
        if (!strcmp (arg, "--help") || !strcmp (arg, "-h")) {
            printf ("%s", s_usage [which]);
            return 0;
        }
        else {
            fprintf (stderr, "dunghanctl calendar: unexpected '%s'\n%s", arg, s_usage [which]);
            return 2;
        }
    }
    return -1;
}

static int
s_time (const char *name, const char *text, int64_t *at)
{
    if (!text) {
        fprintf (stderr, "dunghanctl calendar: %s is required\n", name);
        return 2;
    }
    if (dh_time_parse (text, at)) {
        fprintf (stderr, "dunghanctl calendar: %s: %s\n", name, dh_calendar_error ());
        return 1;
    }
    return 0;
}

static int
s_number (const char *name, const char *text, double *value)
{
    char *end;
    *value = strtod (text, &end);
    if (end == text || *end || *value < 0) {
        fprintf (stderr, "dunghanctl calendar: %s must be a number, 0 or more\n", name);
        return 1;
    }
    return 0;
}

static void
s_print (bool json, const char *key, const char *text, json_t *extra)
{
    if (json) {
        json_t *object = extra? extra: json_object ();
        json_object_set_new (object, key, json_string (text));
        json_dumpf (object, stdout, JSON_INDENT (2));
        printf ("\n");
        json_decref (object);
    }
    else {
        printf ("%s\n", text);
        json_decref (extra);
    }
}

int
ctl_calendar_main (int argc, char **argv)
{
    static const char *verbs [] = { "due", "between", "outcome" };
    int which = -1;
    for (int i = 0; argc > 1 && i < 3; i++)
        if (!strcmp (argv [1], verbs [i]))
            which = i;
    if (which < 0) {
        bool help = argc > 1 && (!strcmp (argv [1], "--help") || !strcmp (argv [1], "-h"));
        fprintf (help? stdout: stderr, "%s%s%s", s_usage [0], s_usage [1], s_usage [2]);
        return help? 0: 2;
    }
    s_args_t args;
    int rc = s_parse (argc - 1, argv + 1, &args, which);
    if (rc >= 0)
        return rc;
    zsys_set_logstream (NULL);      //  errors are ours to print, once
    dh_calendar_t *calendar;
    if (dh_calendar_load (args.calendar, &calendar)) {
        fprintf (stderr, "dunghanctl calendar: %s\n", dh_calendar_error ());
        return 1;
    }
    int64_t from, to, result;
    char text [64];
    if (which == 0) {
        int kinds = (args.hours != NULL) + args.same_day + (args.calendar_days != NULL);
        if (kinds != 1) {
            fprintf (stderr, "dunghanctl calendar due: give one of --hours, --same-day, --calendar-days\n");
            rc = 2;
        }
        else
        if (!(rc = s_time ("--from", args.from, &from))) {
            double value = 0;
            if (args.hours && !(rc = s_number ("--hours", args.hours, &value)))
                rc = dh_calendar_due (calendar, from, value, &result, NULL);
            else
            if (args.calendar_days && !(rc = s_number ("--calendar-days", args.calendar_days, &value)))
                rc = value == (int) value? dh_calendar_due_calendar_days (calendar, from, (int) value, &result)
                                         : (fprintf (stderr, "dunghanctl calendar: --calendar-days must be whole\n"), 1);
            else
            if (args.same_day)
                rc = dh_calendar_due_same_day (calendar, from, &result);
            if (rc < 0) {
                fprintf (stderr, "dunghanctl calendar due: %s\n", dh_calendar_error ());
                rc = 1;
            }
            else
            if (rc == 0) {
                dh_time_format (result, text, sizeof text);
                int64_t received;
                dh_calendar_adjust (calendar, from, &received);
                char received_text [64];
                dh_time_format (received, received_text, sizeof received_text);
                s_print (args.json, "due", text, args.json? json_pack ("{s:s, s:I}", "received", received_text,
                                                                      "due_ms", (json_int_t) result): NULL);
            }
        }
    }
    else
    if (which == 1) {
        if (!(rc = s_time ("--from", args.from, &from)) && !(rc = s_time ("--to", args.to, &to))) {
            if (dh_calendar_between (calendar, from, to, &result)) {
                fprintf (stderr, "dunghanctl calendar between: %s\n", dh_calendar_error ());
                rc = 1;
            }
            else {
                //  Shortest decimal that is exact to the millisecond.
                snprintf (text, sizeof text, "%.6f", result / (double) DH_HOUR_MS);
                char *end = text + strlen (text) - 1;
                while (*end == '0')
                    *end-- = 0;
                if (*end == '.')
                    *end = 0;
                s_print (args.json, "hours", text, NULL);
            }
        }
    }
    else {
        dh_method_t method = args.method && !strcmp (args.method, "date")? DH_METHOD_BY_DATE:
                             args.method && !strcmp (args.method, "time")? DH_METHOD_BY_TIME: 0;
        if (!method) {
            fprintf (stderr, "dunghanctl calendar outcome: --method must be date or time\n");
            rc = 2;
        }
        else
        if (!(rc = s_time ("--due", args.due, &from)) && !(rc = s_time ("--finished", args.finished, &to))) {
            dh_outcome_t outcome;
            dh_calendar_outcome (calendar, from, to, method, &outcome);
            s_print (args.json, "outcome", dh_outcome_name (outcome), NULL);
        }
    }
    dh_calendar_destroy (&calendar);
    return rc;
}

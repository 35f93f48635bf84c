//  The working calendar: a table of hand-checked cases on the shipped
//  calendar (deploy/calendar), properties over random instants, the clock
//  ledger, and errors. Each expected value was worked out by hand from the
//  holiday files (comments say how); none was copied from the program.
#include <czmq.h>
#include "dh_calendar.h"
#include "dh_error.h"
#include "dh_ledger.h"

static int s_failures, s_checks;

#define CHECK(cond, ...) do { s_checks++; if (!(cond)) { s_failures++; \
    fprintf (stderr, "%s:%d: ", __FILE__, __LINE__); fprintf (stderr, __VA_ARGS__); fprintf (stderr, "\n"); } } while (0)

typedef struct {
    char op;                    //  D due hours, S same day, C calendar days, A adjust,
                                //  B between (hours), E outcome by date, T outcome by time,
                                //  W working day (a is a date; "working" or "day off")
    const char *a;
    const char *b;              //  hours / days / second time
    const char *expected;
} s_case_t;

static const s_case_t s_cases [] = {
    //  Adding working hours
    { 'D', "2025-04-25 16:30", "8", "2025-04-26T16:30:00+07:00" },   //  Sat 26/4 is a working day
    { 'D', "2025-04-25 09:00", "24", "2025-04-29T09:00:00+07:00" },  //  Fri 7h, Sat 8h, Mon 8h, Tue 1h
    { 'D', "2025-04-28 08:00", "8", "2025-04-28T17:00:00+07:00" },   //  ends at the close, not next morning
    { 'D', "2025-04-28 08:00", "4", "2025-04-28T12:00:00+07:00" },   //  ends at noon, not 13:00
    { 'D', "2025-04-28 08:00", "4.5", "2025-04-28T13:30:00+07:00" },
    { 'D', "2025-04-28 07:00", "1", "2025-04-28T09:00:00+07:00" },   //  before opening counts from 08:00
    { 'D', "2025-04-28 12:30", "1", "2025-04-28T14:00:00+07:00" },   //  lunch counts from 13:00
    { 'D', "2025-04-28 17:30", "1", "2025-04-29T09:00:00+07:00" },   //  after closing: next morning
    { 'D', "2025-04-29 16:00", "2", "2025-05-05T09:00:00+07:00" },   //  30/4-4/5 off
    { 'D', "2025-04-29 09:07", "0.5", "2025-04-29T09:45:00+07:00" }, //  09:37 rounds up to 09:45
    { 'D', "2025-04-29 09:15", "1", "2025-04-29T10:15:00+07:00" },   //  a quarter stays
    { 'D', "2025-04-29T09:00:30+07:00", "1", "2025-04-29T10:15:00+07:00" },
    { 'D', "2025-05-03 10:00", "8", "2025-05-05T17:00:00+07:00" },   //  Saturday 3/5 is a holiday
    { 'D', "2025-05-09 14:00", "8", "2025-05-12T14:00:00+07:00" },   //  over a weekend
    { 'D', "2025-01-24 15:00", "8", "2025-02-03T15:00:00+07:00" },   //  over Tết 25/1-2/2
    { 'D', "2024-12-31 16:00", "8", "2025-01-02T16:00:00+07:00" },   //  year boundary, 1/1 off
    { 'D', "2024-12-31 16:00", "0.5", "2024-12-31T16:30:00+07:00" },
    { 'D', "2025-12-31 16:00", "8", "2026-01-05T16:00:00+07:00" },   //  1/1-4/1/2026 off: 1 h + 7 h
    { 'D', "2026-02-13 10:00", "8", "2026-02-23T10:00:00+07:00" },   //  Tết 14/2-22/2/2026
    { 'D', "2024-05-03 16:00", "8", "2024-05-04T16:00:00+07:00" },   //  Sat 4/5/2024 worked
    { 'D', "2024-04-26 13:00", "8", "2024-05-02T12:00:00+07:00" },   //  27/4-1/5/2024 off
    { 'D', "2024-04-26 13:00", "12", "2024-05-02T17:00:00+07:00" },
    { 'D', "2024-04-26 13:00", "13", "2024-05-03T09:00:00+07:00" },
    { 'D', "2024-04-26 13:00", "20", "2024-05-03T17:00:00+07:00" },
    { 'D', "2024-04-26 13:00", "21", "2024-05-04T09:00:00+07:00" },
    { 'D', "2025-04-28 08:00", "192", "2025-06-03T17:00:00+07:00" }, //  24 working days
    { 'D', "2025-08-29 10:00", "8", "2025-09-03T10:00:00+07:00" },   //  National Day 30/8-2/9
    { 'D', "2026-08-28 16:00", "4", "2026-09-03T11:00:00+07:00" },   //  29/8-2/9/2026 off
    { 'D', "2026-04-24 16:00", "4", "2026-04-28T11:00:00+07:00" },   //  Mon 27/4/2026 off
    { 'D', "2026-04-29 15:00", "8", "2026-05-04T15:00:00+07:00" },   //  30/4-1/5/2026 off
    { 'D', "2025-04-28 10:00", "0", "2025-04-28T10:00:00+07:00" },
    { 'D', "2025-04-28 18:00", "0", "2025-04-29T08:00:00+07:00" },
    { 'D', "2025-04-28 11:50", "0.25", "2025-04-28T13:15:00+07:00" }, //  10 min + 5 min = 13:05 -> 13:15
    { 'D', "2025-04-28 11:45", "0.25", "2025-04-28T12:00:00+07:00" },
    { 'D', "2025-04-28 16:45", "0.25", "2025-04-28T17:00:00+07:00" },
    { 'D', "2025-04-28 16:50", "0.1", "2025-04-28T17:00:00+07:00" },  //  16:56 -> 17:00
    { 'D', "2025-04-28 12:00", "1", "2025-04-28T14:00:00+07:00" },
    { 'D', "2025-04-28 17:00", "1", "2025-04-29T09:00:00+07:00" },
    { 'D', "2025-04-28 08:00", "1", "2025-04-28T09:00:00+07:00" },
    { 'D', "2025-04-28T01:00:00Z", "1", "2025-04-28T09:00:00+07:00" },
    { 'D', "2025-04-28T05:30:00+00:00", "1", "2025-04-28T14:00:00+07:00" },
    { 'D', "2025-05-09 13:00", "4", "2025-05-09T17:00:00+07:00" },   //  a half day
    { 'D', "2025-05-09 14:00", "4", "2025-05-12T09:00:00+07:00" },
    //  Same-day procedures (cut-off 15:00)
    { 'S', "2025-04-28 09:00", NULL, "2025-04-28T17:00:00+07:00" },
    { 'S', "2025-04-28 15:00", NULL, "2025-04-28T17:00:00+07:00" },
    { 'S', "2025-04-28 15:01", NULL, "2025-04-29T17:00:00+07:00" },
    { 'S', "2025-04-29 16:00", NULL, "2025-05-05T17:00:00+07:00" },
    { 'S', "2025-04-28 18:00", NULL, "2025-04-29T17:00:00+07:00" },
    { 'S', "2025-05-03 09:00", NULL, "2025-05-05T17:00:00+07:00" },
    { 'S', "2025-04-25 16:30", NULL, "2025-04-26T17:00:00+07:00" },
    { 'S', "2025-04-28 07:00", NULL, "2025-04-28T17:00:00+07:00" },
    { 'S', "2025-04-28 12:30", NULL, "2025-04-28T17:00:00+07:00" },
    { 'S', "2024-12-31 16:00", NULL, "2025-01-02T17:00:00+07:00" },
    //  Calendar days: 17:00 of received date + N, moved off days off
    { 'C', "2025-04-28 09:00", "5", "2025-05-05T17:00:00+07:00" },   //  3/5 is off
    { 'C', "2025-04-28 09:00", "1", "2025-04-29T17:00:00+07:00" },
    { 'C', "2025-04-28 09:00", "2", "2025-05-05T17:00:00+07:00" },   //  30/4 holiday
    { 'C', "2025-05-05 09:00", "7", "2025-05-12T17:00:00+07:00" },
    { 'C', "2025-05-05 09:00", "0", "2025-05-05T17:00:00+07:00" },
    { 'C', "2025-12-30 09:00", "2", "2026-01-05T17:00:00+07:00" },   //  1/1-4/1/2026 off
    { 'C', "2025-04-20 10:00", "3", "2025-04-23T17:00:00+07:00" },   //  Sunday 20/4 + 3 = Wednesday
    { 'C', "2025-04-23 09:00", "3", "2025-04-26T17:00:00+07:00" },   //  lands on the worked Saturday
    { 'C', "2026-02-10 09:00", "10", "2026-02-23T17:00:00+07:00" },  //  lands in Tết
    { 'C', "2024-08-28 09:00", "4", "2024-09-04T17:00:00+07:00" },
    //  Receipt-time adjustment
    { 'A', "2025-04-28 07:59", NULL, "2025-04-28T08:00:00+07:00" },
    { 'A', "2025-04-28 08:00", NULL, "2025-04-28T08:00:00+07:00" },
    { 'A', "2025-04-28 11:59", NULL, "2025-04-28T11:59:00+07:00" },
    { 'A', "2025-04-28 12:00", NULL, "2025-04-28T13:00:00+07:00" },
    { 'A', "2025-04-28 12:59", NULL, "2025-04-28T13:00:00+07:00" },
    { 'A', "2025-04-28 13:00", NULL, "2025-04-28T13:00:00+07:00" },
    { 'A', "2025-04-28 16:59", NULL, "2025-04-28T16:59:00+07:00" },
    { 'A', "2025-04-28 17:00", NULL, "2025-04-29T08:00:00+07:00" },
    { 'A', "2025-04-29 17:30", NULL, "2025-05-05T08:00:00+07:00" },
    { 'A', "2025-04-26 06:00", NULL, "2025-04-26T08:00:00+07:00" },
    { 'A', "2025-04-27 10:00", NULL, "2025-04-28T08:00:00+07:00" },
    { 'A', "2024-12-31 23:59", NULL, "2025-01-02T08:00:00+07:00" },
    { 'A', "2025-04-28T00:30:00Z", NULL, "2025-04-28T08:00:00+07:00" },
    { 'A', "2025-04-27T23:30:00Z", NULL, "2025-04-28T08:00:00+07:00" }, //  06:30 Monday in Hanoi
    { 'A', "2024-02-07 18:00", NULL, "2024-02-15T08:00:00+07:00" },    //  Tết 8/2-14/2/2024
    //  Working hours between
    { 'B', "2025-04-29 08:00", "2025-05-06 08:00", "16" },
    { 'B', "2025-04-28 08:00", "2025-04-28 17:00", "8" },
    { 'B', "2025-04-28 11:00", "2025-04-28 14:00", "2" },
    { 'B', "2025-04-28 12:10", "2025-04-28 12:50", "0" },
    { 'B', "2025-04-25 16:00", "2025-04-28 09:00", "10" },
    { 'B', "2025-01-24 16:00", "2025-02-03 09:00", "2" },
    { 'B', "2025-04-28 09:00", "2025-04-28 09:30", "0.5" },
    { 'B', "2025-04-28 18:00", "2025-04-29 07:00", "0" },
    { 'B', "2025-04-28 10:00", "2025-04-28 09:00", "-1" },
    { 'B', "2024-12-31 16:00", "2025-01-02 09:00", "2" },
    { 'B', "2025-05-03 00:00", "2025-05-04 23:59", "0" },
    { 'B', "2024-05-04 08:00", "2024-05-04 17:00", "8" },
    //  Outcome by date
    { 'E', "2025-05-06 17:00", "2025-05-05 16:00", "early" },
    { 'E', "2025-05-06 17:00", "2025-05-06 08:00", "on-time" },
    { 'E', "2025-05-06 17:00", "2025-05-06 17:30", "on-time" },
    { 'E', "2025-05-06 17:00", "2025-05-07 08:00", "late" },
    { 'E', "2025-05-06 09:00", "2025-05-05 23:59", "early" },
    { 'E', "2025-05-06 09:00", "2025-05-05T17:30:00Z", "on-time" },  //  00:30 on 6/5 in Hanoi
    //  Outcome by time
    { 'T', "2025-05-06 17:00", "2025-05-06 12:59", "early" },
    { 'T', "2025-05-06 17:00", "2025-05-06 13:00", "on-time" },
    { 'T', "2025-05-06 17:00", "2025-05-06 17:00", "on-time" },
    { 'T', "2025-05-06 17:00", "2025-05-06 17:01", "late" },
    { 'T', "2025-05-06 10:00", "2025-05-06 07:59", "early" },
    { 'T', "2025-05-06 10:00", "2025-05-06 08:00", "on-time" },
    { 'T', "2025-05-06 10:00", "2025-05-06T10:00:01+07:00", "late" },
    { 'T', "2025-05-06 12:00", "2025-05-06 08:30", "on-time" },
    { 'T', "2025-05-06 13:15", "2025-05-06 12:30", "early" },
    { 'T', "2025-05-06 13:15", "2025-05-05 16:00", "early" },
    { 'T', "2025-05-06 10:00", "2025-05-07 08:00", "late" },
};

//  Calendar days count from the date received, as received: no
//  receipt-time adjustment, so no weekend or holiday is gained.
static const s_case_t s_calendar_day_cases [] = {
    { 'C', "2025-05-09 18:30", "3", "2025-05-12T17:00:00+07:00" },   //  Friday evening: Fri 9/5 + 3 = Mon 12/5
    { 'C', "2025-05-09 18:30", "1", "2025-05-12T17:00:00+07:00" },   //  Sat 10/5, moved to Monday
    { 'C', "2025-05-09 10:00", "0", "2025-05-09T17:00:00+07:00" },
    { 'C', "2025-05-09 18:30", "0", "2025-05-12T17:00:00+07:00" },   //  0 days after the close: never due before receipt
    { 'C', "2026-01-09 18:30", "1", "2026-01-10T17:00:00+07:00" },   //  Fri + 1 = worked Saturday 10/1/2026
    { 'C', "2025-05-09T16:59:00Z", "1", "2025-05-12T17:00:00+07:00" }, //  23:59 Friday in Hanoi
    { 'C', "2025-05-09T17:30:00Z", "2", "2025-05-12T17:00:00+07:00" }, //  00:30 Saturday in Hanoi: Sat + 2
    { 'C', "2025-05-10 10:00", "2", "2025-05-12T17:00:00+07:00" },   //  Saturday: Sat 10/5 + 2 = Mon 12/5
    { 'C', "2025-05-10 10:00", "3", "2025-05-13T17:00:00+07:00" },
    { 'C', "2025-05-10 10:00", "0", "2025-05-12T17:00:00+07:00" },   //  Saturday + 0, moved to Monday
    { 'C', "2025-05-01 10:00", "5", "2025-05-06T17:00:00+07:00" },   //  Labour Day: 1/5 + 5 = Tue 6/5
    { 'C', "2026-02-16 09:00", "10", "2026-02-26T17:00:00+07:00" },  //  during Tết: 16/2 + 10 = Thu 26/2
    { 'C', "2026-01-01 10:00", "1", "2026-01-05T17:00:00+07:00" },   //  New Year: 2/1 off, 3-4/1 weekend
    { 'C', "2025-04-25 10:00", "5", "2025-05-05T17:00:00+07:00" },   //  due 30/4, holiday until 4/5
    { 'C', "2026-08-21 09:00", "10", "2026-09-03T17:00:00+07:00" },  //  due Mon 31/8/2026, off until 2/9
    { 'C', "2026-08-12 09:00", "10", "2026-08-22T17:00:00+07:00" },  //  due on the worked Saturday 22/8/2026
    { 'C', "2026-01-05 09:00", "5", "2026-01-10T17:00:00+07:00" },   //  due on the worked Saturday 10/1/2026
};

//  The shipped 2026 list (W: is the date a working day): the New Year
//  bridge (2/1 off, Saturday 10/1 worked) and 12729/VPCP-KGVX (Saturday
//  22/8 worked for Monday 31/8), and due times across them.
static const s_case_t s_holiday_2026_cases [] = {
    { 'W', "2026-01-01", NULL, "day off" },
    { 'W', "2026-01-02", NULL, "day off" },
    { 'W', "2026-01-03", NULL, "day off" },                         //  an ordinary Saturday stays off
    { 'W', "2026-01-05", NULL, "working" },
    { 'W', "2026-01-10", NULL, "working" },
    { 'W', "2026-01-17", NULL, "day off" },
    { 'W', "2026-08-15", NULL, "day off" },
    { 'W', "2026-08-22", NULL, "working" },
    { 'W', "2026-08-28", NULL, "working" },
    { 'W', "2026-08-31", NULL, "day off" },
    { 'W', "2026-09-02", NULL, "day off" },
    { 'W', "2026-09-03", NULL, "working" },
    { 'D', "2025-12-30 09:00", "16", "2026-01-05T09:00:00+07:00" },  //  7 h + 8 h, then 1 h on Mon 5/1
    { 'D', "2025-12-31 16:00", "0.5", "2025-12-31T16:30:00+07:00" },
    { 'D', "2026-01-09 16:00", "8", "2026-01-10T16:00:00+07:00" },   //  1 h Fri, 7 h on the worked Saturday
    { 'D', "2026-01-09 16:00", "9", "2026-01-10T17:00:00+07:00" },   //  ends at Saturday's close
    { 'D', "2026-08-21 16:00", "8", "2026-08-22T16:00:00+07:00" },   //  1 h Fri, 7 h Sat 22/8
    { 'S', "2025-12-31 16:00", NULL, "2026-01-05T17:00:00+07:00" },  //  after the cut-off: next working day
    { 'A', "2026-01-01 10:00", NULL, "2026-01-05T08:00:00+07:00" },
    { 'A', "2026-01-09 18:00", NULL, "2026-01-10T08:00:00+07:00" },
    { 'B', "2025-12-31 08:00", "2026-01-06 08:00", "16" },         //  31/12 and 5/1 only
    { 'B', "2026-01-09 08:00", "2026-01-12 08:00", "16" },         //  Friday and the worked Saturday
    { 'B', "2026-08-21 08:00", "2026-08-24 08:00", "16" },
};

static int64_t
s_at (const char *text)
{
    int64_t at = 0;
    int rc = dh_time_parse (text, &at);
    CHECK (rc == 0, "cannot parse %s: %s", text, dh_calendar_error ());
    return at;
}

#define S_COUNT(cases) (sizeof cases / sizeof cases [0])

static void
s_table (dh_calendar_t *calendar, const char *name, const s_case_t *cases, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        const s_case_t *c = &cases [i];
        int64_t a = c->op == 'W'? 0: s_at (c->a), result = 0;
        char text [64] = "";
        int rc = 0;
        switch (c->op) {
            case 'W': {
                int year, month, day;
                bool working = false;
                CHECK (sscanf (c->a, "%4d-%2d-%2d", &year, &month, &day) == 3, "bad date %s", c->a);
                rc = dh_calendar_is_working_day (calendar, dh_days_from_civil (year, month, day), &working);
                snprintf (text, sizeof text, "%s", working? "working": "day off");
                break;
            }
            case 'D': rc = dh_calendar_due (calendar, a, atof (c->b), &result, NULL); break;
            case 'S': rc = dh_calendar_due_same_day (calendar, a, &result); break;
            case 'C': rc = dh_calendar_due_calendar_days (calendar, a, atoi (c->b), &result); break;
            case 'A': rc = dh_calendar_adjust (calendar, a, &result); break;
            case 'B': rc = dh_calendar_between (calendar, a, s_at (c->b), &result); break;
            default: {
                dh_outcome_t outcome;
                rc = dh_calendar_outcome (calendar, a, s_at (c->b), c->op == 'E'? DH_METHOD_BY_DATE: DH_METHOD_BY_TIME, &outcome);
                snprintf (text, sizeof text, "%s", dh_outcome_name (outcome));
            }
        }
        if (c->op == 'B')
            snprintf (text, sizeof text, "%g", result / (double) DH_HOUR_MS);
        else
        if (c->op != 'E' && c->op != 'T' && c->op != 'W')
            dh_time_format (result, text, sizeof text);
        CHECK (rc == 0 && !strcmp (text, c->expected), "%s case %zu %c %s %s: want %s, got %s (rc %d %s)",
               name, i + 1, c->op, c->a, c->b? c->b: "", c->expected, text, rc, rc? dh_calendar_error (): "");
    }
}

//  due(start, N) then between(adjusted start, due before rounding) = N;
//  monotonic in N and in the start.
static void
s_properties (dh_calendar_t *calendar)
{
    int64_t first = s_at ("2024-01-01 00:00"), span = s_at ("2027-10-01 00:00") - first;
    uint64_t state = 0x9e3779b97f4a7c15ULL;
    int bad_roundtrip = 0, bad_hours = 0, bad_start = 0;
    for (int i = 0; i < 20000; i++) {
        state ^= state << 13; state ^= state >> 7; state ^= state << 17;
        int64_t start = first + (int64_t) (state % (uint64_t) span);
        double hours = (double) ((state >> 32) % 800) / 4;          //  0 to 200 h in quarters
        int64_t adjusted, due, exact, due_more, exact_more, due_later, working;
        if (dh_calendar_adjust (calendar, start, &adjusted)
        ||  dh_calendar_due (calendar, start, hours, &due, &exact)
        ||  dh_calendar_between (calendar, adjusted, exact, &working)
        ||  dh_calendar_due (calendar, start, hours + 0.25, &due_more, &exact_more)
        ||  dh_calendar_due (calendar, start + (int64_t) ((state >> 16) % 3600000), hours, &due_later, NULL)) {
            CHECK (false, "property run %d failed: %s", i, dh_calendar_error ());
            continue;
        }
        bad_roundtrip += working != llround (hours * DH_HOUR_MS);
        bad_hours += !(exact_more > exact && due_more >= due);
        bad_start += due_later < due;
    }
    CHECK (!bad_roundtrip, "%d of 20000: between(start, due) != hours", bad_roundtrip);
    CHECK (!bad_hours, "%d of 20000: due not increasing in hours", bad_hours);
    CHECK (!bad_start, "%d of 20000: due not monotonic in the start", bad_start);
}

static void
s_expect_time (int64_t at, const char *expected, int line)
{
    char text [64];
    dh_time_format (at, text, sizeof text);
    s_checks++;
    if (strcmp (text, expected)) {
        s_failures++;
        fprintf (stderr, "%s:%d: want %s, got %s\n", __FILE__, line, expected, text);
    }
}
#define EXPECT_TIME(at, expected) s_expect_time (at, expected, __LINE__)

static void
s_ledger (dh_calendar_t *calendar, dh_calendar_t *corrected)
{
    dh_ledger_t ledger, copy;
    int64_t due;
    bool paused;
    //  Extend: 16 h from Mon 5/5/2025 08:00; 4 h used by the Monday noon
    //  pause; 12 h left from Wed 08:00: Wed 8 h, Thu 4 h -> Thu 12:00.
    CHECK (dh_ledger_start (&ledger, calendar, s_at ("2025-05-05 08:00"), 16, DH_POLICY_EXTEND) == 0, "start");
    EXPECT_TIME (ledger.original_due, "2025-05-06T17:00:00+07:00");
    CHECK (dh_ledger_pause (&ledger, s_at ("2025-05-05 12:00"), DH_PAUSE_SUPPLEMENT) == 0, "pause");
    CHECK (dh_ledger_due (&ledger, calendar, &due, &paused) == 0 && paused, "paused has no due time");
    CHECK (dh_ledger_pause (&ledger, s_at ("2025-05-05 13:00"), DH_PAUSE_FEE) == DH_E_STATE, "pause twice");
    CHECK (dh_ledger_resume (&ledger, s_at ("2025-05-05 11:00")) == DH_E_RANGE, "resume before the pause");
    CHECK (dh_ledger_resume (&ledger, s_at ("2025-05-07 08:00")) == 0, "resume");
    CHECK (dh_ledger_resume (&ledger, s_at ("2025-05-07 09:00")) == DH_E_STATE, "resume twice");
    CHECK (dh_ledger_due (&ledger, calendar, &due, &paused) == 0 && !paused, "due");
    EXPECT_TIME (due, "2025-05-08T12:00:00+07:00");
    EXPECT_TIME (ledger.original_due, "2025-05-06T17:00:00+07:00");
    //  A corrected calendar (Wed 7/5 made a day off) moves it a day: Thu
    //  8 h, Fri 4 h -> Fri 12:00, from the same ledger.
    CHECK (dh_ledger_due (&ledger, corrected, &due, &paused) == 0, "due on the corrected calendar");
    EXPECT_TIME (due, "2025-05-09T12:00:00+07:00");
    //  Pack and unpack keep everything; damage is refused.
    uint8_t bytes [1024];
    size_t size = dh_ledger_pack (&ledger, bytes);
    CHECK (size == dh_ledger_packed_size (&ledger), "packed size");
    CHECK (dh_ledger_unpack (&copy, bytes, size) == 0 && !memcmp (&copy.segments, &ledger.segments,
           sizeof (dh_segment_t) * ledger.count) && copy.original_due == ledger.original_due, "round trip");
    for (size_t cut = 0; cut < size; cut++)
        CHECK (dh_ledger_unpack (&copy, bytes, cut) == DH_E_MALFORMED, "truncated to %zu accepted", cut);
    bytes [0] = 99;
    CHECK (dh_ledger_unpack (&copy, bytes, size) == DH_E_MALFORMED, "bad version accepted");

    //  Restart: the full 16 h again from Wed 08:00 -> Thu 17:00.
    dh_ledger_start (&ledger, calendar, s_at ("2025-05-05 08:00"), 16, DH_POLICY_RESTART);
    dh_ledger_pause (&ledger, s_at ("2025-05-05 12:00"), DH_PAUSE_SUPPLEMENT);
    dh_ledger_resume (&ledger, s_at ("2025-05-07 08:00"));
    dh_ledger_due (&ledger, calendar, &due, &paused);
    EXPECT_TIME (due, "2025-05-08T17:00:00+07:00");
    //  ... but a fee pause only extends, even under restart.
    dh_ledger_start (&ledger, calendar, s_at ("2025-05-05 08:00"), 16, DH_POLICY_RESTART);
    dh_ledger_pause (&ledger, s_at ("2025-05-05 12:00"), DH_PAUSE_FEE);
    dh_ledger_resume (&ledger, s_at ("2025-05-07 08:00"));
    dh_ledger_due (&ledger, calendar, &due, &paused);
    EXPECT_TIME (due, "2025-05-08T12:00:00+07:00");

    //  Two pauses, extend: used Mon 08-10 (2 h), Mon 14-17 and Tue 08-09
    //  (4 h): 10 h left from Wed 13:00: Wed 4 h, Thu 6 h -> Thu 15:00.
    dh_ledger_start (&ledger, calendar, s_at ("2025-05-05 08:00"), 16, DH_POLICY_EXTEND);
    dh_ledger_pause (&ledger, s_at ("2025-05-05 10:00"), DH_PAUSE_SUPPLEMENT);
    dh_ledger_resume (&ledger, s_at ("2025-05-05 14:00"));
    dh_ledger_pause (&ledger, s_at ("2025-05-06 09:00"), DH_PAUSE_STOPPED);
    dh_ledger_resume (&ledger, s_at ("2025-05-07 13:00"));
    dh_ledger_due (&ledger, calendar, &due, &paused);
    EXPECT_TIME (due, "2025-05-08T15:00:00+07:00");
    int64_t used;
    CHECK (dh_ledger_used (&ledger, calendar, s_at ("2025-05-07 15:00"), &used) == 0
        && used == 8 * DH_HOUR_MS, "used %" PRId64, used);

    //  The apology: one later re-appointment; the original stays.
    CHECK (dh_ledger_reappoint (&ledger, calendar, s_at ("2025-05-08 14:00")) == DH_E_INVALID, "earlier re-appointment");
    CHECK (dh_ledger_reappoint (&ledger, calendar, s_at ("2025-05-12 17:00")) == 0, "re-appointment");
    dh_ledger_due (&ledger, calendar, &due, &paused);
    EXPECT_TIME (due, "2025-05-12T17:00:00+07:00");
    EXPECT_TIME (ledger.original_due, "2025-05-06T17:00:00+07:00");
    CHECK (dh_ledger_reappoint (&ledger, calendar, s_at ("2025-05-13 17:00")) == DH_E_STATE, "second re-appointment");
    CHECK (dh_ledger_stop (&ledger, s_at ("2025-05-09 10:00")) == 0, "stop");
    CHECK (dh_ledger_pause (&ledger, s_at ("2025-05-09 11:00"), DH_PAUSE_FEE) == DH_E_STATE, "pause after stop");
    dh_outcome_t outcome;
    dh_calendar_outcome (calendar, ledger.original_due, ledger.stopped_at, DH_METHOD_BY_DATE, &outcome);
    CHECK (outcome == DH_OUTCOME_LATE, "statistics judge by the original due time");
}

static void
s_errors (dh_calendar_t *calendar, const char *folder)
{
    int64_t due;
    CHECK (dh_calendar_due (calendar, s_at ("2031-03-02 09:00"), 8, &due, NULL) == DH_E_NO_CALENDAR, "2031");
    CHECK (strstr (dh_calendar_error (), "2031") != NULL, "the message names the year: %s", dh_calendar_error ());
    CHECK (dh_calendar_due (calendar, s_at ("2023-06-01 09:00"), 8, &due, NULL) == DH_E_NO_CALENDAR, "2023");
    CHECK (dh_calendar_due (calendar, s_at ("2027-12-31 16:00"), 8, &due, NULL) == DH_E_NO_CALENDAR, "into 2028");
    CHECK (dh_calendar_due_same_day (calendar, s_at ("2027-12-31 16:00"), &due) == DH_E_NO_CALENDAR, "same day into 2028");
    CHECK (dh_calendar_due (calendar, s_at ("2025-04-28 09:00"), -1, &due, NULL) == DH_E_INVALID, "negative hours");
    const char *bad_times [] = { "2025-02-30 09:00", "2025-04-28", "25-04-28 09:00", "2025-04-28 24:00",
                                 "2025-04-28 09:00 junk", "2025-04-28T09:00+25:00", "" };
    for (size_t i = 0; i < sizeof bad_times / sizeof bad_times [0]; i++)
        CHECK (dh_time_parse (bad_times [i], &due) == DH_E_INVALID, "'%s' parsed", bad_times [i]);
    //  A bad holiday line names the file and the line.
    char *path = zsys_sprintf ("%s/holidays-2025.csv", folder);
    FILE *file = fopen (path, "a");
    fprintf (file, "2025-13-01,0,Not a date\n");
    fclose (file);
    dh_calendar_t *broken = NULL;
    zsys_set_logstream (NULL);
    CHECK (dh_calendar_load (folder, &broken) == DH_E_INVALID, "bad line loaded");
    CHECK (strstr (dh_calendar_error (), "holidays-2025.csv line") != NULL, "message: %s", dh_calendar_error ());
    free (path);
}

int
main (void)
{
    dh_calendar_t *calendar, *corrected;
    if (dh_calendar_load ("deploy/calendar", &calendar)) {
        fprintf (stderr, "cannot load deploy/calendar: %s\n", dh_calendar_error ());
        return 1;
    }
    //  A copy of 2025 with Wednesday 7 May made a day off.
    char folder [] = "/tmp/dh-calendar-XXXXXX";
    CHECK (mkdtemp (folder) != NULL, "mkdtemp");
    char *command = zsys_sprintf ("cp deploy/calendar/hours.cfg deploy/calendar/holidays-2025.csv %s/ && "
                                  "echo '2025-05-07,0,Corrected' >> %s/holidays-2025.csv", folder, folder);
    CHECK (system (command) == 0, "copy the calendar");
    free (command);
    CHECK (dh_calendar_load (folder, &corrected) == 0, "corrected calendar: %s", dh_calendar_error ());
    s_table (calendar, "cases", s_cases, S_COUNT (s_cases));
    CHECK (S_COUNT (s_cases) >= 100, "the table should hold at least 100 cases, it has %zu", S_COUNT (s_cases));
    s_table (calendar, "calendar_day_cases", s_calendar_day_cases, S_COUNT (s_calendar_day_cases));
    s_table (calendar, "holiday_2026_cases", s_holiday_2026_cases, S_COUNT (s_holiday_2026_cases));
    s_properties (calendar);
    s_ledger (calendar, corrected);
    s_errors (calendar, folder);
    dh_calendar_destroy (&calendar);
    dh_calendar_destroy (&corrected);
    command = zsys_sprintf ("rm -rf %s", folder);
    if (system (command)) {}
    free (command);
    printf ("calendar: %d checks (%zu table cases), %d failed\n", s_checks,
            S_COUNT (s_cases) + S_COUNT (s_calendar_day_cases) + S_COUNT (s_holiday_2026_cases), s_failures);
    return s_failures? 1: 0;
}

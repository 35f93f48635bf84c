/*  dh_calendar — the working calendar and the deadline arithmetic on it
    (README: The working calendar). Pure computation, done once here: intake prints the
    appointment with it, the deadline daemon runs its clocks on it.

    Times are UTC milliseconds; days and office hours are those of
    Asia/Ho_Chi_Minh (UTC+7, no daylight saving). The calendar is data
    (deploy/calendar/: hours.cfg and holidays-YYYY.csv); a computation that
    touches a year without data fails with DH_E_NO_CALENDAR, never guesses.

    A day table with prefix sums of working time makes "add N working
    hours" a binary search, not a walk through the days: the deadline
    daemon recomputes every open clock when the calendar changes.  */
#ifndef DH_CALENDAR_H
#define DH_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DH_HOUR_MS 3600000LL
#define DH_UTC7_MS (7 * DH_HOUR_MS)

typedef struct _dh_calendar_t dh_calendar_t;

typedef enum {
    DH_OUTCOME_EARLY = 1,       //  sớm hạn
    DH_OUTCOME_ON_TIME = 2,     //  đúng hạn
    DH_OUTCOME_LATE = 3         //  quá hạn
} dh_outcome_t;

typedef enum {
    DH_METHOD_BY_DATE = 1,
    DH_METHOD_BY_TIME = 2
} dh_method_t;

//  Load hours.cfg and every holidays-YYYY.csv from dir. Errors:
//  DH_E_CONFIG (bad hours), DH_E_INVALID (a bad CSV line: the message
//  names the file and line), DH_E_NO_CALENDAR (no holiday file at all),
//  DH_E_IO. The reason is in dh_calendar_error (); also logged.
int dh_calendar_load (const char *dir, dh_calendar_t **self_p);
void dh_calendar_destroy (dh_calendar_t **self_p);

//  Words for the last load or computation error of this thread
//  ("no working calendar for 2031: add holidays-2031.csv"). Static.
const char *dh_calendar_error (void);

//  Is this local date (days since 1970-01-01) a working day?
//  Errors: DH_E_NO_CALENDAR.
int dh_calendar_is_working_day (dh_calendar_t *self, int64_t day, bool *working);

//  Receipt-time adjustment: inside a session as is; before opening on a
//  working day, the opening; during lunch, the afternoon start; after
//  closing or on a day off, the next working morning.
int dh_calendar_adjust (dh_calendar_t *self, int64_t at, int64_t *adjusted);

//  Due time for `hours` working hours (fractional allowed) from a receipt
//  at `at`: adjusted, then session time consumed, ending exactly at a
//  session's close if that is where the hours run out, then rounded up to
//  the quarter hour. *exact (may be NULL) gets the time before rounding.
int dh_calendar_due (dh_calendar_t *self, int64_t at, double hours, int64_t *due, int64_t *exact);

//  Same-day procedure: received (adjusted) at or before the cut-off, due
//  at the close that day; later, at the close of the next working day.
int dh_calendar_due_same_day (dh_calendar_t *self, int64_t at, int64_t *due);

//  N calendar days: the close of office hours on (the local date of `at`
//  + N), moved to the next working day if that is not one. The date is
//  that of `at` itself, not adjusted: received Friday 18:30, the count
//  starts on that Friday; received on a Saturday or a holiday, on that
//  day. 0 days received after the close: the next working day's close,
//  never a due before the receipt. Only the due date and the days after
//  it need calendar data.
//  Errors: DH_E_INVALID (days not 0 to 3660), DH_E_NO_CALENDAR.
int dh_calendar_due_calendar_days (dh_calendar_t *self, int64_t at, int days, int64_t *due);

//  Working time between two instants, in milliseconds (negative when
//  to < from).
int dh_calendar_between (dh_calendar_t *self, int64_t from, int64_t to, int64_t *working_ms);

//  Outcome of finishing at `finished` against `due`.
int dh_calendar_outcome (dh_calendar_t *self, int64_t due, int64_t finished,
                         dh_method_t method, dh_outcome_t *outcome);

//  "early", "on-time", "late".
const char *dh_outcome_name (dh_outcome_t outcome);

//  Days since 1970-01-01 of a civil date, and back (proleptic Gregorian).
int64_t dh_days_from_civil (int year, int month, int day);
void dh_civil_from_days (int64_t days, int *year, int *month, int *day);

//  Parse "YYYY-MM-DD HH:MM" (Hanoi time) or ISO 8601 with an offset
//  ("2025-04-26T16:30:00+07:00", "...Z"). Returns 0 or DH_E_INVALID.
int dh_time_parse (const char *text, int64_t *utc_ms);

//  Format as ISO 8601 in Hanoi time: "2025-04-26T16:30:00+07:00".
void dh_time_format (int64_t utc_ms, char *buffer, size_t size);

#endif

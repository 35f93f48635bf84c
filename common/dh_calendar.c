#include <czmq.h>
#include <dirent.h>
#include <math.h>
#include "dh_calendar.h"
#include "dh_csv.h"
#include "dh_error.h"

#define S_DAY_MS 86400000LL
#define S_MINUTE_MS 60000LL
#define S_QUARTER_MS (15 * S_MINUTE_MS)

struct _dh_calendar_t {
    int64_t morning_start, morning_end;         //  ms after local midnight
    int64_t afternoon_start, afternoon_end;
    int64_t morning_ms, day_ms;                 //  working ms in the morning, in a day
    int64_t cutoff;                             //  same-day cut-off
    bool weekday_works [8];                     //  ISO weekday 1..7
    int first_year, last_year;
    int64_t first_day;                          //  local day number of 1 January first_year
    int64_t day_count;
    uint8_t *known;                             //  per day: its year has data
    uint8_t *working;
    int64_t *prefix;                            //  working ms before day i (day_count + 1)
    int64_t *unknown_prefix;                    //  unknown days before day i (day_count + 1)
};

static __thread char s_error [300];

static int
s_fail (int code, const char *format, ...)
{
    va_list args;
    va_start (args, format);
    vsnprintf (s_error, sizeof s_error, format, args);
    va_end (args);
    return code;
}

const char *
dh_calendar_error (void)
{
    return s_error [0]? s_error: "no error";
}

//  Howard Hinnant's days-from-civil, exact for the proleptic Gregorian calendar.
int64_t
dh_days_from_civil (int year, int month, int day)
{
    year -= month <= 2;
    int64_t era = (year >= 0? year: year - 399) / 400;
    int64_t year_of_era = year - era * 400;
    int64_t day_of_year = (153 * (month + (month > 2? -3: 9)) + 2) / 5 + day - 1;
    int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + day_of_era - 719468;
}

void
dh_civil_from_days (int64_t days, int *year, int *month, int *day)
{
    days += 719468;
    int64_t era = (days >= 0? days: days - 146096) / 146097;
    int64_t day_of_era = days - era * 146097;
    int64_t year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    int64_t mp = (5 * day_of_year + 2) / 153;
    *day = (int) (day_of_year - (153 * mp + 2) / 5 + 1);
    *month = (int) (mp < 10? mp + 3: mp - 9);
    *year = (int) (year_of_era + era * 400 + (*month <= 2));
}

static int64_t
s_floor_div (int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0))? q - 1: q;
}

//  Local day number and time of day of an instant.
static void
s_split (int64_t at, int64_t *day, int64_t *time_of_day)
{
    int64_t local = at + DH_UTC7_MS;
    *day = s_floor_div (local, S_DAY_MS);
    *time_of_day = local - *day * S_DAY_MS;
}

static int64_t
s_join (int64_t day, int64_t time_of_day)
{
    return day * S_DAY_MS + time_of_day - DH_UTC7_MS;
}

//  The index of a day in the tables, or DH_E_NO_CALENDAR.
static int
s_index (dh_calendar_t *self, int64_t day, int64_t *index)
{
    int64_t i = day - self->first_day;
    if (i < 0 || i >= self->day_count || !self->known [i]) {
        int year, month, dom;
        dh_civil_from_days (day, &year, &month, &dom);
        return s_fail (DH_E_NO_CALENDAR, "no working calendar for %d: add holidays-%d.csv", year, year);
    }
    *index = i;
    return 0;
}

static int64_t
s_worked_in_day (dh_calendar_t *self, int64_t time_of_day)
{
    int64_t worked = 0;
    if (time_of_day > self->morning_start)
        worked += (time_of_day < self->morning_end? time_of_day: self->morning_end) - self->morning_start;
    if (time_of_day > self->afternoon_start)
        worked += (time_of_day < self->afternoon_end? time_of_day: self->afternoon_end) - self->afternoon_start;
    return worked;
}

//  Working ms from the start of the tables up to `at`.
static int
s_cumulative (dh_calendar_t *self, int64_t at, int64_t *cumulative)
{
    int64_t day, time_of_day, i = 0;
    s_split (at, &day, &time_of_day);
    int rc = s_index (self, day, &i);
    if (rc)
        return rc;
    *cumulative = self->prefix [i] + (self->working [i]? s_worked_in_day (self, time_of_day): 0);
    return 0;
}

int
dh_calendar_is_working_day (dh_calendar_t *self, int64_t day, bool *working)
{
    int64_t i = 0;
    int rc = s_index (self, day, &i);
    if (!rc)
        *working = self->working [i];
    return rc;
}

//  The first working day after day index i.
static int
s_next_working (dh_calendar_t *self, int64_t i, int64_t *next)
{
    for (i++; i < self->day_count && self->known [i]; i++)
        if (self->working [i]) {
            *next = i;
            return 0;
        }
    return s_index (self, self->first_day + i, next);
}

int
dh_calendar_adjust (dh_calendar_t *self, int64_t at, int64_t *adjusted)
{
    int64_t day, time_of_day, i = 0;
    s_split (at, &day, &time_of_day);
    int rc = s_index (self, day, &i);
    if (rc)
        return rc;
    if (self->working [i]) {
        if (time_of_day < self->morning_start) {
            *adjusted = s_join (day, self->morning_start);
            return 0;
        }
        if (time_of_day < self->morning_end || (time_of_day >= self->afternoon_start && time_of_day < self->afternoon_end)) {
            *adjusted = at;
            return 0;
        }
        if (time_of_day < self->afternoon_start) {
            *adjusted = s_join (day, self->afternoon_start);
            return 0;
        }
    }
    int64_t next;
    if ((rc = s_next_working (self, i, &next)))
        return rc;
    *adjusted = s_join (self->first_day + next, self->morning_start);
    return 0;
}

int
dh_calendar_due (dh_calendar_t *self, int64_t at, double hours, int64_t *due, int64_t *exact)
{
    if (!isfinite (hours) || hours < 0 || hours > 24 * 366 * 10)
        return s_fail (DH_E_INVALID, "working hours must be from 0 to 87,840");
    int64_t start, from, index = 0;
    int rc = dh_calendar_adjust (self, at, &start);
    if (!rc)
        rc = s_cumulative (self, start, &from);
    if (rc)
        return rc;
    int64_t target = from + llround (hours * DH_HOUR_MS), end;
    if (target == from)
        end = start;
    else {
        //  First day whose close reaches the target.
        int64_t low = 0, high = self->day_count;
        while (low < high) {
            int64_t middle = low + (high - low) / 2;
            if (self->prefix [middle + 1] >= target)
                high = middle;
            else
                low = middle + 1;
        }
        int64_t start_day, ignored;
        s_split (start, &start_day, &ignored);
        s_index (self, start_day, &index);
        if (low >= self->day_count || self->unknown_prefix [low + 1] != self->unknown_prefix [index]) {
            //  The hours run past the data, or through a year without it.
            int64_t i = index;
            while (i < self->day_count && self->known [i])
                i++;
            return s_index (self, self->first_day + i, &i);
        }
        int64_t rest = target - self->prefix [low];
        int64_t time_of_day = rest <= self->morning_ms? self->morning_start + rest
                                                     : self->afternoon_start + rest - self->morning_ms;
        end = s_join (self->first_day + low, time_of_day);
    }
    if (exact)
        *exact = end;
    //  Up to the next quarter hour; Hanoi's offset is whole hours, so
    //  rounding UTC rounds local time.
    *due = s_floor_div (end + S_QUARTER_MS - 1, S_QUARTER_MS) * S_QUARTER_MS;
    return 0;
}

int
dh_calendar_due_same_day (dh_calendar_t *self, int64_t at, int64_t *due)
{
    int64_t start, day, time_of_day, i = 0;
    int rc = dh_calendar_adjust (self, at, &start);
    if (rc)
        return rc;
    s_split (start, &day, &time_of_day);
    s_index (self, day, &i);
    if (time_of_day > self->cutoff && (rc = s_next_working (self, i, &i)))
        return rc;
    *due = s_join (self->first_day + i, self->afternoon_end);
    return 0;
}

int
dh_calendar_due_calendar_days (dh_calendar_t *self, int64_t at, int days, int64_t *due)
{
    if (days < 0 || days > 3660)
        return s_fail (DH_E_INVALID, "calendar days must be from 0 to 3660");
    //  Calendar days run from the date received (ngày nhận hồ sơ) as is:
    //  the receipt-time adjustment belongs to working hours, and applied
    //  here it would lend a Friday-evening receipt the weekend.
    int64_t day, time_of_day, i = 0;
    s_split (at, &day, &time_of_day);
    int rc = s_index (self, day + days, &i);
    if (rc)
        return rc;
    //  Never due before it was received: only 0 days, received after the close.
    if ((!self->working [i] || s_join (self->first_day + i, self->afternoon_end) < at)
    &&  (rc = s_next_working (self, i, &i)))
        return rc;
    *due = s_join (self->first_day + i, self->afternoon_end);
    return 0;
}

int
dh_calendar_between (dh_calendar_t *self, int64_t from, int64_t to, int64_t *working_ms)
{
    int64_t a, b;
    int rc = s_cumulative (self, from, &a);
    if (!rc)
        rc = s_cumulative (self, to, &b);
    if (!rc)
        *working_ms = b - a;
    return rc;
}

int
dh_calendar_outcome (dh_calendar_t *self, int64_t due, int64_t finished,
                     dh_method_t method, dh_outcome_t *outcome)
{
    int64_t due_day, due_time, finished_day, finished_time;
    s_split (due, &due_day, &due_time);
    s_split (finished, &finished_day, &finished_time);
    if (method == DH_METHOD_BY_DATE)
        *outcome = finished_day < due_day? DH_OUTCOME_EARLY:
                   finished_day == due_day? DH_OUTCOME_ON_TIME: DH_OUTCOME_LATE;
    else
    if (method == DH_METHOD_BY_TIME) {
        //  The half-day session that holds the due time opens the "on time" window.
        int64_t session_start = s_join (due_day, due_time <= self->morning_end? self->morning_start
                                                                            : self->afternoon_start);
        *outcome = finished < session_start? DH_OUTCOME_EARLY:
                   finished <= due? DH_OUTCOME_ON_TIME: DH_OUTCOME_LATE;
    }
    else
        return s_fail (DH_E_INVALID, "method must be by date or by time");
    return 0;
}

const char *
dh_outcome_name (dh_outcome_t outcome)
{
    return outcome == DH_OUTCOME_EARLY? "early": outcome == DH_OUTCOME_ON_TIME? "on-time":
           outcome == DH_OUTCOME_LATE? "late": "?";
}

//  ---------------------------------------------------------------- text

static bool
s_valid_date (int year, int month, int day)
{
    static const int days [] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (year < 1970 || year > 9999 || month < 1 || month > 12 || day < 1)
        return false;
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return day <= days [month - 1] + (month == 2 && leap);
}

int
dh_time_parse (const char *text, int64_t *utc_ms)
{
    int year, month, day, hour, minute, second = 0, used = 0;
    char separator;
    if (sscanf (text, "%4d-%2d-%2d%c%2d:%2d%n", &year, &month, &day, &separator, &hour, &minute, &used) != 6
    ||  (separator != ' ' && separator != 'T'))
        return s_fail (DH_E_INVALID, "'%s' is not a time: use YYYY-MM-DD HH:MM or ISO 8601", text);
    const char *rest = text + used;
    int64_t millis = 0;
    if (*rest == ':') {
        int more = 0;
        if (sscanf (rest, ":%2d%n", &second, &more) != 1)
            return s_fail (DH_E_INVALID, "'%s': bad seconds", text);
        rest += more;
        if (*rest == '.') {
            rest++;
            int digits = 0;
            while (*rest >= '0' && *rest <= '9') {
                if (digits++ < 3)
                    millis = millis * 10 + (*rest - '0');
                rest++;
            }
            while (digits > 0 && digits++ < 3)
                millis *= 10;
        }
    }
    int64_t offset = DH_UTC7_MS;       //  no zone: Hanoi time
    if (*rest == 'Z' && !rest [1])
        offset = 0;
    else
    if ((*rest == '+' || *rest == '-') && separator == 'T') {
        int offset_hours, offset_minutes, more = 0;
        if (sscanf (rest + 1, "%2d:%2d%n", &offset_hours, &offset_minutes, &more) != 2 || rest [1 + more]
        ||  offset_hours > 14 || offset_minutes > 59)
            return s_fail (DH_E_INVALID, "'%s': bad UTC offset", text);
        offset = (offset_hours * 60 + offset_minutes) * S_MINUTE_MS * (*rest == '-'? -1: 1);
    }
    else
    if (*rest)
        return s_fail (DH_E_INVALID, "'%s': unexpected '%s'", text, rest);
    if (!s_valid_date (year, month, day) || hour > 23 || minute > 59 || second > 59 || hour < 0 || minute < 0 || second < 0)
        return s_fail (DH_E_INVALID, "'%s' is not a valid date and time", text);
    *utc_ms = dh_days_from_civil (year, month, day) * S_DAY_MS
            + ((hour * 60 + minute) * 60 + second) * 1000LL + millis - offset;
    return 0;
}

void
dh_time_format (int64_t utc_ms, char *buffer, size_t size)
{
    int64_t day, time_of_day;
    s_split (utc_ms, &day, &time_of_day);
    int year, month, dom;
    dh_civil_from_days (day, &year, &month, &dom);
    int64_t seconds = time_of_day / 1000;
    snprintf (buffer, size, "%04d-%02d-%02dT%02d:%02d:%02d+07:00", year, month, dom,
              (int) (seconds / 3600), (int) (seconds / 60 % 60), (int) (seconds % 60));
}

//  ---------------------------------------------------------------- load

static int
s_parse_hhmm (const char *text, int64_t *ms)
{
    int hour, minute, used = 0;
    if (sscanf (text, "%2d:%2d%n", &hour, &minute, &used) != 2 || hour < 0 || hour > 24 || minute < 0 || minute > 59)
        return -1;
    *ms = (hour * 60 + minute) * S_MINUTE_MS;
    return used;
}

static int
s_parse_session (const char *text, int64_t *start, int64_t *end)
{
    int used = s_parse_hhmm (text, start);
    if (used < 0 || text [used] != '-' || s_parse_hhmm (text + used + 1, end) < 0 || *end <= *start)
        return -1;
    return 0;
}

static int
s_load_hours (dh_calendar_t *self, const char *dir)
{
    char *path = zsys_sprintf ("%s/hours.cfg", dir);
    zconfig_t *config = zsys_file_exists (path)? zconfig_load (path): NULL;
    if (zsys_file_exists (path) && !config) {
        int rc = s_fail (DH_E_CONFIG, "%s is not ZPL", path);
        free (path);
        return rc;
    }
    const char *morning = config? zconfig_get (config, "office/morning", "08:00-12:00"): "08:00-12:00";
    const char *afternoon = config? zconfig_get (config, "office/afternoon", "13:00-17:00"): "13:00-17:00";
    const char *weekdays = config? zconfig_get (config, "office/weekdays", "1,2,3,4,5"): "1,2,3,4,5";
    const char *cutoff = config? zconfig_get (config, "office/same_day_cutoff", "15:00"): "15:00";
    int rc = 0;
    if (s_parse_session (morning, &self->morning_start, &self->morning_end)
    ||  s_parse_session (afternoon, &self->afternoon_start, &self->afternoon_end)
    ||  self->afternoon_start < self->morning_end)
        rc = s_fail (DH_E_CONFIG, "%s: sessions must be HH:MM-HH:MM, morning before afternoon", path);
    else
    if (s_parse_hhmm (cutoff, &self->cutoff) < 0)
        rc = s_fail (DH_E_CONFIG, "%s: same_day_cutoff must be HH:MM", path);
    for (const char *at = weekdays; !rc && *at; at++) {
        if (*at >= '1' && *at <= '7')
            self->weekday_works [*at - '0'] = true;
        else
        if (*at != ',' && *at != ' ')
            rc = s_fail (DH_E_CONFIG, "%s: weekdays are numbers 1 (Monday) to 7 (Sunday)", path);
    }
    self->morning_ms = self->morning_end - self->morning_start;
    self->day_ms = self->morning_ms + self->afternoon_end - self->afternoon_start;
    zconfig_destroy (&config);
    free (path);
    return rc;
}

//  One holidays-YYYY.csv into the day tables.
static int
s_load_year (dh_calendar_t *self, const char *dir, int year)
{
    char *path = zsys_sprintf ("%s/holidays-%d.csv", dir, year);
    FILE *file = fopen (path, "rb");
    zchunk_t *chunk = file? zchunk_read (file, 1 << 20): NULL;
    if (file)
        fclose (file);
    if (!chunk) {
        int rc = s_fail (DH_E_IO, "cannot read %s", path);
        free (path);
        return rc;
    }
    char *text = zchunk_strdup (chunk);
    zchunk_destroy (&chunk);
    int64_t base = dh_days_from_civil (year, 1, 1) - self->first_day;
    int64_t days = dh_days_from_civil (year + 1, 1, 1) - dh_days_from_civil (year, 1, 1);
    for (int64_t d = 0; d < days; d++) {
        int64_t day = self->first_day + base + d;
        int weekday = (int) (((day % 7) + 7 + 3) % 7) + 1;     //  1970-01-01 was a Thursday
        self->known [base + d] = 1;
        self->working [base + d] = self->weekday_works [weekday];
    }
    uint8_t *seen = calloc (days, 1);
    dh_csv_t csv;
    dh_csv_init (&csv, text);
    const char *fields [DH_CSV_MAX_FIELDS];
    int count, rc = 0;
    while ((count = dh_csv_row (&csv, fields, DH_CSV_MAX_FIELDS)) > 0) {
        if (!strcmp (fields [0], "date"))
            continue;
        int y, m, d;
        char extra;
        if (count != 3) {
            rc = s_fail (DH_E_INVALID, "%s line %zu: want 3 columns: date,type,name", path, csv.line);
            break;
        }
        if (sscanf (fields [0], "%4d-%2d-%2d%c", &y, &m, &d, &extra) != 3 || !s_valid_date (y, m, d)) {
            rc = s_fail (DH_E_INVALID, "%s line %zu: '%s' is not a date YYYY-MM-DD", path, csv.line, fields [0]);
            break;
        }
        if (y != year) {
            rc = s_fail (DH_E_INVALID, "%s line %zu: %s is not in %d", path, csv.line, fields [0], year);
            break;
        }
        if (strcmp (fields [1], "0") && strcmp (fields [1], "1")) {
            rc = s_fail (DH_E_INVALID, "%s line %zu: type must be 0 (day off) or 1 (working day)", path, csv.line);
            break;
        }
        if (!*fields [2]) {
            rc = s_fail (DH_E_INVALID, "%s line %zu: the name is missing", path, csv.line);
            break;
        }
        int64_t offset = dh_days_from_civil (y, m, d) - dh_days_from_civil (year, 1, 1);
        if (seen [offset]) {
            rc = s_fail (DH_E_INVALID, "%s line %zu: %s is listed twice", path, csv.line, fields [0]);
            break;
        }
        seen [offset] = 1;
        self->working [base + offset] = fields [1][0] == '1';
    }
    if (count < 0 && !rc)
        rc = s_fail (DH_E_INVALID, "%s line %zu: unterminated quote", path, csv.line);
    dh_csv_free (&csv);
    free (seen);
    free (text);
    free (path);
    return rc;
}

int
dh_calendar_load (const char *dir, dh_calendar_t **self_p)
{
    s_error [0] = 0;
    dh_calendar_t *self = calloc (1, sizeof *self);
    if (!self)
        return DH_E_NOMEM;
    int rc = s_load_hours (self, dir);
    DIR *folder = rc? NULL: opendir (dir);
    if (!rc && !folder)
        rc = s_fail (DH_E_IO, "cannot open calendar folder %s", dir);
    bool years [10000] = { false };
    self->first_year = 10000;
    self->last_year = 0;
    struct dirent *entry;
    while (folder && (entry = readdir (folder))) {
        int year;
        char tail [8];
        if (sscanf (entry->d_name, "holidays-%4d.%3s", &year, tail) == 2 && !strcmp (tail, "csv")
        &&  year >= 1970 && year < 10000) {
            years [year] = true;
            if (year < self->first_year)
                self->first_year = year;
            if (year > self->last_year)
                self->last_year = year;
        }
    }
    if (folder)
        closedir (folder);
    if (!rc && !self->last_year)
        rc = s_fail (DH_E_NO_CALENDAR, "%s has no holidays-YYYY.csv", dir);
    if (!rc) {
        self->first_day = dh_days_from_civil (self->first_year, 1, 1);
        self->day_count = dh_days_from_civil (self->last_year + 1, 1, 1) - self->first_day;
        self->known = calloc (self->day_count, 1);
        self->working = calloc (self->day_count, 1);
        self->prefix = calloc (self->day_count + 1, sizeof (int64_t));
        self->unknown_prefix = calloc (self->day_count + 1, sizeof (int64_t));
        if (!self->known || !self->working || !self->prefix || !self->unknown_prefix)
            rc = DH_E_NOMEM;
    }
    for (int year = self->first_year; !rc && year <= self->last_year; year++)
        if (years [year])
            rc = s_load_year (self, dir, year);
    for (int64_t i = 0; !rc && i < self->day_count; i++) {
        self->prefix [i + 1] = self->prefix [i] + (self->known [i] && self->working [i]? self->day_ms: 0);
        self->unknown_prefix [i + 1] = self->unknown_prefix [i] + !self->known [i];
    }
    if (rc) {
        zsys_error ("calendar: %s", dh_calendar_error ());
        dh_calendar_destroy (&self);
        return rc;
    }
    *self_p = self;
    return 0;
}

void
dh_calendar_destroy (dh_calendar_t **self_p)
{
    dh_calendar_t *self = *self_p;
    if (!self)
        return;
    free (self->known);
    free (self->working);
    free (self->prefix);
    free (self->unknown_prefix);
    free (self);
    *self_p = NULL;
}

//  The daily queue summary (bảng tổng hợp hồ sơ hằng ngày): at
//  queue_summary_at, Hanoi time, every handler who holds open items hears
//  how many (a NotifyEvent "queue_summary" to dunghan-notify, tell.c).
//
//  Once a day, across restarts and kill -9: the day done is kept in the
//  `daily` table in the transaction of the sends, so a summary and the
//  mark that it went commit together. The work reads what is due from
//  that mark, never from the timer (a timer set in an undone transaction
//  only fires early). Many handlers are told queue_summary_batch at a
//  time, commands served between: where the walk stopped is kept with
//  the day, in the transaction of that batch.
#include "dh_calendar.h"
#include "dh_call.h"
#include "dh_clock.h"
#include "dh_error.h"
#include "assign.h"

#define S_DAY_MS (24 * DH_HOUR_MS)

//  Its key in `daily`. The value: the Hanoi day (days since 1970-01-01,
//  8 bytes big-endian) of the newest walk, then the staff id it stopped
//  after; no id: that day's walk is done.
static const char s_key [] = "queue_summary";

//  The Hanoi day of a UTC instant.
static int64_t
s_day (int64_t at)
{
    int64_t local = at + DH_UTC7_MS;
    return local >= 0? local / S_DAY_MS: (local - S_DAY_MS + 1) / S_DAY_MS;
}

//  When the summary of day is due (UTC ms).
static int64_t
s_due (assign_t *self, int64_t day)
{
    return day * S_DAY_MS + self->summary_minute * 60000 - DH_UTC7_MS;
}

//  "2026-03-05", for the log.
static void
s_date (int64_t day, char *text, size_t size)
{
    int year, month, date;
    dh_civil_from_days (day, &year, &month, &date);
    snprintf (text, size, "%04d-%02d-%02d", year, month, date);
}

//  One turn of the walk over `load`: the handlers to tell (id in scratch,
//  open items), and where the next turn goes on.
typedef struct {
    char *id;
    uint32_t open;
} s_handler_t;

typedef struct {
    s_handler_t *handlers;      //  those with open items, at most batch
    size_t count;
    char *last;                 //  the last entry examined, when more are left; else NULL
    size_t last_size;
} s_turn_t;

static char *
s_copy (dh_call_t *call, const dh_val_t *key)
{
    char *text = dh_service_scratch (call->service, key->size + 1);
    if (text) {
        memcpy (text, key->data, key->size);
        text [key->size] = 0;
    }
    return text;
}

//  Up to summary_batch entries of `load` past the staff id after (from
//  the first when after_size is 0).
static int
s_walk (assign_t *self, dh_call_t *call, const void *after, size_t after_size, s_turn_t *turn)
{
    turn->handlers = dh_service_scratch (call->service, self->summary_batch * sizeof *turn->handlers);
    if (!turn->handlers)
        return DH_E_NOMEM;
    dh_cursor_t *cursor;
    int rc = dh_cursor_open (call->txn, self->load, &cursor);
    if (rc)
        return rc;
    dh_val_t key, value, last = { NULL, 0 };
    rc = after_size? dh_cursor_seek (cursor, after, after_size, &key, &value): dh_cursor_first (cursor, &key, &value);
    if (!rc && after_size && key.size == after_size && !memcmp (key.data, after, after_size))
        rc = dh_cursor_next (cursor, &key, &value);
    for (uint32_t examined = 0; !rc && examined < self->summary_batch; examined++) {
        uint32_t open = 0;
        if (value.size == 4)
            memcpy (&open, value.data, 4);
        if (open) {
            char *id = s_copy (call, &key);
            if (!id) {
                rc = DH_E_NOMEM;
                break;
            }
            turn->handlers [turn->count++] = (s_handler_t) { id, open };
        }
        last = key;
        rc = dh_cursor_next (cursor, &key, &value);
    }
    //  Entries left: the next turn starts after the last one examined.
    if (!rc) {
        turn->last = s_copy (call, &last);
        turn->last_size = last.size;
        if (!turn->last)
            rc = DH_E_NOMEM;
    }
    dh_cursor_close (&cursor);
    return rc == DH_E_NOT_FOUND? 0: rc;
}

//  Mark day in `daily`: done, or gone as far as last.
static int
s_mark (assign_t *self, dh_call_t *call, int64_t day, const char *last, size_t last_size)
{
    uint8_t *mark = dh_service_scratch (call->service, 8 + last_size);
    if (!mark)
        return DH_E_NOMEM;
    dh_key_u64 (mark, (uint64_t) day);
    if (last_size)
        memcpy (mark + 8, last, last_size);
    return dh_txn_put (call->txn, self->daily, s_key, strlen (s_key), mark, 8 + last_size);
}

//  Nothing to send now (at a start, mostly): say why, wait for at.
static void
s_wait (assign_t *self, int64_t day, const char *why, int64_t at)
{
    char date [16], when [40];
    s_date (day, date, sizeof date);
    dh_time_format (at, when, sizeof when);
    zsys_info ("assign: queue summary of %s %s; the next at %s", date, why, when);
    dh_timer_at (self->summary_timer, at);
}

static int
s_work (dh_call_t *call, void *arg)
{
    assign_t *self = arg;
    int64_t now = dh_clock_now ();
    int64_t today = s_day (now);

    //  What was done: never (-1), a day done, or a day's walk part way.
    int64_t done_day = -1;
    const void *after = NULL;
    size_t after_size = 0;
    dh_val_t value;
    int rc = dh_txn_get (call->txn, self->daily, s_key, strlen (s_key), &value);
    if (rc == 0 && value.size >= 8) {
        done_day = (int64_t) dh_key_u64_read (value.data);
        after = (const uint8_t *) value.data + 8;
        after_size = value.size - 8;
    }
    else
    if (rc == 0)
        return dh_call_fail (call, DH_E_CORRUPT, "queue summary: the day done is %zu bytes", value.size);
    else
    if (rc != DH_E_NOT_FOUND)
        return dh_call_fail (call, rc, "queue summary: cannot read the day done: %s", dh_strerror (rc));

    //  A walk left part way on an earlier day is dropped: this morning
    //  wants today's queue, not the rest of yesterday's.
    if (done_day != today || !after_size) {
        after_size = 0;
        //  Today done, or a later day (the clock was set back): nothing
        //  before the next day's time.
        if (done_day >= today) {
            s_wait (self, today, "sent already", s_due (self, today + 1));
            return 0;
        }
        if (now < s_due (self, today)) {
            s_wait (self, today, "not due yet", s_due (self, today));
            return 0;
        }
    }
    s_turn_t turn = { NULL, 0, NULL, 0 };
    if ((rc = s_walk (self, call, after, after_size, &turn)))
        return dh_call_fail (call, rc, "queue summary: cannot read the loads: %s", dh_strerror (rc));
    for (size_t i = 0; i < turn.count; i++) {
        //  One who left the org chart still holds what they hold: told,
        //  with no unit.
        Dh__Staff *staff;
        const char *id = turn.handlers [i].id;
        rc = assign_staff_get (self, call, id, &staff);
        if (rc && rc != DH_E_NOT_FOUND)
            return dh_call_fail (call, rc, "queue summary: cannot read staff %s: %s", id, dh_strerror (rc));
        if ((rc = assign_tell_queue_summary (self, call, id, rc? "": staff->unit, turn.handlers [i].open, now)))
            return rc;
    }
    if ((rc = s_mark (self, call, today, turn.last, turn.last_size)))
        return dh_call_fail (call, rc, "queue summary: cannot mark the day done: %s", dh_strerror (rc));
    char date [16];
    s_date (today, date, sizeof date);
    zsys_info ("assign: queue summary of %s: %zu told%s", date, turn.count,
               turn.last? ", more in the next turn": "");
    dh_timer_at (self->summary_timer, turn.last? now: s_due (self, today + 1));
    return 0;
}

//  "HH:MM" as minutes after midnight; -1 when it is not one.
static int64_t
s_minute (const char *text)
{
    if (strlen (text) != 5 || text [2] != ':')
        return -1;
    for (int i = 0; i < 5; i++)
        if (i != 2 && (text [i] < '0' || text [i] > '9'))
            return -1;
    int hour = (text [0] - '0') * 10 + text [1] - '0';
    int minute = (text [3] - '0') * 10 + text [4] - '0';
    return hour < 24 && minute < 60? hour * 60 + minute: -1;
}

int
assign_summary_setup (assign_t *self)
{
    dh_config_t *config = dh_service_config (self->service);
    const char *at = dh_config_get (config, "queue_summary_at");
    int64_t batch;
    int rc = dh_config_int (config, "queue_summary_batch", 1, 1000000, &batch);
    if (rc)
        return rc;
    self->summary_batch = (uint32_t) batch;
    bool off = !*at || !strcmp (at, "off");
    self->summary_minute = off? 0: s_minute (at);
    if (self->summary_minute < 0) {
        zsys_error ("assign: queue_summary_at '%s' is neither a time HH:MM (Hanoi) nor off", at);
        return DH_E_CONFIG;
    }
    if (!dh_service_has_peer (self->service, "notify"))
        return 0;               //  said already: notify is not told
    if (off) {
        zsys_info ("assign: no daily queue summary (queue_summary_at is off)");
        return 0;
    }
    self->summary_timer = dh_service_timer_new (self->service, s_work, self);
    if (!self->summary_timer)
        return DH_E_NOMEM;
    zsys_info ("assign: a queue summary to each handler holding open items daily at %s (Hanoi)", at);
    //  The work finds what is due from the store: today's, if its time
    //  passed while assign was down, goes now; else the timer waits.
    dh_timer_at (self->summary_timer, dh_clock_now ());
    return 0;
}

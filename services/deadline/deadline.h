/*  dunghan-deadline: one clock per item, per step and per supplementation
    request, kept as a ledger of running and paused segments; warnings
    and breaches fired from an index by due time; outcomes; per-unit
    figures kept in daily buckets (README: Deadlines and figures).  */
#ifndef DEADLINE_H
#define DEADLINE_H

#include "deadline.pb-c.h"
#include "dh_calendar.h"
#include "dh_ledger.h"
#include "dh_service.h"

//  What the store holds (dh_service_layout).
#define DEADLINE_LAYOUT 1

//  How far ahead of the due time the due-soon warning fires.
typedef enum {
    DEADLINE_WARN_WORKING_MS = 1,   //  a working time before (3 working days: 24 h)
    DEADLINE_WARN_SHARE = 2         //  when this share (per mille) of the time is left
} deadline_warn_t;

typedef struct {
    dh_service_t *service;
    dh_dbi_t clocks;            //  clock id -> Clock
    dh_dbi_t schedule;          //  dh_schedule: (time, 'W'|'B' + clock id): warnings and breaches to fire
    dh_dbi_t overdue;           //  unit \0 due(8) item -> nothing: open items past their due time
    dh_dbi_t due_soon;          //  unit \0 due(8) item -> nothing: open items warned, not yet past due
    dh_dbi_t open;              //  unit \0 received_at(8) item -> nothing: open items by receipt (queues)
    dh_dbi_t counters;          //  unit \0 day(4) -> deadline_bucket_t
    //  A warning or breach fired is marked here, keyed like the schedule
    //  ('W'|'B', time, clock id), not by rewriting the clock: a burst of
    //  firings then writes pages in time order, not one page per clock.
    //  The mark is folded into the clock when it is next stored.
    dh_dbi_t fired;
    dh_dbi_t runs;              //  "recompute" -> RecomputeReply: the last RECOMPUTE's run
    dh_calendar_t *calendar;    //  committed
    dh_calendar_t *pending;     //  loaded by RECOMPUTE, in force once its batch commits
    const char *calendar_dir;
    dh_timer_t *timer;          //  fires warnings and breaches
    dh_timer_t *recompute_timer;//  a turn of the recompute under way
    deadline_warn_t warn;
    int64_t warn_amount;        //  working ms, or per mille left
    dh_method_t method;
    uint32_t fire_batch;        //  most firings in one turn
    uint32_t recompute_batch;   //  most clocks recomputed in one turn
    int burst_share;            //  percent of real time their turns may take (dh_timer_share)
} deadline_t;

//  Each file's commands (dh_command_t rows), registered by main.c.
extern const dh_command_t deadline_clock_commands [];    //  clock.c
extern const dh_command_t deadline_query_commands [];    //  query.c
extern const dh_command_t deadline_figure_commands [];   //  figures.c
extern const dh_command_t deadline_apology_commands [];  //  apology.c
extern const dh_command_t deadline_recompute_commands [];//  recompute.c
extern const dh_command_t deadline_queue_commands [];    //  queues.c

//  clock.c: one clock read and written, its ledger, its place in the
//  schedule and the lists.
typedef struct {
    Dh__Clock *record;
    dh_ledger_t ledger;
    bool fired_warning;         //  its warned / breached came from a mark in `fired`
    bool fired_breach;
} deadline_clock_t;

//  The calendar a computation uses now (a RECOMPUTE's new one in its batch).
dh_calendar_t *deadline_calendar (deadline_t *self);
//  Errors: DH_E_NOT_FOUND, DH_E_CORRUPT, DH_E_NOMEM, store errors.
int deadline_clock_get (deadline_t *self, dh_call_t *call, const char *id, deadline_clock_t *clock);
//  Recompute the due time from the ledger and store the clock, moving the
//  entries its record `before` had placed in the schedule and the lists
//  (before: the record as read, NULL for a new clock).
int deadline_clock_store (deadline_t *self, dh_call_t *call, deadline_clock_t *clock, const Dh__Clock *before);
//  Fold the marks of `fired` into a record read from the store (warned,
//  breached); *warning and *breach (may be NULL) say which came so.
int deadline_clock_fold (deadline_t *self, dh_call_t *call, Dh__Clock *record, bool *warning, bool *breach);
//  The clock's warning ('W') or breach ('B') fired at `at`: marked, and
//  the item entered in the due-soon or overdue list. record's flags are
//  set already; before is the record as read.
int deadline_clock_fired (deadline_t *self, dh_call_t *call, deadline_clock_t *clock, const Dh__Clock *before,
                          char tag, int64_t at);
//  Tell the feed (and notify, when deployed) of a warning, breach or stop.
int deadline_tell (deadline_t *self, dh_call_t *call, uint32_t type, const ProtobufCMessage *message);
//  The item's clock is over (end): outcome, figures, its open step and
//  supplement clocks closed, told.
int deadline_item_stop (deadline_t *self, dh_call_t *call, deadline_clock_t *clock, int64_t at,
                        Dh__ClockEnd end);
//  The key of an item in the overdue and due-soon lists.
size_t deadline_list_key (const char *unit, int64_t due, const char *item, uint8_t *key, size_t size);

//  tell.c: tell dunghan-notify (when a `notify` section deploys one: else
//  they do nothing), in the call's transaction, of an apology drafted
//  (to the head: record->head) or approved (to the applicant; due_at is
//  the appointment it replaces). 0 or an error code after dh_call_fail.
int deadline_tell_apology_drafted (deadline_t *self, dh_call_t *call, const Dh__Clock *record, int64_t at);
int deadline_tell_apology_approved (deadline_t *self, dh_call_t *call, const Dh__Clock *record, int64_t due_at,
                                    int64_t at);

//  query.c: answer with every clock of the item code (a ClockReport).
int deadline_report (deadline_t *self, dh_call_t *call, const char *code);

//  recompute.c: the timer that goes on with a recompute.
int deadline_recompute_setup (deadline_t *self);

//  fire.c: the timer that fires what fell due.
int deadline_fire_setup (deadline_t *self);
void deadline_fire_arm (deadline_t *self, int64_t at);

//  figures.c: daily buckets per unit.
typedef enum {
    DEADLINE_RECEIVED_ONLINE, DEADLINE_RECEIVED_IN_PERSON, DEADLINE_RECEIVED_POST,
    DEADLINE_EARLY, DEADLINE_ON_TIME, DEADLINE_LATE, DEADLINE_REFUSED,
    DEADLINE_WITHDRAWN, DEADLINE_NOT_ACCEPTED,
    DEADLINE_OPENED, DEADLINE_CLOSED,           //  in and out of the unit's open items
    DEADLINE_OVERDUE_IN, DEADLINE_OVERDUE_OUT,  //  ... of its overdue ones
    DEADLINE_PAUSED_IN, DEADLINE_PAUSED_OUT,    //  ... of its paused ones
    DEADLINE_APOLOGIES, DEADLINE_SUPPLEMENTS, DEADLINE_SENT_BACK_TWICE,
    DEADLINE_FIGURES
} deadline_figure_t;

//  Add delta to a figure of unit on the day (Hanoi) of at.
int deadline_count (deadline_t *self, dh_call_t *call, const char *unit, int64_t at,
                    deadline_figure_t figure, int delta);
//  Days since 1970-01-01 in Hanoi of a UTC ms instant.
int64_t deadline_day (int64_t at);

#endif

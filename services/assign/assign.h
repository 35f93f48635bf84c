/*  dunghan-assign: the org chart, who holds each item, the step history
    (README: What runs). Every item has exactly one lead unit at all times.  */
#ifndef ASSIGN_H
#define ASSIGN_H

#include "org.pb-c.h"
#include "work.pb-c.h"
#include "dh_service.h"

//  What the store holds (dh_service_layout): 2 since the steps journal,
//  3 since an item is stored as an AssignmentRecord, 4 since the audit
//  chain is hashed with BLAKE2b.
#define ASSIGN_LAYOUT 4

typedef struct {
    dh_service_t *service;
    dh_dbi_t units;             //  unit code -> Unit
    dh_dbi_t staff;             //  staff id -> Staff
    dh_dbi_t unit_staff;        //  "unit|staff id" -> role (index for routing)
    dh_dbi_t items;             //  item code -> AssignmentRecord
    dh_dbi_t load;              //  staff id -> open items held (uint32)
    dh_dbi_t steps;             //  journal of Steps (dh_journal), newest in Assignment.last_step
    dh_dbi_t daily;             //  daily work -> the last Hanoi day done (summary.c)
    dh_timer_t *summary_timer;  //  NULL: no queue summaries here
    int64_t summary_minute;     //  queue_summary_at, minutes after Hanoi midnight
    uint32_t summary_batch;     //  most handlers told in one turn
} assign_t;

//  Each file's commands (dh_command_t rows), registered by main.c.
extern const dh_command_t assign_org_commands [];       //  org.c
extern const dh_command_t assign_route_commands [];     //  route.c
extern const dh_command_t assign_work_commands [];      //  work.c
extern const dh_command_t assign_snapshot_commands [];  //  snapshot.c

//  org.c
int assign_unit_get (assign_t *self, dh_call_t *call, const char *code, Dh__Unit **unit);
int assign_staff_get (assign_t *self, dh_call_t *call, const char *id, Dh__Staff **staff);

//  route.c: the handler of unit with the fewest open items (DH_E_NOT_FOUND
//  when it has none); a handler's load moves by delta.
int assign_pick_handler (assign_t *self, dh_call_t *call, const char *unit, char **handler);
int assign_load_add (assign_t *self, dh_txn_t *txn, const char *handler, int delta);

//  Is an item in this state still being worked (its clocks running or
//  paused), rather than ended?
static inline bool
assign_state_open (Dh__ItemState state)
{
    return state != DH__ITEM_STATE__RESOLVED && state != DH__ITEM_STATE__REJECTED
        && state != DH__ITEM_STATE__RETURNED && state != DH__ITEM_STATE__WITHDRAWN;
}

//  work.c
//  The item under code; *last_step (if asked) gets its newest step's
//  place in the steps journal.
int assign_item_get (assign_t *self, dh_call_t *call, const char *code, Dh__Assignment **item,
                     uint64_t *last_step);
//  Store the item, add the step to its history after last_step, tell
//  intake, audit, publish.
int assign_record (assign_t *self, dh_call_t *call, Dh__Assignment *item, uint64_t last_step,
                   Dh__Step *step, const char *command, bool tell_intake);

//  clocks.c: tell the deadline daemon (when one is configured: else they
//  do nothing) how the item's clocks move, over the link in the call's
//  transaction. Each returns 0 or an error code after dh_call_fail.
//  An item arrived: its clock starts, and its step clock if a handler
//  was found.
int assign_clock_received (assign_t *self, dh_call_t *call, const Dh__ItemReceived *received,
                           const Dh__Assignment *item, int64_t at);
//  A command on an item changed it (the item as it is now; the step
//  recorded for it).
typedef int (assign_clock_fn) (assign_t *self, dh_call_t *call, const Dh__ItemCommand *command,
                               const Dh__Assignment *item, const Dh__Step *step);
assign_clock_fn assign_clock_step_start;  //  a new holder or node: a step clock starts
assign_clock_fn assign_clock_transfer;    //  another lead unit: the item clock moves, a step starts
assign_clock_fn assign_clock_step_stop;   //  the step is done
assign_clock_fn assign_clock_pause;       //  papers are missing: the item clock pauses
assign_clock_fn assign_clock_fee;         //  a fee is due: the item clock pauses
assign_clock_fn assign_clock_resolve;     //  a result or a refusal: the item clock stops
//  The counter changed the item (it was in state before): withdrawn or
//  not accepted stops its clock, papers supplied resume it.
int assign_clock_counter (assign_t *self, dh_call_t *call, const Dh__Assignment *item, Dh__ItemState before,
                          const Dh__Step *step);

//  tell.c: tell dunghan-notify (when a `notify` section deploys one: else
//  they do nothing) what happened to an item, over the link in the call's
//  transaction; the same arguments as a clock function (command is NULL
//  when routing gave the item its handler). Each returns 0 or an error
//  code after dh_call_fail.
typedef assign_clock_fn assign_tell_fn;
assign_tell_fn assign_tell_assigned;      //  a handler was given it: they hear it
assign_tell_fn assign_tell_supplement;    //  papers are missing: the applicant hears which
assign_tell_fn assign_tell_fee;           //  a fee is due: the applicant hears which
assign_tell_fn assign_tell_resolved;      //  a result is ready, or the dossier was refused
assign_tell_fn assign_tell_returned;      //  the result was handed over
//  The daily queue summary of staff (of unit): the open items they hold,
//  as at `at`. Sent with no item code; overdue_items is left 0 (assign
//  does not know which are overdue).
int assign_tell_queue_summary (assign_t *self, dh_call_t *call, const char *staff, const char *unit,
                               uint32_t open, int64_t at);

//  summary.c: the daily queue summary (its own timer, when notify is
//  deployed and queue_summary_at is a time). Reads queue_summary_at and
//  queue_summary_batch; returns 0 or DH_E_CONFIG (logged), DH_E_NOMEM.
int assign_summary_setup (assign_t *self);

#endif

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

//  work.c
//  The item under code; *last_step (if asked) gets its newest step's
//  place in the steps journal.
int assign_item_get (assign_t *self, dh_call_t *call, const char *code, Dh__Assignment **item,
                     uint64_t *last_step);
//  Store the item, add the step to its history after last_step, tell
//  intake, audit, publish.
int assign_record (assign_t *self, dh_call_t *call, Dh__Assignment *item, uint64_t last_step,
                   Dh__Step *step, const char *command, bool tell_intake);

#endif

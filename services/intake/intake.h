/*  dunghan-intake: the one-stop counter. Owns work items, code counters,
    the procedure catalog and each item's public status (README: What runs).  */
#ifndef INTAKE_H
#define INTAKE_H

#include "work.pb-c.h"
#include "dh_service.h"

//  What the store holds (dh_service_layout): 2 since dossiers, status
//  and the steps journal were split, 3 since the audit chain is hashed
//  with BLAKE2b.
#define INTAKE_LAYOUT 3
//  Agency codes are short (they start every dossier code); the catalog
//  import refuses longer ones.
#define INTAKE_AGENCY_MAX 32

typedef struct {
    dh_service_t *service;
    dh_dbi_t procedures;        //  procedure code -> Procedure
    //  A dossier is stored in two parts under its code: what was
    //  received, written once, and what changes, small, so that following
    //  a thousand dossiers in flight rewrites few pages. Its steps are in
    //  a journal.
    dh_dbi_t dossiers;          //  code -> Item as received (applicant, papers, appointment)
    dh_dbi_t status;            //  code -> ItemStatus: state, lead unit, handler, reason, newest step
    dh_dbi_t steps;             //  journal of Steps (dh_journal)
    dh_dbi_t day_counters;      //  "agency|yyMMdd" -> last sequence number
    struct _dh_calendar_t *calendar;
} intake_t;

//  Each file's commands (dh_command_t rows), registered by main.c.
extern const dh_command_t intake_catalog_commands [];   //  catalog.c
extern const dh_command_t intake_dossier_commands [];   //  dossier.c
extern const dh_command_t intake_snapshot_commands [];  //  snapshot.c

//  catalog.c
int intake_procedure_get (intake_t *self, dh_call_t *call, const char *code, Dh__Procedure **procedure);

//  appointment.c: the working hours a procedure allows for a channel; 0
//  for a same-day or calendar-days procedure, whose due time is a day
//  and not a count of working hours.
double intake_procedure_hours (const Dh__Procedure *procedure, Dh__Channel channel);
//  The received time adjusted to office hours and the due
//  time from the catalog, on the working calendar.
int intake_appointment (intake_t *self, const Dh__Procedure *procedure, Dh__Channel channel,
                        int64_t submitted_at, int64_t *received_at, int64_t *due_at);

//  tell.c: tell dunghan-notify (when a `notify` section deploys one: else
//  they do nothing) what happened to a dossier, over the link in the
//  call's transaction. Each returns 0 or an error code after dh_call_fail.
//  A dossier was received (the item as stored): its applicant's contact
//  and channels, procedure, appointment.
int intake_tell_received (intake_t *self, dh_call_t *call, const Dh__Item *item, const Dh__Procedure *procedure);
//  The counter moved the item (as it is now; the step recorded for it).
typedef int (intake_tell_fn) (intake_t *self, dh_call_t *call, const Dh__Item *item, const Dh__Step *step);
intake_tell_fn intake_tell_not_accepted;  //  không tiếp nhận: by the clerk, or the papers came too late

#endif

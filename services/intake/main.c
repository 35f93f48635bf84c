//  dunghan-intake — the loop: configuration, store, handlers, run.
#include "dh_calendar.h"
#include "dh_error.h"
#include "dh_types.h"
#include "intake.h"

static const dh_config_key_t s_keys [] = {
    { "calendar", "deploy/calendar", "folder of the working calendar (hours.cfg, holidays-YYYY.csv)", true },
    { NULL, NULL, NULL, false }
};

static int
s_setup (dh_service_t *service, void *state)
{
    intake_t *self = state;
    self->service = service;
    dh_store_t *store = dh_service_store (service);
    int rc;
    if ((rc = dh_service_layout (service, INTAKE_LAYOUT))
    ||  (rc = dh_store_dbi (store, "procedures", &self->procedures))
    ||  (rc = dh_store_dbi (store, "dossiers", &self->dossiers))
    ||  (rc = dh_store_dbi (store, "status", &self->status))
    ||  (rc = dh_store_dbi (store, "steps", &self->steps))
    ||  (rc = dh_store_dbi (store, "day_counters", &self->day_counters)))
        return rc;
    const char *calendar_dir = dh_config_get (dh_service_config (service), "calendar");
    if ((rc = dh_calendar_load (calendar_dir, &self->calendar))) {
        zsys_error ("intake: cannot load the calendar from %s: %s", calendar_dir, dh_strerror (rc));
        return DH_E_CONFIG;     //  the operator fixes the folder; a restart alone will not
    }
    dh_service_register (service, intake_catalog_commands, self);
    dh_service_register (service, intake_dossier_commands, self);
    dh_service_register (service, intake_snapshot_commands, self);
    //  dunghan-notify, where one runs, hears of dossiers received and not
    //  accepted (tell.c).
    if ((rc = dh_service_add_peer (service, "assign")))
        return rc;
    return dh_service_add_optional_peer (service, "notify");
}

int
main (int argc, char **argv)
{
    intake_t intake = { 0 };
    int rc = dh_service_main ("intake",
        "usage: dunghan-intake [--config FILE] [--set KEY=VALUE]...\n"
        "The one-stop counter: receives dossiers, gives each its code and appointment.",
        argc, argv, s_keys, s_setup, &intake);
    dh_calendar_destroy (&intake.calendar);
    return rc;
}

//  dunghan-assign — the loop: configuration, store, handlers, run.
#include "dh_error.h"
#include "dh_types.h"
#include "assign.h"

static int
s_setup (dh_service_t *service, void *state)
{
    assign_t *self = state;
    self->service = service;
    dh_store_t *store = dh_service_store (service);
    int rc;
    if ((rc = dh_service_layout (service, ASSIGN_LAYOUT))
    ||  (rc = dh_store_dbi (store, "units", &self->units))
    ||  (rc = dh_store_dbi (store, "staff", &self->staff))
    ||  (rc = dh_store_dbi (store, "unit_staff", &self->unit_staff))
    ||  (rc = dh_store_dbi (store, "items", &self->items))
    ||  (rc = dh_store_dbi (store, "load", &self->load))
    ||  (rc = dh_store_dbi (store, "steps", &self->steps)))
        return rc;
    dh_service_register (service, assign_org_commands, self);
    dh_service_register (service, assign_route_commands, self);
    dh_service_register (service, assign_work_commands, self);
    dh_service_register (service, assign_snapshot_commands, self);
    //  The deadline daemon, where one runs, hears of every clock that
    //  moves (clocks.c); dunghan-notify of what a handler or the
    //  applicant must know (tell.c).
    if ((rc = dh_service_add_peer (service, "intake"))
    ||  (rc = dh_service_add_optional_peer (service, "deadline")))
        return rc;
    return dh_service_add_optional_peer (service, "notify");
}

int
main (int argc, char **argv)
{
    assign_t assign = { 0 };
    return dh_service_main ("assign",
        "usage: dunghan-assign [--config FILE] [--set KEY=VALUE]...\n"
        "The org chart and who holds each item: lead unit, handler, steps.",
        argc, argv, NULL, s_setup, &assign);
}

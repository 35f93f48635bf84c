//  dunghan-assign — the loop: configuration, store, handlers, run.
#include "dh_error.h"
#include "dh_types.h"
#include "assign.h"

static const dh_config_key_t s_keys [] = {
    { "queue_summary_at", "07:30", "when each handler holding open items hears how many, daily (bảng tổng hợp "
      "hồ sơ): HH:MM Hanoi time; \"\" or off: never. Only where a notify section deploys dunghan-notify", false },
    { "queue_summary_batch", "1000", "most handlers told in one turn of the summary (commands are served between)",
      false },
    { NULL, NULL, NULL, false }
};

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
    ||  (rc = dh_store_dbi (store, "steps", &self->steps))
    ||  (rc = dh_store_dbi (store, "daily", &self->daily)))
        return rc;
    dh_service_register (service, assign_org_commands, self);
    dh_service_register (service, assign_route_commands, self);
    dh_service_register (service, assign_work_commands, self);
    dh_service_register (service, assign_snapshot_commands, self);
    //  The deadline daemon, where one runs, hears of every clock that
    //  moves (clocks.c); dunghan-notify of what a handler or the
    //  applicant must know (tell.c), and each morning every handler of
    //  their queue (summary.c).
    if ((rc = dh_service_add_peer (service, "intake"))
    ||  (rc = dh_service_add_optional_peer (service, "deadline"))
    ||  (rc = dh_service_add_optional_peer (service, "notify")))
        return rc;
    return assign_summary_setup (self);
}

int
main (int argc, char **argv)
{
    assign_t assign = { 0 };
    return dh_service_main ("assign",
        "usage: dunghan-assign [--config FILE] [--set KEY=VALUE]...\n"
        "The org chart and who holds each item: lead unit, handler, steps.",
        argc, argv, s_keys, s_setup, &assign);
}

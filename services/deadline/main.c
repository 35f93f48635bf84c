//  dunghan-deadline — the loop: configuration, store, handlers, the
//  firing timer, run.
#include <math.h>
#include "dh_error.h"
#include "dh_types.h"
#include "deadline.h"

static const dh_config_key_t s_keys [] = {
    { "calendar", "deploy/calendar", "folder of the working calendar (hours.cfg, holidays-YYYY.csv)", true },
    { "warn_before", "3d", "due-soon warning: working days (3d), working hours (16h) or share of the time "
      "left (25%) before the due time", false },
    { "outcome_method", "time", "early / on time / late judged by date or by time (DOMAIN §4)", false },
    { "fire_batch", "1000", "most warnings and breaches fired in one turn (commands are served between)", false },
    { "burst_share", "25", "most of the real time (percent) a burst of firings or a recompute takes while it "
      "has more to do; the rest is left to commands and to the daemons beside it on the machine", false },
    { "recompute_batch", "2000", "most clocks recomputed in one turn after a calendar change (each turn "
      "commits; commands are served in between)", false },
    { NULL, NULL, NULL, false }
};

//  "3d", "16h" or "25%".
static int
s_warn_setting (deadline_t *self, const char *text)
{
    char *end;
    double amount = strtod (text, &end);
    if (end == text || !isfinite (amount) || amount < 0 || end [0] == 0 || end [1] != 0)
        return DH_E_CONFIG;
    if (*end == 'd' && amount <= 1000)
        self->warn_amount = llround (amount * 8 * DH_HOUR_MS);
    else
    if (*end == 'h' && amount <= 8000)
        self->warn_amount = llround (amount * DH_HOUR_MS);
    else
    if (*end == '%' && amount <= 100) {
        self->warn = DEADLINE_WARN_SHARE;
        self->warn_amount = llround (amount * 10);
        return 0;
    }
    else
        return DH_E_CONFIG;
    self->warn = DEADLINE_WARN_WORKING_MS;
    return 0;
}

static int
s_setup (dh_service_t *service, void *state)
{
    deadline_t *self = state;
    self->service = service;
    dh_config_t *config = dh_service_config (service);
    dh_store_t *store = dh_service_store (service);
    int64_t fire_batch, recompute_batch, burst_share;
    int rc;
    if ((rc = dh_service_layout (service, DEADLINE_LAYOUT))
    ||  (rc = dh_store_dbi (store, "clocks", &self->clocks))
    ||  (rc = dh_store_dbi (store, "schedule", &self->schedule))
    ||  (rc = dh_store_dbi (store, "overdue", &self->overdue))
    ||  (rc = dh_store_dbi (store, "due_soon", &self->due_soon))
    //  `open` came without a new layout: nothing stored before changes
    //  shape, so an older store opens. It has no entry for the items open
    //  when it was upgraded: `queues` leaves them out of its open count and
    //  oldest (not of due soon and overdue: their lists are older) until
    //  they stop, or a transfer enters them under their new unit. Stopping
    //  or moving one finds no entry and goes on (clock.c, s_open_entry).
    ||  (rc = dh_store_dbi (store, "open", &self->open))
    ||  (rc = dh_store_dbi (store, "counters", &self->counters))
    ||  (rc = dh_store_dbi (store, "fired", &self->fired))
    //  Added without a new layout, as `open` was: a new store gets it.
    ||  (rc = dh_store_dbi (store, "runs", &self->runs))
    ||  (rc = dh_config_int (config, "fire_batch", 1, 1000000, &fire_batch))
    ||  (rc = dh_config_int (config, "recompute_batch", 1, 1000000, &recompute_batch))
    ||  (rc = dh_config_int (config, "burst_share", 1, 100, &burst_share)))
        return rc;
    self->fire_batch = (uint32_t) fire_batch;
    self->recompute_batch = (uint32_t) recompute_batch;
    self->burst_share = (int) burst_share;
    const char *warn = dh_config_get (config, "warn_before");
    if (s_warn_setting (self, warn)) {
        zsys_error ("deadline: warn_before '%s' is not working days (3d), working hours (16h) or a share "
                    "of the time left (25%%)", warn);
        return DH_E_CONFIG;
    }
    const char *method = dh_config_get (config, "outcome_method");
    if (!strcmp (method, "date"))
        self->method = DH_METHOD_BY_DATE;
    else
    if (!strcmp (method, "time"))
        self->method = DH_METHOD_BY_TIME;
    else {
        zsys_error ("deadline: outcome_method '%s' is neither date nor time", method);
        return DH_E_CONFIG;
    }
    self->calendar_dir = dh_config_get (config, "calendar");
    if ((rc = dh_calendar_load (self->calendar_dir, &self->calendar))) {
        zsys_error ("deadline: cannot load the calendar from %s: %s", self->calendar_dir, dh_strerror (rc));
        return DH_E_CONFIG;
    }
    dh_service_register (service, deadline_clock_commands, self);
    dh_service_register (service, deadline_query_commands, self);
    dh_service_register (service, deadline_figure_commands, self);
    dh_service_register (service, deadline_apology_commands, self);
    dh_service_register (service, deadline_recompute_commands, self);
    dh_service_register (service, deadline_queue_commands, self);
    if ((rc = dh_service_add_optional_peer (service, "intake"))
    ||  (rc = dh_service_add_optional_peer (service, "notify")))
        return rc;
    if ((rc = deadline_recompute_setup (self)))
        return rc;
    return deadline_fire_setup (self);
}

int
main (int argc, char **argv)
{
    deadline_t deadline = { 0 };
    int rc = dh_service_main ("deadline",
        "usage: dunghan-deadline [--config FILE] [--set KEY=VALUE]...\n"
        "Clocks of every item and step: warnings, breaches, outcomes, and the figures.",
        argc, argv, s_keys, s_setup, &deadline);
    dh_calendar_destroy (&deadline.calendar);
    dh_calendar_destroy (&deadline.pending);
    return rc;
}

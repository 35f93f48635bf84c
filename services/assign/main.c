//  dunghan-assign — the loop: configuration, store, handlers, run.
#include "dh_error.h"
#include "dh_types.h"
#include "assign.h"

static const dh_command_t s_commands [] = {
    { DH_MSG_ORG_IMPORT,         assign_org_import,    DH_FROM_CLIENT, 0, false, NULL },
    { DH_MSG_ASSIGN,             assign_command,       DH_FROM_CLIENT, 0, false, NULL },
    { DH_MSG_REASSIGN,           assign_command,       DH_FROM_CLIENT, 0, false, NULL },
    { DH_MSG_TRANSFER,           assign_command,       DH_FROM_CLIENT, 0, false, NULL },
    { DH_MSG_STEP_START,         assign_command,       DH_FROM_CLIENT, 0, false, NULL },
    { DH_MSG_STEP_COMPLETE,      assign_command,       DH_FROM_CLIENT, 0, false, NULL },
    { DH_MSG_SUPPLEMENT_REQUEST, assign_command,       DH_FROM_CLIENT, 0, false, NULL },
    { DH_MSG_RESOLVE,            assign_command,       DH_FROM_CLIENT, 0, false, NULL },
    { DH_MSG_RETURN,             assign_command,       DH_FROM_CLIENT, 0, false, NULL },
    { DH_MSG_HISTORY,            assign_history,       DH_FROM_CLIENT, 0, false, NULL },
    { DH_MSG_ASSIGNMENT,         assign_assignment,    DH_FROM_CLIENT, 0, false, NULL },
    { DH_MSG_ITEM_RECEIVED,      assign_item_received, DH_FROM_LINK, 0, false, NULL },
    { DH_MSG_ITEM_CHANGED,       assign_item_changed,  DH_FROM_LINK, 0, false, NULL },
    { 0 }
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
    ||  (rc = dh_store_dbi (store, "steps", &self->steps)))
        return rc;
    dh_service_register (service, s_commands, self);
    return dh_service_add_peer (service, "intake");
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

//  Routing: an item that arrives gets its lead unit (from the catalog,
//  through intake) and the handler of that unit with the fewest open items.
#include "dh_call.h"
#include "dh_clock.h"
#include "dh_error.h"
#include "dh_types.h"
#include "assign.h"

static dh_handler_fn s_item_received;

const dh_command_t assign_route_commands [] = {
    { DH_MSG_ITEM_RECEIVED, s_item_received, DH_FROM_LINK, 0, false, NULL },
    { 0 }
};

int
assign_load_add (assign_t *self, dh_txn_t *txn, const char *handler, int delta)
{
    if (!*handler)
        return 0;
    uint32_t load = 0;
    dh_val_t value;
    if (dh_txn_get (txn, self->load, handler, strlen (handler), &value) == 0 && value.size == 4)
        memcpy (&load, value.data, 4);
    load = delta < 0 && load < (uint32_t) -delta? 0: load + delta;
    return dh_txn_put (txn, self->load, handler, strlen (handler), &load, 4);
}

int
assign_pick_handler (assign_t *self, dh_call_t *call, const char *unit, char **handler)
{
    char prefix [80];
    int prefix_size = snprintf (prefix, sizeof prefix, "%s|", unit);
    dh_cursor_t *cursor;
    int rc = dh_cursor_open (call->txn, self->unit_staff, &cursor);
    if (rc)
        return rc;
    uint32_t best_load = UINT32_MAX;
    *handler = NULL;
    dh_val_t key, value;
    for (rc = dh_cursor_seek (cursor, prefix, prefix_size, &key, &value);
         rc == 0 && key.size > (size_t) prefix_size && !memcmp (key.data, prefix, prefix_size);
         rc = dh_cursor_next (cursor, &key, &value)) {
        if (value.size != 1 || *(const uint8_t *) value.data != DH__ROLE__HANDLER)
            continue;
        size_t id_size = key.size - prefix_size;
        const char *id = (const char *) key.data + prefix_size;
        uint32_t load = 0;
        dh_val_t stored;
        if (dh_txn_get (call->txn, self->load, id, id_size, &stored) == 0 && stored.size == 4)
            memcpy (&load, stored.data, 4);
        if (load < best_load) {
            best_load = load;
            *handler = dh_service_scratch (call->service, id_size + 1);
            if (!*handler) {
                rc = DH_E_NOMEM;
                break;
            }
            memcpy (*handler, id, id_size);
            (*handler) [id_size] = 0;
        }
    }
    dh_cursor_close (&cursor);
    if (rc && rc != DH_E_NOT_FOUND)
        return rc;
    return *handler? 0: DH_E_NOT_FOUND;
}

static int
s_item_received (dh_call_t *call, void *state)
{
    assign_t *self = state;
    Dh__ItemReceived *received;
    int rc = dh_call_unpack (call, &dh__item_received__descriptor, (ProtobufCMessage **) &received);
    if (rc)
        return rc;
    if (!*received->code || !*received->lead_unit)
        return dh_call_fail (call, DH_E_INVALID, "ITEM_RECEIVED needs a code and a lead unit");
    Dh__Assignment *existing;
    rc = assign_item_get (self, call, received->code, &existing, NULL);
    if (rc == 0)
        return dh_call_fail (call, DH_E_EXISTS, "item %s is already held", received->code);
    if (rc != DH_E_NOT_FOUND)
        return dh_call_fail (call, rc, "cannot read item %s: %s", received->code, dh_strerror (rc));
    Dh__Assignment item = DH__ASSIGNMENT__INIT;
    item.code = received->code;
    item.procedure_code = received->procedure_code;
    item.lead_unit = received->lead_unit;
    item.received_at = received->received_at;
    item.due_at = received->due_at;
    item.state = DH__ITEM_STATE__RECEIVED;
    item.handler = "";
    Dh__Step step = DH__STEP__INIT;
    step.at = dh_clock_now ();
    step.node = "routing";
    step.sender = "assign";
    step.action = "assigned";
    step.receiver = received->lead_unit;
    char *handler;
    Dh__Unit *unit;
    rc = assign_unit_get (self, call, received->lead_unit, &unit);
    if (rc == 0)
        rc = assign_pick_handler (self, call, received->lead_unit, &handler);
    if (rc == 0) {
        item.state = DH__ITEM_STATE__ASSIGNED;
        item.handler = handler;
        item.step_token = 1;
        item.step_node = "handling";
        item.step_started_at = step.at;
        step.receiver = handler;
        step.content = received->lead_unit;
        if ((rc = assign_load_add (self, call->txn, handler, 1)))
            return dh_call_fail (call, rc, "cannot count %s's load", handler);
    }
    else
    if (rc == DH_E_NOT_FOUND) {
        //  Still one lead unit; the head assigns a handler by hand.
        zsys_warning ("assign: %s: unit %s has no handler (or is not in the org chart); waiting for ASSIGN",
                      received->code, received->lead_unit);
        step.action = "waiting for a handler";
    }
    else
        return dh_call_fail (call, rc, "cannot route %s: %s", received->code, dh_strerror (rc));
    if ((rc = assign_clock_received (self, call, received, &item, step.at))
    ||  (*item.handler && (rc = assign_tell_assigned (self, call, NULL, &item, &step))))
        return rc;
    return assign_record (self, call, &item, 0, &step, "route", true);
}

//  SNAPSHOT: each item's assignment as assign's feed tells it, for a
//  subscriber that lost events (dh_snapshot.h).
#include "dh_call.h"
#include "dh_error.h"
#include "dh_snapshot.h"
#include "dh_types.h"
#include "assign.h"

//  One item as the ITEM_CHANGED assign publishes for every transition,
//  without the step: it tells what happened, not where the item is.
static int
s_entry (dh_call_t *call, void *state, const dh_val_t *key, const dh_val_t *value,
         dh_snapshot_page_t *page)
{
    (void) state;
    ProtobufCAllocator arena = dh_call_allocator (call);
    Dh__AssignmentRecord *record = dh__assignment_record__unpack (&arena, value->size, value->data);
    if (!record || !record->item)
        return dh_call_fail (call, DH_E_CORRUPT, "the record of %.*s does not decode",
                             (int) key->size, (const char *) key->data);
    Dh__ItemChanged changed = DH__ITEM_CHANGED__INIT;
    changed.code = record->item->code;
    changed.state = record->item->state;
    changed.lead_unit = record->item->lead_unit;
    changed.handler = record->item->handler;
    return dh_snapshot_add_message (call, page, key->data, key->size, DH_MSG_ITEM_CHANGED, &changed.base);
}

static int
s_list (dh_call_t *call, void *state, const void *after, size_t after_size, dh_snapshot_page_t *page)
{
    assign_t *self = state;
    return dh_snapshot_walk (call, self->items, after, after_size, s_entry, self, page);
}

static const dh_snapshot_source_t s_source = { s_list };

const dh_command_t assign_snapshot_commands [] = {
    { DH_MSG_SNAPSHOT, dh_snapshot_handle, DH_FROM_CLIENT, 0, false, &s_source },
    { 0 }
};

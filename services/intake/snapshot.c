//  SNAPSHOT: each dossier's state as intake's feed tells it, for a
//  subscriber that lost events (dh_snapshot.h).
#include "dh_call.h"
#include "dh_error.h"
#include "dh_snapshot.h"
#include "dh_types.h"
#include "intake.h"

//  One dossier as the ITEM_CHANGED that leaves a follower where intake
//  is: state, lead unit and handler from its status. The step is left
//  out: it tells what happened, not where the dossier is.
static int
s_entry (dh_call_t *call, void *state, const dh_val_t *key, const dh_val_t *value,
         dh_snapshot_page_t *page)
{
    (void) state;
    ProtobufCAllocator arena = dh_call_allocator (call);
    Dh__ItemStatus *status = dh__item_status__unpack (&arena, value->size, value->data);
    char *code = dh_service_scratch (call->service, key->size + 1);
    if (!status || !code)
        return dh_call_fail (call, status? DH_E_NOMEM: DH_E_CORRUPT, "the status of %.*s: %s",
                             (int) key->size, (const char *) key->data, status? "no memory": "does not decode");
    memcpy (code, key->data, key->size);
    code [key->size] = 0;
    Dh__ItemChanged changed = DH__ITEM_CHANGED__INIT;
    changed.code = code;
    changed.state = status->state;
    changed.lead_unit = status->lead_unit;
    changed.handler = status->handler;
    return dh_snapshot_add_message (call, page, key->data, key->size, DH_MSG_ITEM_CHANGED, &changed.base);
}

static int
s_list (dh_call_t *call, void *state, const void *after, size_t after_size, dh_snapshot_page_t *page)
{
    intake_t *self = state;
    return dh_snapshot_walk (call, self->status, after, after_size, s_entry, self, page);
}

static const dh_snapshot_source_t s_source = { s_list };

const dh_command_t intake_snapshot_commands [] = {
    { DH_MSG_SNAPSHOT, dh_snapshot_handle, DH_FROM_CLIENT, 0, false, &s_source },
    { 0 }
};

//  Firing: what fell due is taken from the schedule in the transaction of
//  its effect (the clock marked warned or breached, the notice told), at
//  most fire_batch per turn, so a burst is fired in bounded batches with
//  commands served between them, and never twice.
#include "dh_call.h"
#include "dh_clock.h"
#include "dh_error.h"
#include "dh_schedule.h"
#include "dh_types.h"
#include "work.pb-c.h"
#include "deadline.h"

typedef struct {
    deadline_t *self;
    dh_call_t *call;
} s_firing_t;

static int
s_notice (deadline_t *self, dh_call_t *call, const Dh__Clock *record, int64_t at, uint32_t type)
{
    Dh__DeadlineNotice notice = DH__DEADLINE_NOTICE__INIT;
    notice.item = record->item;
    notice.kind = record->kind;
    notice.clock = record->id;
    notice.unit = record->unit;
    notice.holder = record->holder;
    notice.head = record->head;
    notice.node = record->node;
    notice.due_at = record->due_at;
    notice.at = at;
    notice.procedure = record->procedure;
    return deadline_tell (self, call, type, &notice.base);
}

//  The applicant did not bring the papers in time: the dossier is not
//  accepted, which intake decides and assign passes back as the stop.
static int
s_supplement_expired (deadline_t *self, dh_call_t *call, const Dh__Clock *record)
{
    if (!dh_service_has_peer (self->service, "intake"))
        return 0;
    Dh__ItemCommand command = DH__ITEM_COMMAND__INIT;
    command.code = record->item;
    command.reason = "the missing papers were not supplied in time";
    size_t size;
    uint8_t *bytes = dh_call_pack (call, &command.base, &size);
    if (!bytes)
        return DH_E_NOMEM;
    return dh_service_send (self->service, call->txn, "intake", DH_MSG_SUPPLEMENT_EXPIRED, "deadline",
                            bytes, size);
}

static int
s_fire_one (void *arg, int64_t due_ms, const void *key, size_t key_size, const void *value, size_t size)
{
    (void) value;
    (void) size;
    s_firing_t *firing = arg;
    deadline_t *self = firing->self;
    dh_call_t *call = firing->call;
    if (key_size < 2 || key_size > 200)
        return DH_E_CORRUPT;
    char tag = *(const char *) key, id [200];
    memcpy (id, (const char *) key + 1, key_size - 1);
    id [key_size - 1] = 0;
    deadline_clock_t clock;
    int rc = deadline_clock_get (self, call, id, &clock);
    if (rc == DH_E_NOT_FOUND) {
        zsys_warning ("deadline: schedule entry for clock %s, which is not there; dropped", id);
        return 0;
    }
    if (rc)
        return rc;
    Dh__Clock *record = clock.record;
    if (record->stopped_at || (tag == 'W' && record->warned) || (tag == 'B' && record->breached))
        return 0;
    if (tag != 'W' && tag != 'B')
        return DH_E_CORRUPT;
    //  Marked, not stored: the clock's record stays as it is (deadline.h).
    Dh__Clock before = *record;
    record->warned = true;      //  a breach says more than a warning would
    if (tag == 'B')
        record->breached = true;
    if ((rc = deadline_clock_fired (self, call, &clock, &before, tag, due_ms))
    ||  (rc = s_notice (self, call, record, due_ms, tag == 'W'? DH_MSG_DEADLINE_WARNING: DH_MSG_DEADLINE_BREACHED)))
        return rc;
    if (tag == 'B' && record->kind == DH__CLOCK_KIND__ITEM_CLOCK
    &&  (rc = deadline_count (self, call, record->unit, due_ms, DEADLINE_OVERDUE_IN, 1)))
        return rc;
    if (tag == 'B' && record->kind == DH__CLOCK_KIND__SUPPLEMENT_CLOCK)
        return s_supplement_expired (self, call, record);
    return 0;
}

static int
s_fire (dh_call_t *call, void *arg)
{
    deadline_t *self = arg;
    s_firing_t firing = { self, call };
    size_t taken;
    int64_t now = dh_clock_now (), next;
    int rc = dh_schedule_take (call->txn, self->schedule, now, self->fire_batch, s_fire_one, &firing, &taken);
    if (!rc)
        rc = dh_schedule_next (call->txn, self->schedule, &next);
    if (rc)
        return dh_call_fail (call, rc, "cannot fire deadlines: %s", dh_strerror (rc));
    if (taken == self->fire_batch)
        zsys_info ("deadline: fired %zu, a full batch: the rest after the commands waiting", taken);
    //  A full batch: go on next turn, after the commands waiting.
    if (next)
        dh_timer_at (self->timer, taken == self->fire_batch? now: next);
    return 0;
}

int
deadline_fire_setup (deadline_t *self)
{
    self->timer = dh_service_timer_new (self->service, s_fire, self);
    if (!self->timer)
        return DH_E_NOMEM;
    dh_timer_share (self->timer, self->burst_share);
    //  Whatever fell due while the daemon was down fires now.
    dh_timer_at (self->timer, dh_clock_now ());
    return 0;
}

void
deadline_fire_arm (deadline_t *self, int64_t at)
{
    if (self->timer)
        dh_timer_at (self->timer, at);
}

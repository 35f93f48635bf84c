//  Commands' idempotency keys, as the service uses them (dh_idempotency
//  keeps them): a command its client gave up on is refused, a retry is
//  answered as the first time, and the keys past the window are pruned
//  by a timer.
#include "dh_clock.h"
#include "dh_error.h"
#include "dh_service_private.h"
#include "dh_types.h"

#define S_PRUNE_LIMIT   1000    //  keys forgotten in one transaction; commands are served in between

bool
dh_service_has_key (const dh_envelope_t *envelope)
{
    return envelope->idempotency_key && *envelope->idempotency_key;
}

//  Before a client's command runs: one its client gave up on is refused,
//  one whose key was applied before is answered as it was then. True
//  when the command is answered so, without running it.
bool
dh_service_answered_before (dh_service_t *self, dh_call_t *call, const dh_envelope_t *envelope, int *status)
{
    //  The client's patience is counted on the wall clock, as it set
    //  expires_at: a test's business clock stands still or jumps days.
    int64_t now = zclock_time ();
    if (envelope->expires_at && now > envelope->expires_at) {
        *status = dh_call_fail (call, DH_E_TIMEOUT, "%s came %" PRId64 " ms after its client stopped "
                                "waiting; not applied", dh_type_name (envelope->type), now - envelope->expires_at);
        return true;
    }
    if (!dh_service_has_key (envelope))
        return false;
    dh_idempotency_reply_t kept;
    int rc = dh_idempotency_find (self->idempotency, call->txn, envelope->actor,
                                  envelope->idempotency_key, &kept);
    if (rc == DH_E_NOT_FOUND)
        return false;
    if (rc)
        *status = dh_call_fail (call, rc, "cannot read idempotency key '%s': %s",
                                envelope->idempotency_key, dh_strerror (rc));
    else
    if (kept.type != envelope->type)
        *status = dh_call_fail (call, DH_E_INVALID, "idempotency key '%s' was given with %s, not %s",
                                envelope->idempotency_key, dh_type_name (kept.type), dh_type_name (envelope->type));
    else
        *status = kept.status? kept.status: dh_call_reply (call, kept.payload, kept.payload_size);
    return true;
}

//  After a client's command with a key changed something: keep its reply
//  under the key, in the transaction of its effect.
int
dh_service_keep_reply (dh_service_t *self, dh_call_t *call, const dh_envelope_t *envelope)
{
    dh_idempotency_reply_t reply = { dh_clock_now (), envelope->type, 0, call->reply, call->reply_size };
    int64_t forget_at;
    int rc = dh_idempotency_keep (self->idempotency, call->txn, envelope->actor, envelope->idempotency_key,
                                  &reply, &forget_at);
    if (rc)
        return dh_call_fail (call, rc, "cannot keep idempotency key '%s': %s",
                             envelope->idempotency_key, dh_strerror (rc));
    dh_timer_at (self->prune_timer, forget_at);
    return 0;
}

//  Forget the keys past the window, a bounded batch at a time.
static int
s_prune (dh_call_t *call, void *arg)
{
    dh_service_t *self = arg;
    int64_t next;
    int rc = dh_idempotency_prune (self->idempotency, call->txn, dh_clock_now (), S_PRUNE_LIMIT, &next);
    if (!rc && next)
        dh_timer_at (self->prune_timer, next);
    return rc;
}

int
dh_service_idempotency_start (dh_service_t *self)
{
    int64_t hours;
    if (dh_config_int (self->config, "idempotency_hours", 1, 24 * 366, &hours))
        return DH_E_CONFIG;
    int rc = dh_idempotency_new (self->store, hours * 3600 * 1000, &self->idempotency);
    if (rc)
        return rc;
    self->prune_timer = dh_service_timer_new (self, s_prune, self);
    if (!self->prune_timer)
        return DH_E_NOMEM;
    //  The first run finds what the store holds and sets the next.
    dh_timer_at (self->prune_timer, dh_clock_now ());
    return 0;
}


#include <stdlib.h>
#include <string.h>
#include "dh_error.h"
#include "dh_idempotency.h"
#include "dh_schedule.h"

struct _dh_idempotency_t {
    dh_dbi_t keys;              //  actor \n key -> s_header_t, payload
    dh_dbi_t due;               //  dh_schedule: forget (actor \n key) at
    int64_t keep_ms;
};

//  The head of a kept reply; the payload follows it.
typedef struct {
    int64_t at;
    uint32_t type;
    int32_t status;
} s_header_t;

//  A newline cannot be in an actor (dh_text refuses control characters
//  in the envelope's names), so it parts the two without doubt.
static int
s_key (const char *actor, const char *key, char out [DH_SCHEDULE_ID_MAX], size_t *size)
{
    size_t actor_size = strlen (actor), key_size = strlen (key);
    if (actor_size + 1 + key_size > DH_SCHEDULE_ID_MAX)
        return DH_E_TOO_BIG;
    memcpy (out, actor, actor_size);
    out [actor_size] = '\n';
    memcpy (out + actor_size + 1, key, key_size);
    *size = actor_size + 1 + key_size;
    return 0;
}

int
dh_idempotency_new (dh_store_t *store, int64_t keep_ms, dh_idempotency_t **self_p)
{
    dh_idempotency_t *self = calloc (1, sizeof *self);
    if (!self)
        return DH_E_NOMEM;
    self->keep_ms = keep_ms;
    int rc = dh_store_dbi (store, "idempotency", &self->keys);
    if (!rc)
        rc = dh_store_dbi (store, "idempotency_due", &self->due);
    if (rc)
        dh_idempotency_destroy (&self);
    *self_p = self;
    return rc;
}

void
dh_idempotency_destroy (dh_idempotency_t **self_p)
{
    free (*self_p);
    *self_p = NULL;
}

int
dh_idempotency_find (dh_idempotency_t *self, dh_txn_t *txn, const char *actor, const char *key,
                     dh_idempotency_reply_t *reply)
{
    char id [DH_SCHEDULE_ID_MAX];
    size_t id_size;
    dh_val_t value;
    int rc = s_key (actor, key, id, &id_size);
    if (!rc)
        rc = dh_txn_get (txn, self->keys, id, id_size, &value);
    if (rc)
        return rc == DH_E_TOO_BIG? DH_E_NOT_FOUND: rc;
    s_header_t header;
    if (value.size < sizeof header)
        return DH_E_CORRUPT;
    memcpy (&header, value.data, sizeof header);
    *reply = (dh_idempotency_reply_t) {
        header.at, header.type, header.status,
        (const uint8_t *) value.data + sizeof header, value.size - sizeof header
    };
    return 0;
}

int
dh_idempotency_keep (dh_idempotency_t *self, dh_txn_t *txn, const char *actor, const char *key,
                     const dh_idempotency_reply_t *reply, int64_t *forget_at)
{
    char id [DH_SCHEDULE_ID_MAX];
    size_t id_size;
    int rc = s_key (actor, key, id, &id_size);
    if (rc)
        return rc;
    void *data;
    s_header_t header = { reply->at, reply->type, reply->status };
    if ((rc = dh_txn_reserve (txn, self->keys, id, id_size, sizeof header + reply->payload_size, false, &data)))
        return rc;
    memcpy (data, &header, sizeof header);
    if (reply->payload_size)
        memcpy ((uint8_t *) data + sizeof header, reply->payload, reply->payload_size);
    *forget_at = reply->at + self->keep_ms;
    return dh_schedule_put (txn, self->due, *forget_at, id, id_size, NULL, 0);
}

typedef struct {
    dh_idempotency_t *self;
    dh_txn_t *txn;
} s_prune_t;

static int
s_forget (void *arg, int64_t due_ms, const void *id, size_t id_size, const void *value, size_t size)
{
    (void) due_ms;
    (void) value;
    (void) size;
    s_prune_t *prune = arg;
    int rc = dh_txn_del (prune->txn, prune->self->keys, id, id_size);
    return rc == DH_E_NOT_FOUND? 0: rc;
}

int
dh_idempotency_prune (dh_idempotency_t *self, dh_txn_t *txn, int64_t now_ms, size_t limit,
                      int64_t *next_ms)
{
    s_prune_t prune = { self, txn };
    size_t taken;
    int rc = dh_schedule_take (txn, self->due, now_ms, limit, s_forget, &prune, &taken);
    return rc? rc: dh_schedule_next (txn, self->due, next_ms);
}

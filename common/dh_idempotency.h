/*  dh_idempotency — a retried command is applied once.

    A client that timed out cannot tell a command that was never applied
    from one whose reply was lost; retrying either way is safe when the
    command carries a key (dh_envelope_t.idempotency_key). The service
    keeps, per key, the reply it gave when the command was applied,
    written in the same transaction as the command's effect, so a commit
    holds both or neither, across any kill -9. A retry with the key is
    answered with that reply and not applied again.

    Only a command that changed something keeps its key: a refused one
    (it changed nothing) and a read run again on retry. A key belongs to
    its actor: the same key from another actor is another key.

    Keys are kept for the window the service was made with, counted on
    dh_clock, and forgotten by dh_idempotency_prune (a service timer runs
    it: dh_service_commit.c). Two sub-databases of the service's store:
    "idempotency" (actor, key -> when, type, status, payload) and
    "idempotency_due" (a dh_schedule of when each key is forgotten).  */
#ifndef DH_IDEMPOTENCY_H
#define DH_IDEMPOTENCY_H

#include <stdint.h>
#include "dh_store.h"

typedef struct _dh_idempotency_t dh_idempotency_t;

//  The reply kept under a key.
typedef struct {
    int64_t at;                 //  when it was applied (dh_clock)
    uint32_t type;              //  the command's message type
    int status;                 //  0 (a refusal keeps nothing); kept for what may come
    const void *payload;
    size_t payload_size;
} dh_idempotency_reply_t;

//  Open (or create) the keys' tables in store; a key is kept keep_ms.
//  Errors: DH_E_NOMEM, store errors. @note the store must outlive it.
int dh_idempotency_new (dh_store_t *store, int64_t keep_ms, dh_idempotency_t **self_p);
void dh_idempotency_destroy (dh_idempotency_t **self_p);

//  The reply kept under (actor, key), read in txn. Errors: DH_E_NOT_FOUND,
//  DH_E_CORRUPT, store errors. @note reply->payload points into the
//  store: valid only until the next write in txn.
int dh_idempotency_find (dh_idempotency_t *self, dh_txn_t *txn, const char *actor, const char *key,
                         dh_idempotency_reply_t *reply);

//  Keep reply under (actor, key) in txn, and schedule its forgetting at
//  reply->at + keep_ms; *forget_at gets that time (for the prune timer).
//  Errors: DH_E_TOO_BIG (actor and key over DH_SCHEDULE_ID_MAX together),
//  store errors.
int dh_idempotency_keep (dh_idempotency_t *self, dh_txn_t *txn, const char *actor, const char *key,
                         const dh_idempotency_reply_t *reply, int64_t *forget_at);

//  Forget the keys whose time came by now_ms, at most limit of them, in
//  txn; *next_ms gets when the next one is due (0: none is kept).
//  Errors: DH_E_CORRUPT, store errors.
int dh_idempotency_prune (dh_idempotency_t *self, dh_txn_t *txn, int64_t now_ms, size_t limit,
                          int64_t *next_ms);

#endif

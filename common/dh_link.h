/*  dh_link — the reliable link between services.

    Sending: the messages a transaction writes for a peer go into that
    peer's outbox (sub-database "outbox:<peer>", keyed by seq) as one
    LINK_BATCH entry, inside the caller's write transaction, with a seq
    from a counter kept in the same store, so a restart never reuses a
    number. A batch is sent, applied and acknowledged as one: the work a
    message costs the link is shared by every message of a commit. One DEALER per peer sends outbox entries in order,
    keeps at most `window` unacknowledged, goes back to the last
    acknowledged entry after a timeout or a reconnect, and deletes entries
    once the peer's cumulative acknowledgement ("applied up to N") arrives.

    Receiving: per sender (known by its service name, never by a ZeroMQ
    routing id) the highest seq applied is stored in the receiver's
    transaction. Only high-water + 1 is applied; a seq at or below it is
    acknowledged again and not applied; a later one is dropped unacknowledged
    (the sender resends in order). One acknowledgement per sender per
    committed batch.  */
#ifndef DH_LINK_H
#define DH_LINK_H

#include <czmq.h>
#include "dh_auth.h"
#include "dh_codec.h"
#include "dh_store.h"

typedef struct _dh_link_t dh_link_t;

typedef struct {
    uint64_t window;            //  unacknowledged outbox entries (batches) in flight per peer
    int64_t resend_ms;          //  go back to the last acknowledgement after this silence
    size_t max_message;
} dh_link_options_t;

//  A link for service `name`, state in `store`, acknowledgements sent
//  through `router` (the service's api ROUTER), sockets polled on `loop`.
//  Each peer is connected as a CURVE client with auth's certificate, and
//  must hold the certificate {certs}/<peer>.cert. Errors through NULL
//  (logged). @note auth stays the caller's and must outlive the link.
dh_link_t *dh_link_new (const char *name, dh_auth_t *auth, dh_store_t *store, zsock_t *router,
                        zloop_t *loop, const dh_link_options_t *options);
void dh_link_destroy (dh_link_t **self_p);

//  Declare a downstream peer at `endpoint` (its api). Loads its outbox
//  state and connects. Call before the loop runs and outside any write
//  transaction. Errors: DH_E_IO, DH_E_NOMEM, DH_E_EXISTS, DH_E_CONFIG (no
//  certificate of the peer; logged).
int dh_link_add_peer (dh_link_t *self, const char *peer, const char *endpoint);

//  Was peer added?
bool dh_link_has_peer (dh_link_t *self, const char *peer);

//  Start of a write transaction: deletes outbox entries already
//  acknowledged (riding on the caller's commit).
int dh_link_begin (dh_link_t *self, dh_txn_t *txn);

//  Write one message to a peer's outbox in txn. The messages a
//  transaction writes for one peer go out as one LINK_BATCH entry (one
//  seq, one send, one acknowledgement), written by dh_link_prepare, or
//  sooner when the batch would pass max_message. Errors: DH_E_NOT_FOUND
//  (unknown peer), DH_E_TOO_BIG, DH_E_NOMEM, store errors.
int dh_link_enqueue (dh_link_t *self, dh_txn_t *txn, const char *peer, uint32_t type,
                     const char *actor, const void *payload, size_t size);

//  A link envelope arrived from its sender through routing id rid.
//  Returns 1: apply it now (its seq is recorded in txn); 0: a duplicate,
//  acknowledge only; DH_E_RANGE: out of order, dropped unacknowledged.
int dh_link_accept (dh_link_t *self, dh_txn_t *txn, const dh_envelope_t *envelope,
                    const void *rid, size_t rid_size);

//  Before commit: write the open batches to the outboxes, store the
//  counters and high-water marks changed in txn.
int dh_link_prepare (dh_link_t *self, dh_txn_t *txn);

//  After a successful commit: counters become real, acknowledgements go
//  out, new outbox entries are sent.
void dh_link_committed (dh_link_t *self);

//  After an abort: forget what the transaction did.
void dh_link_aborted (dh_link_t *self);

//  True when acknowledged entries wait for a transaction to delete them.
bool dh_link_has_garbage (dh_link_t *self);

//  Per-peer figures for STATUS; index from 0 while it returns true.
bool dh_link_peer_status (dh_link_t *self, size_t index, const char **peer,
                          uint64_t *last_seq, uint64_t *acked_seq, uint64_t *sent_seq);

//  Link messages committed to the index-th peer's outbox since start.
uint64_t dh_link_messages_out (dh_link_t *self, size_t index);

//  When the index-th peer's oldest unacknowledged outbox entry was
//  written (its sent_at, on dh_clock), read in txn; 0 when none waits.
//  Errors: DH_E_NOT_FOUND (no such peer), DH_E_MALFORMED, store errors.
int dh_link_peer_oldest (dh_link_t *self, dh_txn_t *txn, size_t index, int64_t *sent_at);

#endif

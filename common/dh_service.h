/*  dh_service — the skeleton every daemon stands on.

    One reactor (zloop); a ROUTER `api` for commands and link messages; a
    PUB `events` feed; the reliable link (dh_link) to downstream peers.

    Group commit: when the api is readable the loop drains every message
    that is ready (up to batch_limit), applies them all in one LMDB write
    transaction, commits once (one fsync), and only then replies,
    acknowledges and publishes. A reply is never sent for an effect that
    is not durable.

    A handler sees the open transaction. If it fails after writing, the
    batch is run again without its effects, so a refused command changes
    nothing. If the map fills, the batch is run again on a grown map.  */
#ifndef DH_SERVICE_H
#define DH_SERVICE_H

#include <czmq.h>
#include "dh_codec.h"
#include "dh_config.h"
#include "dh_store.h"

typedef struct _dh_service_t dh_service_t;

//  One command or link message being applied.
typedef struct {
    dh_service_t *service;
    dh_txn_t *txn;
    const dh_envelope_t *envelope;
    const void *reply;          //  set by dh_call_reply
    size_t reply_size;
    char *error_text;           //  set by dh_call_fail
} dh_call_t;

//  Apply call->envelope in call->txn. Return 0, or a negative code from
//  dh_error.h (then dh_call_fail has said why).
typedef int (dh_handler_fn) (dh_call_t *call, void *state);

//  Work of the service's own (timers) in a group transaction.
typedef int (dh_work_fn) (dh_service_t *service, dh_txn_t *txn, void *arg);

//  Who may send a message type.
#define DH_FROM_CLIENT  1       //  a command, answered with a Reply
#define DH_FROM_LINK    2       //  a reliable link message from a peer service
#define DH_FROM_ANY     3

//  Create the service `name` from config: open its store, bind api and
//  events, register the built-in commands (PING, STATUS, CLOCK).
//  NULL on error (logged).
dh_service_t *dh_service_new (dh_config_t *config);
void dh_service_destroy (dh_service_t **self_p);

//  Handle message type with fn (state passed back). flags: DH_FROM_*.
void dh_service_on (dh_service_t *self, uint32_t type, dh_handler_fn *fn, void *state, int flags);

//  Declare a downstream peer; its endpoint is its `api` key in the config.
int dh_service_add_peer (dh_service_t *self, const char *peer);

//  Send a message to a peer through the outbox, in txn (exactly once).
int dh_service_send (dh_service_t *self, dh_txn_t *txn, const char *peer, uint32_t type,
                     const char *actor, const void *payload, size_t size);

//  Publish an event on the feed once txn commits; its seq is kept in txn.
int dh_service_publish (dh_service_t *self, dh_txn_t *txn, uint32_t type,
                        const void *payload, size_t size);

//  Call fn after every successful commit, before replies go out (work
//  that must follow durability: counting, mail, measuring).
typedef void (dh_commit_fn) (dh_service_t *service, void *arg);
void dh_service_on_commit (dh_service_t *self, dh_commit_fn *fn, void *arg);

//  Append to the service's audit chain in txn (every state-changing
//  command does, with its effect).
int dh_service_audit (dh_service_t *self, dh_txn_t *txn, const char *actor,
                      const char *command, const char *item);
//  Check that the store holds records in the layout this program reads
//  (a number the daemon raises whenever it changes what it stores), and
//  record it in a new store. Errors: DH_E_LAYOUT (logged, naming both).
int dh_service_layout (dh_service_t *self, uint32_t layout);

//  The audit chain's sub-database, for AUDIT_VERIFY.
dh_dbi_t dh_service_audit_dbi (dh_service_t *self);

//  Run work in a group transaction of its own (retried like a batch).
int dh_service_transact (dh_service_t *self, dh_work_fn *work, void *arg);

//  Run the loop until SIGINT or SIGTERM. Writes the ready file first.
//  Returns 0 on a clean stop.
int dh_service_run (dh_service_t *self);

dh_store_t *dh_service_store (dh_service_t *self);
zloop_t *dh_service_loop (dh_service_t *self);
dh_config_t *dh_service_config (dh_service_t *self);
const char *dh_service_name (dh_service_t *self);
//  Scratch memory freed when the current batch ends.
void *dh_service_scratch (dh_service_t *self, size_t size);

//  Figures for STATUS.
typedef struct {
    uint64_t event_seq;
    uint64_t batches;
    uint64_t messages;
    uint64_t apply_us;          //  totals since start, microseconds
    uint64_t commit_us;
    uint64_t linger_us;
} dh_service_stats_t;
void dh_service_stats (dh_service_t *self, dh_service_stats_t *stats);
struct _dh_link_t *dh_service_link (dh_service_t *self);

//  Say why a call failed; returns code so a handler can `return dh_call_fail (...)`.
int dh_call_fail (dh_call_t *call, int code, const char *format, ...)
    __attribute__ ((format (printf, 3, 4)));

//  Answer the command with payload (copied).
int dh_call_reply (dh_call_t *call, const void *payload, size_t size);

//  The built-in commands (dh_service_builtin.c).
void dh_service_register_builtins (dh_service_t *self);

//  A daemon's exit status when it cannot start until someone changes its
//  configuration or its store (a bad key, a store of another layout):
//  sysexits' EX_CONFIG, so that systemd does not restart it in a loop
//  (RestartPreventExitStatus). Any other failure to start exits 1.
#define DH_EXIT_CONFIG 78

//  Usual main(): config, service, handlers, run. setup registers the
//  daemon's handlers and peers; returns 0 or an error code.
typedef int (dh_setup_fn) (dh_service_t *service, void *state);
int dh_service_main (const char *name, const char *usage, int argc, char **argv,
                     const dh_config_key_t *keys, dh_setup_fn *setup, void *state);

#endif

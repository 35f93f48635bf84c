/*  dh_service — a daemon that keeps state: its store, the api socket, the
    event feed, the reliable link to its peers, the group commit and
    timers. It stands on dh_daemon (configuration, loop, ready file).

    Group commit: when the api is readable the loop drains every message
    that is ready (up to batch_limit), applies them all in one LMDB write
    transaction, makes one durable commit, and only then replies,
    acknowledges and publishes. A reply is never sent for an effect that
    is not durable. Timers and dh_service_transact run their work through
    the same machinery.

    A handler sees the open transaction. If it fails after writing, the
    batch is run again without its effects, so a refused command changes
    nothing. If the map fills, the batch is run again on a grown map.

    The code, by job: dh_service.c (making it, the command table, peers,
    audit, layout), dh_service_receive.c (draining the api socket and the
    linger), dh_service_commit.c (apply, rerun, commit, reply),
    dh_service_feed.c (events), dh_service_timer.c (timers),
    dh_service_builtin.c (the commands every service answers).  */
#ifndef DH_SERVICE_H
#define DH_SERVICE_H

#include <czmq.h>
#include "dh_codec.h"
#include "dh_config.h"
#include "dh_daemon.h"
#include "dh_store.h"

typedef struct _dh_service_t dh_service_t;
typedef struct _dh_command_t dh_command_t;

//  One command, link message or piece of timer work being applied.
typedef struct {
    dh_service_t *service;
    dh_txn_t *txn;
    const dh_envelope_t *envelope;  //  NULL for timer work and dh_service_transact
    const dh_command_t *command;    //  its row of the command table; NULL for work
    const void *reply;              //  set by dh_call_reply
    size_t reply_size;
    char *error_text;               //  set by dh_call_fail
} dh_call_t;

//  Apply call->envelope in call->txn. Return 0, or a negative code from
//  dh_error.h (then dh_call_fail has said why).
typedef int (dh_handler_fn) (dh_call_t *call, void *state);

//  Who may send a message type.
#define DH_FROM_CLIENT  1       //  a command, answered with a Reply
#define DH_FROM_LINK    2       //  a reliable link message from a peer service
#define DH_FROM_ANY     3

//  One row of a module's command table: everything about a message type
//  in one place. The service checks `from`; `roles` and `fenced` are the
//  module's to enforce (only it knows its org chart and its tokens), and
//  `rule` carries any further columns of the module's own.
struct _dh_command_t {
    uint32_t type;              //  DH_MSG_* (dh_types.h)
    dh_handler_fn *fn;
    int from;                   //  DH_FROM_*
    uint32_t roles;             //  roles that may give it (a mask of the module's roles); 0: any
    bool fenced;                //  needs the current step token, from its holder
    const void *rule;           //  the module's own columns, or NULL
};

//  Create the service on daemon: open its store, bind api and events,
//  register the built-in commands (PING, STATUS, CLOCK, AUDIT_VERIFY).
//  NULL on error (logged); *why as for dh_daemon_new. The service is
//  destroyed with the daemon.
dh_service_t *dh_service_new (dh_daemon_t *daemon, int *why);

//  Register a module's command table, ended by a row whose fn is NULL;
//  state is passed to each handler. A type registered twice is a bug
//  (asserted): each type has one row in the whole daemon.
//  @note the table must outlive the service (a static table).
void dh_service_register (dh_service_t *self, const dh_command_t *commands, void *state);

//  Declare a downstream peer; its endpoint is its `api` key in the config.
int dh_service_add_peer (dh_service_t *self, const char *peer);

//  Declare a peer that may not be deployed here: added (as above) when
//  the configuration has a section for it, else nothing (a department
//  that runs no notify daemon). dh_service_has_peer tells which.
int dh_service_add_optional_peer (dh_service_t *self, const char *peer);
bool dh_service_has_peer (dh_service_t *self, const char *peer);

//  Send a message to a peer through the outbox, in txn (exactly once).
int dh_service_send (dh_service_t *self, dh_txn_t *txn, const char *peer, uint32_t type,
                     const char *actor, const void *payload, size_t size);

//  Publish an event on the feed once txn commits; its seq is kept in txn.
//  Errors: DH_E_NOMEM.
int dh_service_publish (dh_service_t *self, dh_txn_t *txn, uint32_t type,
                        const void *payload, size_t size);

//  The seq of the newest event published so far, including those of the
//  open transaction: what a snapshot read in that transaction is
//  consistent with (the zguide Clone pattern).
uint64_t dh_service_feed_seq (dh_service_t *self);

//  Call fn after every successful commit, before replies go out (work
//  that must follow durability: counting, mail, measuring). Hooks run in
//  the order added; the same fn and arg again adds nothing.
#define DH_SERVICE_COMMIT_HOOKS 8
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

//  Work of the service's own, run in a group transaction (call->envelope
//  and call->command are NULL). Return 0 or an error code, as a handler.
typedef int (dh_work_fn) (dh_call_t *call, void *arg);

//  Run work in a group transaction of its own (retried like a batch).
//  Returns 0 once committed, else the error (nothing of it was kept).
int dh_service_transact (dh_service_t *self, dh_work_fn *work, void *arg);

//  ------------------------------------------------------------ timers
//  Work run in a group transaction when the service clock (dh_clock)
//  reaches the time a timer was set for: its writes, outbox entries and
//  events commit and publish as a command's do. A timer is unset when it
//  fires; its work sets it again (dh_timer_at) for the next time it has
//  something to do, `now` to go on after a bounded batch (commands are
//  served in between). Under the test clock a timer fires when a CLOCK
//  command moves the clock past its time.
typedef struct _dh_timer_t dh_timer_t;

//  A timer that runs fn (arg) in a group transaction. If the work fails,
//  nothing of it is kept and the timer fires again a second later.
//  NULL if out of memory. @note owned by the service.
dh_timer_t *dh_service_timer_new (dh_service_t *self, dh_work_fn *fn, void *arg);

//  Make the timer fire at at_ms (UTC ms on dh_clock), or keep the earlier
//  time it was already set for. Setting it from a transaction that is
//  later undone only makes it fire early: work must read what is due
//  from the store, never trust that the timer means something is.
void dh_timer_at (dh_timer_t *self, int64_t at_ms);

//  Work that goes on turn after turn (a burst of firings, a recompute)
//  takes at most percent of the real time, so the daemons beside it on
//  the machine keep their processors and disk: after a turn that took T
//  (applying and committing), the next waits T × (100 - percent) /
//  percent of real time, whatever the service clock says. Commands are
//  served meanwhile. 100 (the default): no pause.
void dh_timer_share (dh_timer_t *self, int percent);

//  When the timer is set for; 0 when unset.
int64_t dh_timer_due (dh_timer_t *self);

//  Arm every timer again from the service clock (after a CLOCK command).
void dh_service_timers_rearm (dh_service_t *self);

//  ---------------------------------------------------------- accessors
dh_daemon_t *dh_service_daemon (dh_service_t *self);
dh_store_t *dh_service_store (dh_service_t *self);
zloop_t *dh_service_loop (dh_service_t *self);
dh_config_t *dh_service_config (dh_service_t *self);
const char *dh_service_name (dh_service_t *self);
//  Scratch memory freed when the current batch ends; NULL when out of
//  memory (answer DH_E_NOMEM).
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
//  A kind of slow work STATUS reports on (dh_jobs_new adds each; at most
//  8, more are left out of STATUS).
struct _dh_jobs_t;
void dh_service_add_jobs (dh_service_t *self, struct _dh_jobs_t *jobs);
struct _dh_link_t *dh_service_link (dh_service_t *self);

//  Say why a call failed; returns code so a handler can `return dh_call_fail (...)`.
int dh_call_fail (dh_call_t *call, int code, const char *format, ...)
    __attribute__ ((format (printf, 3, 4)));

//  Answer the command with payload (copied). Errors: DH_E_NOMEM.
int dh_call_reply (dh_call_t *call, const void *payload, size_t size);

//  Usual main(): config, daemon, service, setup, run. setup registers the
//  daemon's command tables and peers; returns 0 or an error code (exit
//  status as for dh_daemon_main).
typedef int (dh_setup_fn) (dh_service_t *service, void *state);
int dh_service_main (const char *name, const char *usage, int argc, char **argv,
                     const dh_config_key_t *keys, dh_setup_fn *setup, void *state);

#endif

/*  dh_service_private — what the files of dh_service share (dh_service.h
    lists them). Nothing outside common/dh_service*.c includes this.  */
#ifndef DH_SERVICE_PRIVATE_H
#define DH_SERVICE_PRIVATE_H

#include "dh_audit.h"
#include "dh_idempotency.h"
#include "dh_link.h"
#include "dh_service.h"

#define S_MAX_TYPE      1024
#define S_ERROR_TEXT    200
#define S_RID_MAX       256
#define S_RERUN         1       //  run the batch again: an entry is now forced to fail
#define S_DROP          2       //  a link message failed for want of memory: not applied, resent later
#define S_BUCKETS       11      //  bounds of each histogram STATUS reports
#define S_JOBS_MAX      8       //  kinds of slow work (dh_jobs) per daemon

typedef struct {
    const dh_command_t *command;
    void *state;
} s_handler_t;

//  One message of a batch.
typedef struct {
    uint8_t rid [S_RID_MAX];
    size_t rid_size;
    dh_envelope_t envelope;
    int decode_rc;              //  the envelope itself was bad
    int forced_rc;              //  refused in an earlier run of this batch
    bool dropped;               //  a link entry left unapplied and unacknowledged in this batch
    dh_envelope_t *inner;       //  a link batch's messages (in the arena), else NULL
    size_t inner_count;
    int *inner_forced;          //  forced_rc of each; a message that did not decode starts forced
    const char **inner_why;     //  why each that did not decode was refused, else NULL
    bool inner_logged;          //  those refusals were logged (once, however often the batch runs)
    int status;
    bool answer;                //  send a Reply (commands, bad input)
    const void *reply;
    size_t reply_size;
    char error_text [S_ERROR_TEXT];
} s_entry_t;

typedef struct {
    const uint8_t *data;
    size_t size;
} s_packed_t;

typedef struct {
    uint8_t rid [S_RID_MAX];
    size_t size;
} s_rid_t;

struct _dh_timer_t {
    dh_service_t *service;
    dh_work_fn *fn;
    void *arg;
    int64_t due_ms;             //  on dh_clock; 0: unset
    int zloop_id;               //  the armed zloop timer, -1 when none
    int share;                  //  percent of real time its work may take (dh_timer_share)
    int64_t rest_until_us;      //  on zclock_usecs (monotonic): the pause after its last turn
    struct _dh_timer_t *next;
};

struct _dh_service_t {
    dh_daemon_t *daemon;
    const char *name;           //  the daemon's
    dh_config_t *config;
    zloop_t *loop;
    dh_store_t *store;
    dh_dbi_t table;             //  the service's own counters
    dh_dbi_t audit;             //  the hash-chained audit log
    dh_audit_head_t audit_head; //  its newest record, in the open transaction
    dh_codec_t *codec;
    dh_link_t *link;
    zsock_t *router;
    zsock_t *publisher;
    s_handler_t handlers [S_MAX_TYPE];
    //  The batch (dh_service_receive.c)
    s_entry_t *entries;
    size_t batch_limit;
    //  Senders the last commit answered. Each is likely to send again one
    //  round trip later; waiting for them (up to the linger) lets all
    //  share the next commit, instead of the senders splitting into two
    //  groups that take turns, each waiting out the other's commit.
    s_rid_t *answered;
    size_t answered_count;
    int64_t linger_us;
    int64_t linger_gap_us;
    //  The feed (dh_service_feed.c)
    uint64_t event_seq;         //  committed
    uint64_t event_pending;     //  in the open transaction
    s_packed_t *events;         //  packed events waiting for the commit
    size_t event_count, event_capacity;
    //  The commit (dh_service_commit.c)
    uint8_t *reply_buffer;
    size_t reply_capacity;
    struct {
        dh_commit_fn *fn;
        void *arg;
    } on_commit [DH_SERVICE_COMMIT_HOOKS];
    size_t on_commit_count;
    uint64_t batches, messages;
    uint64_t apply_us, commit_us, lingered_us;
    //  Histograms, per bucket (not cumulative); the last counts what
    //  passed every bound. Their counts are batches, their sums
    //  commit_us and messages.
    uint64_t commit_buckets [S_BUCKETS + 1];
    uint64_t batch_buckets [S_BUCKETS + 1];
    struct _dh_jobs_t *jobs [S_JOBS_MAX];
    size_t jobs_count;
    dh_idempotency_t *idempotency;  //  commands' keys and the replies kept under them
    dh_timer_t *prune_timer;        //  forgets keys past the window
    //  Timers (dh_service_timer.c)
    dh_timer_t *timers;
};

//  dh_service_receive.c: the api socket's reader.
int dh_service_handle_api (zloop_t *loop, zsock_t *reader, void *arg);
//  After a commit: who was answered (the linger waits for them).
void dh_service_remember_answered (dh_service_t *self, const s_entry_t *entries, size_t count);

//  dh_service_commit.c: begin a batch's transaction; apply one entry
//  (S_RERUN, a negative code when the transaction failed, else 0); the
//  group commit of entries (and work) in a transaction where the first
//  `applied` entries may already have run.
int dh_service_begin (dh_service_t *self, dh_txn_t **txn);
int dh_service_apply (dh_service_t *self, dh_txn_t *txn, s_entry_t *entry);
void dh_service_rollback (dh_service_t *self);
//  The idempotency keys' tables and the timer that prunes them, from the
//  configuration (idempotency_hours). Errors: DH_E_CONFIG (logged),
//  DH_E_NOMEM, store errors.
int dh_service_idempotency_start (dh_service_t *self);
//  The command carries an idempotency key.
bool dh_service_has_key (const dh_envelope_t *envelope);
//  Before a client's command runs: true when it is answered without
//  running (expired: E_TIMEOUT; its key was applied before: the kept
//  reply), *status then set.
bool dh_service_answered_before (dh_service_t *self, dh_call_t *call, const dh_envelope_t *envelope,
                                 int *status);
//  After a keyed command changed something: keep its reply under the key
//  in the transaction of its effect. Returns 0 or the error (call failed).
int dh_service_keep_reply (dh_service_t *self, dh_call_t *call, const dh_envelope_t *envelope);
int dh_service_commit_batch (dh_service_t *self, s_entry_t *entries, size_t count,
                             dh_work_fn *work, void *arg, dh_txn_t *open, size_t applied);
//  The histograms' fixed bounds (Prometheus's le): a durable commit in
//  microseconds, a batch in messages.
extern const int64_t dh_service_commit_bounds_us [S_BUCKETS];
extern const int64_t dh_service_batch_bounds [S_BUCKETS];

//  dh_service_feed.c: the feed's seq from the store; written into txn
//  when it moved; sent after the commit; forgotten on rollback.
int dh_service_feed_load (dh_service_t *self);
int dh_service_feed_prepare (dh_service_t *self, dh_txn_t *txn);
void dh_service_feed_committed (dh_service_t *self);
void dh_service_feed_rollback (dh_service_t *self);

//  dh_service_timer.c
void dh_service_timers_destroy (dh_service_t *self);

//  dh_service_builtin.c
void dh_service_register_builtins (dh_service_t *self);

#endif

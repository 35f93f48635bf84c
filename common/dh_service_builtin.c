//  The commands every service answers: PING, STATUS, CLOCK, AUDIT_VERIFY.
#include "envelope.pb-c.h"
#include "dh_audit.h"
#include "dh_clock.h"
#include "dh_error.h"
#include "dh_jobs.h"
#include "dh_link.h"
#include "dh_service_private.h"
#include "dh_types.h"

static int
s_handle_ping (dh_call_t *call, void *state)
{
    (void) state;
    (void) call;
    return 0;
}

#define S_STATUS_PEERS 16       //  as many as a link has (dh_link.c)

//  STATUS's reply, on the stack: the only scratch it takes is the packed
//  reply and its copy (t037 makes each allocation fail in turn).
typedef struct {
    Dh__ServiceStatus status;
    Dh__Histogram commit_seconds, batch_messages;
    double commit_bounds [S_BUCKETS], batch_bounds [S_BUCKETS];
    uint64_t commit_counts [S_BUCKETS], batch_counts [S_BUCKETS];
    Dh__PeerStatus peers [S_STATUS_PEERS];
    Dh__PeerStatus *peer_pointers [S_STATUS_PEERS];
    Dh__JobsStatus jobs [S_JOBS_MAX];
    Dh__JobsStatus *job_pointers [S_JOBS_MAX];
} s_status_t;

//  A histogram from per-bucket counts: Prometheus's cumulative counts,
//  bounds scaled to the unit shown (seconds from microseconds).
static Dh__Histogram *
s_histogram (Dh__Histogram *histogram, double *bounds_out, uint64_t *counts, const uint64_t *buckets,
             const int64_t *bounds, double scale, double sum)
{
    dh__histogram__init (histogram);
    uint64_t below = 0;
    for (size_t i = 0; i < S_BUCKETS; i++) {
        bounds_out [i] = bounds [i] * scale;
        counts [i] = below += buckets [i];
    }
    histogram->bounds = bounds_out;
    histogram->counts = counts;
    histogram->n_bounds = histogram->n_counts = S_BUCKETS;
    histogram->count = below + buckets [S_BUCKETS];
    histogram->sum = sum;
    return histogram;
}

//  Per peer: the outbox's position and its oldest unacknowledged entry.
static int
s_peers (dh_call_t *call, s_status_t *reply)
{
    dh_link_t *link = dh_service_link (call->service);
    const char *name;
    uint64_t last, acked, sent;
    size_t count = 0;
    for (; count < S_STATUS_PEERS && dh_link_peer_status (link, count, &name, &last, &acked, &sent); count++) {
        Dh__PeerStatus *peer = &reply->peers [count];
        dh__peer_status__init (peer);
        peer->peer = (char *) name;
        peer->last_seq = last;
        peer->acked_seq = acked;
        peer->sent_seq = sent;
        peer->messages_out = dh_link_messages_out (link, count);
        reply->status.messages_out += peer->messages_out;
        int rc = dh_link_peer_oldest (link, call->txn, count, &peer->oldest_at);
        if (rc)
            return rc;
        reply->peer_pointers [count] = peer;
    }
    reply->status.peers = reply->peer_pointers;
    reply->status.n_peers = count;
    return 0;
}

//  Per kind of slow work: its outcomes and what waits.
static int
s_jobs (dh_call_t *call, s_status_t *reply)
{
    dh_service_t *service = call->service;
    for (size_t i = 0; i < service->jobs_count; i++) {
        dh_jobs_figures_t figures;
        int rc = dh_jobs_figures (service->jobs [i], call->txn, &figures);
        if (rc)
            return rc;
        Dh__JobsStatus *jobs = &reply->jobs [i];
        dh__jobs_status__init (jobs);
        jobs->name = (char *) dh_jobs_name (service->jobs [i]);
        jobs->done = figures.done;
        jobs->retried = figures.retried;
        jobs->dead = figures.dead;
        jobs->queued = figures.queued;
        jobs->dead_held = figures.dead_held;
        jobs->running = figures.running;
        reply->job_pointers [i] = jobs;
    }
    reply->status.jobs = reply->job_pointers;
    reply->status.n_jobs = service->jobs_count;
    return 0;
}

static int
s_handle_status (dh_call_t *call, void *state)
{
    (void) state;
    dh_service_t *service = call->service;
    dh_store_t *store = dh_service_store (service);
    dh_service_stats_t stats;
    dh_service_stats (service, &stats);
    s_status_t reply;
    Dh__ServiceStatus *status = &reply.status;
    dh__service_status__init (status);
    status->service = (char *) dh_service_name (service);
    status->version = DH_VERSION;
    status->started_at = dh_daemon_started_at ();
    status->event_seq = stats.event_seq;
    status->batches = stats.batches;
    status->messages = stats.messages;
    status->apply_us = stats.apply_us;
    status->commit_us = stats.commit_us;
    status->linger_us = stats.linger_us;
    status->now_ms = dh_clock_now ();
    status->map_size = dh_store_map_size (store);
    status->map_max = dh_store_map_max (store);
    status->map_used = dh_store_map_used (store);
    status->commit_seconds = s_histogram (&reply.commit_seconds, reply.commit_bounds, reply.commit_counts,
                                          service->commit_buckets, dh_service_commit_bounds_us, 1e-6,
                                          stats.commit_us / 1e6);
    status->batch_messages = s_histogram (&reply.batch_messages, reply.batch_bounds, reply.batch_counts,
                                          service->batch_buckets, dh_service_batch_bounds, 1,
                                          (double) stats.messages);
    int rc = s_peers (call, &reply);
    if (!rc)
        rc = s_jobs (call, &reply);
    if (rc)
        return dh_call_fail (call, rc, "cannot gather the status: %s", dh_strerror (rc));
    size_t size = dh__service_status__get_packed_size (status);
    uint8_t *buffer = dh_service_scratch (service, size);
    if (!buffer)
        return dh_call_fail (call, DH_E_NOMEM, "no memory for the status");
    dh__service_status__pack (status, buffer);
    return dh_call_reply (call, buffer, size);
}

static int
s_handle_clock (dh_call_t *call, void *state)
{
    (void) state;
    if (!dh_clock_test_mode ())
        return dh_call_fail (call, DH_E_DENIED, "the clock can be moved only with test_clock = 1");
    Dh__ClockCommand *command = dh__clock_command__unpack (NULL, call->envelope->payload_size,
                                                           call->envelope->payload);
    if (!command)
        return dh_call_fail (call, DH_E_MALFORMED, "CLOCK payload is not a ClockCommand");
    int rc = 0;
    if (command->set_ms)
        rc = dh_clock_set (command->set_ms);
    if (!rc && command->advance_ms)
        rc = dh_clock_advance (command->advance_ms);
    dh__clock_command__free_unpacked (command, NULL);
    if (rc)
        return dh_call_fail (call, rc, "cannot move the clock: %s", dh_strerror (rc));
    zsys_info ("%s: test clock now %" PRId64, dh_service_name (call->service), dh_clock_now ());
    dh_service_timers_rearm (call->service);
    Dh__ClockReply reply = DH__CLOCK_REPLY__INIT;
    reply.now_ms = dh_clock_now ();
    uint8_t buffer [32];
    return dh_call_reply (call, buffer, dh__clock_reply__pack (&reply, buffer));
}

static int
s_handle_audit_verify (dh_call_t *call, void *state)
{
    (void) state;
    Dh__AuditReport report = DH__AUDIT_REPORT__INIT;
    report.service = (char *) dh_service_name (call->service);
    int rc = dh_audit_verify (call->txn, dh_service_audit_dbi (call->service),
                              &report.records, &report.broken_seq);
    if (rc && rc != DH_E_CORRUPT)
        return dh_call_fail (call, rc, "cannot read the audit chain: %s", dh_strerror (rc));
    if (rc)
        zsys_error ("%s: audit chain broken at record %" PRIu64, report.service, report.broken_seq);
    uint8_t buffer [128];
    return dh_call_reply (call, buffer, dh__audit_report__pack (&report, buffer));
}

static const dh_command_t s_builtins [] = {
    { DH_MSG_PING,         s_handle_ping,         DH_FROM_CLIENT, 0, false, NULL },
    { DH_MSG_STATUS,       s_handle_status,       DH_FROM_CLIENT, 0, false, NULL },
    { DH_MSG_CLOCK,        s_handle_clock,        DH_FROM_CLIENT, 0, false, NULL },
    { DH_MSG_AUDIT_VERIFY, s_handle_audit_verify, DH_FROM_CLIENT, 0, false, NULL },
    { 0 }
};

void
dh_service_register_builtins (dh_service_t *self)
{
    dh_service_register (self, s_builtins, NULL);
}

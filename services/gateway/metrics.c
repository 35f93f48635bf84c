//  GET /metrics: each daemon's figures from its STATUS, in Prometheus's
//  text format, one family at a time (HELP, TYPE, then a sample per
//  daemon), counters ending in _total. A daemon that does not answer is
//  dunghan_up 0 and has no other samples.
#include <microhttpd.h>
#include "deadline.pb-c.h"
#include "envelope.pb-c.h"
#include "dh_error.h"
#include "dh_types.h"
#include "gateway.h"

#define S_STATUS_TIMEOUT_MS 2000

typedef double (s_figure_fn) (const Dh__ServiceStatus *status);

static double s_messages (const Dh__ServiceStatus *s)   { return (double) s->messages; }
static double s_batches (const Dh__ServiceStatus *s)    { return (double) s->batches; }
static double s_apply (const Dh__ServiceStatus *s)      { return s->apply_us / 1e6; }
static double s_commit (const Dh__ServiceStatus *s)     { return s->commit_us / 1e6; }
static double s_linger (const Dh__ServiceStatus *s)     { return s->linger_us / 1e6; }
static double s_map_size (const Dh__ServiceStatus *s)   { return (double) s->map_size; }
static double s_event_seq (const Dh__ServiceStatus *s)  { return (double) s->event_seq; }

//  One row per family of one sample per daemon.
static const struct {
    const char *name;
    const char *type;
    const char *help;
    s_figure_fn *figure;
} s_families [] = {
    { "dunghan_messages_total", "counter", "Commands and link messages the daemon applied.", s_messages },
    { "dunghan_batches_total", "counter", "Group commits (one durable LMDB commit each).", s_batches },
    { "dunghan_apply_seconds_total", "counter", "Time spent applying batches.", s_apply },
    { "dunghan_commit_seconds_total", "counter", "Time spent in durable commits (fsync).", s_commit },
    { "dunghan_linger_seconds_total", "counter", "Time spent waiting for answered senders (commit_linger_us).", s_linger },
    { "dunghan_map_size_bytes", "gauge", "The LMDB map's size.", s_map_size },
    { "dunghan_event_seq", "gauge", "The seq of the daemon's last published event.", s_event_seq },
};

//  Per unit, from the deadline daemon's QUEUES: the items open, due soon
//  and overdue, and when the oldest open one was received (RabbitMQ's
//  head-message timestamp: a count alone cannot tell seconds from weeks).
static void
s_queues (gateway_t *self, gateway_t *quick, FILE *out)
{
    bool deployed = false;
    for (size_t i = 0; i < self->daemon_count; i++)
        deployed |= !strcmp (self->daemons [i], "deadline");
    if (!deployed)
        return;
    Dh__QueuesQuery query = DH__QUEUES_QUERY__INIT;
    http_reply_t scratch = { 0 };
    ProtobufCMessage *answer;
    if (gateway_call (quick, "deadline", DH_MSG_QUEUES, "", &query.base, &dh__queues_reply__descriptor, &answer,
                      &scratch)) {
        json_decref (scratch.json);
        return;
    }
    json_decref (scratch.json);
    const Dh__QueuesReply *queues = (const Dh__QueuesReply *) answer;
    static const struct {
        const char *name, *help;
    } families [] = {
        { "dunghan_queue_items", "Items open in the unit (running or paused)." },
        { "dunghan_queue_due_soon_items", "Open items of the unit warned as due soon, not yet past due." },
        { "dunghan_queue_overdue_items", "Open items of the unit past their due time." },
        { "dunghan_queue_oldest_item_timestamp_seconds", "When the unit's oldest open item was received "
          "(Unix seconds; 0: none)." },
    };
    for (size_t f = 0; f < sizeof families / sizeof families [0]; f++) {
        fprintf (out, "# HELP %s %s\n# TYPE %s gauge\n", families [f].name, families [f].help, families [f].name);
        for (size_t i = 0; i < queues->n_rows; i++) {
            const Dh__QueueRow *row = queues->rows [i];
            double value = f == 0? (double) row->open: f == 1? (double) row->due_soon: f == 2? (double) row->overdue:
                           row->oldest_received_at / 1000.0;
            fprintf (out, "%s{unit=\"%s\"} %.17g\n", families [f].name, row->unit, value);
        }
    }
    protobuf_c_message_free_unpacked (answer, NULL);
}

static void
s_metrics (gateway_t *self, http_request_t *request, http_reply_t *reply)
{
    (void) request;
    Dh__ServiceStatus *statuses [GATEWAY_DAEMONS_MAX] = { NULL };
    //  Asked one after another, with a shorter wait than a request's:
    //  a scrape must come back even when a daemon is down.
    gateway_t quick = *self;
    if (quick.timeout_ms > S_STATUS_TIMEOUT_MS)
        quick.timeout_ms = S_STATUS_TIMEOUT_MS;
    for (size_t i = 0; i < self->daemon_count; i++) {
        http_reply_t scratch = { 0 };
        ProtobufCMessage *answer;
        if (!gateway_call (&quick, self->daemons [i], DH_MSG_STATUS, "", NULL, &dh__service_status__descriptor,
                           &answer, &scratch))
            statuses [i] = (Dh__ServiceStatus *) answer;
        json_decref (scratch.json);
    }
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream (&text, &size);
    if (!out) {
        http_reply_error (reply, DH_E_NOMEM, "out of memory");
        goto done;
    }
    fprintf (out, "# HELP dunghan_up 1 when the daemon answered the gateway's STATUS, else 0.\n"
                  "# TYPE dunghan_up gauge\n");
    for (size_t i = 0; i < self->daemon_count; i++)
        fprintf (out, "dunghan_up{daemon=\"%s\"} %d\n", self->daemons [i], statuses [i]? 1: 0);
    for (size_t f = 0; f < sizeof s_families / sizeof s_families [0]; f++) {
        fprintf (out, "# HELP %s %s\n# TYPE %s %s\n", s_families [f].name, s_families [f].help,
                 s_families [f].name, s_families [f].type);
        for (size_t i = 0; i < self->daemon_count; i++)
            if (statuses [i])
                fprintf (out, "%s{daemon=\"%s\"} %.17g\n", s_families [f].name, self->daemons [i],
                         s_families [f].figure (statuses [i]));
    }
    fprintf (out, "# HELP dunghan_outbox_depth Link batches written for a peer and not yet acknowledged "
                  "(last_seq - acked_seq).\n# TYPE dunghan_outbox_depth gauge\n");
    for (size_t i = 0; i < self->daemon_count; i++)
        for (size_t p = 0; statuses [i] && p < statuses [i]->n_peers; p++) {
            const Dh__PeerStatus *peer = statuses [i]->peers [p];
            fprintf (out, "dunghan_outbox_depth{daemon=\"%s\",peer=\"%s\"} %" PRIu64 "\n", self->daemons [i],
                     peer->peer, peer->last_seq > peer->acked_seq? peer->last_seq - peer->acked_seq: 0);
        }
    s_queues (self, &quick, out);
    uint64_t received, clients, held;
    events_figures (self->events, &received, &clients, &held);
    fprintf (out, "# HELP dunghan_gateway_events_total Events the gateway received from the feeds.\n"
                  "# TYPE dunghan_gateway_events_total counter\n"
                  "dunghan_gateway_events_total %" PRIu64 "\n"
                  "# HELP dunghan_gateway_event_streams Clients following /events now.\n"
                  "# TYPE dunghan_gateway_event_streams gauge\n"
                  "dunghan_gateway_event_streams %" PRIu64 "\n"
                  "# HELP dunghan_gateway_events_held Events the ring holds for clients that come back.\n"
                  "# TYPE dunghan_gateway_events_held gauge\n"
                  "dunghan_gateway_events_held %" PRIu64 "\n", received, clients, held);
    fclose (out);
    reply->status = MHD_HTTP_OK;
    reply->text = text;
    reply->content_type = "text/plain; version=0.0.4; charset=utf-8";
done:
    for (size_t i = 0; i < self->daemon_count; i++)
        if (statuses [i])
            protobuf_c_message_free_unpacked (&statuses [i]->base, NULL);
}

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

const http_route_t gateway_metrics_routes [] = {
    { "GET", "/metrics", HTTP_PUBLIC, s_metrics, { NULL } },
    { NULL }
};

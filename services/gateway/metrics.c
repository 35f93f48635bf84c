//  GET /metrics: each daemon's figures from its STATUS, and the units'
//  queues from the deadline daemon's QUEUES, in Prometheus's text format
//  (version 0.0.4): one family at a time (HELP, TYPE, then its samples),
//  counters ending in _total, seconds and bytes, histograms as _bucket
//  with le, _sum and _count. A daemon that does not answer is dunghan_up
//  0 and has no other samples. `promtool check metrics` finds nothing to
//  say of it (t092).
//
//  GET /healthz: is the gateway up, which release, since when, and which
//  daemons answer a PING: cheap enough for a load balancer's probe.
#include <math.h>
#include <stdarg.h>
#include <microhttpd.h>
#include "deadline.pb-c.h"
#include "envelope.pb-c.h"
#include "dh_error.h"
#include "dh_types.h"
#include "gateway.h"

#define S_STATUS_TIMEOUT_MS 2000
#define S_PING_TIMEOUT_MS   1000
#define S_LABELS_MAX        512

typedef double (s_figure_fn) (const Dh__ServiceStatus *status);

static double s_started (const Dh__ServiceStatus *s)    { return s->started_at / 1000.0; }
static double s_messages (const Dh__ServiceStatus *s)   { return (double) s->messages; }
static double s_messages_out (const Dh__ServiceStatus *s) { return (double) s->messages_out; }
static double s_batches (const Dh__ServiceStatus *s)    { return (double) s->batches; }
static double s_apply (const Dh__ServiceStatus *s)      { return s->apply_us / 1e6; }
static double s_linger (const Dh__ServiceStatus *s)     { return s->linger_us / 1e6; }
static double s_map_used (const Dh__ServiceStatus *s)   { return (double) s->map_used; }
static double s_map_size (const Dh__ServiceStatus *s)   { return (double) s->map_size; }
static double s_map_max (const Dh__ServiceStatus *s)    { return (double) s->map_max; }
static double s_event_seq (const Dh__ServiceStatus *s)  { return (double) s->event_seq; }

//  One row per family of one sample per daemon.
static const struct {
    const char *name;
    const char *type;
    const char *help;
    s_figure_fn *figure;
} s_families [] = {
    { "dunghan_start_time_seconds", "gauge", "When the daemon started (Unix seconds).", s_started },
    { "dunghan_messages_total", "counter", "Messages in: commands and link messages the daemon applied.",
      s_messages },
    { "dunghan_messages_out_total", "counter", "Messages out: link messages the daemon wrote to its peers' "
      "outboxes (committed).", s_messages_out },
    { "dunghan_batches_total", "counter", "Group commits (one durable LMDB commit each).", s_batches },
    { "dunghan_apply_seconds_total", "counter", "Time spent applying batches.", s_apply },
    { "dunghan_linger_seconds_total", "counter", "Time spent waiting for answered senders (commit_linger_us).",
      s_linger },
    { "dunghan_map_used_bytes", "gauge", "Bytes of the LMDB map in use ((last page + 1) * page size).",
      s_map_used },
    { "dunghan_map_size_bytes", "gauge", "The LMDB map's size now (it grows on demand).", s_map_size },
    { "dunghan_map_max_bytes", "gauge", "The most the LMDB map may grow to (map_max_mb).", s_map_max },
    { "dunghan_event_seq", "gauge", "The seq of the daemon's last published event.", s_event_seq },
};

static void
s_family (FILE *out, const char *name, const char *type, const char *help)
{
    fprintf (out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

//  A sample's value: whole numbers without a fraction or an exponent
//  (bucket bounds read as 3600, not 3.6e+03), others to full precision.
static void
s_number (FILE *out, double value)
{
    if (isinf (value))
        fputs (value > 0? "+Inf": "-Inf", out);
    else
    if (value == floor (value) && fabs (value) < 1e15)
        fprintf (out, "%.0f", value);
    else
        fprintf (out, "%.10g", value);
}

//  Append length bytes of text when they fit, keeping room for a closing
//  quote and the end.
static bool
s_append (char *buffer, size_t *used, const char *text, size_t length)
{
    if (*used + length + 2 > S_LABELS_MAX)
        return false;
    memcpy (buffer + *used, text, length);
    *used += length;
    return true;
}

//  Labels ("daemon=\"intake\",peer=\"assign\"") from key, value pairs
//  ended by NULL, the values escaped as the text format asks: a unit
//  code or a section name is data, not ours to trust. A value too long
//  for the buffer is cut (no unit code or daemon is that long).
static const char *
s_labels (char *buffer, const char *key, ...)
{
    va_list args;
    va_start (args, key);
    size_t used = 0;
    for (; key; key = va_arg (args, const char *)) {
        const char *value = va_arg (args, const char *);
        size_t mark = used;
        if ((used && !s_append (buffer, &used, ",", 1)) || !s_append (buffer, &used, key, strlen (key))
        ||  !s_append (buffer, &used, "=\"", 2)) {
            used = mark;
            break;
        }
        for (bool room = true; *value && room; value++) {
            const char *escaped = *value == '\\'? "\\\\": *value == '"'? "\\\"": *value == '\n'? "\\n": NULL;
            room = escaped? s_append (buffer, &used, escaped, 2): s_append (buffer, &used, value, 1);
        }
        buffer [used++] = '"';
    }
    buffer [used] = 0;
    va_end (args);
    return buffer;
}

static void
s_sample (FILE *out, const char *name, const char *labels, double value)
{
    fprintf (out, *labels? "%s{%s} ": "%s ", name, labels);
    s_number (out, value);
    fputc ('\n', out);
}

//  One histogram's samples: cumulative buckets with le, +Inf, sum, count.
static void
s_histogram (FILE *out, const char *name, const char *labels, const Dh__Histogram *histogram)
{
    if (!histogram)
        return;
    size_t buckets = histogram->n_bounds < histogram->n_counts? histogram->n_bounds: histogram->n_counts;
    for (size_t i = 0; i < buckets; i++) {
        fprintf (out, "%s_bucket{%s%sle=\"", name, labels, *labels? ",": "");
        s_number (out, histogram->bounds [i]);
        fprintf (out, "\"} %" PRIu64 "\n", histogram->counts [i]);
    }
    fprintf (out, "%s_bucket{%s%sle=\"+Inf\"} %" PRIu64 "\n", name, labels, *labels? ",": "", histogram->count);
    char full [128];
    snprintf (full, sizeof full, "%s_sum", name);
    s_sample (out, full, labels, histogram->sum);
    snprintf (full, sizeof full, "%s_count", name);
    s_sample (out, full, labels, (double) histogram->count);
}

//  Every daemon's STATUS, asked one after another with a shorter wait
//  than a request's: a scrape must come back even when a daemon is down.
static void
s_ask_statuses (gateway_t *self, gateway_t *quick, Dh__ServiceStatus **statuses)
{
    for (size_t i = 0; i < self->daemon_count; i++) {
        http_reply_t scratch = { 0 };
        ProtobufCMessage *answer;
        statuses [i] = NULL;
        if (!gateway_call (quick, self->daemons [i], DH_MSG_STATUS, "", NULL, &dh__service_status__descriptor,
                           &answer, &scratch))
            statuses [i] = (Dh__ServiceStatus *) answer;
        json_decref (scratch.json);
    }
}

//  Up, release and the one-sample-per-daemon families.
static void
s_daemons (gateway_t *self, Dh__ServiceStatus **statuses, FILE *out)
{
    char labels [S_LABELS_MAX];
    s_family (out, "dunghan_up", "gauge", "1 when the daemon answered the gateway's STATUS, else 0.");
    for (size_t i = 0; i < self->daemon_count; i++)
        s_sample (out, "dunghan_up", s_labels (labels, "daemon", self->daemons [i], NULL), statuses [i]? 1: 0);
    s_family (out, "dunghan_build_info", "gauge", "The release each daemon runs (the gateway's own too), as "
              "a label; the value is 1.");
    s_sample (out, "dunghan_build_info", s_labels (labels, "daemon", "gateway", "version", DH_VERSION, NULL), 1);
    for (size_t i = 0; i < self->daemon_count; i++)
        if (statuses [i])
            s_sample (out, "dunghan_build_info", s_labels (labels, "daemon", self->daemons [i], "version",
                                                           statuses [i]->version, NULL), 1);
    for (size_t f = 0; f < sizeof s_families / sizeof s_families [0]; f++) {
        s_family (out, s_families [f].name, s_families [f].type, s_families [f].help);
        if (!strcmp (s_families [f].name, "dunghan_start_time_seconds"))
            s_sample (out, s_families [f].name, s_labels (labels, "daemon", "gateway", NULL),
                      dh_daemon_started_at () / 1000.0);
        for (size_t i = 0; i < self->daemon_count; i++)
            if (statuses [i])
                s_sample (out, s_families [f].name, s_labels (labels, "daemon", self->daemons [i], NULL),
                          s_families [f].figure (statuses [i]));
    }
}

static void
s_daemon_histograms (gateway_t *self, Dh__ServiceStatus **statuses, FILE *out)
{
    char labels [S_LABELS_MAX];
    s_family (out, "dunghan_commit_duration_seconds", "histogram", "One durable LMDB commit (the fsyncs), "
              "per batch.");
    for (size_t i = 0; i < self->daemon_count; i++)
        if (statuses [i])
            s_histogram (out, "dunghan_commit_duration_seconds", s_labels (labels, "daemon", self->daemons [i],
                                                                           NULL), statuses [i]->commit_seconds);
    s_family (out, "dunghan_batch_messages", "histogram", "Messages applied per batch (group commit).");
    for (size_t i = 0; i < self->daemon_count; i++)
        if (statuses [i])
            s_histogram (out, "dunghan_batch_messages", s_labels (labels, "daemon", self->daemons [i], NULL),
                         statuses [i]->batch_messages);
}

//  Per link: how many batches wait for the peer, and since when the
//  oldest (RabbitMQ's head-message timestamp: the lag in time).
static void
s_links (gateway_t *self, Dh__ServiceStatus **statuses, FILE *out)
{
    char labels [S_LABELS_MAX];
    for (int column = 0; column < 2; column++) {
        const char *name = column? "dunghan_outbox_oldest_entry_timestamp_seconds": "dunghan_outbox_depth";
        s_family (out, name, "gauge", column? "When the oldest link batch the peer has not acknowledged was "
                  "written (Unix seconds, on the daemon's clock; 0: none waits).": "Link batches written for "
                  "a peer and not yet acknowledged (last_seq - acked_seq).");
        for (size_t i = 0; i < self->daemon_count; i++)
            for (size_t p = 0; statuses [i] && p < statuses [i]->n_peers; p++) {
                const Dh__PeerStatus *peer = statuses [i]->peers [p];
                double depth = peer->last_seq > peer->acked_seq? (double) (peer->last_seq - peer->acked_seq): 0;
                s_sample (out, name, s_labels (labels, "daemon", self->daemons [i], "peer", peer->peer, NULL),
                          column? peer->oldest_at / 1000.0: depth);
            }
    }
}

typedef double (s_jobs_fn) (const Dh__JobsStatus *jobs);
static double s_sent (const Dh__JobsStatus *j)      { return (double) j->done; }
static double s_failed (const Dh__JobsStatus *j)    { return (double) j->retried; }
static double s_dead (const Dh__JobsStatus *j)      { return (double) j->dead; }
static double s_queued (const Dh__JobsStatus *j)    { return (double) j->queued; }
static double s_held (const Dh__JobsStatus *j)      { return (double) j->dead_held; }

//  Notifications: every daemon's slow work (dh_jobs) is a channel of
//  dunghan-notify today; its name is the channel.
static void
s_notifications (gateway_t *self, Dh__ServiceStatus **statuses, FILE *out)
{
    static const struct {
        const char *name, *type, *help;
        s_jobs_fn *figure;
    } families [] = {
        { "dunghan_notifications_sent_total", "counter", "Notifications the channel delivered.", s_sent },
        { "dunghan_notifications_failed_total", "counter", "Attempts that failed and will be tried again.",
          s_failed },
        { "dunghan_notifications_dead_total", "counter", "Notifications given up (dead letters).", s_dead },
        { "dunghan_notifications_queued", "gauge", "Notifications waiting or being sent now.", s_queued },
        { "dunghan_notifications_dead_letters", "gauge", "Dead letters kept now, until an operator requeues "
          "them (notify retry).", s_held },
    };
    char labels [S_LABELS_MAX];
    for (size_t f = 0; f < sizeof families / sizeof families [0]; f++) {
        s_family (out, families [f].name, families [f].type, families [f].help);
        for (size_t i = 0; i < self->daemon_count; i++)
            for (size_t j = 0; statuses [i] && j < statuses [i]->n_jobs; j++)
                s_sample (out, families [f].name, s_labels (labels, "daemon", self->daemons [i], "channel",
                                                            statuses [i]->jobs [j]->name, NULL),
                          families [f].figure (statuses [i]->jobs [j]));
    }
}

//  Per unit, from the deadline daemon's QUEUES: the items open, due soon
//  and overdue, when the oldest open one was received (RabbitMQ's
//  head-message timestamp: a count alone cannot tell seconds from weeks),
//  and the overdue ones by how late they are.
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
    int rc = gateway_call (quick, "deadline", DH_MSG_QUEUES, "", &query.base, &dh__queues_reply__descriptor,
                           &answer, &scratch);
    json_decref (scratch.json);
    if (rc)
        return;
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
    char labels [S_LABELS_MAX];
    for (size_t f = 0; f < sizeof families / sizeof families [0]; f++) {
        s_family (out, families [f].name, "gauge", families [f].help);
        for (size_t i = 0; i < queues->n_rows; i++) {
            const Dh__QueueRow *row = queues->rows [i];
            double value = f == 0? (double) row->open: f == 1? (double) row->due_soon: f == 2? (double) row->overdue:
                           row->oldest_received_at / 1000.0;
            s_sample (out, families [f].name, s_labels (labels, "unit", row->unit, NULL), value);
        }
    }
    s_family (out, "dunghan_queue_overdue_age_seconds", "histogram", "The unit's overdue items by how long "
              "past their due time they are (calendar seconds).");
    for (size_t i = 0; i < queues->n_rows; i++)
        s_histogram (out, "dunghan_queue_overdue_age_seconds",
                     s_labels (labels, "unit", queues->rows [i]->unit, NULL), queues->rows [i]->overdue_age_s);
    protobuf_c_message_free_unpacked (answer, NULL);
}

static void
s_gateway_figures (gateway_t *self, FILE *out)
{
    uint64_t received, clients, held;
    events_figures (self->events, &received, &clients, &held);
    s_family (out, "dunghan_gateway_events_total", "counter", "Events the gateway received from the feeds.");
    s_sample (out, "dunghan_gateway_events_total", "", (double) received);
    s_family (out, "dunghan_gateway_event_streams", "gauge", "Clients following /events now.");
    s_sample (out, "dunghan_gateway_event_streams", "", (double) clients);
    s_family (out, "dunghan_gateway_events_held", "gauge", "Events the ring holds for clients that come back.");
    s_sample (out, "dunghan_gateway_events_held", "", (double) held);
}

static void
s_metrics (gateway_t *self, http_request_t *request, http_reply_t *reply)
{
    (void) request;
    Dh__ServiceStatus *statuses [GATEWAY_DAEMONS_MAX] = { NULL };
    gateway_t quick = *self;
    if (quick.timeout_ms > S_STATUS_TIMEOUT_MS)
        quick.timeout_ms = S_STATUS_TIMEOUT_MS;
    s_ask_statuses (self, &quick, statuses);
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream (&text, &size);
    if (!out)
        http_reply_error (reply, DH_E_NOMEM, "out of memory");
    else {
        s_daemons (self, statuses, out);
        s_daemon_histograms (self, statuses, out);
        s_links (self, statuses, out);
        s_notifications (self, statuses, out);
        s_queues (self, &quick, out);
        s_gateway_figures (self, out);
        fclose (out);
        reply->status = MHD_HTTP_OK;
        reply->text = text;
        reply->content_type = "text/plain; version=0.0.4; charset=utf-8";
    }
    for (size_t i = 0; i < self->daemon_count; i++)
        if (statuses [i])
            protobuf_c_message_free_unpacked (&statuses [i]->base, NULL);
}

//  {"status": "ok" or "degraded" (a daemon did not answer), "version",
//  "uptime_s", "daemons": {name: "up" or "down"}}; 200 either way: the
//  gateway itself answers.
static void
s_healthz (gateway_t *self, http_request_t *request, http_reply_t *reply)
{
    (void) request;
    gateway_t quick = *self;
    if (quick.timeout_ms > S_PING_TIMEOUT_MS)
        quick.timeout_ms = S_PING_TIMEOUT_MS;
    json_t *daemons = json_object ();
    bool all_up = true;
    for (size_t i = 0; i < self->daemon_count; i++) {
        http_reply_t scratch = { 0 };
        bool up = !gateway_call (&quick, self->daemons [i], DH_MSG_PING, "", NULL, NULL, NULL, &scratch);
        json_decref (scratch.json);
        json_object_set_new (daemons, self->daemons [i], json_string (up? "up": "down"));
        all_up &= up;
    }
    int64_t uptime_ms = zclock_time () - dh_daemon_started_at ();
    http_reply_json (reply, MHD_HTTP_OK, json_pack ("{s:s, s:s, s:I, s:o}", "status", all_up? "ok": "degraded",
                                                    "version", DH_VERSION, "uptime_s",
                                                    (json_int_t) (uptime_ms / 1000), "daemons", daemons));
}

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

const http_route_t gateway_metrics_routes [] = {
    { "GET", "/metrics", HTTP_PUBLIC, s_metrics, { NULL } },
    { "GET", "/healthz", HTTP_PUBLIC, s_healthz, { NULL } },
    { NULL }
};

//  The service: making it on a daemon, its command table, peers, the
//  audit chain, the store's layout. The batch lives in the other
//  dh_service_*.c files (dh_service.h lists them).
#include <stdarg.h>
#include "dh_clock.h"
#include "dh_error.h"
#include "dh_service_private.h"
#include "dh_types.h"

static int s_handle_housekeeping (zloop_t *loop, int timer_id, void *arg);
static void s_service_destroy (void *arg);

//  Sockets and the link; the store is open.
static int
s_bind (dh_service_t *self, int64_t events_queue, const dh_link_options_t *link_options)
{
    self->router = zsock_new (ZMQ_ROUTER);
    self->publisher = zsock_new (ZMQ_PUB);
    if (!self->router || !self->publisher)
        return DH_E_NOMEM;
    zsock_set_sndhwm (self->router, 200000);
    zsock_set_rcvhwm (self->router, 200000);
    //  A subscriber that falls further behind loses events (the feed is
    //  best-effort): never block a commit's replies on a dashboard.
    zsock_set_sndhwm (self->publisher, (int) events_queue);
    zsock_set_linger (self->router, 0);
    //  Both are CURVE servers: every message on the api carries who sent
    //  it (dh_service_receive.c), and the feed goes to certificates only.
    dh_auth_t *auth = dh_daemon_auth (self->daemon);
    if (dh_auth_server (auth, self->router, self->loop, "api")
    ||  dh_auth_server (auth, self->publisher, self->loop, "events"))
        return DH_E_NOMEM;
    const char *api = dh_config_get (self->config, "api");
    const char *events = dh_config_get (self->config, "events");
    if (zsock_bind (self->router, "%s", api) < 0) {
        zsys_error ("%s: cannot bind api %s: %s", self->name, api, zmq_strerror (zmq_errno ()));
        return DH_E_IO;
    }
    if (zsock_bind (self->publisher, "%s", events) < 0) {
        zsys_error ("%s: cannot bind events %s: %s", self->name, events, zmq_strerror (zmq_errno ()));
        return DH_E_IO;
    }
    self->link = dh_link_new (self->name, auth, self->store, self->router, self->loop, link_options);
    if (!self->link)
        return DH_E_NOMEM;
    if (dh_daemon_ready_add (self->daemon, "api", api)
    ||  dh_daemon_ready_add (self->daemon, "events", events))
        return DH_E_NOMEM;
    if (zloop_reader (self->loop, self->router, dh_service_handle_api, self)
    ||  zloop_timer (self->loop, 200, 0, s_handle_housekeeping, self) < 0)
        return DH_E_NOMEM;
    return 0;
}

dh_service_t *
dh_service_new (dh_daemon_t *daemon, int *why)
{
    *why = DH_E_NOMEM;
    dh_service_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->daemon = daemon;
    self->name = dh_daemon_name (daemon);
    self->config = dh_daemon_config (daemon);
    self->loop = dh_daemon_loop (daemon);
    dh_config_t *config = self->config;
    int64_t batch_limit, window, resend_ms, max_message, map_size_mb, map_max_mb, events_queue;
    if (dh_config_int (config, "batch_limit", 1, 100000, &batch_limit)
    ||  dh_config_int (config, "events_queue", 1, 10000000, &events_queue)
    ||  dh_config_int (config, "commit_linger_us", 0, 100000, &self->linger_us)
    ||  dh_config_int (config, "commit_linger_gap_us", 0, 100000, &self->linger_gap_us)
    ||  dh_config_int (config, "window", 1, 10000000, &window)
    ||  dh_config_int (config, "resend_ms", 10, 3600000, &resend_ms)
    ||  dh_config_int (config, "max_message", 1024, 64 << 20, &max_message)
    ||  dh_config_int (config, "map_size_mb", 1, 1 << 22, &map_size_mb)
    ||  dh_config_int (config, "map_max_mb", 1, 1 << 22, &map_max_mb)) {
        *why = DH_E_CONFIG;
        goto fail;
    }
    self->batch_limit = batch_limit;
    *why = DH_E_IO;
    dh_store_options_t store_options = {
        (size_t) map_size_mb << 20, (size_t) map_max_mb << 20, 128
    };
    if (dh_store_open (dh_config_get (config, "data"), &store_options, &self->store)
    ||  dh_store_dbi (self->store, "service", &self->table)
    ||  dh_store_dbi (self->store, "audit", &self->audit)
    ||  dh_service_feed_load (self))
        goto fail;
    self->codec = dh_codec_new (max_message);
    self->entries = calloc (self->batch_limit, sizeof (s_entry_t));
    self->answered = calloc (self->batch_limit, sizeof (s_rid_t));
    if (!self->codec || !self->entries || !self->answered)
        goto fail;
    //  Memory made to run out, for tests only (t037-out-of-memory).
    int64_t test_clock, fail_alloc;
    if (dh_config_int (config, "test_clock", 0, 1, &test_clock)
    ||  dh_config_int (config, "test_fail_alloc", 0, INT32_MAX, &fail_alloc)) {
        *why = DH_E_CONFIG;
        goto fail;
    }
    if (test_clock)
        dh_codec_fail_scratch (self->codec, (uint32_t) fail_alloc);
    dh_link_options_t link_options = { (uint64_t) window, resend_ms, (size_t) max_message };
    if (s_bind (self, events_queue, &link_options))
        goto fail;
    int started = dh_service_idempotency_start (self);
    if (started) {
        *why = started == DH_E_CONFIG? DH_E_CONFIG: DH_E_IO;
        goto fail;
    }
    dh_service_register_builtins (self);
    dh_daemon_on_stop (daemon, s_service_destroy, self);
    zsys_info ("%s: store %s, event seq %" PRIu64, self->name, dh_store_path (self->store), self->event_seq);
    return self;
fail:
    zsys_error ("%s: cannot start the service", self->name);
    s_service_destroy (self);
    return NULL;
}

//  Called by the daemon as it stops (dh_daemon_on_stop).
static void
s_service_destroy (void *arg)
{
    dh_service_t *self = arg;
    if (self->batches)
        zsys_info ("%s: %" PRIu64 " batches, %" PRIu64 " messages; per batch %.0f us applying, "
                   "%.0f us committing, %.0f us lingering", self->name, self->batches, self->messages,
                   (double) self->apply_us / self->batches, (double) self->commit_us / self->batches,
                   (double) self->lingered_us / self->batches);
    dh_service_timers_destroy (self);
    dh_link_destroy (&self->link);
    if (self->router)
        zloop_reader_end (self->loop, self->router);
    zsock_destroy (&self->router);
    zsock_destroy (&self->publisher);
    dh_codec_destroy (&self->codec);
    dh_idempotency_destroy (&self->idempotency);
    dh_store_destroy (&self->store);
    free (self->entries);
    free (self->answered);
    free (self->events);
    free (self->reply_buffer);
    free (self);
}

void
dh_service_register (dh_service_t *self, const dh_command_t *commands, void *state)
{
    for (const dh_command_t *command = commands; command->fn; command++) {
        assert (command->type < S_MAX_TYPE);
        assert (!self->handlers [command->type].command);
        assert (command->from & DH_FROM_ANY);
        self->handlers [command->type] = (s_handler_t) { command, state };
    }
}

int
dh_service_add_peer (dh_service_t *self, const char *peer)
{
    return dh_link_add_peer (self->link, peer, dh_config_get_for (self->config, peer, "api"));
}

int
dh_service_add_optional_peer (dh_service_t *self, const char *peer)
{
    for (size_t index = 0; dh_config_section (self->config, index); index++)
        if (!strcmp (dh_config_section (self->config, index), peer))
            return dh_service_add_peer (self, peer);
    zsys_info ("%s: no %s section in the configuration; %s is not told", dh_config_service (self->config),
               peer, peer);
    return 0;
}

bool
dh_service_has_peer (dh_service_t *self, const char *peer)
{
    return dh_link_has_peer (self->link, peer);
}

int
dh_service_send (dh_service_t *self, dh_txn_t *txn, const char *peer, uint32_t type,
                 const char *actor, const void *payload, size_t size)
{
    return dh_link_enqueue (self->link, txn, peer, type, actor, payload, size);
}

int
dh_service_audit (dh_service_t *self, dh_txn_t *txn, const char *actor,
                  const char *command, const char *item)
{
    return dh_audit_append (txn, self->audit, &self->audit_head, actor, command, item, dh_clock_now ());
}

int
dh_service_layout (dh_service_t *self, uint32_t layout)
{
    static const char *key = "layout";
    dh_txn_t *txn;
    int rc = dh_txn_begin (self->store, true, &txn);
    if (rc)
        return rc;
    uint64_t stored = 0, audited = 0;
    dh_val_t value;
    rc = dh_txn_get (txn, self->table, key, strlen (key), &value);
    if (rc == 0 && value.size != 8)
        rc = DH_E_CORRUPT;
    else
    if (rc == 0)
        stored = dh_key_u64_read (value.data);
    else
    if (rc == DH_E_NOT_FOUND)
        //  Stores from before layouts were recorded hold layout 1; a new
        //  store has nothing in its audit chain yet.
        rc = dh_txn_count (txn, self->audit, &audited);
    if (!rc && stored == 0 && audited == 0) {
        uint8_t bytes [8];
        dh_key_u64 (bytes, layout);
        if (!(rc = dh_txn_put (txn, self->table, key, strlen (key), bytes, 8)))
            return dh_txn_commit (&txn);
    }
    dh_txn_abort (&txn);
    if (rc)
        return rc;
    if (stored == 0)
        stored = 1;
    if (stored != layout) {
        zsys_error ("%s: the store %s holds layout %" PRIu64 "; this program reads layout %u. Run the version that "
                    "wrote it, or move the store aside to start afresh (README: Upgrading)",
                    self->name, dh_config_get (self->config, "data"), stored, layout);
        return DH_E_LAYOUT;
    }
    return 0;
}

dh_dbi_t
dh_service_audit_dbi (dh_service_t *self)
{
    return self->audit;
}

static int
s_noop (dh_call_t *call, void *arg)
{
    (void) call;
    (void) arg;
    return 0;
}

//  Acknowledged outbox entries are deleted by the next transaction; when
//  none comes, run an empty one so the outbox does not keep them.
static int
s_handle_housekeeping (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    dh_service_t *self = arg;
    if (dh_link_has_garbage (self->link))
        dh_service_transact (self, s_noop, NULL);
    return 0;
}

dh_daemon_t *
dh_service_daemon (dh_service_t *self)
{
    return self->daemon;
}

dh_store_t *
dh_service_store (dh_service_t *self)
{
    return self->store;
}

zloop_t *
dh_service_loop (dh_service_t *self)
{
    return self->loop;
}

dh_config_t *
dh_service_config (dh_service_t *self)
{
    return self->config;
}

const char *
dh_service_name (dh_service_t *self)
{
    return self->name;
}

void
dh_service_stats (dh_service_t *self, dh_service_stats_t *stats)
{
    stats->event_seq = self->event_seq;
    stats->batches = self->batches;
    stats->apply_us = self->apply_us;
    stats->commit_us = self->commit_us;
    stats->linger_us = self->lingered_us;
    stats->messages = self->messages;
}

void
dh_service_add_jobs (dh_service_t *self, struct _dh_jobs_t *jobs)
{
    if (self->jobs_count < S_JOBS_MAX)
        self->jobs [self->jobs_count++] = jobs;
}

struct _dh_link_t *
dh_service_link (dh_service_t *self)
{
    return self->link;
}

void *
dh_service_scratch (dh_service_t *self, size_t size)
{
    return dh_codec_scratch (self->codec, size);
}

int
dh_call_fail (dh_call_t *call, int code, const char *format, ...)
{
    if (call->error_text) {
        va_list args;
        va_start (args, format);
        vsnprintf (call->error_text, S_ERROR_TEXT, format, args);
        va_end (args);
    }
    return code;
}

int
dh_call_reply (dh_call_t *call, const void *payload, size_t size)
{
    void *copy = dh_service_scratch (call->service, size? size: 1);
    if (!copy)
        return dh_call_fail (call, DH_E_NOMEM, "no memory for the reply");
    if (size)
        memcpy (copy, payload, size);
    call->reply = copy;
    call->reply_size = size;
    return 0;
}

typedef struct {
    dh_setup_fn *setup;
    void *state;
} s_main_t;

static int
s_setup_service (dh_daemon_t *daemon, void *arg)
{
    s_main_t *context = arg;
    int why;
    dh_service_t *service = dh_service_new (daemon, &why);
    return service? context->setup (service, context->state): why;
}

int
dh_service_main (const char *name, const char *usage, int argc, char **argv,
                 const dh_config_key_t *keys, dh_setup_fn *setup, void *state)
{
    s_main_t context = { setup, state };
    return dh_daemon_main (name, usage, argc, argv, keys, s_setup_service, &context);
}

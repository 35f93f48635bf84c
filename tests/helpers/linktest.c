/*  linktest — two small services built on common/ that prove the link.

    linktest sender --config F --set sender/count=N
        writes N numbered TEST_APPLY messages to its outbox for "receiver",
        1,000 per commit, keeping at most 50,000 unacknowledged.
    linktest receiver --config F
        applies each message to a counter per number in LMDB (a second
        application of the same number shows as a count of 2); answers
        TEST_PUT (one durable put, for the RPC benchmark) and TEST_COUNT.
    linktest count ENDPOINT            prints the receiver's figures
    linktest verify DATA_DIR N         reads the receiver's store: every
                                       number applied exactly once?  */
#include <czmq.h>
#include <lmdb.h>
#include "dh_client.h"
#include "dh_clock.h"
#include "dh_error.h"
#include "dh_link.h"
#include "dh_service.h"
#include "dh_types.h"
#include "identity.h"
#include "latency.h"

typedef struct {
    uint64_t number;
    int64_t produced_at;        //  real ms, for latency
} s_message_t;

//  -------------------------------------------------------------- sender

typedef struct {
    dh_dbi_t table;
    uint64_t produced;
    uint64_t count;
    uint64_t per_tick;
    uint64_t per_commit;
    uint64_t this_tick;         //  left to produce in the current tick
} s_sender_t;

static int
s_produce (dh_call_t *call, void *arg)
{
    s_sender_t *self = arg;
    dh_service_t *service = call->service;
    dh_txn_t *txn = call->txn;
    dh_val_t value;
    uint64_t produced = 0;
    if (dh_txn_get (txn, self->table, "produced", 8, &value) == 0)
        produced = dh_key_u64_read (value.data);
    uint64_t batch = self->count - produced;
    if (batch > self->per_commit)
        batch = self->per_commit;
    if (batch > self->this_tick)
        batch = self->this_tick;
    struct timespec ts;
    clock_gettime (CLOCK_REALTIME, &ts);
    for (uint64_t i = 0; i < batch; i++) {
        s_message_t message = { produced + i, (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000 };
        int rc = dh_service_send (service, txn, "receiver", DH_MSG_TEST_APPLY, "linktest",
                                  &message, sizeof message);
        if (rc)
            return rc;
    }
    uint8_t bytes [8];
    dh_key_u64 (bytes, produced + batch);
    self->produced = produced + batch;
    return dh_txn_put (txn, self->table, "produced", 8, bytes, 8);
}

typedef struct {
    dh_service_t *service;
    s_sender_t state;
} s_sender_app_t;

static int
s_sender_timer (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    s_sender_app_t *app = arg;
    const char *peer;
    uint64_t last, acked, sent;
    dh_link_peer_status (dh_service_link (app->service), 0, &peer, &last, &acked, &sent);
    //  Keep producing while the peer keeps up; several commits per tick.
    app->state.this_tick = app->state.per_tick;
    while (app->state.this_tick > 0) {
        if (app->state.produced >= app->state.count || last - acked > 50000)
            break;
        uint64_t before = app->state.produced;
        if (dh_service_transact (app->service, s_produce, &app->state))
            break;
        app->state.this_tick -= app->state.produced - before;
        dh_link_peer_status (dh_service_link (app->service), 0, &peer, &last, &acked, &sent);
    }
    return 0;
}

static const dh_config_key_t s_sender_keys [] = {
    { "count", "100000", "messages to produce in all", false },
    { "per_tick", "8000", "messages produced per tick", false },
    { "per_commit", "1000", "most messages produced in one commit", false },
    { "tick_ms", "1", "milliseconds between ticks", false },
    { NULL, NULL, NULL, false }
};

static int
s_sender_setup (dh_service_t *service, void *arg)
{
    s_sender_app_t *app = arg;
    app->service = service;
    int64_t count, per_tick, per_commit, tick_ms;
    dh_config_t *config = dh_service_config (service);
    int rc = dh_config_int (config, "count", 0, INT64_MAX, &count);
    if (!rc)
        rc = dh_config_int (config, "per_tick", 1, 1000000, &per_tick);
    if (!rc)
        rc = dh_config_int (config, "per_commit", 1, 1000000, &per_commit);
    if (!rc)
        rc = dh_config_int (config, "tick_ms", 1, 10000, &tick_ms);
    if (rc || (rc = dh_store_dbi (dh_service_store (service), "produced", &app->state.table)))
        return rc;
    app->state.count = count;
    app->state.per_tick = per_tick;
    app->state.per_commit = per_commit;
    dh_txn_t *txn;
    if ((rc = dh_txn_begin (dh_service_store (service), false, &txn)))
        return rc;
    dh_val_t value;
    if (dh_txn_get (txn, app->state.table, "produced", 8, &value) == 0)
        app->state.produced = dh_key_u64_read (value.data);
    dh_txn_abort (&txn);
    zsys_info ("sender: %" PRIu64 " of %" PRIu64 " produced so far", app->state.produced, app->state.count);
    if ((rc = dh_service_add_peer (service, "receiver")))
        return rc;
    zloop_timer (dh_service_loop (service), tick_ms, 0, s_sender_timer, app);
    return 0;
}

//  ------------------------------------------------------------ receiver

typedef struct {
    dh_dbi_t applied;           //  number -> times applied
    dh_dbi_t puts;              //  TEST_PUT keys
    dh_dbi_t totals;
    int64_t *pending;           //  produced_at of this batch's messages
    size_t pending_count, pending_capacity;
    int64_t *latencies;         //  ms, after commit
    size_t latency_count, latency_capacity;
    int64_t first_at, last_at;  //  real ms of the first and last commit with messages
} s_receiver_t;

static int64_t
s_real_ms (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_REALTIME, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
s_handle_apply (dh_call_t *call, void *arg)
{
    s_receiver_t *self = arg;
    if (call->envelope->payload_size != sizeof (s_message_t))
        return dh_call_fail (call, DH_E_MALFORMED, "TEST_APPLY wants %zu bytes", sizeof (s_message_t));
    s_message_t message;
    memcpy (&message, call->envelope->payload, sizeof message);
    uint8_t key [8];
    dh_key_u64 (key, message.number);
    dh_val_t value;
    uint32_t times = 0;
    if (dh_txn_get (call->txn, self->applied, key, 8, &value) == 0 && value.size == 4)
        memcpy (&times, value.data, 4);
    times++;
    int rc = dh_txn_put (call->txn, self->applied, key, 8, &times, 4);
    if (rc)
        return dh_call_fail (call, rc, "cannot record %" PRIu64, message.number);
    if (self->pending_count == self->pending_capacity) {
        self->pending_capacity = self->pending_capacity? self->pending_capacity * 2: 4096;
        self->pending = realloc (self->pending, self->pending_capacity * sizeof (int64_t));
    }
    self->pending [self->pending_count++] = message.produced_at;
    return 0;
}

static int
s_handle_put (dh_call_t *call, void *arg)
{
    s_receiver_t *self = arg;
    const dh_envelope_t *envelope = call->envelope;
    if (envelope->payload_size < 1 || envelope->payload_size > 4096)
        return dh_call_fail (call, DH_E_INVALID, "TEST_PUT wants 1 to 4096 bytes");
    uint8_t key [16];
    dh_key_u64 (key, envelope->seq);
    memcpy (key + 8, envelope->sender, 8 > strlen (envelope->sender)? strlen (envelope->sender): 8);
    return dh_txn_put (call->txn, self->puts, key, 16, envelope->payload, envelope->payload_size);
}

static int
s_handle_count (dh_call_t *call, void *arg)
{
    s_receiver_t *self = arg;
    uint64_t entries;
    int rc = dh_txn_count (call->txn, self->applied, &entries);
    if (rc)
        return dh_call_fail (call, rc, "cannot count");
    int64_t p50 = 0, p99 = 0;
    if (self->latency_count) {
        latency_sort (self->latencies, self->latency_count);
        p50 = self->latencies [self->latency_count / 2];
        p99 = self->latencies [self->latency_count * 99 / 100];
    }
    char text [256];
    int size = snprintf (text, sizeof text, "applied=%" PRIu64 " first_at=%" PRId64 " last_at=%" PRId64
                         " p50_ms=%" PRId64 " p99_ms=%" PRId64 "\n",
                         entries, self->first_at, self->last_at, p50, p99);
    return dh_call_reply (call, text, size);
}

static void
s_receiver_committed (dh_service_t *service, void *arg)
{
    (void) service;
    s_receiver_t *self = arg;
    if (!self->pending_count)
        return;
    int64_t now = s_real_ms ();
    if (!self->first_at)
        self->first_at = now;
    self->last_at = now;
    if (self->latency_count + self->pending_count > self->latency_capacity) {
        self->latency_capacity = (self->latency_count + self->pending_count) * 2;
        self->latencies = realloc (self->latencies, self->latency_capacity * sizeof (int64_t));
    }
    for (size_t i = 0; i < self->pending_count; i++)
        self->latencies [self->latency_count++] = now - self->pending [i];
    self->pending_count = 0;
}

static int
s_receiver_setup (dh_service_t *service, void *arg)
{
    s_receiver_t *self = arg;
    dh_store_t *store = dh_service_store (service);
    int rc;
    if ((rc = dh_store_dbi (store, "applied", &self->applied))
    ||  (rc = dh_store_dbi (store, "puts", &self->puts)))
        return rc;
    static const dh_command_t commands [] = {
        { DH_MSG_TEST_APPLY, s_handle_apply, DH_FROM_LINK,   0, false, NULL },
        { DH_MSG_TEST_PUT,   s_handle_put,   DH_FROM_CLIENT, 0, false, NULL },
        { DH_MSG_TEST_COUNT, s_handle_count, DH_FROM_CLIENT, 0, false, NULL },
        { 0 }
    };
    dh_service_register (service, commands, self);
    dh_service_on_commit (service, s_receiver_committed, self);
    return 0;
}

//  -------------------------------------------------------------- tools

static int
s_count (const char *endpoint)
{
    //  The service is known by its key: the tests' endpoints say whose it
    //  is, ipc://{run_dir}/{service}.api.
    const char *base = strrchr (endpoint, '/');
    char *service = strndup (base? base + 1: endpoint, strcspn (base? base + 1: endpoint, "."));
    dh_auth_t *auth = helper_auth ("linktest");
    dh_client_t *client = dh_client_new (auth, service, endpoint);
    free (service);
    dh_reply_t reply;
    int rc = client? dh_client_call (client, DH_MSG_TEST_COUNT, "linktest", NULL, 0, 2000, &reply): DH_E_INVALID;
    if (rc == 0 && reply.status == 0)
        printf ("%.*s", (int) reply.payload_size, reply.payload);
    else
        fprintf (stderr, "linktest: count failed: %s\n", rc? dh_strerror (rc): reply.error_text);
    dh_client_destroy (&client);
    dh_auth_destroy (&auth);
    return rc || reply.status? 1: 0;
}

//  Straight LMDB, read-only: the verdict must not depend on our own code.
static int
s_verify (const char *path, uint64_t expected)
{
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    MDB_cursor *cursor;
    mdb_env_create (&env);
    mdb_env_set_maxdbs (env, 128);
    if (mdb_env_open (env, path, MDB_RDONLY, 0) || mdb_txn_begin (env, NULL, MDB_RDONLY, &txn)
    ||  mdb_dbi_open (txn, "applied", 0, &dbi) || mdb_cursor_open (txn, dbi, &cursor)) {
        fprintf (stderr, "linktest: cannot read %s\n", path);
        return 1;
    }
    uint64_t seen = 0, duplicated = 0, stray = 0;
    MDB_val key, value;
    while (mdb_cursor_get (cursor, &key, &value, seen || duplicated || stray? MDB_NEXT: MDB_FIRST) == 0) {
        uint64_t number = dh_key_u64_read (key.mv_data);
        uint32_t times;
        memcpy (&times, value.mv_data, 4);
        if (number >= expected)
            stray++;
        else {
            seen++;
            if (times != 1)
                duplicated++;
        }
    }
    mdb_cursor_close (cursor);
    mdb_txn_abort (txn);
    mdb_env_close (env);
    printf ("expected %" PRIu64 ", applied %" PRIu64 ", lost %" PRIu64 ", duplicated %" PRIu64
            ", unknown %" PRIu64 "\n", expected, seen, expected - seen, duplicated, stray);
    return seen == expected && !duplicated && !stray? 0: 1;
}

int
main (int argc, char **argv)
{
    const char *usage = "usage: linktest sender|receiver [--config F] | count ENDPOINT | verify DIR N";
    if (argc < 2) {
        fprintf (stderr, "%s\n", usage);
        return 2;
    }
    if (!strcmp (argv [1], "--help")) {
        printf ("%s\n", usage);
        return 0;
    }
    if (!strcmp (argv [1], "sender")) {
        s_sender_app_t app = { 0 };
        return dh_service_main ("sender", usage, argc - 1, argv + 1, s_sender_keys, s_sender_setup, &app);
    }
    if (!strcmp (argv [1], "receiver")) {
        s_receiver_t receiver = { 0 };
        int rc = dh_service_main ("receiver", usage, argc - 1, argv + 1, NULL, s_receiver_setup, &receiver);
        free (receiver.pending);
        free (receiver.latencies);
        return rc;
    }
    if (!strcmp (argv [1], "count") && argc == 3)
        return s_count (argv [2]);
    if (!strcmp (argv [1], "verify") && argc == 4)
        return s_verify (argv [2], strtoull (argv [3], NULL, 10));
    fprintf (stderr, "%s\n", usage);
    return 2;
}

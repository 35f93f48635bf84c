//  dh_service and the receiving side of dh_link, through real sockets: a
//  service in a child process, driven by clients and by hand-made link
//  envelopes from a raw DEALER.
#include <czmq.h>
#include <sys/wait.h>
#include "dh_auth.h"
#include "dh_client.h"
#include "dh_config.h"
#include "dh_clock.h"
#include "dh_error.h"
#include "dh_service.h"
#include "dh_types.h"
#include "envelope.pb-c.h"
#include "unit.h"

//  Envelopes are written out positionally; the fields they leave out
//  (key, expiry) are zero.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

//  ---------------------------------------------------- the child service

typedef struct {
    dh_dbi_t puts, applied;
    bool sender;                //  TEST_PUT forwards the payload to "unit" over the link
    //  "paced": a timer at share 50 whose work keeps the loop busy 5 ms a
    //  turn and goes on at once, S_PACED_TURNS times; TEST_COUNT answers
    //  "turns shortest_rest_us" (the least real time between the end of
    //  one turn's work and the start of the next's).
    bool paced;
    dh_timer_t *timer;
    int turns;
    int64_t last_end_us, shortest_rest_us;
} s_state_t;
#define S_PACED_TURNS 8
#define S_PACED_BUSY_US 5000

//  TEST_PUT: store the payload under the client's seq; "FAIL" writes and
//  then refuses, so the batch must run again without it.
static int
s_put (dh_call_t *call, void *arg)
{
    s_state_t *self = arg;
    const dh_envelope_t *envelope = call->envelope;
    if (self->sender)
        return dh_service_send (call->service, call->txn, "unit", DH_MSG_TEST_APPLY, "sender",
                                envelope->payload, envelope->payload_size);
    char key [96];
    int size = snprintf (key, sizeof key, "%s|%" PRIu64, envelope->sender, envelope->seq);
    int rc = dh_txn_put (call->txn, self->puts, key, size, envelope->payload, envelope->payload_size);
    if (rc)
        return dh_call_fail (call, rc, "cannot put");
    if (envelope->payload_size == 4 && !memcmp (envelope->payload, "FAIL", 4))
        return dh_call_fail (call, DH_E_INVALID, "asked to fail after writing");
    return 0;
}

//  TEST_APPLY (link only): count each payload's applications.
static int
s_apply (dh_call_t *call, void *arg)
{
    s_state_t *self = arg;
    const dh_envelope_t *envelope = call->envelope;
    uint32_t times = 0;
    dh_val_t value;
    if (dh_txn_get (call->txn, self->applied, envelope->payload, envelope->payload_size, &value) == 0)
        memcpy (&times, value.data, 4);
    times++;
    int rc = dh_txn_put (call->txn, self->applied, envelope->payload, envelope->payload_size, &times, 4);
    if (!rc && envelope->payload_size == 4 && !memcmp (envelope->payload, "FAIL", 4))
        return dh_call_fail (call, DH_E_INVALID, "asked to fail after writing");
    return rc;
}

static int
s_paced_turn (dh_call_t *call, void *arg)
{
    (void) call;
    s_state_t *self = arg;
    int64_t start = zclock_usecs ();
    if (self->turns && (!self->shortest_rest_us || start - self->last_end_us < self->shortest_rest_us))
        self->shortest_rest_us = start - self->last_end_us;
    while (zclock_usecs () - start < S_PACED_BUSY_US)
        ;
    self->last_end_us = zclock_usecs ();
    if (++self->turns < S_PACED_TURNS)
        dh_timer_at (self->timer, dh_clock_now ());
    return 0;
}

//  TEST_COUNT: "puts applied total" as text (the paced service: see s_state_t).
static int
s_count (dh_call_t *call, void *arg)
{
    s_state_t *self = arg;
    if (self->paced) {
        char text [64];
        int size = snprintf (text, sizeof text, "%d %" PRId64, self->turns, self->shortest_rest_us);
        return dh_call_reply (call, text, size);
    }
    uint64_t puts, applied, total = 0;
    dh_txn_count (call->txn, self->puts, &puts);
    dh_txn_count (call->txn, self->applied, &applied);
    dh_cursor_t *cursor;
    dh_val_t key, value;
    dh_cursor_open (call->txn, self->applied, &cursor);
    for (int rc = dh_cursor_first (cursor, &key, &value); rc == 0; rc = dh_cursor_next (cursor, &key, &value)) {
        uint32_t times;
        memcpy (&times, value.data, 4);
        total += times;
    }
    dh_cursor_close (&cursor);
    char text [96];
    int size = snprintf (text, sizeof text, "%" PRIu64 " %" PRIu64 " %" PRIu64, puts, applied, total);
    return dh_call_reply (call, text, size);
}

static int
s_setup (dh_service_t *service, void *arg)
{
    s_state_t *self = arg;
    int rc;
    if ((rc = dh_store_dbi (dh_service_store (service), "puts", &self->puts))
    ||  (rc = dh_store_dbi (dh_service_store (service), "applied", &self->applied)))
        return rc;
    static const dh_command_t commands [] = {
        { DH_MSG_TEST_PUT,   s_put,   DH_FROM_CLIENT, 0, false, NULL },
        { DH_MSG_TEST_APPLY, s_apply, DH_FROM_LINK,   0, false, NULL },
        { DH_MSG_TEST_COUNT, s_count, DH_FROM_CLIENT, 0, false, NULL },
        { 0 }
    };
    dh_service_register (service, commands, self);
    if (self->paced) {
        if (!(self->timer = dh_service_timer_new (service, s_paced_turn, self)))
            return DH_E_NOMEM;
        dh_timer_share (self->timer, 50);
        dh_timer_at (self->timer, dh_clock_now ());
    }
    return self->sender? dh_service_add_peer (service, "unit"): 0;
}

static char *s_folder;

static pid_t
s_start_named (const char *name, bool test_clock)
{
    char *ready = zsys_sprintf ("%s/%s.ready", s_folder, name);
    unlink (ready);
    pid_t pid = fork ();
    if (pid == 0) {
        char *run_dir = zsys_sprintf ("run_dir=%s", s_folder);
        char *argv [] = { "unit", "--set", run_dir, "--set", test_clock? "test_clock=1": "test_clock=0", NULL };
        s_state_t state = { .sender = !strcmp (name, "sender"), .paced = !strcmp (name, "paced") };
        zsys_set_logstream (NULL);
        _exit (dh_service_main (name, "usage", 5, argv, NULL, s_setup, &state));
    }
    for (int i = 0; i < 200 && !zsys_file_exists (ready); i++)
        zclock_sleep (20);
    CHECK (zsys_file_exists (ready), "the service became ready");
    free (ready);
    return pid;
}

static pid_t
s_start (bool test_clock)
{
    return s_start_named ("unit", test_clock);
}

static void
s_stop (pid_t pid, int signal)
{
    kill (pid, signal);
    waitpid (pid, NULL, 0);
}

//  ------------------------------------------------------------ the tests

//  The identities the tests speak with: an operator for commands, and a
//  peer service for hand-made link messages (dh_auth.h).
static dh_auth_t *s_tester, *s_peer;

static dh_auth_t *
s_identity (const char *name, const char *role)
{
    char *certs = zsys_sprintf ("%s/certs", s_folder);
    char *path = zsys_sprintf ("%s/%s.cert", certs, name);
    char *run_dir = zsys_sprintf ("run_dir=%s", s_folder);
    char *argv [] = { "unit", "--set", run_dir, NULL };
    dh_config_t *config = NULL;
    CHECK (dh_auth_cert_new (certs, name, role) == 0, "certificate of %s", name);
    CHECK (dh_config_load (name, "usage", 3, argv, NULL, &config) == 0, "config");
    int why;
    dh_auth_t *auth = config? dh_auth_new (config, path, &why): NULL;
    CHECK (auth, "identity of %s", name);
    dh_config_destroy (&config);
    free (run_dir);
    free (path);
    free (certs);
    return auth;
}

//  A raw DEALER to the "unit" service, with auth's certificate.
static zsock_t *
s_dealer (dh_auth_t *auth, const char *api)
{
    zsock_t *socket = zsock_new (ZMQ_DEALER);
    CHECK (dh_auth_client (auth, socket, "unit") == 0, "CURVE client");
    zsock_connect (socket, "%s", api);
    return socket;
}

static char *
s_counts (dh_client_t *client)
{
    static char text [96];
    dh_reply_t reply;
    text [0] = 0;
    if (dh_client_call (client, DH_MSG_TEST_COUNT, "unit", NULL, 0, 3000, &reply) == 0 && !reply.status)
        snprintf (text, sizeof text, "%.*s", (int) reply.payload_size, reply.payload);
    return text;
}

//  A link envelope from "peer" with this seq, sent as one frame.
static void
s_send_link (void *dealer, uint64_t seq, const char *payload)
{
    dh_envelope_t envelope = { "peer", seq, DH_MSG_TEST_APPLY, 0, "peer", (const uint8_t *) payload,
                               strlen (payload), true };
    uint8_t bytes [256];
    size_t size = dh_envelope_pack (&envelope, bytes);
    zmq_send (dealer, bytes, size, 0);
}

//  A LINK_BATCH envelope from sender with this seq, holding one
//  TEST_APPLY per payload, sent as one frame.
static void
s_send_link_batch (void *dealer, uint64_t seq, const char *sender, const char **payloads, size_t count)
{
    uint8_t batch [1024];
    size_t size = 0;
    //  A payload "LONG-ACTOR" goes with an actor over DH_NAME_MAX: a
    //  message of the batch that does not decode.
    char long_actor [DH_NAME_MAX + 2];
    memset (long_actor, 'a', DH_NAME_MAX + 1);
    long_actor [DH_NAME_MAX + 1] = 0;
    for (size_t i = 0; i < count; i++) {
        dh_envelope_t inner = { sender, 0, DH_MSG_TEST_APPLY, 0,
                                strcmp (payloads [i], "LONG-ACTOR")? "peer": long_actor,
                                (const uint8_t *) payloads [i], strlen (payloads [i]), true };
        size += dh_batch_item_pack (&inner, batch + size);
    }
    dh_envelope_t envelope = { "peer", seq, DH_MSG_LINK_BATCH, 0, "", batch, size, true };
    uint8_t bytes [2048];
    zmq_send (dealer, bytes, dh_envelope_pack (&envelope, bytes), 0);
}

//  The next acknowledgement on the raw dealer, or -1 after the timeout.
static int64_t
s_ack (void *dealer, int timeout)
{
    zmq_pollitem_t item = { dealer, 0, ZMQ_POLLIN, 0 };
    if (zmq_poll (&item, 1, timeout) <= 0)
        return -1;
    uint8_t bytes [512];
    int size = zmq_recv (dealer, bytes, sizeof bytes, 0);
    dh_codec_t *codec = dh_codec_new (4096);
    dh_reply_t reply;
    int64_t seq = size > 0 && dh_codec_decode_reply (codec, bytes, size, &reply) == 0 && !reply.status? (int64_t) reply.seq: -2;
    dh_codec_destroy (&codec);
    return seq;
}

static void
s_test_link_inbox (const char *api)
{
    zsock_t *socket = s_dealer (s_peer, api);
    void *dealer = zsock_resolve (socket);
    dh_client_t *client = dh_client_new (s_tester, "unit", api);
    s_send_link (dealer, 1, "one");
    CHECK (s_ack (dealer, 3000) == 1, "ack of seq 1");
    s_send_link (dealer, 2, "two");
    CHECK (s_ack (dealer, 3000) == 2, "ack of seq 2");
    //  A duplicate is acknowledged again (cumulatively) and not applied.
    s_send_link (dealer, 1, "one");
    CHECK (s_ack (dealer, 3000) == 2, "duplicate acknowledged with the high-water mark");
    CHECK (!strcmp (s_counts (client), "0 2 2"), "duplicate not applied: %s", s_counts (client));
    //  A gap: seq 4 before 3 is dropped, unacknowledged, not applied.
    s_send_link (dealer, 4, "four");
    CHECK (s_ack (dealer, 300) == -1, "no ack for an out-of-order seq");
    CHECK (!strcmp (s_counts (client), "0 2 2"), "out of order not applied: %s", s_counts (client));
    //  Then 3 and 4 in order; one batch may acknowledge both at once.
    s_send_link (dealer, 3, "three");
    s_send_link (dealer, 4, "four");
    int64_t last = 0;
    for (int i = 0; i < 2 && last != 4; i++)
        last = s_ack (dealer, 3000);
    CHECK (last == 4, "cumulative ack reaches 4: %" PRId64, last);
    CHECK (!strcmp (s_counts (client), "0 4 4"), "3 and 4 applied once: %s", s_counts (client));
    //  A link message its handler refuses after writing: acknowledged (or
    //  the sender would resend it forever), its writes undone.
    s_send_link (dealer, 5, "FAIL");
    CHECK (s_ack (dealer, 3000) == 5, "a refused link message is acknowledged");
    CHECK (!strcmp (s_counts (client), "0 4 4"), "and changed nothing: %s", s_counts (client));
    //  A client may not send link-only messages.
    dh_reply_t reply;
    CHECK (dh_client_call (client, DH_MSG_TEST_APPLY, "x", "five", 4, 3000, &reply) == 0
        && reply.status == DH_E_DENIED, "link type from a client: %d", reply.status);
    zsock_destroy (&socket);
    dh_client_destroy (&client);
}

//  A link batch is one seq: its messages are applied in order in one
//  transaction and acknowledged once; one refused after writing leaves
//  no trace and its neighbours stand; a duplicate batch is not applied
//  again; a batch holding another sender's message is refused whole.
static void
s_test_link_batch_inbox (void *dealer, dh_client_t *client, uint64_t seq, const char *counts_before)
{
    const char *batch [] = { "b1", "FAIL", "b2" };
    s_send_link_batch (dealer, seq, "peer", batch, 3);
    CHECK (s_ack (dealer, 3000) == (int64_t) seq, "the batch is acknowledged as one seq");
    uint64_t puts, keys, total;
    sscanf (counts_before, "%" SCNu64 " %" SCNu64 " %" SCNu64, &puts, &keys, &total);
    char want [96];
    snprintf (want, sizeof want, "%" PRIu64 " %" PRIu64 " %" PRIu64, puts, keys + 2, total + 2);
    CHECK (!strcmp (s_counts (client), want), "b1 and b2 applied, FAIL undone: %s (want %s)",
           s_counts (client), want);
    s_send_link_batch (dealer, seq, "peer", batch, 3);
    CHECK (s_ack (dealer, 3000) == (int64_t) seq, "a duplicate batch is acknowledged again");
    CHECK (!strcmp (s_counts (client), want), "and not applied: %s", s_counts (client));
    //  One bad message changes only itself: another sender's message in
    //  a batch, or one that does not decode, is refused alone (the batch
    //  is acknowledged, so it is not resent forever) and its neighbours
    //  are applied.
    const char *stranger [] = { "b3" };
    s_send_link_batch (dealer, seq + 1, "someone-else", stranger, 1);
    CHECK (s_ack (dealer, 3000) == (int64_t) seq + 1, "a batch of another sender's message is acknowledged");
    CHECK (!strcmp (s_counts (client), want), "and its message refused: %s", s_counts (client));
    const char *mixed [] = { "c1", "LONG-ACTOR", "c2" };
    s_send_link_batch (dealer, seq + 2, "peer", mixed, 3);
    CHECK (s_ack (dealer, 3000) == (int64_t) seq + 2, "a batch with one bad message is acknowledged");
    snprintf (want, sizeof want, "%" PRIu64 " %" PRIu64 " %" PRIu64, puts, keys + 4, total + 4);
    CHECK (!strcmp (s_counts (client), want), "its good neighbours applied, the bad one alone refused: %s (want %s)",
           s_counts (client), want);
}

static void
s_test_bad_input (const char *api)
{
    zsock_t *socket = s_dealer (s_peer, api);
    void *dealer = zsock_resolve (socket);
    dh_codec_t *codec = dh_codec_new (1 << 20);
    uint8_t bytes [512];
    dh_reply_t reply;
    //  Garbage, a wrong version, three frames: each an error reply.
    const char *garbage = "\xff\xfe this is not protobuf";
    zmq_send (dealer, garbage, strlen (garbage), 0);
    int size = zmq_recv (dealer, bytes, sizeof bytes, 0);
    CHECK (size > 0 && dh_codec_decode_reply (codec, bytes, size, &reply) == 0 && reply.status == DH_E_MALFORMED,
           "garbage: %d", reply.status);
    dh_envelope_t envelope = { "tester", 1, DH_MSG_PING, 0, "", NULL, 0, false };
    size = (int) dh_envelope_pack (&envelope, bytes);
    bytes [1] = 77;
    zmq_send (dealer, bytes, size, 0);
    size = zmq_recv (dealer, bytes, sizeof bytes, 0);
    CHECK (size > 0 && dh_codec_decode_reply (codec, bytes, size, &reply) == 0 && reply.status == DH_E_VERSION,
           "version: %d", reply.status);
    size = (int) dh_envelope_pack (&envelope, bytes);
    zmq_send (dealer, bytes, size, ZMQ_SNDMORE);
    zmq_send (dealer, bytes, size, ZMQ_SNDMORE);
    zmq_send (dealer, bytes, size, 0);
    size = zmq_recv (dealer, bytes, sizeof bytes, 0);
    CHECK (size > 0 && dh_codec_decode_reply (codec, bytes, size, &reply) == 0 && reply.status == DH_E_MALFORMED,
           "three frames: %d", reply.status);
    dh_client_t *client = dh_client_new (s_tester, "unit", api);
    CHECK (dh_client_call (client, 777, "x", NULL, 0, 3000, &reply) == 0 && reply.status == DH_E_UNKNOWN
        && strstr (reply.error_text, "777"), "unknown type: %d %s", reply.status, reply.error_text);
    CHECK (dh_client_call (client, DH_MSG_PING, "x", NULL, 0, 3000, &reply) == 0 && reply.status == 0, "ping");
    //  Test clock refused unless configured.
    CHECK (dh_client_call (client, DH_MSG_CLOCK, "x", NULL, 0, 3000, &reply) == 0 && reply.status == DH_E_DENIED,
           "clock refused without test_clock");
    dh_client_destroy (&client);
    dh_codec_destroy (&codec);
    zsock_destroy (&socket);
}

//  Many commands in one batch, one of which writes and then fails: the
//  others are applied, the failed one leaves no trace.
static void
s_test_batch_rerun (const char *api)
{
    dh_client_t *client = dh_client_new (s_tester, "unit", api);
    char *before = strdup (s_counts (client));
    uint64_t puts_before = strtoull (before, NULL, 10);
    uint64_t fail_seq = 0;
    for (int i = 0; i < 200; i++) {
        uint64_t seq;
        dh_client_send (client, DH_MSG_TEST_PUT, "x", i == 100? "FAIL": "good", 4, &seq);
        if (i == 100)
            fail_seq = seq;
    }
    int ok = 0, failed = 0;
    dh_reply_t reply;
    for (int i = 0; i < 200 && dh_client_recv (client, 3000, &reply) == 0; i++) {
        if (reply.status == 0)
            ok++;
        else {
            failed++;
            CHECK (reply.seq == fail_seq && reply.status == DH_E_INVALID
                && strstr (reply.error_text, "asked to fail"), "the failure is the FAIL command's");
        }
    }
    CHECK (ok == 199 && failed == 1, "199 applied, 1 refused: %d %d", ok, failed);
    uint64_t puts_after = strtoull (s_counts (client), NULL, 10);
    CHECK (puts_after == puts_before + 199, "the refused command wrote nothing: %" PRIu64 " -> %" PRIu64,
           puts_before, puts_after);
    free (before);
    dh_client_destroy (&client);
}

static Dh__ServiceStatus *
s_status (dh_client_t *client)
{
    dh_reply_t reply;
    if (dh_client_call (client, DH_MSG_STATUS, "x", NULL, 0, 3000, &reply) || reply.status)
        return NULL;
    return dh__service_status__unpack (NULL, reply.payload_size, reply.payload);
}

//  Sixteen clients, each sending its next command as soon as the last is
//  answered: they share commits (the linger gathers those just answered),
//  and STATUS accounts for the time spent committing.
static void
s_test_group_commit (const char *api)
{
    enum { CLIENTS = 16, ROUNDS = 50 };
    dh_client_t *clients [CLIENTS];
    for (int i = 0; i < CLIENTS; i++)
        clients [i] = dh_client_new (s_tester, "unit", api);
    Dh__ServiceStatus *before = s_status (clients [0]);
    CHECK (before != NULL, "STATUS answers");
    uint64_t seq;
    int answered = 0;
    for (int i = 0; i < CLIENTS; i++)
        dh_client_send (clients [i], DH_MSG_TEST_PUT, "x", "good", 4, &seq);
    for (int round = 0; round < ROUNDS; round++)
        for (int i = 0; i < CLIENTS; i++) {
            dh_reply_t reply;
            if (dh_client_recv (clients [i], 3000, &reply) == 0 && reply.status == 0)
                answered++;
            if (round + 1 < ROUNDS)
                dh_client_send (clients [i], DH_MSG_TEST_PUT, "x", "good", 4, &seq);
        }
    CHECK (answered == CLIENTS * ROUNDS, "every command answered: %d", answered);
    Dh__ServiceStatus *after = s_status (clients [0]);
    if (before && after) {
        uint64_t batches = after->batches - before->batches;
        uint64_t messages = after->messages - before->messages;
        CHECK (messages >= CLIENTS * ROUNDS && batches * 4 <= messages,
               "commits are shared: %" PRIu64 " messages in %" PRIu64 " batches", messages, batches);
        CHECK (after->commit_us > before->commit_us, "commit time is accounted");
    }
    dh__service_status__free_unpacked (before, NULL);
    dh__service_status__free_unpacked (after, NULL);
    for (int i = 0; i < CLIENTS; i++)
        dh_client_destroy (&clients [i]);
}

//  The sending side: messages written while the receiver is down arrive
//  when it comes up; kill -9 of either end loses and duplicates nothing.
static void
s_wait_total (dh_client_t *client, const char *want)
{
    for (int i = 0; i < 300 && strcmp (s_counts (client), want); i++)
        zclock_sleep (20);
}

static void
s_test_link_outbox (const char *api)
{
    char *sender_api = zsys_sprintf ("ipc://%s/sender.api", s_folder);
    pid_t sender = s_start_named ("sender", false);
    dh_client_t *to_sender = dh_client_new (s_tester, "sender", sender_api);
    dh_reply_t reply;
    char payload [32];
    int acknowledged = 0;
    for (int i = 0; i < 100; i++) {
        snprintf (payload, sizeof payload, "m%03d", i);
        acknowledged += dh_client_call (to_sender, DH_MSG_TEST_PUT, "x", payload, strlen (payload), 3000, &reply) == 0
                     && reply.status == 0;
    }
    CHECK (acknowledged == 100, "the sender took 100 while the receiver was down: %d", acknowledged);
    //  What one commit writes for a peer is one outbox entry: 200 commands
    //  in flight at once share commits, and so share batches.
    Dh__ServiceStatus *before = s_status (to_sender);
    uint64_t seq;
    for (int i = 0; i < 200; i++) {
        snprintf (payload, sizeof payload, "p%03d", i);
        dh_client_send (to_sender, DH_MSG_TEST_PUT, "x", payload, strlen (payload), &seq);
    }
    for (int i = 0; i < 200 && dh_client_recv (to_sender, 3000, &reply) == 0; i++)
        acknowledged += reply.status == 0;
    Dh__ServiceStatus *after = s_status (to_sender);
    CHECK (acknowledged == 300, "the sender took 200 more at once: %d", acknowledged);
    CHECK (before && after && before->n_peers == 1 && after->n_peers == 1
        && after->peers [0]->last_seq - before->peers [0]->last_seq < 50,
           "200 messages made few outbox entries: %" PRIu64,
           before && after? after->peers [0]->last_seq - before->peers [0]->last_seq: 0);
    dh__service_status__free_unpacked (before, NULL);
    dh__service_status__free_unpacked (after, NULL);
    pid_t receiver = s_start (false);
    dh_client_t *to_receiver = dh_client_new (s_tester, "unit", api);
    s_wait_total (to_receiver, "0 300 300");
    CHECK (!strcmp (s_counts (to_receiver), "0 300 300"), "all arrived once: %s", s_counts (to_receiver));
    //  kill -9 the receiver while more flow, then the sender.
    for (int i = 100; i < 200; i++) {
        snprintf (payload, sizeof payload, "m%03d", i);
        dh_client_call (to_sender, DH_MSG_TEST_PUT, "x", payload, strlen (payload), 3000, &reply);
        if (i == 150) {
            s_stop (receiver, SIGKILL);
            receiver = s_start (false);
        }
    }
    for (int i = 200; i < 300; i++) {
        snprintf (payload, sizeof payload, "m%03d", i);
        dh_client_call (to_sender, DH_MSG_TEST_PUT, "x", payload, strlen (payload), 3000, &reply);
    }
    s_stop (sender, SIGKILL);
    dh_client_destroy (&to_sender);
    sender = s_start_named ("sender", false);
    s_wait_total (to_receiver, "0 500 500");
    CHECK (!strcmp (s_counts (to_receiver), "0 500 500"), "500 sent, each applied once: %s", s_counts (to_receiver));
    dh_client_destroy (&to_receiver);
    s_stop (sender, SIGTERM);
    s_stop (receiver, SIGTERM);
    free (sender_api);
}

//  A timer at share 50 whose turns each keep the loop 5 ms: after each
//  turn the next waits at least as long as the turn took (the commit
//  besides), whatever else the machine does (a busy machine only makes
//  the rest longer).
static void
s_test_timer_share (void)
{
    pid_t pid = s_start_named ("paced", false);
    char *api = zsys_sprintf ("ipc://%s/paced.api", s_folder);
    dh_client_t *client = dh_client_new (s_tester, "paced", api);
    int turns = 0;
    long long rest = 0;
    for (int i = 0; i < 500 && turns < S_PACED_TURNS; i++) {
        sscanf (s_counts (client), "%d %lld", &turns, &rest);
        zclock_sleep (10);
    }
    CHECK (turns == S_PACED_TURNS, "the paced timer ran its %d turns: %d", S_PACED_TURNS, turns);
    //  Timers count whole milliseconds.
    CHECK (rest >= S_PACED_BUSY_US - 1000, "the shortest rest between turns (%lld us) is as long as a turn",
           rest);
    dh_client_destroy (&client);
    free (api);
    s_stop (pid, SIGTERM);
}

int
main (void)
{
    zsys_set_logstream (NULL);
    s_folder = unit_tmpdir ();
    char *certs = zsys_sprintf ("%s/certs", s_folder);
    CHECK (dh_auth_cert_new (certs, "unit", "service") == 0
        && dh_auth_cert_new (certs, "sender", "service") == 0
        && dh_auth_cert_new (certs, "paced", "service") == 0, "the services' certificates");
    free (certs);
    s_tester = s_identity ("tester", "operator");
    s_peer = s_identity ("peer", "service");
    char *api = zsys_sprintf ("ipc://%s/unit.api", s_folder);
    s_test_link_outbox (api);
    char *wipe = zsys_sprintf ("rm -rf %s/unit.lmdb", s_folder);
    if (system (wipe)) {}
    free (wipe);
    pid_t pid = s_start (false);
    s_test_link_inbox (api);
    s_test_bad_input (api);
    s_test_batch_rerun (api);
    //  kill -9 and restart: every acknowledged effect is still there, and
    //  the high-water mark too (seq 4 is a duplicate, 5 is next).
    s_stop (pid, SIGKILL);
    pid = s_start (true);
    dh_client_t *client = dh_client_new (s_tester, "unit", api);
    CHECK (!strcmp (s_counts (client), "199 4 4"), "after kill -9: %s", s_counts (client));
    zsock_t *socket = s_dealer (s_peer, api);
    s_send_link (zsock_resolve (socket), 4, "four");
    CHECK (s_ack (zsock_resolve (socket), 3000) == 5, "high-water mark survived");
    s_send_link (zsock_resolve (socket), 6, "six");
    CHECK (s_ack (zsock_resolve (socket), 3000) == 6, "6 applied after the restart");
    CHECK (!strcmp (s_counts (client), "199 5 5"), "four not applied twice: %s", s_counts (client));
    s_test_link_batch_inbox (zsock_resolve (socket), client, 7, "199 5 5");
    //  With test_clock = 1 the clock moves by command.
    uint8_t command [32];
    command [0] = 0x08;         //  ClockCommand.set_ms = 1745546400000 (varint)
    uint64_t value = 1745546400000ULL;
    size_t size = 1;
    while (value >= 0x80) {
        command [size++] = (uint8_t) (value | 0x80);
        value >>= 7;
    }
    command [size++] = (uint8_t) value;
    dh_reply_t reply;
    CHECK (dh_client_call (client, DH_MSG_CLOCK, "x", command, size, 3000, &reply) == 0 && reply.status == 0,
           "clock set: %d %s", reply.status, reply.error_text);
    s_test_group_commit (api);
    s_test_timer_share ();
    zsock_destroy (&socket);
    dh_client_destroy (&client);
    s_stop (pid, SIGTERM);
    free (api);
    dh_auth_destroy (&s_tester);
    dh_auth_destroy (&s_peer);
    unit_rmdir (s_folder);
    return UNIT_DONE ("service");
}

/*  bench_lifecycle — whole dossiers through the real intake and assign:
    submit -> (routed by assign) -> step start -> resolve -> return, with
    P pipelines in flight, every effect durable in both daemons. The run
    ends when intake, following assign over the link, has acknowledged
    everything assign sent it (so holds every dossier RETURNED, durably);
    each pipeline's last dossier is then read back from intake to check.

    The pipelines share C connections to each daemon, as a gateway's users
    would, each reply found by its seq: polling a socket per pipeline cost
    the load generator more CPU than the daemons spent, on two cores.

    A dossier's life time runs from its submit to the reply to its return:
    a pipeline's throughput is its in-flight count over that time, so the
    figure grows with PIPELINES until the processors or the disk are full,
    and the life time says what that load costs each dossier.

    bench_lifecycle RUN_DIR N PIPELINES [CONNECTIONS]
    prints: bench lifecycle_dossiers_per_s V per_s, bench lifecycle_p50_ms V ms,
            bench lifecycle_p99_ms V ms (each with the prefix NAME when
            $BENCH_NAME is set, lifecycle otherwise)  */
#include <czmq.h>
#include "envelope.pb-c.h"
#include "work.pb-c.h"
#include "dh_client.h"
#include "dh_codec.h"
#include "dh_error.h"
#include "dh_types.h"
#include "../helpers/identity.h"
#include "../helpers/latency.h"

typedef enum { S_SUBMITTING, S_ROUTING, S_STARTING, S_RESOLVING, S_RETURNING, S_IDLE } s_stage_t;

typedef struct {
    int connection;
    s_stage_t stage;
    char code [64];
    char handler [64];
    int64_t submitted_at;       //  when its dossier's submit went out
} s_pipe_t;

//  One connection to a daemon and the pipelines waiting on it, by seq:
//  a client's seqs go up by one, and fewer than S_RING wait at a time.
#define S_RING 65536
typedef struct {
    uint64_t seq;
    s_pipe_t *pipe;
} s_waiting_t;

typedef struct {
    dh_client_t *client;
    s_waiting_t *waiting;       //  S_RING slots, by seq % S_RING
} s_connection_t;

static uint8_t s_payload [4096];

//  Event payloads are decoded into the codec's arena: no malloc per event.
static void *
s_arena_alloc (void *codec, size_t size)
{
    return dh_codec_alloc (codec, size);
}

static void
s_arena_free (void *codec, void *pointer)
{
    (void) codec;
    (void) pointer;
}

//  True when intake has acknowledged every batch assign wrote for it.
static bool
s_intake_caught_up (dh_client_t *assign)
{
    dh_reply_t reply;
    if (dh_client_call (assign, DH_MSG_STATUS, "bench", NULL, 0, 3000, &reply) || reply.status)
        return false;
    Dh__ServiceStatus *status = dh__service_status__unpack (NULL, reply.payload_size, reply.payload);
    bool caught_up = false;
    for (size_t i = 0; status && i < status->n_peers; i++)
        if (!strcmp (status->peers [i]->peer, "intake"))
            caught_up = status->peers [i]->acked_seq == status->peers [i]->last_seq;
    if (status)
        dh__service_status__free_unpacked (status, NULL);
    return caught_up;
}

//  Intake's word on a dossier: RETURNED, as assign left it.
static bool
s_returned_at_intake (dh_client_t *intake, const char *code)
{
    Dh__ItemCommand command = DH__ITEM_COMMAND__INIT;
    command.code = (char *) code;
    uint8_t bytes [256];
    size_t size = dh__item_command__pack (&command, bytes);
    dh_reply_t reply;
    if (dh_client_call (intake, DH_MSG_ITEM_STATUS, "bd.mc", bytes, size, 3000, &reply) || reply.status)
        return false;
    Dh__Item *item = dh__item__unpack (NULL, reply.payload_size, reply.payload);
    bool returned = item && item->state == DH__ITEM_STATE__RETURNED;
    if (item)
        dh__item__free_unpacked (item, NULL);
    return returned;
}

static size_t
s_command (const char *code, const char *node, uint64_t token)
{
    Dh__ItemCommand command = DH__ITEM_COMMAND__INIT;
    command.code = (char *) code;
    command.node = (char *) node;
    command.step_token = token;
    command.approved = 1;
    return dh__item_command__pack (&command, s_payload);
}

static void
s_send (s_connection_t *connection, s_pipe_t *pipe, uint32_t type, const char *actor,
        const void *payload, size_t size)
{
    uint64_t seq;
    if (dh_client_send (connection->client, type, actor, payload, size, &seq) == 0)
        connection->waiting [seq % S_RING] = (s_waiting_t) { seq, pipe };
}

//  Routed: the handler assign named starts the first step.
static void
s_start_step (s_connection_t *assign, s_pipe_t *pipe, const char *handler)
{
    snprintf (pipe->handler, sizeof pipe->handler, "%s", handler);
    s_send (assign, pipe, DH_MSG_STEP_START, pipe->handler, s_payload,
            s_command (pipe->code, "thẩm định", 1));
    pipe->stage = S_STARTING;
}

//  The pipeline that sent the request this reply answers (and forget it).
static s_pipe_t *
s_answered (s_connection_t *connection, const dh_reply_t *reply)
{
    s_waiting_t *waiting = &connection->waiting [reply->seq % S_RING];
    if (waiting->seq != reply->seq || !waiting->pipe)
        return NULL;
    s_pipe_t *pipe = waiting->pipe;
    waiting->pipe = NULL;
    return pipe;
}

int
main (int argc, char **argv)
{
    if (argc < 4) {
        fprintf (stderr, "usage: bench_lifecycle RUN_DIR N PIPELINES [CONNECTIONS]\n");
        return 2;
    }
    const char *run = argv [1];
    long total = atol (argv [2]);
    int pipes_count = atoi (argv [3]);
    int connections_count = argc > 4? atoi (argv [4]): 4;
    if (total <= 0 || pipes_count <= 0 || connections_count <= 0) {
        fprintf (stderr, "bench_lifecycle: bad arguments\n");
        return 2;
    }
    char *intake_api = zsys_sprintf ("ipc://%s/intake.api", run);
    char *assign_api = zsys_sprintf ("ipc://%s/assign.api", run);
    char *assign_feed = zsys_sprintf ("ipc://%s/assign.events", run);
    //  A gateway's certificate: the actors (clerk, handlers) are the envelope's.
    dh_auth_t *auth = helper_auth ("bench");
    zsock_t *assign_events = zsock_new (ZMQ_SUB);
    zsock_set_subscribe (assign_events, "");
    if (dh_auth_client (auth, assign_events, "assign") || zsock_connect (assign_events, "%s", assign_feed))
        return 1;
    zsock_set_rcvhwm (assign_events, 0);
    zclock_sleep (200);         //  let the subscriptions reach the publishers
    zhash_t *by_code = zhash_new ();
    //  assign's event can overtake intake's reply: keep the handler until
    //  the reply names the code.
    zhash_t *early_handlers = zhash_new ();
    zhash_autofree (early_handlers);
    s_pipe_t *pipes = calloc (pipes_count, sizeof *pipes);
    s_connection_t *intake = calloc (connections_count, sizeof *intake);
    s_connection_t *assign = calloc (connections_count, sizeof *assign);
    int items_count = 1 + 2 * connections_count;
    zmq_pollitem_t *items = calloc (items_count, sizeof *items);
    items [0] = (zmq_pollitem_t) { zsock_resolve (assign_events), 0, ZMQ_POLLIN, 0 };
    for (int c = 0; c < connections_count; c++) {
        intake [c] = (s_connection_t) { dh_client_new (auth, "intake", intake_api), calloc (S_RING, sizeof (s_waiting_t)) };
        assign [c] = (s_connection_t) { dh_client_new (auth, "assign", assign_api), calloc (S_RING, sizeof (s_waiting_t)) };
        items [1 + 2 * c] = (zmq_pollitem_t) { dh_client_socket (intake [c].client), 0, ZMQ_POLLIN, 0 };
        items [2 + 2 * c] = (zmq_pollitem_t) { dh_client_socket (assign [c].client), 0, ZMQ_POLLIN, 0 };
    }
    for (int i = 0; i < pipes_count; i++)
        pipes [i] = (s_pipe_t) { .connection = i % connections_count, .stage = S_IDLE };
    Dh__Applicant applicant = DH__APPLICANT__INIT;
    applicant.name = "Nguyễn Thị Đo";
    applicant.id_number = "001199000111";
    Dh__SubmitDossier submit = DH__SUBMIT_DOSSIER__INIT;
    submit.procedure_code = "1.003583.000.00.00.H26";
    submit.applicant = &applicant;
    submit.channel = DH__CHANNEL__ONLINE;
    uint8_t submit_bytes [512];
    size_t submit_size = dh__submit_dossier__pack (&submit, submit_bytes);
    dh_codec_t *codec = dh_codec_new (1 << 20);
    ProtobufCAllocator arena = { s_arena_alloc, s_arena_free, codec };

    const char *name = getenv ("BENCH_NAME")? getenv ("BENCH_NAME"): "lifecycle";
    int64_t *lives = calloc (total, sizeof (int64_t));
    long started = 0, returned_at_assign = 0, errors = 0;
    int idle = pipes_count;
    int64_t begin = zclock_usecs (), deadline = zclock_mono () + 120000;
    while (returned_at_assign + errors < total && zclock_mono () < deadline && !zsys_interrupted) {
        for (int i = 0; idle && i < pipes_count; i++)
            if (pipes [i].stage == S_IDLE && started < total) {
                s_send (&intake [pipes [i].connection], &pipes [i], DH_MSG_SUBMIT, "bd.mc",
                        submit_bytes, submit_size);
                pipes [i].stage = S_SUBMITTING;
                pipes [i].submitted_at = zclock_usecs ();
                started++;
                idle--;
            }
        if (zmq_poll (items, items_count, 1000) <= 0)
            continue;
        if (items [0].revents & ZMQ_POLLIN) {
            zmq_msg_t frame;
            zmq_msg_init (&frame);
            while (zmq_msg_recv (&frame, items [0].socket, ZMQ_DONTWAIT) >= 0) {
                dh_event_t event;
                Dh__ItemChanged *changed = NULL;
                if (dh_codec_decode_event (codec, zmq_msg_data (&frame), zmq_msg_size (&frame), &event) == 0
                &&  event.type == DH_MSG_ITEM_CHANGED)
                    changed = dh__item_changed__unpack (&arena, event.payload_size, event.payload);
                if (changed && changed->state == DH__ITEM_STATE__ASSIGNED) {
                    s_pipe_t *pipe = zhash_lookup (by_code, changed->code);
                    if (pipe && pipe->stage == S_ROUTING)
                        s_start_step (&assign [pipe->connection], pipe, changed->handler);
                    else
                    if (!pipe)
                        zhash_insert (early_handlers, changed->code, changed->handler);
                }
                dh_codec_reset (codec);
            }
            zmq_msg_close (&frame);
        }
        for (int c = 0; c < connections_count; c++) {
            dh_reply_t reply;
            while ((items [1 + 2 * c].revents & ZMQ_POLLIN) && dh_client_recv (intake [c].client, 0, &reply) == 0) {
                s_pipe_t *pipe = s_answered (&intake [c], &reply);
                if (!pipe)
                    continue;
                Dh__SubmitReply *answer = reply.status? NULL:
                    dh__submit_reply__unpack (NULL, reply.payload_size, reply.payload);
                if (!answer) {
                    if (errors++ < 3)
                        fprintf (stderr, "bench_lifecycle: %s %s\n", reply.error_name, reply.error_text);
                    pipe->stage = S_IDLE;
                    idle++;
                    continue;
                }
                snprintf (pipe->code, sizeof pipe->code, "%s", answer->code);
                dh__submit_reply__free_unpacked (answer, NULL);
                pipe->stage = S_ROUTING;
                zhash_insert (by_code, pipe->code, pipe);
                const char *handler = zhash_lookup (early_handlers, pipe->code);
                if (handler) {
                    s_start_step (&assign [c], pipe, handler);
                    zhash_delete (early_handlers, pipe->code);
                }
            }
            while ((items [2 + 2 * c].revents & ZMQ_POLLIN) && dh_client_recv (assign [c].client, 0, &reply) == 0) {
                s_pipe_t *pipe = s_answered (&assign [c], &reply);
                if (!pipe)
                    continue;
                if (reply.status) {
                    if (errors++ < 3)
                        fprintf (stderr, "bench_lifecycle: %s %s\n", reply.error_name, reply.error_text);
                    zhash_delete (by_code, pipe->code);
                    pipe->stage = S_IDLE;
                    idle++;
                    continue;
                }
                if (pipe->stage == S_STARTING) {
                    s_send (&assign [c], pipe, DH_MSG_RESOLVE, pipe->handler, s_payload,
                            s_command (pipe->code, "", 1));
                    pipe->stage = S_RESOLVING;
                }
                else
                if (pipe->stage == S_RESOLVING) {
                    s_send (&assign [c], pipe, DH_MSG_RETURN, "bd.mc", s_payload,
                            s_command (pipe->code, "", 0));
                    pipe->stage = S_RETURNING;
                }
                else
                if (pipe->stage == S_RETURNING) {
                    lives [returned_at_assign++] = zclock_usecs () - pipe->submitted_at;
                    zhash_delete (by_code, pipe->code);
                    pipe->stage = S_IDLE;
                    idle++;
                }
            }
        }
    }
    bool caught_up = false;
    while (!caught_up && zclock_mono () < deadline && !zsys_interrupted)
        if (!(caught_up = s_intake_caught_up (assign [0].client)))
            zclock_sleep (1);
    double seconds = (zclock_usecs () - begin) / 1e6;
    //  Outside the timing: intake holds each pipeline's last dossier RETURNED.
    int checked = 0, returned_at_intake = 0;
    for (int i = 0; i < pipes_count; i++)
        if (pipes [i].code [0]) {
            checked++;
            returned_at_intake += s_returned_at_intake (intake [0].client, pipes [i].code);
        }
    bool done = returned_at_assign == total && !errors && caught_up && returned_at_intake == checked;
    if (done) {
        latency_sort (lives, returned_at_assign);
        printf ("bench %s_dossiers_per_s %.0f per_s\n", name, returned_at_assign / seconds);
        printf ("bench %s_p50_ms %.2f ms\n", name, latency_ms (lives, returned_at_assign, 50));
        printf ("bench %s_p99_ms %.2f ms\n", name, latency_ms (lives, returned_at_assign, 99));
    }
    fprintf (stderr, "lifecycle: %ld dossiers returned in %.2f s, %ld errors, intake %s, "
             "%d of the last %d RETURNED at intake, %d pipelines over %d connections per daemon\n",
             returned_at_assign, seconds, errors, caught_up? "caught up": "behind",
             returned_at_intake, checked, pipes_count, connections_count);
    for (int c = 0; c < connections_count; c++) {
        dh_client_destroy (&intake [c].client);
        dh_client_destroy (&assign [c].client);
        free (intake [c].waiting);
        free (assign [c].waiting);
    }
    zsock_destroy (&assign_events);
    dh_codec_destroy (&codec);
    zhash_destroy (&by_code);
    zhash_destroy (&early_handlers);
    free (lives);
    free (intake_api);
    free (assign_api);
    free (assign_feed);
    free (pipes);
    free (intake);
    free (assign);
    free (items);
    return done? 0: 1;
}

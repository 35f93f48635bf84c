/*  bench_floor — the stack's limit for a durable command with none of our
    code in the way: C clients (DEALER, one command outstanding each) and
    a server process (ROUTER) that takes every command waiting (waiting
    up to 300 us for the clients it has not heard from: without that wait
    the clients split into groups that take turns, and the floor is lower),
    appends each as a 200-byte record in one LMDB write transaction,
    commits it with LMDB's default durability (data and meta fsynced) and
    only then replies to all of them. No envelope, no protobuf, no audit:
    what ZeroMQ, LMDB and this disk allow before we add anything, so that
    the submit figure can be read against it.

    bench_floor FOLDER [CLIENTS] [SECONDS]
    prints: bench floor_durable_rpc_per_s V per_s, bench floor_durable_rpc_p99_ms V ms  */
#include <czmq.h>
#include <lmdb.h>
#include <sys/wait.h>
#include "../helpers/latency.h"

#define S_RECORD    200
#define S_MAX_BATCH 4096
#define S_LINGER_US 300

//  The server: serves until it is killed.
static int
s_serve (const char *folder, const char *endpoint, int clients, int ready_fd)
{
    char *path = zsys_sprintf ("%s/floor-lmdb", folder);
    char *command = zsys_sprintf ("rm -rf %s && mkdir -p %s", path, path);
    if (system (command))
        return 1;
    MDB_env *env;
    MDB_dbi dbi;
    MDB_txn *txn;
    if (mdb_env_create (&env) || mdb_env_set_mapsize (env, (size_t) 4 << 30)
    ||  mdb_env_open (env, path, 0, 0600)
    ||  mdb_txn_begin (env, NULL, 0, &txn) || mdb_dbi_open (txn, NULL, 0, &dbi)
    ||  mdb_txn_commit (txn)) {
        fprintf (stderr, "bench_floor: cannot open %s\n", path);
        return 1;
    }
    void *context = zmq_ctx_new ();
    void *router = zmq_socket (context, ZMQ_ROUTER);
    if (zmq_bind (router, endpoint)) {
        fprintf (stderr, "bench_floor: cannot bind %s: %s\n", endpoint, zmq_strerror (zmq_errno ()));
        return 1;
    }
    if (write (ready_fd, "r", 1) != 1)
        return 1;
    static zmq_msg_t identity [S_MAX_BATCH], body [S_MAX_BATCH];
    uint64_t key = 0;
    while (true) {
        zmq_pollitem_t item = { router, 0, ZMQ_POLLIN, 0 };
        if (zmq_poll (&item, 1, 1000) <= 0)
            continue;
        int count = 0;
        int64_t linger_until = zclock_usecs () + S_LINGER_US;
        while (count < S_MAX_BATCH) {
            zmq_msg_init (&identity [count]);
            zmq_msg_init (&body [count]);
            if (zmq_msg_recv (&identity [count], router, ZMQ_DONTWAIT) < 0) {
                zmq_msg_close (&identity [count]);
                zmq_msg_close (&body [count]);
                if (count < clients && zclock_usecs () < linger_until) {
                    usleep (20);
                    continue;
                }
                break;
            }
            zmq_msg_recv (&body [count], router, 0);
            count++;
        }
        int rc = mdb_txn_begin (env, NULL, 0, &txn);
        for (int i = 0; i < count; i++) {
            uint64_t ordered = htobe64 (++key);      //  appends need keys in byte order
            MDB_val k = { sizeof ordered, &ordered };
            MDB_val v = { S_RECORD, NULL };
            if (!rc)
                rc = mdb_put (txn, dbi, &k, &v, MDB_APPEND | MDB_RESERVE);
            if (rc)
                break;
            memset (v.mv_data, 0, S_RECORD);
            memcpy (v.mv_data, zmq_msg_data (&body [i]),
                    zmq_msg_size (&body [i]) < S_RECORD? zmq_msg_size (&body [i]): S_RECORD);
        }
        if (!rc)
            rc = mdb_txn_commit (txn);
        if (rc) {
            fprintf (stderr, "bench_floor: the server's commit failed: %s\n", mdb_strerror (rc));
            return 1;
        }
        for (int i = 0; i < count; i++) {
            zmq_msg_send (&identity [i], router, ZMQ_SNDMORE);
            zmq_msg_send (&body [i], router, 0);
        }
    }
}

int
main (int argc, char **argv)
{
    if (argc < 2 || !strcmp (argv [1], "--help")) {
        fprintf (argc < 2? stderr: stdout, "usage: bench_floor FOLDER [CLIENTS] [SECONDS]\n");
        return argc < 2? 2: 0;
    }
    const char *folder = argv [1];
    int clients = argc > 2? atoi (argv [2]): 64;
    double seconds = argc > 3? atof (argv [3]): 5;
    char *endpoint = zsys_sprintf ("ipc://%s/floor.ipc", folder);
    int ready [2];
    if (pipe (ready))
        return 1;
    pid_t child = fork ();
    if (child == 0)
        _exit (s_serve (folder, endpoint, clients, ready [1]));
    close (ready [1]);
    char byte;
    if (read (ready [0], &byte, 1) != 1) {
        fprintf (stderr, "bench_floor: the server did not start\n");
        return 1;
    }
    void *context = zmq_ctx_new ();
    void **dealer = calloc (clients, sizeof *dealer);
    zmq_pollitem_t *items = calloc (clients, sizeof *items);
    int64_t *sent_at = calloc (clients, sizeof (int64_t));
    size_t capacity = 1 << 22, count = 0;
    int64_t *latencies = calloc (capacity, sizeof (int64_t));
    char payload [S_RECORD];
    memset (payload, 'p', sizeof payload);
    for (int i = 0; i < clients; i++) {
        dealer [i] = zmq_socket (context, ZMQ_DEALER);
        zmq_connect (dealer [i], endpoint);
        items [i] = (zmq_pollitem_t) { dealer [i], 0, ZMQ_POLLIN, 0 };
        zmq_send (dealer [i], payload, sizeof payload, 0);
        sent_at [i] = zclock_usecs ();
    }
    int64_t measure_from = zclock_usecs () + 500000;
    int64_t measure_to = measure_from + (int64_t) (seconds * 1e6);
    while (zclock_usecs () < measure_to) {
        if (zmq_poll (items, clients, 1000) <= 0)
            continue;
        int64_t now = zclock_usecs ();
        for (int i = 0; i < clients; i++) {
            char reply [S_RECORD];
            if (!(items [i].revents & ZMQ_POLLIN)
            ||  zmq_recv (dealer [i], reply, sizeof reply, ZMQ_DONTWAIT) < 0)
                continue;
            if (now >= measure_from && count < capacity)
                latencies [count++] = now - sent_at [i];
            zmq_send (dealer [i], payload, sizeof payload, 0);
            sent_at [i] = zclock_usecs ();
        }
    }
    //  A server that stopped early failed; one still serving is stopped.
    int status = 0;
    if (waitpid (child, &status, WNOHANG) == 0) {
        kill (child, SIGKILL);
        waitpid (child, NULL, 0);
    }
    else
        status = status? status: 1;
    latency_sort (latencies, count);
    printf ("bench floor_durable_rpc_per_s %.0f per_s\n", count / seconds);
    printf ("bench floor_durable_rpc_p99_ms %.2f ms\n", latency_ms (latencies, count, 99));
    for (int i = 0; i < clients; i++)
        zmq_close (dealer [i]);
    zmq_ctx_term (context);
    free (dealer);
    free (items);
    free (sent_at);
    free (latencies);
    free (endpoint);
    if (status)
        fprintf (stderr, "bench_floor: the server failed (status %d)\n", status);
    return status? 1: 0;
}

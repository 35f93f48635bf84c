/*  bench_rpc — C concurrent clients, each with one command outstanding,
    sending TEST_PUT to a service that applies each with a durable put
    (group commit) before it replies. Throughput and latency over a fixed
    time after a warm-up; every reply must be a success.
    bench_rpc ENDPOINT [CLIENTS] [SECONDS]  */
#include <czmq.h>
#include "dh_client.h"
#include "dh_error.h"
#include "dh_types.h"
#include "../helpers/identity.h"
#include "../helpers/latency.h"

int
main (int argc, char **argv)
{
    if (argc < 2) {
        fprintf (stderr, "usage: bench_rpc ENDPOINT [CLIENTS] [SECONDS]\n");
        return 2;
    }
    int clients = argc > 2? atoi (argv [2]): 64;
    double seconds = argc > 3? atof (argv [3]): 5;
    dh_client_t **client = calloc (clients, sizeof *client);
    zmq_pollitem_t *items = calloc (clients, sizeof *items);
    int64_t *sent_at = calloc (clients, sizeof (int64_t));
    size_t capacity = 1 << 22, count = 0;
    int64_t *latencies = malloc (capacity * sizeof (int64_t));
    uint8_t payload [100];
    memset (payload, 'p', sizeof payload);
    dh_auth_t *auth = helper_auth ("bench");
    for (int i = 0; i < clients; i++) {
        client [i] = dh_client_new (auth, "receiver", argv [1]);
        items [i] = (zmq_pollitem_t) { dh_client_socket (client [i]), 0, ZMQ_POLLIN, 0 };
        dh_client_send (client [i], DH_MSG_TEST_PUT, "bench", payload, sizeof payload, NULL);
        sent_at [i] = zclock_usecs ();
    }
    long failures = 0;
    int64_t start = zclock_usecs (), measure_from = start + 500000;
    int64_t measure_to = measure_from + (int64_t) (seconds * 1e6);
    while (zclock_usecs () < measure_to) {
        if (zmq_poll (items, clients, 1000) <= 0)
            continue;
        int64_t now = zclock_usecs ();
        for (int i = 0; i < clients; i++) {
            dh_reply_t reply;
            if (!(items [i].revents & ZMQ_POLLIN) || dh_client_recv (client [i], 0, &reply))
                continue;
            if (reply.status)
                failures++;
            else
            if (now >= measure_from && count < capacity)
                latencies [count++] = now - sent_at [i];
            dh_client_send (client [i], DH_MSG_TEST_PUT, "bench", payload, sizeof payload, NULL);
            sent_at [i] = zclock_usecs ();
        }
    }
    latency_sort (latencies, count);
    printf ("bench rpc_durable_acks_per_s %.0f per_s\n", count / seconds);
    printf ("bench rpc_p50_ms %.2f ms\n", latency_ms (latencies, count, 50));
    printf ("bench rpc_p99_ms %.2f ms\n", latency_ms (latencies, count, 99));
    if (failures)
        fprintf (stderr, "bench_rpc: %ld commands refused\n", failures);
    for (int i = 0; i < clients; i++)
        dh_client_destroy (&client [i]);
    free (client);
    free (items);
    free (sent_at);
    free (latencies);
    return failures? 1: 0;
}

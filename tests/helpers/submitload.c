/*  submitload — many counter clerks at once: C clients, each with one
    SUBMIT outstanding, N dossiers in all, against dunghan-intake.

    submitload ENDPOINT N CLIENTS ACKED_FILE [PROCEDURE]
    Every dossier that got a success reply is written to ACKED_FILE (its
    code), so a test can check each acknowledged one survived. A client
    whose daemon stops answering reconnects and goes on with the next
    dossier (it never resends: a resend could be a second dossier).
    Prints: submitted, acknowledged, refused, timed out, per second, p99 ms.  */
#include <czmq.h>
#include "work.pb-c.h"
#include "dh_client.h"
#include "dh_error.h"
#include "dh_types.h"
#include "dossier.h"
#include "identity.h"
#include "latency.h"

typedef struct {
    dh_client_t *client;
    uint64_t seq;
    int64_t sent_at;
    bool busy;
} s_clerk_t;

static void
s_clerk_send (s_clerk_t *clerk, const uint8_t *payload, size_t size, long *sent, long total)
{
    if (*sent >= total)
        return;
    dh_client_send (clerk->client, DH_MSG_SUBMIT, "bd.mc", payload, size, &clerk->seq);
    clerk->sent_at = zclock_usecs ();
    clerk->busy = true;
    (*sent)++;
}

int
main (int argc, char **argv)
{
    if (argc < 5 || !strcmp (argv [1], "--help")) {
        fprintf (argc < 5? stderr: stdout,
                 "usage: submitload ENDPOINT N CLIENTS ACKED_FILE [PROCEDURE]\n");
        return argc < 5? 2: 0;
    }
    const char *endpoint = argv [1];
    long total = atol (argv [2]);
    int clients = atoi (argv [3]);
    FILE *acked_file = fopen (argv [4], "w");
    const char *procedure = argc > 5? argv [5]: "1.003583.000.00.00.H26";
    if (total <= 0 || clients <= 0 || clients > 1024 || !acked_file) {
        fprintf (stderr, "submitload: bad arguments\n");
        return 2;
    }
    uint8_t payload [1024];
    size_t size = dossier_pack (payload, sizeof payload, procedure, "001099012345", NULL);

    //  A gateway's certificate: the clerk it acts for is the envelope's.
    dh_auth_t *auth = helper_auth ("submitload");
    s_clerk_t *clerks = calloc (clients, sizeof *clerks);
    zmq_pollitem_t *items = calloc (clients, sizeof *items);
    int64_t *latencies = calloc (total, sizeof (int64_t));
    long sent = 0, acknowledged = 0, refused = 0, timed_out = 0, done = 0;
    for (int i = 0; i < clients; i++)
        clerks [i].client = dh_client_new (auth, "intake", endpoint);
    int64_t started = zclock_usecs ();
    //  Each clerk sends the next dossier as soon as the last one is
    //  answered, as a clerk at the counter does: answering all the replies
    //  first would hold every request back behind the slowest.
    for (int i = 0; i < clients; i++) {
        s_clerk_send (&clerks [i], payload, size, &sent, total);
        items [i] = (zmq_pollitem_t) { dh_client_socket (clerks [i].client), 0, ZMQ_POLLIN, 0 };
    }
    while (done < total && !zsys_interrupted) {
        zmq_poll (items, clients, 100);
        int64_t polled = zclock_usecs ();
        for (int i = 0; i < clients; i++) {
            s_clerk_t *clerk = &clerks [i];
            if (!clerk->busy)
                continue;
            dh_reply_t reply;
            if ((items [i].revents & ZMQ_POLLIN) && dh_client_recv (clerk->client, 0, &reply) == 0) {
                if (reply.seq != clerk->seq)
                    continue;       //  a late answer to a request given up on
                int64_t now = zclock_usecs ();
                clerk->busy = false;
                done++;
                if (reply.status) {
                    refused++;
                    if (refused <= 3)
                        fprintf (stderr, "submitload: refused: %s %s\n", reply.error_name, reply.error_text);
                }
                else {
                    Dh__SubmitReply *answer = dh__submit_reply__unpack (NULL, reply.payload_size, reply.payload);
                    if (answer) {
                        fprintf (acked_file, "%s\n", answer->code);
                        dh__submit_reply__free_unpacked (answer, NULL);
                    }
                    latencies [acknowledged++] = now - clerk->sent_at;
                }
                s_clerk_send (clerk, payload, size, &sent, total);
            }
            else
            if (polled - clerk->sent_at > 3000000) {
                //  The daemon died with our request: give it up, reconnect.
                dh_client_destroy (&clerk->client);
                clerk->client = dh_client_new (auth, "intake", endpoint);
                items [i].socket = dh_client_socket (clerk->client);
                clerk->busy = false;
                timed_out++;
                done++;
                s_clerk_send (clerk, payload, size, &sent, total);
            }
        }
    }
    double seconds = (zclock_usecs () - started) / 1e6;
    fclose (acked_file);
    latency_sort (latencies, acknowledged);
    printf ("submitted %ld acknowledged %ld refused %ld timed_out %ld per_s %.0f p50_ms %.2f p99_ms %.2f\n",
            sent, acknowledged, refused, timed_out, acknowledged / seconds,
            latency_ms (latencies, acknowledged, 50),
            latency_ms (latencies, acknowledged, 99));
    for (int i = 0; i < clients; i++)
        dh_client_destroy (&clerks [i].client);
    free (clerks);
    free (items);
    free (latencies);
    return 0;
}

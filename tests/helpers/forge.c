/*  forge — a client that is not what it says it is (t039). It sends one
    link message to a daemon, as a peer service would, in plaintext or
    with the certificate given, and prints what came back: the error's
    name, "ok", or "no answer" (a connection the daemon refused).

    forge ENDPOINT SERVICE CERT|plain item-received SENDER SEQ CODE
        ITEM_RECEIVED of a new dossier CODE, as intake sends it to assign
    forge ENDPOINT SERVICE CERT|plain item-changed SENDER SEQ CODE
        ITEM_CHANGED, dossier CODE returned, as assign sends it to intake

    SEQ should be the next the daemon expects from SENDER, so that only
    the certificate check stands between the message and its effect.  */
#include <czmq.h>
#include "work.pb-c.h"
#include "dh_auth.h"
#include "dh_clock.h"
#include "dh_codec.h"
#include "dh_config.h"
#include "dh_error.h"
#include "dh_types.h"

static size_t
s_payload (const char *kind, const char *code, uint8_t *buffer, uint32_t *type)
{
    int64_t now = dh_clock_now ();
    if (!strcmp (kind, "item-received")) {
        Dh__ItemReceived received = DH__ITEM_RECEIVED__INIT;
        received.code = (char *) code;
        received.procedure_code = "1.003583.000.00.00.H26";
        received.lead_unit = "BD.TP";
        received.received_at = now;
        received.due_at = now + 86400000;
        *type = DH_MSG_ITEM_RECEIVED;
        return dh__item_received__pack (&received, buffer);
    }
    Dh__ItemChanged changed = DH__ITEM_CHANGED__INIT;
    changed.code = (char *) code;
    changed.state = DH__ITEM_STATE__RETURNED;
    changed.lead_unit = "BD.TP";
    *type = DH_MSG_ITEM_CHANGED;
    return dh__item_changed__pack (&changed, buffer);
}

int
main (int argc, char **argv)
{
    if (argc != 8 || (strcmp (argv [4], "item-received") && strcmp (argv [4], "item-changed"))) {
        fprintf (stderr, "usage: forge ENDPOINT SERVICE CERT|plain item-received|item-changed SENDER SEQ CODE\n");
        return 2;
    }
    const char *endpoint = argv [1], *service = argv [2], *cert = argv [3];
    zsys_set_logstream (stderr);
    zsock_t *dealer = zsock_new (ZMQ_DEALER);
    zsock_set_linger (dealer, 0);
    if (strcmp (cert, "plain")) {
        dh_config_t *config;
        int why = 0;
        dh_auth_t *auth = NULL;
        if (dh_config_load_file ("forge", NULL, NULL, &config) == 0) {
            auth = dh_auth_new (config, cert, &why);
            dh_config_destroy (&config);
        }
        if (!auth || dh_auth_client (auth, dealer, service))
            return 1;
        dh_auth_destroy (&auth);
    }
    zsock_connect (dealer, "%s", endpoint);
    uint8_t payload [512], batch [1024], bytes [2048];
    uint32_t type;
    size_t size = s_payload (argv [4], argv [7], payload, &type);
    dh_envelope_t inner = {
        .sender = argv [5], .type = type, .sent_at = dh_clock_now (), .actor = "bd.mc",
        .payload = payload, .payload_size = size, .link = true
    };
    size_t batch_size = dh_batch_item_pack (&inner, batch);
    dh_envelope_t envelope = {
        .sender = argv [5], .seq = strtoull (argv [6], NULL, 10), .type = DH_MSG_LINK_BATCH,
        .sent_at = dh_clock_now (), .actor = "", .payload = batch, .payload_size = batch_size, .link = true
    };
    zmq_send (zsock_resolve (dealer), bytes, dh_envelope_pack (&envelope, bytes), 0);
    zmq_pollitem_t item = { zsock_resolve (dealer), 0, ZMQ_POLLIN, 0 };
    int got = zmq_poll (&item, 1, 2000) > 0? zmq_recv (zsock_resolve (dealer), bytes, sizeof bytes, 0): -1;
    dh_codec_t *codec = dh_codec_new (1 << 20);
    dh_reply_t reply;
    if (got < 0)
        printf ("no answer\n");
    else
    if (dh_codec_decode_reply (codec, bytes, got, &reply))
        printf ("garbage\n");
    else
        printf ("%s\n", reply.status? reply.error_name: "ok");
    dh_codec_destroy (&codec);
    zsock_destroy (&dealer);
    return 0;
}

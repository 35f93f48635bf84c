#include <czmq.h>
#include "dh_client.h"
#include "dh_clock.h"
#include "dh_error.h"

struct _dh_client_t {
    zsock_t *dealer;
    char *name;
    uint64_t seq;
    dh_codec_t *codec;
    uint8_t *buffer;
    size_t capacity;
    zmq_msg_t frame;
};

dh_client_t *
dh_client_new (const char *endpoint, const char *name)
{
    dh_client_t *self = calloc (1, sizeof *self);
    self->dealer = zsock_new (ZMQ_DEALER);
    self->name = strdup (name);
    self->codec = dh_codec_new (64 << 20);
    self->seq = (uint64_t) zclock_time () << 8;   //  distinct across restarts
    zmq_msg_init (&self->frame);
    zsock_set_linger (self->dealer, 0);
    if (zsock_connect (self->dealer, "%s", endpoint)) {
        zsys_error ("client: bad endpoint %s", endpoint);
        dh_client_destroy (&self);
        return NULL;
    }
    return self;
}

void
dh_client_destroy (dh_client_t **self_p)
{
    dh_client_t *self = *self_p;
    if (!self)
        return;
    zsock_destroy (&self->dealer);
    dh_codec_destroy (&self->codec);
    zmq_msg_close (&self->frame);
    free (self->buffer);
    free (self->name);
    free (self);
    *self_p = NULL;
}

int
dh_client_send (dh_client_t *self, uint32_t type, const char *actor,
                const void *payload, size_t size, uint64_t *seq)
{
    dh_envelope_t envelope = {
        .sender = self->name, .seq = ++self->seq, .type = type, .sent_at = dh_clock_now (),
        .actor = actor, .payload = payload, .payload_size = size
    };
    size_t packed = dh_envelope_size (&envelope);
    if (packed > self->capacity) {
        free (self->buffer);
        self->capacity = packed * 2;
        self->buffer = malloc (self->capacity);
    }
    dh_envelope_pack (&envelope, self->buffer);
    if (zmq_send (zsock_resolve (self->dealer), self->buffer, packed, 0) < 0)
        return DH_E_IO;
    if (seq)
        *seq = envelope.seq;
    return 0;
}

int
dh_client_recv (dh_client_t *self, int timeout_ms, dh_reply_t *reply)
{
    zmq_pollitem_t item = { zsock_resolve (self->dealer), 0, ZMQ_POLLIN, 0 };
    int64_t deadline = zclock_mono () + timeout_ms;
    for (;;) {
        //  Take what is there first: polling before every message would
        //  cost a system call each while replies are queued.
        if (zmq_msg_recv (&self->frame, item.socket, ZMQ_DONTWAIT) < 0) {
            int64_t left = deadline - zclock_mono ();
            if (left <= 0 || zmq_poll (&item, 1, left) <= 0)
                return DH_E_TIMEOUT;
            continue;
        }
        dh_codec_reset (self->codec);
        int rc = dh_codec_decode_reply (self->codec, zmq_msg_data (&self->frame),
                                        zmq_msg_size (&self->frame), reply);
        if (rc == 0)
            return 0;
        zsys_warning ("client: bad reply: %s", dh_strerror (rc));
    }
}

int
dh_client_call (dh_client_t *self, uint32_t type, const char *actor,
                const void *payload, size_t size, int timeout_ms, dh_reply_t *reply)
{
    uint64_t seq;
    int rc = dh_client_send (self, type, actor, payload, size, &seq);
    while (rc == 0) {
        rc = dh_client_recv (self, timeout_ms, reply);
        if (rc == 0 && reply->seq == seq)
            return 0;
        //  A late answer to an earlier call that timed out: skip it.
    }
    return rc;
}

void *
dh_client_socket (dh_client_t *self)
{
    return zsock_resolve (self->dealer);
}

#include <czmq.h>
#include <sodium.h>
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
    //  Commands sent whose replies have not come (a call that timed out
    //  leaves its own): a reply that names no seq is only ours when one is.
    size_t outstanding;
    char key [DH_KEY_MAX + 1];          //  the last command's
    char next_key [DH_KEY_MAX + 1];     //  dh_client_set_key's, for the next one
};

dh_client_t *
dh_client_new (dh_auth_t *auth, const char *service, const char *endpoint)
{
    dh_client_t *self = calloc (1, sizeof *self);
    self->dealer = zsock_new (ZMQ_DEALER);
    self->name = strdup (dh_auth_name (auth));
    self->codec = dh_codec_new (64 << 20);
    self->seq = (uint64_t) zclock_time () << 8;   //  distinct across restarts
    zmq_msg_init (&self->frame);
    zsock_set_linger (self->dealer, 0);
    if (dh_auth_client (auth, self->dealer, service)) {
        dh_client_destroy (&self);
        return NULL;
    }
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

static int
s_send (dh_client_t *self, uint32_t type, const char *actor, const void *payload, size_t size,
        int64_t expires_at, uint64_t *seq)
{
    strcpy (self->key, self->next_key);
    self->next_key [0] = 0;
    dh_envelope_t envelope = {
        .sender = self->name, .seq = ++self->seq, .type = type, .sent_at = dh_clock_now (),
        .actor = actor, .payload = payload, .payload_size = size,
        .idempotency_key = self->key, .expires_at = expires_at
    };
    size_t packed = dh_envelope_size (&envelope);
    if (packed > self->capacity) {
        free (self->buffer);
        self->capacity = packed * 2;
        self->buffer = malloc (self->capacity);
        if (!self->buffer) {
            self->capacity = 0;
            return DH_E_NOMEM;
        }
    }
    dh_envelope_pack (&envelope, self->buffer);
    if (zmq_send (zsock_resolve (self->dealer), self->buffer, packed, 0) < 0)
        return DH_E_IO;
    self->outstanding++;
    if (seq)
        *seq = envelope.seq;
    return 0;
}

int
dh_client_send (dh_client_t *self, uint32_t type, const char *actor,
                const void *payload, size_t size, uint64_t *seq)
{
    return s_send (self, type, actor, payload, size, 0, seq);
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
        if (rc == 0) {
            if (self->outstanding)
                self->outstanding--;
            return 0;
        }
        zsys_warning ("client: bad reply: %s", dh_strerror (rc));
    }
}

int
dh_client_set_key (dh_client_t *self, const char *key)
{
    size_t length = strlen (key);
    if (length == 0)
        return DH_E_INVALID;
    if (length > DH_KEY_MAX)
        return DH_E_TOO_BIG;
    memcpy (self->next_key, key, length + 1);
    return 0;
}

const char *
dh_client_key (dh_client_t *self)
{
    return self->key;
}

//  128 random bits in hex: two clients never pick the same by chance.
static void
s_random_key (char key [DH_KEY_MAX + 1])
{
    uint8_t bytes [16];
    if (sodium_init () < 0)
        zsys_error ("client: libsodium did not start; the key is weaker");
    randombytes_buf (bytes, sizeof bytes);
    sodium_bin2hex (key, DH_KEY_MAX + 1, bytes, sizeof bytes);
}

int
dh_client_call (dh_client_t *self, uint32_t type, const char *actor,
                const void *payload, size_t size, int timeout_ms, dh_reply_t *reply)
{
    if (!self->next_key [0])
        s_random_key (self->next_key);
    uint64_t seq;
    int rc = s_send (self, type, actor, payload, size, zclock_time () + timeout_ms, &seq);
    int64_t deadline = zclock_mono () + timeout_ms;
    while (rc == 0) {
        int64_t left = deadline - zclock_mono ();
        rc = dh_client_recv (self, left > 0? (int) left: 0, reply);
        if (rc)
            break;
        if (reply->seq == seq)
            return 0;
        //  The service could not read our command far enough to learn its
        //  seq; the refusal is ours if nothing else of ours is on its way.
        if (reply->seq == 0 && reply->status && self->outstanding == 0)
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

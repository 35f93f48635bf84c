#include <sys/stat.h>
#include "dh_auth.h"
#include "dh_codec.h"
#include "dh_error.h"

#define S_MONITORS 4

typedef struct {
    dh_auth_t *auth;
    zsock_t *pair;
    char what [16];
} s_monitor_t;

struct _dh_auth_t {
    zcert_t *cert;
    char *name;
    char *role;
    char *certs;
    char *service;              //  the configuration's, for the log
    zactor_t *zauth;
    zloop_t *loop;              //  where the monitors are read
    s_monitor_t monitors [S_MONITORS];
    size_t monitor_count;
};

static const char *s_roles [] = {
    DH_ROLE_SERVICE, DH_ROLE_OPERATOR, DH_ROLE_STAFF, DH_ROLE_GATEWAY, DH_ROLE_DASHBOARD, NULL
};

bool
dh_auth_role_known (const char *role)
{
    for (const char **known = s_roles; role && *known; known++)
        if (!strcmp (role, *known))
            return true;
    return false;
}

//  A name goes into envelopes, logs and file names: keep it plain.
static bool
s_name_valid (const char *name)
{
    size_t size = name? strlen (name): 0;
    if (size == 0 || size > DH_NAME_MAX || name [0] == '.')
        return false;
    for (const char *at = name; *at; at++)
        if (!isalnum ((unsigned char) *at) && !strchr ("._-", *at))
            return false;
    return true;
}

//  The `cert` key may say {certs}; a secret file's name is taken too,
//  since zcert_load wants the public one and finds the secret beside it.
static char *
s_cert_path (const char *value, const char *certs)
{
    char *path = strncmp (value, "{certs}", 7)? strdup (value): zsys_sprintf ("%s%s", certs, value + 7);
    size_t size = path? strlen (path): 0;
    if (size > 7 && !strcmp (path + size - 7, "_secret"))
        path [size - 7] = 0;
    return path;
}

static bool
s_has_secret (zcert_t *cert)
{
    const byte *secret = zcert_secret_key (cert);
    for (int i = 0; i < 32; i++)
        if (secret [i])
            return true;
    return false;
}

dh_auth_t *
dh_auth_new (dh_config_t *config, const char *cert_file, int *why)
{
    *why = DH_E_NOMEM;
    const char *service = dh_config_service (config);
    dh_auth_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->certs = strdup (dh_config_get (config, "certs"));
    self->service = strdup (service);
    char *path = self->certs? s_cert_path (cert_file? cert_file: dh_config_get (config, "cert"), self->certs): NULL;
    if (!self->certs || !self->service || !path)
        goto fail;
    *why = DH_E_CONFIG;
    if (!zsys_file_exists (self->certs)) {
        zsys_error ("%s: no certificates folder %s (the `certs` key): make it, and the certificates "
                    "with `dunghanctl cert new`", service, self->certs);
        goto fail;
    }
    self->cert = zcert_load (path);
    if (!self->cert) {
        zsys_error ("%s: no certificate %s (and %s_secret): make one with `dunghanctl cert new "
                    "--name NAME --role ROLE --dir FOLDER`, or name yours (`cert` key%s)", service,
                    path, path, strcmp (service, "ctl")? "": ", --cert or $DUNGHAN_CERT");
        goto fail;
    }
    const char *name = zcert_meta (self->cert, "name");
    const char *role = zcert_meta (self->cert, "role");
    if (!s_has_secret (self->cert)) {
        zsys_error ("%s: %s_secret is missing or holds no secret key: this program cannot prove "
                    "it is %s", service, path, name? name: "anyone");
        goto fail;
    }
    if (!s_name_valid (name) || !dh_auth_role_known (role)) {
        zsys_error ("%s: certificate %s has no valid name and role (metadata `name` and `role`: "
                    "service, operator, staff, gateway or dashboard)", service, path);
        goto fail;
    }
    self->name = strdup (name);
    self->role = strdup (role);
    if (!self->name || !self->role) {
        *why = DH_E_NOMEM;
        goto fail;
    }
    free (path);
    return self;
fail:
    free (path);
    dh_auth_destroy (&self);
    return NULL;
}

void
dh_auth_destroy (dh_auth_t **self_p)
{
    dh_auth_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; i < self->monitor_count; i++) {
        zloop_reader_end (self->loop, self->monitors [i].pair);
        zsock_destroy (&self->monitors [i].pair);
    }
    zactor_destroy (&self->zauth);
    zcert_destroy (&self->cert);
    free (self->name);
    free (self->role);
    free (self->certs);
    free (self->service);
    free (self);
    *self_p = NULL;
}

const char *
dh_auth_name (dh_auth_t *self)
{
    return self->name;
}

const char *
dh_auth_role (dh_auth_t *self)
{
    return self->role;
}

const char *
dh_auth_certs (dh_auth_t *self)
{
    return self->certs;
}

int
dh_auth_serve (dh_auth_t *self)
{
    assert (!self->zauth);
    if (!zsys_has_curve ()) {
        zsys_error ("%s: this libzmq has no CURVE security: the daemons cannot run on it", self->service);
        return DH_E_CONFIG;
    }
    self->zauth = zactor_new (zauth, NULL);
    if (!self->zauth)
        return DH_E_NOMEM;
    //  zauth's verbose lines are the ones that name a refused key.
    zstr_sendx (self->zauth, "VERBOSE", NULL);
    zsock_wait (self->zauth);
    zstr_sendx (self->zauth, "CURVE", self->certs, NULL);
    zsock_wait (self->zauth);
    return 0;
}

static int
s_handle_monitor (zloop_t *loop, zsock_t *reader, void *arg)
{
    (void) loop;
    s_monitor_t *monitor = arg;
    zmsg_t *msg = zmsg_recv (reader);
    zframe_t *frame = msg? zmsg_first (msg): NULL;
    char *endpoint = frame? zframe_strdup (zmsg_next (msg)): NULL;
    if (frame && zframe_size (frame) >= 6) {
        uint16_t event;
        uint32_t value;
        memcpy (&event, zframe_data (frame), 2);
        memcpy (&value, zframe_data (frame) + 2, 4);
        //  Which side notices a mismatch first is a race: a plaintext
        //  client may also show as a handshake cut short.
        const char *why = event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH? "its certificate is not in the certs folder"
                        : event == ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL? "the handshake was cut short "
                                   "(a client without CURVE, or expecting another server key)"
                        : value == ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH? "it does not speak CURVE (plaintext?)"
                        : "a broken CURVE handshake (a client expecting another server key?)";
        zsys_warning ("%s: %s refused a connection at %s: %s", monitor->auth->service, monitor->what,
                      endpoint? endpoint: "?", why);
    }
    free (endpoint);
    zmsg_destroy (&msg);
    return 0;
}

int
dh_auth_server (dh_auth_t *self, zsock_t *socket, zloop_t *loop, const char *what)
{
    assert (self->monitor_count < S_MONITORS);
    assert (!self->loop || self->loop == loop);
    zsock_set_zap_domain (socket, "dunghan");
    zcert_apply (self->cert, socket);
    zsock_set_curve_server (socket, 1);
    s_monitor_t *monitor = &self->monitors [self->monitor_count];
    monitor->auth = self;
    snprintf (monitor->what, sizeof monitor->what, "%s", what);
    char *endpoint = zsys_sprintf ("inproc://dh-auth-monitor-%s-%p", what, (void *) socket);
    if (!endpoint)
        return DH_E_NOMEM;
    int rc = zmq_socket_monitor (zsock_resolve (socket), endpoint, ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL
                                 | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH);
    monitor->pair = rc? NULL: zsock_new (ZMQ_PAIR);
    if (monitor->pair && zsock_connect (monitor->pair, "%s", endpoint))
        zsock_destroy (&monitor->pair);
    free (endpoint);
    if (!monitor->pair || zloop_reader (loop, monitor->pair, s_handle_monitor, monitor)) {
        zsock_destroy (&monitor->pair);
        return DH_E_NOMEM;
    }
    self->loop = loop;
    self->monitor_count++;
    return 0;
}

int
dh_auth_client (dh_auth_t *self, zsock_t *socket, const char *service)
{
    char *path = zsys_sprintf ("%s/%s.cert", self->certs, service);
    zcert_t *server = path? zcert_load (path): NULL;
    if (!server) {
        zsys_error ("%s: no certificate of %s at %s: cannot tell it from an impostor", self->service,
                    service, path? path: service);
        free (path);
        return DH_E_CONFIG;
    }
    zcert_apply (self->cert, socket);
    zsock_set_curve_serverkey (socket, zcert_public_txt (server));
    zcert_destroy (&server);
    free (path);
    return 0;
}

bool
dh_auth_peer (zmq_msg_t *frame, dh_auth_peer_t *peer)
{
    peer->key = zmq_msg_gets (frame, "User-Id");
    peer->name = zmq_msg_gets (frame, "name");
    peer->role = zmq_msg_gets (frame, "role");
    return peer->key && *peer->key && peer->name && *peer->name && peer->role && *peer->role;
}

int
dh_auth_cert_new (const char *folder, const char *name, const char *role)
{
    if (!s_name_valid (name) || !dh_auth_role_known (role))
        return DH_E_INVALID;
    char *path = zsys_sprintf ("%s/%s.cert", folder, name);
    char *secret = zsys_sprintf ("%s/%s.cert_secret", folder, name);
    zcert_t *cert = zcert_new ();
    int rc = path && secret && cert? 0: DH_E_NOMEM;
    if (!rc && (zsys_file_exists (path) || zsys_file_exists (secret)))
        rc = DH_E_EXISTS;
    if (!rc && zsys_dir_create ("%s", folder))
        rc = DH_E_IO;
    if (!rc) {
        zcert_set_meta (cert, "name", "%s", name);
        zcert_set_meta (cert, "role", "%s", role);
        //  The secret half is written first, unreadable to others from
        //  its first byte.
        mode_t mask = umask (0077);
        rc = zcert_save_secret (cert, secret)? DH_E_IO: 0;
        umask (mask);
        if (!rc && (zcert_save_public (cert, path) || chmod (path, 0644)))
            rc = DH_E_IO;
        if (rc) {
            unlink (secret);
            unlink (path);
        }
    }
    zcert_destroy (&cert);
    free (path);
    free (secret);
    return rc;
}

/*  dh_auth — who is at the other end of every socket.

    Every endpoint, ipc:// or tcp://, is CURVE. Each program holds a
    certificate (CZMQ's zcert): a key pair, and two metadata fields,
    `name` and `role` (DH_ROLE_*). The folder named by the `certs` key
    holds the public certificates of everyone the deployment lets in.

    A daemon runs CZMQ's ZAP handler (zauth) on that folder: a connection
    is admitted only when the client's key is one of them, and zauth hands
    the certificate's metadata to libzmq, which attaches it, with User-Id
    (the client's key), to every message received on that connection. A
    refused connection (a client without CURVE, a key not in the folder)
    is logged with the socket it came to; zauth logs the key it refused.

    Clients check the server too: a client of service S takes S's public
    key from {certs}/S.cert, so nothing else can answer in S's name.

    Whoever may write into the folder may mint identities: it belongs to
    the deployment's administrator. A certificate added to it is admitted
    from the next connection on; one removed is refused from then on
    (connections already open stay open until they close).  */
#ifndef DH_AUTH_H
#define DH_AUTH_H

#include <czmq.h>
#include "dh_config.h"

//  The roles a certificate may carry.
#define DH_ROLE_SERVICE   "service"     //  a daemon; its name is the service's
#define DH_ROLE_OPERATOR  "operator"    //  runs the system; name = staff id
#define DH_ROLE_STAFF     "staff"       //  a person of the org chart; name = staff id
#define DH_ROLE_GATEWAY   "gateway"     //  acts for the user signed in to it
#define DH_ROLE_DASHBOARD "dashboard"   //  reserved: reads only

typedef struct _dh_auth_t dh_auth_t;

//  This program's identity: its certificate, and the folder of the
//  deployment's public certificates (config's `certs` key). cert_file
//  names the certificate (its public file, X.cert, whose secret half is
//  X.cert_secret; either name is taken); NULL: config's `cert` key, whose
//  default is {certs}/{service}.cert. NULL on error, logged with what to
//  do; *why is then DH_E_CONFIG (no such certificate, no secret key, no
//  name or no known role, no certs folder) or DH_E_NOMEM.
//  @note config is read during the call only.
dh_auth_t *dh_auth_new (dh_config_t *config, const char *cert_file, int *why);
void dh_auth_destroy (dh_auth_t **self_p);

//  The certificate's name and role. @note owned by self.
const char *dh_auth_name (dh_auth_t *self);
const char *dh_auth_role (dh_auth_t *self);
//  The folder of public certificates. @note owned by self.
const char *dh_auth_certs (dh_auth_t *self);

//  Start this process's ZAP handler on the certs folder (a daemon, once
//  per process, before its first dh_auth_server). Errors: DH_E_CONFIG
//  (libzmq without CURVE), DH_E_NOMEM.
int dh_auth_serve (dh_auth_t *self);

//  Make socket, before it binds, a CURVE server with this certificate,
//  and log (on loop) each connection it refuses; `what` names it in the
//  log ("api"). Errors: DH_E_NOMEM.
int dh_auth_server (dh_auth_t *self, zsock_t *socket, zloop_t *loop, const char *what);

//  Make socket, before it connects, a CURVE client of `service`, with
//  this certificate, expecting the server key in {certs}/service.cert.
//  Errors: DH_E_CONFIG (no such certificate; logged).
int dh_auth_client (dh_auth_t *self, zsock_t *socket, const char *service);

//  Who sent a message received on a socket made by dh_auth_server: the
//  name, role and key (Z85) of the certificate its connection was
//  admitted with, read from frame's metadata. False when the frame
//  carries no authenticated identity.
//  @note the strings belong to frame: valid until it is closed or reused.
typedef struct {
    const char *name;
    const char *role;
    const char *key;
} dh_auth_peer_t;
bool dh_auth_peer (zmq_msg_t *frame, dh_auth_peer_t *peer);

//  True for a DH_ROLE_*.
bool dh_auth_role_known (const char *role);

//  Write a new certificate for name and role into folder: name.cert
//  (public, mode 0644) and name.cert_secret (mode 0600). Never replaces
//  one. Errors: DH_E_INVALID (a name that is not 1-64 of [A-Za-z0-9._-],
//  an unknown role), DH_E_EXISTS, DH_E_IO (folder or files not
//  writable), DH_E_NOMEM.
int dh_auth_cert_new (const char *folder, const char *name, const char *role);

#endif

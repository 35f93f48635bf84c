/*  dh_client — send a command to a service and wait for its Reply.
    Used by dunghanctl, the tests and the benchmark.  */
#ifndef DH_CLIENT_H
#define DH_CLIENT_H

#include "dh_auth.h"
#include "dh_codec.h"

typedef struct _dh_client_t dh_client_t;

//  A client of `service` at endpoint, with auth's certificate (its name
//  is the envelope's sender; the service takes the actor from it too,
//  except for a gateway's). The service must hold {certs}/service.cert.
//  NULL if the endpoint is not valid or there is no such certificate
//  (logged). @note auth is read during the call only.
dh_client_t *dh_client_new (dh_auth_t *auth, const char *service, const char *endpoint);
void dh_client_destroy (dh_client_t **self_p);

//  Send one command and wait up to timeout_ms for its reply. The command
//  carries an idempotency key (the one dh_client_set_key gave, else a
//  fresh random one) and expires when the wait ends: a service that gets
//  it later refuses it (E_TIMEOUT) rather than apply what nobody waits
//  for. A refusal of bytes the service could not read (reply seq 0) is
//  taken as the answer when this command is the only one outstanding.
//  Returns 0 when a reply came (its status may still be an error),
//  DH_E_TIMEOUT when none came in time (dh_client_key then names the key
//  a retry should carry), DH_E_IO when it could not be sent.
//  @note reply fields point into the client: valid until the next call.
int dh_client_call (dh_client_t *self, uint32_t type, const char *actor,
                    const void *payload, size_t size, int timeout_ms, dh_reply_t *reply);

//  Lower level, for pipelining: send without waiting (returns the seq),
//  and receive the next reply (any seq). dh_client_send carries the key
//  dh_client_set_key gave, else none, and never expires.
int dh_client_send (dh_client_t *self, uint32_t type, const char *actor,
                    const void *payload, size_t size, uint64_t *seq);
int dh_client_recv (dh_client_t *self, int timeout_ms, dh_reply_t *reply);

//  The idempotency key of the next command sent (copied; used once): an
//  operator's retry names the key of the try that timed out. Errors:
//  DH_E_TOO_BIG (over DH_KEY_MAX bytes), DH_E_INVALID (empty).
int dh_client_set_key (dh_client_t *self, const char *key);

//  The key the last command carried; "" when none.
//  @note owned by the client; valid until the next command.
const char *dh_client_key (dh_client_t *self);

//  The underlying socket, to poll many clients at once.
void *dh_client_socket (dh_client_t *self);

#endif

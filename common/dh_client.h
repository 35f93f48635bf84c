/*  dh_client — send a command to a service and wait for its Reply.
    Used by dunghanctl, the tests and the benchmark.  */
#ifndef DH_CLIENT_H
#define DH_CLIENT_H

#include "dh_codec.h"

typedef struct _dh_client_t dh_client_t;

//  A client called `name` (the envelope's sender) connected to endpoint.
//  NULL if the endpoint is not valid (logged).
dh_client_t *dh_client_new (const char *endpoint, const char *name);
void dh_client_destroy (dh_client_t **self_p);

//  Send one command and wait up to timeout_ms for its reply.
//  Returns 0 when a reply came (its status may still be an error),
//  DH_E_TIMEOUT when none came in time.
//  @note reply fields point into the client: valid until the next call.
int dh_client_call (dh_client_t *self, uint32_t type, const char *actor,
                    const void *payload, size_t size, int timeout_ms, dh_reply_t *reply);

//  Lower level, for pipelining: send without waiting (returns the seq),
//  and receive the next reply (any seq).
int dh_client_send (dh_client_t *self, uint32_t type, const char *actor,
                    const void *payload, size_t size, uint64_t *seq);
int dh_client_recv (dh_client_t *self, int timeout_ms, dh_reply_t *reply);

//  The underlying socket, to poll many clients at once.
void *dh_client_socket (dh_client_t *self);

#endif

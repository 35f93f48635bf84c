/*  dh_http — one JSON POST through libcurl, signed, thread-safe: SMS and
    Zalo providers' APIs and webhooks, run in worker threads (dh_jobs).  */
#ifndef DH_HTTP_H
#define DH_HTTP_H

#include <stddef.h>

typedef struct {
    const char *url;
    const char *token;          //  "Authorization: Bearer <token>"; "" for none
    const char *secret;         //  HMAC-SHA256 key of the signature; "" for none
    long timeout_ms;
} dh_http_config_t;

//  POST body (JSON) with Content-Type: application/json, Idempotency-Key:
//  key, and, when a secret is set, X-Dunghan-Timestamp: <unix seconds>
//  and X-Dunghan-Signature: sha256=<hex HMAC-SHA256 over
//  "<timestamp>.<body>">. Returns 0 on a 2xx reply; DH_E_IO when the
//  receiver may take it later (no connection, a timeout, 408, 429, 5xx);
//  DH_E_INVALID when it never will (other 4xx); words in error.
int dh_http_post (const dh_http_config_t *config, const char *body, const char *key,
                  char *error, size_t error_size);

//  The signature header's value for timestamp and body with secret, as
//  receivers check it: "sha256=" and 64 hex digits into out (72 bytes).
void dh_http_signature (const char *secret, const char *timestamp, const char *body, char out [72]);

#endif

/*  dh_http — one signed JSON POST through libcurl (see dh_http.h).

    Each call has its own easy handle; nothing is shared between calls but
    libcurl's and libsodium's global state, set up once. Redirects are not
    followed: a provider's API that moved is a configuration to fix, and a
    redirect must not carry the token elsewhere. The token and the secret
    never reach error or any log.  */
#include <assert.h>
#include <curl/curl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "dh_error.h"
#include "dh_http.h"

#define S_TIMEOUT_DEFAULT_MS 30000
#define S_KEY_MAX            200
#define S_REPLY_MAX          120     //  what error keeps of the receiver's answer

//  curl_global_init is not thread-safe and posts start in worker threads:
//  the first call does it (dh_mail has its own once; the two may run
//  together, which libcurl allows when built thread-safe:
//  CURL_VERSION_THREADSAFE, since 7.84; Debian 12's is).
static pthread_once_t s_once = PTHREAD_ONCE_INIT;
static CURLcode s_curl_result;
static int s_sodium_result;

static void
s_init (void)
{
    s_curl_result = curl_global_init (CURL_GLOBAL_DEFAULT);
    s_sodium_result = sodium_init () < 0? -1: 0;
}

void
dh_http_signature (const char *secret, const char *timestamp, const char *body, char out [72])
{
    pthread_once (&s_once, s_init);
    crypto_auth_hmacsha256_state state;
    unsigned char mac [crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_init (&state, (const unsigned char *) secret, strlen (secret));
    crypto_auth_hmacsha256_update (&state, (const unsigned char *) timestamp, strlen (timestamp));
    crypto_auth_hmacsha256_update (&state, (const unsigned char *) ".", 1);
    crypto_auth_hmacsha256_update (&state, (const unsigned char *) body, strlen (body));
    crypto_auth_hmacsha256_final (&state, mac);
    sodium_memzero (&state, sizeof state);      //  it holds the key's pads
    memcpy (out, "sha256=", 7);
    sodium_bin2hex (out + 7, 65, mac, sizeof mac);
}

//  Keeps the start of the receiver's answer for error (a provider says
//  there why it refused), in ASCII so that error is always valid text
//  whatever was cut or sent; the rest is read and dropped.
typedef struct {
    char text [S_REPLY_MAX];
    size_t size;
} s_reply_t;

static size_t
s_write (char *data, size_t size, size_t count, void *arg)
{
    s_reply_t *reply = (s_reply_t *) arg;
    for (size_t i = 0; i < size * count && reply->size < S_REPLY_MAX - 1; i++)
        reply->text [reply->size++] = (unsigned char) data [i] < ' '? ' ': (unsigned char) data [i] >= 0x7f? '?': data [i];
    reply->text [reply->size] = 0;
    return size * count;
}

//  A header's value from outside: nothing that could end the line.
static bool
s_header_value_ok (const char *value, size_t max)
{
    size_t length = 0;
    for (const unsigned char *c = (const unsigned char *) value; *c; c++, length++)
        if (*c < ' ' || *c == 0x7f)
            return false;
    return length <= max;
}

//  What a reply's status means for the sender.
static int
s_status_result (long status)
{
    if (status >= 200 && status < 300)
        return 0;
    if (status == 408 || status == 429 || status >= 500)
        return DH_E_IO;             //  the receiver may take it later
    return DH_E_INVALID;            //  other 4xx, and 1xx or 3xx as a last word
}

//  Append a header line to *headers; false when memory runs out.
static bool
s_header (struct curl_slist **headers, const char *line)
{
    struct curl_slist *more = curl_slist_append (*headers, line);
    if (more)
        *headers = more;
    return more != NULL;
}

int
dh_http_post (const dh_http_config_t *config, const char *body, const char *key,
              char *error, size_t error_size)
{
    assert (config);
    if (error_size)
        *error = 0;
    const char *token = config->token? config->token: "";
    const char *secret = config->secret? config->secret: "";
    body = body? body: "";
    if (!key || !*key || !s_header_value_ok (key, S_KEY_MAX)) {
        snprintf (error, error_size, "the idempotency key is empty, too long or holds a control character");
        return DH_E_INVALID;
    }
    if (!s_header_value_ok (token, SIZE_MAX)) {
        snprintf (error, error_size, "the token holds a control character");
        return DH_E_INVALID;
    }
    pthread_once (&s_once, s_init);
    if (s_curl_result != CURLE_OK || s_sodium_result) {
        snprintf (error, error_size, "libcurl or libsodium cannot start");
        return DH_E_IO;
    }
    int rc = DH_E_NOMEM;
    CURL *curl = curl_easy_init ();
    struct curl_slist *headers = NULL;
    size_t bearer_size = strlen (token) + 32;
    char *bearer = malloc (bearer_size);
    char line [S_KEY_MAX + 32];
    if (!curl || !bearer)
        goto nomem;
    snprintf (line, sizeof line, "Idempotency-Key: %s", key);
    //  "Expect:" off: curl would wait for a 100 Continue before a body over 1 KiB.
    if (!s_header (&headers, "Content-Type: application/json") || !s_header (&headers, "Expect:")
        || !s_header (&headers, line))
        goto nomem;
    if (*token) {
        snprintf (bearer, bearer_size, "Authorization: Bearer %s", token);
        if (!s_header (&headers, bearer))
            goto nomem;
    }
    if (*secret) {
        char timestamp [24], signature [72];
        snprintf (timestamp, sizeof timestamp, "%lld", (long long) time (NULL));
        dh_http_signature (secret, timestamp, body, signature);
        snprintf (line, sizeof line, "X-Dunghan-Timestamp: %s", timestamp);
        if (!s_header (&headers, line))
            goto nomem;
        snprintf (line, sizeof line, "X-Dunghan-Signature: %s", signature);
        if (!s_header (&headers, line))
            goto nomem;
    }
    char curl_words [CURL_ERROR_SIZE] = "";
    s_reply_t reply = { "", 0 };
    long timeout_ms = config->timeout_ms > 0? config->timeout_ms: S_TIMEOUT_DEFAULT_MS;
    curl_easy_setopt (curl, CURLOPT_URL, config->url? config->url: "");
    curl_easy_setopt (curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt (curl, CURLOPT_NOSIGNAL, 1L);          //  threads: no SIGALRM for DNS timeouts
    curl_easy_setopt (curl, CURLOPT_ERRORBUFFER, curl_words);
    curl_easy_setopt (curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt (curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt (curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) strlen (body));
    curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, s_write);
    curl_easy_setopt (curl, CURLOPT_WRITEDATA, &reply);
    curl_easy_setopt (curl, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    curl_easy_setopt (curl, CURLOPT_TIMEOUT_MS, timeout_ms);
    CURLcode result = curl_easy_perform (curl);
    long status = 0;
    curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &status);
    if (result != CURLE_OK) {
        rc = result == CURLE_OUT_OF_MEMORY? DH_E_NOMEM: DH_E_IO;
        snprintf (error, error_size, "not posted: %s", *curl_words? curl_words: curl_easy_strerror (result));
    }
    else if ((rc = s_status_result (status)))
        snprintf (error, error_size, "the receiver answered %ld%s%s", status, reply.size? ": ": "", reply.text);
    goto done;

nomem:
    snprintf (error, error_size, "out of memory building the request");
done:
    //  The token sits in the header list's copy and in bearer.
    for (struct curl_slist *item = headers; item; item = item->next)
        sodium_memzero (item->data, strlen (item->data));
    curl_slist_free_all (headers);
    if (bearer) {
        sodium_memzero (bearer, bearer_size);
        free (bearer);
    }
    if (curl)
        curl_easy_cleanup (curl);
    return rc;
}

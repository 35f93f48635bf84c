//  Each connection thread's clients of the daemons, kept across the
//  requests of its keep-alive connection: a new dh_client costs a CURVE
//  handshake with the daemon and its ZAP check, several times the command
//  it carries. A ZeroMQ socket must stay on one thread, so the clients
//  live in thread-local storage, and the key's destructor frees them when
//  the connection's thread ends (libmicrohttpd ends it with the
//  connection).
#include <pthread.h>
#include <stdatomic.h>
#include "dh_client.h"
#include "gateway.h"

//  Clients kept by all threads at most: ZeroMQ allows 1,023 sockets a
//  process, and past this a request's client lives only for its call,
//  as before keeping (256 connections, one call each at a time).
#define S_KEPT_MAX 512

typedef struct {
    char *service;
    dh_auth_t *auth;            //  whose certificate it speaks with
    dh_client_t *client;
} s_kept_t;

//  A thread asks at most the daemons the configuration names.
typedef struct {
    s_kept_t kept [GATEWAY_DAEMONS_MAX];
    size_t count;
} s_clients_t;

static pthread_key_t s_key;
static pthread_once_t s_key_once = PTHREAD_ONCE_INIT;
static bool s_key_made;
static atomic_int s_kept_total;

static void
s_kept_free (s_kept_t *kept)
{
    dh_client_destroy (&kept->client);
    free (kept->service);
    kept->service = NULL;
    atomic_fetch_sub (&s_kept_total, 1);
}

//  At the thread's end, with its value: what the thread kept.
static void
s_clients_free (void *arg)
{
    s_clients_t *clients = arg;
    for (size_t i = 0; i < clients->count; i++)
        s_kept_free (&clients->kept [i]);
    free (clients);
}

static void
s_key_make (void)
{
    s_key_made = pthread_key_create (&s_key, s_clients_free) == 0;
}

//  The calling thread's clients; NULL when out of memory.
static s_clients_t *
s_clients (void)
{
    pthread_once (&s_key_once, s_key_make);
    if (!s_key_made)
        return NULL;
    s_clients_t *clients = pthread_getspecific (s_key);
    if (!clients && (clients = calloc (1, sizeof *clients)) && pthread_setspecific (s_key, clients)) {
        free (clients);
        clients = NULL;
    }
    return clients;
}

dh_client_t *
gateway_client_take (gateway_t *self, const char *service)
{
    s_clients_t *clients = s_clients ();
    for (size_t i = 0; clients && i < clients->count; i++) {
        s_kept_t *kept = &clients->kept [i];
        if (kept->auth == self->user_auth && !strcmp (kept->service, service)) {
            dh_client_t *client = kept->client;
            kept->client = NULL;
            s_kept_free (kept);
            *kept = clients->kept [--clients->count];
            return client;
        }
    }
    return dh_client_new (self->user_auth, service, dh_config_get_for (self->config, service, "api"));
}

void
gateway_client_give_back (gateway_t *self, const char *service, dh_client_t **client_p, bool answered)
{
    if (!*client_p)
        return;
    s_clients_t *clients = answered? s_clients (): NULL;
    char *name = clients && clients->count < GATEWAY_DAEMONS_MAX? strdup (service): NULL;
    if (!name || atomic_fetch_add (&s_kept_total, 1) >= S_KEPT_MAX) {
        if (name)
            atomic_fetch_sub (&s_kept_total, 1);
        free (name);
        dh_client_destroy (client_p);
        return;
    }
    clients->kept [clients->count++] = (s_kept_t) { name, self->user_auth, *client_p };
    *client_p = NULL;
}

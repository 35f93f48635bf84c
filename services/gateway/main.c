//  dunghan-gateway: a daemon without a store (dh_daemon alone). Its loop
//  runs the feeds' subscriber; libmicrohttpd's threads answer the web,
//  each request asking the daemons with a dh_client of its own.
//  Staff sign in with tokens dunghanctl token new issues (tokens.c).
#include "dh_error.h"
#include "dh_tokens.h"
#include "gateway.h"

static const dh_config_key_t s_keys [] = {
    { "http", "127.0.0.1:8080", "where the web API listens, HOST:PORT (an IPv4 address, * for all; port 0: "
      "any free one, named in the ready file as http=HOST:PORT)", false },
    { "lookup_rate_per_s", "10", "public pages and lookups per client address per second", false },
    { "trusted_proxy", "", "the reverse proxy's address (127.0.0.1): requests from it are counted against the "
      "client the proxy names last in X-Forwarded-For; empty: none believed", false },
    { "tokens", DH_TOKENS_DEFAULT, DH_TOKENS_HELP, true },
    { "user_cert", "{certs}/gateway-web.cert", "the certificate, role gateway, the gateway acts for its "
      "users with (its envelopes name the signed-in staff member, or 'public')", true },
    { "timeout_ms", "5000", "how long a request waits for a daemon before answering 503", false },
    { "events_ring", "10000", "events kept for /events clients that come back with Last-Event-ID", false },
    { "public_url", "", "the address the public reaches the gateway at (https://dichvucong.example.gov.vn), "
      "printed in the receipt slip's QR code; empty: http://HOST:PORT of http", false },
    { "chartjs", "/usr/share/javascript/chart.js/chart.min.js", "Chart.js for the dashboard (Debian's "
      "libjs-chart.js), served at /static/chart.js", true },
    { NULL, NULL, NULL, false }
};

static const http_route_t * const s_tables [] = {
    gateway_api_routes, gateway_events_routes, gateway_metrics_routes, gateway_openapi_routes,
    gateway_receipt_routes, gateway_dashboard_routes, NULL
};

static void
s_stop (void *arg)
{
    gateway_t *self = arg;
    //  Streams wait in the ring: wake them before the threads are joined.
    events_stop (self->events);
    http_destroy (&self->http);
    events_destroy (&self->events);
    ratelimit_destroy (&self->lookups);
    tokens_destroy (&self->tokens);
    dh_auth_destroy (&self->user_auth);
}

static int
s_setup (dh_daemon_t *daemon, void *state)
{
    gateway_t *self = state;
    dh_daemon_on_stop (daemon, s_stop, self);
    self->config = dh_daemon_config (daemon);
    const char *name = dh_daemon_name (daemon);
    int64_t rate, timeout, ring;
    if (dh_config_int (self->config, "lookup_rate_per_s", 1, 100000, &rate)
    ||  dh_config_int (self->config, "timeout_ms", 100, 600000, &timeout)
    ||  dh_config_int (self->config, "events_ring", 16, 10000000, &ring))
        return DH_E_CONFIG;
    self->timeout_ms = (int) timeout;
    int why;
    self->user_auth = dh_auth_new (self->config, dh_config_get (self->config, "user_cert"), &why);
    if (!self->user_auth)
        return why;
    if (strcmp (dh_auth_role (self->user_auth), DH_ROLE_GATEWAY)) {
        zsys_error ("%s: user_cert %s is of role %s: acting for users needs role gateway "
                    "(dunghanctl cert new --name %s-web --role gateway)", name,
                    dh_config_get (self->config, "user_cert"), dh_auth_role (self->user_auth), name);
        return DH_E_CONFIG;
    }
    //  Every daemon the configuration names, as dunghanctl watch follows them.
    const char *section;
    for (size_t i = 0; (section = dh_config_section (self->config, i)); i++)
        if (strcmp (section, name) && strcmp (section, "ctl") && self->daemon_count < GATEWAY_DAEMONS_MAX)
            self->daemons [self->daemon_count++] = section;
    self->tokens = tokens_new (dh_config_get (self->config, "tokens"));
    self->lookups = ratelimit_new ((int) rate);
    if (!self->tokens || !self->lookups)
        return DH_E_NOMEM;
    self->events = events_new (self, daemon, (size_t) ring);
    if (!self->events)
        return DH_E_CONFIG;
    const char *address = dh_config_get (self->config, "http");
    self->http = http_new (self, address, s_tables);
    if (!self->http)
        return DH_E_CONFIG;
    char bound [80];
    snprintf (bound, sizeof bound, "%.*s:%d", (int) (strrchr (address, ':') - address), address,
              http_port (self->http));
    if (gateway_receipt_setup (self, bound))
        return DH_E_CONFIG;
    dh_daemon_ready_add (daemon, "http", bound);
    zsys_info ("%s: listening on http://%s, following %zu daemon%s' feeds", name, bound, self->daemon_count,
               self->daemon_count == 1? "": "s");
    return 0;
}

int
main (int argc, char **argv)
{
    if (argc > 1 && !strcmp (argv [1], "token")) {
        fprintf (stderr, "dunghan-gateway: tokens are issued by dunghanctl token new --staff ID\n");
        return 2;
    }
    gateway_t gateway = { 0 };
    return dh_daemon_main ("gateway",
        "usage: dunghan-gateway [--config FILE] [--set KEY=VALUE]...\n"
        "the daemons on the web: a JSON API (/api/...; /api/openapi.json describes it),\n"
        "their event feeds as Server-Sent Events (/events) and their figures (/metrics);\n"
        "staff sign in with a token from: dunghanctl token new --staff ID",
        argc, argv, s_keys, s_setup, &gateway);
}

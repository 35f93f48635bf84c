//  The certificate a test program speaks with (dh_auth.h): $DUNGHAN_CERT,
//  else {certs}/<name>.cert of the configuration in $DUNGHAN_CONFIG.
//  tests/lib.sh and tests/bench/run.sh make them. A program without one
//  cannot reach any daemon: it says so and exits.
#ifndef IDENTITY_H
#define IDENTITY_H

#include "dh_auth.h"
#include "dh_config.h"

static inline dh_auth_t *
helper_auth (const char *name)
{
    dh_config_t *config;
    int why = 0;
    dh_auth_t *auth = NULL;
    if (dh_config_load_file (name, NULL, NULL, &config) == 0) {
        auth = dh_auth_new (config, getenv ("DUNGHAN_CERT"), &why);
        dh_config_destroy (&config);
    }
    if (!auth) {
        fprintf (stderr, "%s: no certificate to speak with (see the log above)\n", name);
        exit (1);
    }
    return auth;
}

#endif

//  Certificates: making them (cert new), and the one dunghanctl itself
//  speaks with (ctl_auth).
#include <czmq.h>
#include "dh_auth.h"
#include "dh_config.h"
#include "dh_error.h"
#include "ctl.h"

dh_auth_t *
ctl_auth (dh_config_t *config, const char *cert)
{
    if (!cert)
        cert = getenv ("DUNGHAN_CERT");
    int why;
    dh_auth_t *auth = dh_auth_new (config, cert && *cert? cert: NULL, &why);
    if (!auth)
        fprintf (stderr, "dunghanctl: no usable certificate (--cert FILE, $DUNGHAN_CERT, or `cert` in the "
                 "configuration's ctl section): %s\n", dh_strerror (why));
    return auth;
}

int
ctl_open (const char *config_path, const char *cert, dh_config_t **config, dh_auth_t **auth)
{
    if (dh_config_load_file ("ctl", config_path, NULL, config))
        return DH_E_CONFIG;
    *auth = ctl_auth (*config, cert);
    if (*auth)
        return 0;
    dh_config_destroy (config);
    return DH_E_CONFIG;
}

static void
s_usage (FILE *out)
{
    fprintf (out, "usage: dunghanctl cert new --name NAME --role ROLE [--dir FOLDER] [--config FILE]\n"
                  "  makes a key pair for NAME: FOLDER/NAME.cert (public) and FOLDER/NAME.cert_secret\n"
                  "  (secret, readable by its owner alone); never replaces one.\n"
                  "  ROLE: service (a daemon: NAME is its service, intake, assign, ...),\n"
                  "        operator or staff (a person: NAME is the staff id of the org chart),\n"
                  "        gateway (acts for the user signed in to it), dashboard (reads only)\n"
                  "  FOLDER: default the configuration's `certs` folder, where the daemons look for\n"
                  "  whom to let in; a public certificate made elsewhere is copied there.\n");
}

int
ctl_cert_main (int argc, char **argv)
{
    if (argc < 2 || strcmp (argv [1], "new")) {
        bool help = argc >= 2 && (!strcmp (argv [1], "--help") || !strcmp (argv [1], "-h"));
        s_usage (help? stdout: stderr);
        return help? 0: 2;
    }
    const char *name = NULL, *role = NULL, *dir = NULL, *config_path = NULL;
    for (int i = 2; i < argc; i++) {
        const char *arg = argv [i];
        if (!strcmp (arg, "--help") || !strcmp (arg, "-h")) {
            s_usage (stdout);
            return 0;
        }
        const char **value = !strcmp (arg, "--name")? &name: !strcmp (arg, "--role")? &role
                           : !strcmp (arg, "--dir")? &dir: !strcmp (arg, "--config")? &config_path: NULL;
        if (!value || i + 1 >= argc) {
            fprintf (stderr, value? "dunghanctl cert new: %s needs a value\n"
                                  : "dunghanctl cert new: unexpected '%s' (see --help)\n", arg);
            return 2;
        }
        *value = argv [++i];
    }
    if (!name || !role) {
        fprintf (stderr, "dunghanctl cert new: --name and --role are required (see --help)\n");
        return 2;
    }
    dh_config_t *config = NULL;
    if (!dir) {
        if (dh_config_load_file ("ctl", config_path, NULL, &config))
            return 1;
        dir = dh_config_get (config, "certs");
    }
    int rc = dh_auth_cert_new (dir, name, role);
    int exit_code = 0;
    if (rc == DH_E_INVALID) {
        fprintf (stderr, "dunghanctl cert new: %s\n", dh_auth_role_known (role)
                 ? "a name is 1 to 64 letters, digits, '.', '_' or '-' (not starting with '.')"
                 : "the role is service, operator, staff, gateway or dashboard");
        exit_code = 2;
    }
    else
    if (rc) {
        fprintf (stderr, rc == DH_E_EXISTS? "dunghanctl cert new: %s/%s.cert exists; a certificate is never replaced\n"
                                          : "dunghanctl cert new: cannot write into %s/ (%s.cert)\n", dir, name);
        exit_code = 1;
    }
    else
        printf ("wrote %s/%s.cert (public: the daemons let %s in while it is in their certs folder)\n"
                "  and %s/%s.cert_secret (secret: for %s's program alone)\n", dir, name, name, dir, name, name);
    dh_config_destroy (&config);
    return exit_code;
}

//  dunghanctl token new: a staff member's sign-in token for the web
//  gateway, its hash added to the gateway's tokens file.
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dh_config.h"
#include "dh_tokens.h"
#include "ctl.h"

static void
s_usage (FILE *out)
{
    fprintf (out,
        "usage: dunghanctl token new --staff ID [--days N] [--config FILE]\n"
        "  prints a new sign-in token for staff member ID (of assign's org chart) and adds\n"
        "  its hash to the gateway's tokens file (the gateway section's `tokens`, default\n"
        "  {run_dir}/gateway.tokens); the token itself is kept nowhere: give it to that\n"
        "  person. It expires after N days (default 30, at most %d). The gateway reads\n"
        "  the file again when it changes. To strike a token out, delete its line.\n",
        DH_TOKENS_DAYS_MAX);
}

int
ctl_token_main (int argc, char **argv)
{
    //  argv: "token" "new" options...
    bool help = argc >= 2 && (!strcmp (argv [1], "--help") || !strcmp (argv [1], "-h"));
    if (argc < 2 || strcmp (argv [1], "new")) {
        s_usage (help? stdout: stderr);
        return help? 0: 2;
    }
    const char *staff = NULL, *config_path = NULL;
    long days = 30;
    for (int i = 2; i < argc; i++) {
        const char *arg = argv [i];
        if (!strcmp (arg, "--help") || !strcmp (arg, "-h")) {
            s_usage (stdout);
            return 0;
        }
        if (i + 1 == argc) {
            fprintf (stderr, "dunghanctl token new: %s wants a value (see --help)\n", arg);
            return 2;
        }
        const char *value = argv [++i];
        if (!strcmp (arg, "--staff"))
            staff = value;
        else
        if (!strcmp (arg, "--config"))
            config_path = value;
        else
        if (!strcmp (arg, "--days")) {
            char *end;
            days = strtol (value, &end, 10);
            if (*end || end == value || days < 1 || days > DH_TOKENS_DAYS_MAX) {
                fprintf (stderr, "dunghanctl token new: --days wants 1 to %d, not '%s'\n",
                         DH_TOKENS_DAYS_MAX, value);
                return 2;
            }
        }
        else {
            fprintf (stderr, "dunghanctl token new: unexpected '%s' (see --help)\n", arg);
            return 2;
        }
    }
    if (!staff || !dh_tokens_staff_valid (staff)) {
        fprintf (stderr, "dunghanctl token new: --staff wants a staff id (1-64 of A-Z a-z 0-9 . _ -)\n");
        return 2;
    }
    dh_config_t *config;
    if (dh_config_load_file ("ctl", config_path, dh_tokens_keys, &config))
        return 1;
    const char *path = dh_config_get_for (config, "gateway", "tokens");
    char token [DH_TOKENS_TOKEN_HEX + 1], why [300];
    int exit_code = 0;
    if (dh_tokens_issue (path, staff, (int) days, token, why, sizeof why)) {
        fprintf (stderr, "dunghanctl token new: %s\n", why);
        exit_code = 1;
    }
    else {
        printf ("%s\n", token);
        fprintf (stderr, "dunghanctl: a token for %s, valid %ld days, added to %s\n", staff, days, path);
        sodium_memzero (token, sizeof token);
    }
    dh_config_destroy (&config);
    return exit_code;
}

//  dunghanctl — the operator's command-line tool.
#include <czmq.h>
#include <stdio.h>
#include <string.h>
#include "ctl.h"

typedef struct {
    const char *name;
    ctl_command_fn *run;
    const char *summary;
} s_command_t;

static const s_command_t s_commands [] = {
    { "calendar", ctl_calendar_main, "working-day arithmetic: due, between, outcome" },
    { "watch", ctl_watch_main, "every change the daemons commit, as it happens (event feeds)" },
    { "cert", ctl_cert_main, "make a certificate: cert new --name N --role R [--dir D]" },
    { "token", ctl_token_main, "a sign-in token for the web gateway: token new --staff ID [--days N]" },
};
#define S_COMMANDS (sizeof s_commands / sizeof s_commands [0])

static void
s_usage (FILE *out)
{
    fprintf (out, "usage: dunghanctl <command> [options]   (dunghanctl <command> --help)\n\ncommands:\n");
    for (unsigned i = 0; i < S_COMMANDS; i++)
        fprintf (out, "  %-20s %s\n", s_commands [i].name, s_commands [i].summary);
    ctl_work_usage (out);
    fprintf (out, "\nThe daemons' sockets come from the configuration ($DUNGHAN_CONFIG or --config).\n"
                  "Exit codes: 0 done, 1 refused or failed, 2 bad usage.\n");
}

int
main (int argc, char **argv)
{
    if (argc < 2) {
        s_usage (stderr);
        return 2;
    }
    if (!strcmp (argv [1], "--help") || !strcmp (argv [1], "-h") || !strcmp (argv [1], "help")) {
        s_usage (stdout);
        return 0;
    }
    //  What the library logs (a missing certificate, a bad key) is said
    //  on stderr: stdout carries the replies, often read as JSON.
    zsys_set_logstream (stderr);
    zsys_set_logident ("dunghanctl");
    for (unsigned i = 0; i < S_COMMANDS; i++)
        if (!strcmp (argv [1], s_commands [i].name))
            return s_commands [i].run (argc - 1, argv + 1);
    int rc = ctl_work_main (argc - 1, argv + 1);
    if (rc >= 0)
        return rc;
    fprintf (stderr, "dunghanctl: unknown command '%s'\n", argv [1]);
    s_usage (stderr);
    return 2;
}

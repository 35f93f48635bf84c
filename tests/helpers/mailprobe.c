/*  mailprobe — the channel senders (dh_mail, dh_http) from a shell, for
    tests/integration/t080-channels.sh and for trying a server by hand.

    mailprobe [OPTIONS] smtp://HOST:PORT FROM TO SUBJECT BODY ID
    mailprobe [OPTIONS] post URL SECRET BODY KEY

      --timeout MS       connection and whole-exchange timeout (5000)
      --threads N        send N at once, each from its own thread, the ID
                         or KEY of the i-th ending in -i
      --starttls, --user U, --password P     for mail
      --token T                              for post

    Prints one line per send, "OK" or "E_NAME CODE: words", and exits 0
    when every send succeeded, 1 otherwise, 2 on bad usage.  */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dh_error.h"
#include "dh_http.h"
#include "dh_mail.h"

#define S_THREADS_MAX 64

typedef struct {
    bool post;
    dh_mail_config_t mail;
    dh_http_config_t http;
    const char *to, *subject, *body, *id;
} s_probe_t;

typedef struct {
    const s_probe_t *probe;
    char id [256];
    char error [512];
    int rc;
} s_send_t;

static void *
s_send (void *arg)
{
    s_send_t *send = (s_send_t *) arg;
    const s_probe_t *probe = send->probe;
    if (probe->post)
        send->rc = dh_http_post (&probe->http, probe->body, send->id, send->error, sizeof send->error);
    else
        send->rc = dh_mail_send (&probe->mail, probe->to, probe->subject, probe->body, send->id,
                                 send->error, sizeof send->error);
    return NULL;
}

static int
s_usage (void)
{
    fprintf (stderr, "usage: mailprobe [--timeout MS] [--threads N] [--starttls] [--user U] [--password P]\n"
                     "                 smtp://HOST:PORT FROM TO SUBJECT BODY ID\n"
                     "       mailprobe [--timeout MS] [--threads N] [--token T] post URL SECRET BODY KEY\n");
    return 2;
}

int
main (int argc, char *argv [])
{
    s_probe_t probe = { .mail = { .user = "", .password = "", .timeout_ms = 5000 },
                        .http = { .token = "", .secret = "", .timeout_ms = 5000 } };
    long threads = 1;
    int arg = 1;
    for (; arg < argc && !strncmp (argv [arg], "--", 2); arg++) {
        const char *option = argv [arg];
        if (!strcmp (option, "--starttls"))
            probe.mail.starttls = true;
        else if (arg + 1 == argc)
            return s_usage ();
        else if (!strcmp (option, "--timeout"))
            probe.mail.timeout_ms = probe.http.timeout_ms = atol (argv [++arg]);
        else if (!strcmp (option, "--threads"))
            threads = atol (argv [++arg]);
        else if (!strcmp (option, "--user"))
            probe.mail.user = argv [++arg];
        else if (!strcmp (option, "--password"))
            probe.mail.password = argv [++arg];
        else if (!strcmp (option, "--token"))
            probe.http.token = argv [++arg];
        else
            return s_usage ();
    }
    if (threads < 1 || threads > S_THREADS_MAX)
        return s_usage ();
    if (arg + 5 == argc && !strcmp (argv [arg], "post")) {
        probe.post = true;
        probe.http.url = argv [arg + 1];
        probe.http.secret = argv [arg + 2];
        probe.body = argv [arg + 3];
        probe.id = argv [arg + 4];
    }
    else if (arg + 6 == argc) {
        probe.mail.url = argv [arg];
        probe.mail.from = argv [arg + 1];
        probe.to = argv [arg + 2];
        probe.subject = argv [arg + 3];
        probe.body = argv [arg + 4];
        probe.id = argv [arg + 5];
    }
    else
        return s_usage ();

    s_send_t sends [S_THREADS_MAX];
    pthread_t ids [S_THREADS_MAX];
    for (long i = 0; i < threads; i++) {
        sends [i].probe = &probe;
        if (threads == 1)
            snprintf (sends [i].id, sizeof sends [i].id, "%s", probe.id);
        else
            snprintf (sends [i].id, sizeof sends [i].id, "%s-%ld", probe.id, i + 1);
        if (pthread_create (&ids [i], NULL, s_send, &sends [i])) {
            fprintf (stderr, "mailprobe: cannot start a thread\n");
            return 1;
        }
    }
    int failed = 0;
    for (long i = 0; i < threads; i++) {
        pthread_join (ids [i], NULL);
        if (sends [i].rc == 0)
            printf ("OK\n");
        else {
            printf ("%s %d: %s\n", dh_errname (sends [i].rc), sends [i].rc, sends [i].error);
            failed++;
        }
    }
    return failed? 1: 0;
}

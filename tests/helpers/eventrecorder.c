/*  eventrecorder — stands in for dunghan-notify in tests: a service named
    "notify" built on common/ that takes the NotifyEvent messages intake,
    assign and deadline send over the link, records each in its store in
    the transaction that acknowledges it (so a resend is not recorded
    twice), and prints one line per message once it is committed:

        EVENT CODE staff=S channels=a,b applicant=NAME email=E phone=P due=MS
            new_due=MS counter=C reason=R papers=P unit=U procedure=N at=MS

    (one line; "-" for an empty field). A queue_summary's line, which is
    about many items and has no code, ends with its counts:
    "... at=MS open=N overdue=N". The deadline daemon's own notices
    (DEADLINE_WARNING, DEADLINE_BREACHED, CLOCK_STOPPED) are taken and
    not recorded: they are not NotifyEvents.

    eventrecorder [--config F] [--set K=V]   run as service "notify"
    eventrecorder dump ENDPOINT               print the lines recorded, in order  */
#include <czmq.h>
#include "notify.pb-c.h"
#include "dh_call.h"
#include "dh_client.h"
#include "dh_error.h"
#include "dh_service.h"
#include "dh_types.h"
#include "identity.h"

#define S_LINE_MAX 4096

typedef struct {
    dh_service_t *service;
    dh_dbi_t lines;             //  seq (dh_key_u64) -> one line of text
    uint64_t printed;           //  lines printed so far
} s_recorder_t;

static const char *
s_or_dash (const char *text)
{
    return text && *text? text: "-";
}

static int
s_notify_event (dh_call_t *call, void *arg)
{
    s_recorder_t *self = arg;
    Dh__NotifyEvent *event;
    int rc = dh_call_unpack (call, &dh__notify_event__descriptor, (ProtobufCMessage **) &event);
    if (rc)
        return rc;
    char channels [256] = "";
    size_t used = 0;
    for (size_t i = 0; i < event->n_channels && used < sizeof channels; i++)
        used += snprintf (channels + used, sizeof channels - used, "%s%s", i? ",": "", event->channels [i]);
    const Dh__Contact *applicant = event->applicant;
    char line [S_LINE_MAX];
    int size = snprintf (line, sizeof line,
        "%s %s staff=%s channels=%s applicant=%s email=%s phone=%s due=%" PRId64 " new_due=%" PRId64
        " counter=%s reason=%s papers=%s unit=%s procedure=%s at=%" PRId64,
        s_or_dash (event->event), s_or_dash (event->code), s_or_dash (event->staff), s_or_dash (channels),
        s_or_dash (applicant? applicant->name: NULL), s_or_dash (applicant? applicant->email: NULL),
        s_or_dash (applicant? applicant->phone: NULL), event->due_at, event->new_due_at,
        s_or_dash (event->counter), s_or_dash (event->reason), s_or_dash (event->papers),
        s_or_dash (event->unit), s_or_dash (event->procedure), event->at);
    if (size < (int) sizeof line && !strcmp (event->event, "queue_summary"))
        size += snprintf (line + size, sizeof line - size, " open=%" PRIu32 " overdue=%" PRIu32,
                          event->open_items, event->overdue_items);
    if (size >= (int) sizeof line)
        size = sizeof line - 1;
    void *data;
    uint64_t seq;
    if ((rc = dh_txn_reserve_next (call->txn, self->lines, (size_t) size, &data, &seq)))
        return dh_call_fail (call, rc, "cannot record a notify event");
    memcpy (data, line, (size_t) size);
    return 0;
}

//  The deadline daemon's notices: heard, acknowledged, not recorded.
static int
s_notice (dh_call_t *call, void *arg)
{
    (void) call;
    (void) arg;
    return 0;
}

//  Every line recorded, or those after `after`, to fn.
typedef void (s_line_fn) (const void *text, size_t size, void *arg);

static int
s_each_line (dh_txn_t *txn, dh_dbi_t lines, uint64_t after, s_line_fn *fn, void *arg, uint64_t *last)
{
    dh_cursor_t *cursor;
    int rc = dh_cursor_open (txn, lines, &cursor);
    if (rc)
        return rc;
    uint8_t key [8];
    dh_key_u64 (key, after + 1);
    dh_val_t k, v;
    for (rc = dh_cursor_seek (cursor, key, 8, &k, &v); rc == 0; rc = dh_cursor_next (cursor, &k, &v)) {
        fn (v.data, v.size, arg);
        *last = dh_key_u64_read (k.data);
    }
    dh_cursor_close (&cursor);
    return rc == DH_E_NOT_FOUND? 0: rc;
}

static void
s_print (const void *text, size_t size, void *arg)
{
    (void) arg;
    printf ("%.*s\n", (int) size, (const char *) text);
}

//  Only what is durable is printed, once.
static void
s_committed (dh_service_t *service, void *arg)
{
    s_recorder_t *self = arg;
    dh_txn_t *txn;
    if (dh_txn_begin (dh_service_store (service), false, &txn))
        return;
    s_each_line (txn, self->lines, self->printed, s_print, NULL, &self->printed);
    dh_txn_abort (&txn);
    fflush (stdout);
}

static void
s_append (const void *text, size_t size, void *arg)
{
    zchunk_t *chunk = arg;
    zchunk_extend (chunk, text, size);
    zchunk_extend (chunk, "\n", 1);
}

static int
s_dump (dh_call_t *call, void *arg)
{
    s_recorder_t *self = arg;
    zchunk_t *chunk = zchunk_new (NULL, 4096);
    uint64_t last = 0;
    int rc = s_each_line (call->txn, self->lines, 0, s_append, chunk, &last);
    if (!rc)
        rc = dh_call_reply (call, zchunk_data (chunk), zchunk_size (chunk));
    zchunk_destroy (&chunk);
    return rc? dh_call_fail (call, rc, "cannot read the lines"): 0;
}

static int
s_setup (dh_service_t *service, void *arg)
{
    s_recorder_t *self = arg;
    self->service = service;
    int rc = dh_store_dbi (dh_service_store (service), "lines", &self->lines);
    if (rc)
        return rc;
    static const dh_command_t commands [] = {
        { DH_MSG_NOTIFY_EVENT,       s_notify_event, DH_FROM_LINK,   0, false, NULL },
        { DH_MSG_DEADLINE_WARNING,   s_notice,       DH_FROM_LINK,   0, false, NULL },
        { DH_MSG_DEADLINE_BREACHED,  s_notice,       DH_FROM_LINK,   0, false, NULL },
        { DH_MSG_CLOCK_STOPPED,      s_notice,       DH_FROM_LINK,   0, false, NULL },
        { DH_MSG_TEST_COUNT,         s_dump,         DH_FROM_CLIENT, 0, false, NULL },
        { 0 }
    };
    dh_service_register (service, commands, self);
    dh_service_on_commit (service, s_committed, self);
    return 0;
}

//  The lines recorded by the recorder at endpoint, printed.
static int
s_tool_dump (const char *endpoint)
{
    dh_auth_t *auth = helper_auth ("eventrecorder");
    dh_client_t *client = dh_client_new (auth, "notify", endpoint);
    dh_reply_t reply;
    int rc = client? dh_client_call (client, DH_MSG_TEST_COUNT, "eventrecorder", NULL, 0, 5000, &reply):
                     DH_E_INVALID;
    if (rc == 0 && reply.status == 0)
        printf ("%.*s", (int) reply.payload_size, (const char *) reply.payload);
    else
        fprintf (stderr, "eventrecorder: failed: %s\n", rc? dh_strerror (rc): reply.error_text);
    int status = rc || reply.status? 1: 0;
    dh_client_destroy (&client);
    dh_auth_destroy (&auth);
    return status;
}

int
main (int argc, char **argv)
{
    const char *usage = "usage: eventrecorder [--config F] [--set K=V] | dump ENDPOINT";
    if (argc >= 2 && !strcmp (argv [1], "--help")) {
        printf ("%s\n", usage);
        return 0;
    }
    if (argc == 3 && !strcmp (argv [1], "dump"))
        return s_tool_dump (argv [2]);
    if (argc >= 2 && !strcmp (argv [1], "dump")) {
        fprintf (stderr, "%s\n", usage);
        return 2;
    }
    s_recorder_t recorder = { 0 };
    return dh_service_main ("notify", usage, argc, argv, NULL, s_setup, &recorder);
}

/*  clockrecorder — stands in for dunghan-deadline in tests: a service
    named "deadline" built on common/ that takes the ClockChange messages
    assign sends over the link, records each in its store in the
    transaction that acknowledges it (so a resend is not recorded twice),
    and prints one line per message once it is committed:

        ITEM KIND ACTION UNIT HOLDER NODE END | head=H | at=MS | procedure=P
            | channel=C | hours=N | due=MS | restart=0|1 | supplement_hours=N
            | steps=NODE/ROLE/HOURS;... | reason=R

    (one line; "-" for an empty field).

    clockrecorder [--config F] [--set K=V]   run as service "deadline"
    clockrecorder dump ENDPOINT               print the lines recorded, in order
    clockrecorder expire ENDPOINT CODE        make the recorder tell intake, over
                                              the link, that CODE's time to bring
                                              missing papers ran out  */
#include <czmq.h>
#include "deadline.pb-c.h"
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

static const char *
s_enum (const ProtobufCEnumDescriptor *descriptor, int value)
{
    return value? dh_call_enum_name (descriptor, value): "-";
}

static int
s_clock_change (dh_call_t *call, void *arg)
{
    s_recorder_t *self = arg;
    Dh__ClockChange *change;
    int rc = dh_call_unpack (call, &dh__clock_change__descriptor, (ProtobufCMessage **) &change);
    if (rc)
        return rc;
    char steps [S_LINE_MAX / 2] = "";
    size_t used = 0;
    for (size_t i = 0; i < change->n_steps && used < sizeof steps; i++)
        used += snprintf (steps + used, sizeof steps - used, "%s%s/%s/%g", i? ";": "",
                          change->steps [i]->node, change->steps [i]->role, change->steps [i]->hours);
    char line [S_LINE_MAX];
    int size = snprintf (line, sizeof line,
        "%s %s %s %s %s %s %s | head=%s | at=%" PRId64 " | procedure=%s | channel=%s | hours=%g | due=%" PRId64
        " | restart=%d | supplement_hours=%g | steps=%s | reason=%s",
        s_or_dash (change->item), s_enum (&dh__clock_kind__descriptor, change->kind),
        s_enum (&dh__clock_action__descriptor, change->action), s_or_dash (change->unit),
        s_or_dash (change->holder), s_or_dash (change->node), s_enum (&dh__clock_end__descriptor, change->end),
        s_or_dash (change->head), change->at, s_or_dash (change->procedure),
        s_enum (&dh__channel__descriptor, change->channel), change->hours, change->due_at,
        change->restart_after_supplement, change->supplement_hours, s_or_dash (steps),
        s_or_dash (change->reason));
    if (size >= (int) sizeof line)
        size = sizeof line - 1;
    void *data;
    uint64_t seq;
    if ((rc = dh_txn_reserve_next (call->txn, self->lines, (size_t) size, &data, &seq)))
        return dh_call_fail (call, rc, "cannot record a clock change");
    memcpy (data, line, (size_t) size);
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

//  What dunghan-deadline does when a supplement clock runs out.
static int
s_expire (dh_call_t *call, void *arg)
{
    (void) arg;
    Dh__ItemCommand command = DH__ITEM_COMMAND__INIT;
    char code [128];
    snprintf (code, sizeof code, "%.*s", (int) call->envelope->payload_size,
              (const char *) call->envelope->payload);
    command.code = code;
    command.reason = "hết hạn bổ sung hồ sơ";
    size_t size;
    uint8_t *bytes = dh_call_pack (call, &command.base, &size);
    if (!bytes)
        return dh_call_fail (call, DH_E_NOMEM, "no memory");
    int rc = dh_service_send (call->service, call->txn, "intake", DH_MSG_SUPPLEMENT_EXPIRED, "deadline",
                              bytes, size);
    return rc? dh_call_fail (call, rc, "cannot send: %s", dh_strerror (rc)): 0;
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
        { DH_MSG_CLOCK_CHANGE, s_clock_change, DH_FROM_LINK,   0, false, NULL },
        { DH_MSG_TEST_COUNT,   s_dump,         DH_FROM_CLIENT, 0, false, NULL },
        { DH_MSG_TEST_PUT,     s_expire,       DH_FROM_CLIENT, 0, false, NULL },
        { 0 }
    };
    dh_service_register (service, commands, self);
    dh_service_on_commit (service, s_committed, self);
    return dh_service_add_peer (service, "intake");
}

//  One command to the recorder at endpoint; its reply printed.
static int
s_tool (const char *endpoint, uint32_t type, const char *payload)
{
    dh_auth_t *auth = helper_auth ("clockrecorder");
    dh_client_t *client = dh_client_new (auth, "deadline", endpoint);
    dh_reply_t reply;
    int rc = client? dh_client_call (client, type, "clockrecorder", payload, payload? strlen (payload): 0,
                                     5000, &reply): DH_E_INVALID;
    if (rc == 0 && reply.status == 0)
        printf ("%.*s", (int) reply.payload_size, (const char *) reply.payload);
    else
        fprintf (stderr, "clockrecorder: failed: %s\n", rc? dh_strerror (rc): reply.error_text);
    int status = rc || reply.status? 1: 0;
    dh_client_destroy (&client);
    dh_auth_destroy (&auth);
    return status;
}

int
main (int argc, char **argv)
{
    const char *usage = "usage: clockrecorder [--config F] [--set K=V] | dump ENDPOINT | expire ENDPOINT CODE";
    if (argc >= 2 && !strcmp (argv [1], "--help")) {
        printf ("%s\n", usage);
        return 0;
    }
    if (argc == 3 && !strcmp (argv [1], "dump"))
        return s_tool (argv [2], DH_MSG_TEST_COUNT, NULL);
    if (argc == 4 && !strcmp (argv [1], "expire"))
        return s_tool (argv [2], DH_MSG_TEST_PUT, argv [3]);
    if (argc >= 2 && (!strcmp (argv [1], "dump") || !strcmp (argv [1], "expire"))) {
        fprintf (stderr, "%s\n", usage);
        return 2;
    }
    s_recorder_t recorder = { 0 };
    return dh_service_main ("deadline", usage, argc, argv, NULL, s_setup, &recorder);
}

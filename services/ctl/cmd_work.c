//  The commands that talk to daemons: one row each in s_commands. A row
//  names the daemon, the message type, the payload type and how options
//  map onto its fields; the runner does the rest (config, call, output).
#include <czmq.h>
#include <errno.h>
#include "deadline.pb-c.h"
#include "envelope.pb-c.h"
#include "notify.pb-c.h"
#include "org.pb-c.h"
#include "work.pb-c.h"
#include "dh_client.h"
#include "dh_config.h"
#include "dh_error.h"
#include "dh_types.h"
#include "ctl.h"
#include "dh_pbjson.h"
#include "pbtext.h"
#include "print.h"

typedef struct {
    const char *flag;           //  "--id"; NULL for the positional argument
    const char *field;          //  field path in the payload
    const char *help;
    bool required;
    bool repeatable;
    const char *value;          //  a flag without argument sets this value
} s_option_t;

//  How the reply prints without --json: the first format has no flag and
//  is the default (none: "field: value" lines, pbtext_print); another is
//  chosen by its flag (stats --csv). A format with `save` writes a file
//  instead, named after its flag (stats --xlsx FILE).
typedef struct {
    const char *flag;
    ctl_print_fn *print;        //  on stdout
    const char *help;
    ctl_save_fn *save;          //  or into the file named after the flag
} s_format_t;
#define S_FORMATS 3

typedef struct {
    const char *name;           //  "step start"
    const char *service;
    uint32_t type;
    const ProtobufCMessageDescriptor *request;   //  NULL: no payload
    const ProtobufCMessageDescriptor *reply;     //  NULL: status only
    const char *summary;
    s_option_t options [12];
    const char *file_field;     //  positional FILE whose text goes here
    const char *name_field;     //  ... and whose base name goes here
    s_format_t formats [S_FORMATS];
    //  The command starts work that goes on after its reply: ask this
    //  type until the reply's `running` is false, and print that one
    //  (unless --no-wait).
    uint32_t follow;
} s_command_t;

//  Rows leave out the fields they do not use: a table reads better so.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#define CODE { NULL, "code", "the item's code", true, false, NULL }
#define TOKEN { "--token", "step_token", "the step token you hold (from assignment/status)", true, false, NULL }
#define UNIT { "--unit", "unit", "only this unit's (default: every unit)", false, false, NULL }
#define PERIOD { "--from", "from", "first day, YYYY-MM-DD (Hanoi)", true, false, NULL }, \
               { "--to", "to", "last day, YYYY-MM-DD (Hanoi)", true, false, NULL }
#define LIMIT { "--limit", "limit", "at most this many (default 1000)", false, false, NULL }
#define STATS_FORMATS { { NULL, ctl_print_stats, NULL }, \
                        { "--csv", ctl_print_stats_csv, "print a CSV header line and a value line" }, \
                        { "--xlsx", NULL, "write the report as Biểu 06 into an Excel file", ctl_save_stats_xlsx } }

static const s_command_t s_commands [] = {
    { "submit", "intake", DH_MSG_SUBMIT, &dh__submit_dossier__descriptor, &dh__submit_reply__descriptor,
      "receive a dossier at the counter", {
        { "--procedure", "procedure_code", "procedure code from the catalog", true, false, NULL },
        { "--name", "applicant.name", "applicant's full name", true, false, NULL },
        { "--id", "applicant.id_number", "applicant's ID number (9 or 12 digits)", true, false, NULL },
        { "--phone", "applicant.phone", "phone number", false, false, NULL },
        { "--email", "applicant.email", "email address", false, false, NULL },
        { "--address", "applicant.address", "postal address", false, false, NULL },
        { NULL, "channel", NULL, false, false, "in-person" },
        { "--channel", "channel", "in-person (default), online or post", false, false, NULL },
        { "--document", "documents", "a document received (repeat)", false, true, NULL },
        { "--notify", "notify", "email, sms or zalo (repeat)", false, true, NULL } } },
    { "status", "intake", DH_MSG_ITEM_STATUS, &dh__item_command__descriptor, &dh__item__descriptor,
      "everything the counter knows of a dossier", { CODE } },
    { "lookup", "intake", DH_MSG_LOOKUP, &dh__item_command__descriptor, &dh__lookup_reply__descriptor,
      "what the public sees: code plus ID number", { CODE,
        { "--id", "id_number", "the applicant's ID number", true, false, NULL } } },
    { "not-accept", "intake", DH_MSG_NOT_ACCEPT, &dh__item_command__descriptor, &dh__item__descriptor,
      "refuse a dossier at reception (không tiếp nhận)", { CODE,
        { "--reason", "reason", "why, for the refusal slip", true, false, NULL } } },
    { "withdraw", "intake", DH_MSG_WITHDRAW, &dh__item_command__descriptor, &dh__item__descriptor,
      "the applicant withdraws the dossier", { CODE,
        { "--reason", "reason", "why", false, false, NULL } } },
    { "supplement provide", "intake", DH_MSG_SUPPLEMENT_PROVIDE, &dh__item_command__descriptor,
      &dh__item__descriptor, "the applicant brought the missing papers", { CODE,
        { "--content", "content", "what was supplied", false, false, NULL } } },
    { "fee request", "assign", DH_MSG_FEE_REQUEST, &dh__item_command__descriptor, &dh__assignment__descriptor,
      "a fee or obligation is due before the result (clock pauses)", { CODE, TOKEN,
        { "--reason", "reason", "which fee or obligation", true, false, NULL } } },
    { "fee paid", "intake", DH_MSG_FEE_PAID, &dh__item_command__descriptor, &dh__item__descriptor,
      "the applicant paid the fee or met the obligation (at the counter)", { CODE,
        { "--content", "content", "receipt number or note", false, false, NULL } } },
    { "supplement request", "assign", DH_MSG_SUPPLEMENT_REQUEST, &dh__item_command__descriptor,
      &dh__assignment__descriptor, "ask the applicant for missing papers (clock pauses)", { CODE, TOKEN,
        { "--reason", "reason", "why", true, false, NULL },
        { "--paper", "papers", "a missing paper (repeat)", true, true, NULL } } },
    { "assign", "assign", DH_MSG_ASSIGN, &dh__item_command__descriptor, &dh__assignment__descriptor,
      "give an unassigned item to a handler (by a head or deputy)", { CODE,
        { "--handler", "handler", "staff id", true, false, NULL } } },
    { "reassign", "assign", DH_MSG_REASSIGN, &dh__item_command__descriptor, &dh__assignment__descriptor,
      "move an item to another handler (by a head or deputy)", { CODE,
        { "--handler", "handler", "staff id", true, false, NULL },
        { "--reason", "reason", "why", false, false, NULL } } },
    { "transfer", "assign", DH_MSG_TRANSFER, &dh__item_command__descriptor, &dh__assignment__descriptor,
      "make another unit the lead unit (by a head or deputy)", { CODE,
        { "--unit", "unit", "unit code", true, false, NULL },
        { "--handler", "handler", "staff id in that unit (default: least loaded)", false, false, NULL },
        { "--reason", "reason", "why", true, false, NULL } } },
    { "step start", "assign", DH_MSG_STEP_START, &dh__item_command__descriptor, &dh__assignment__descriptor,
      "start a step of the process", { CODE, TOKEN,
        { "--node", "node", "process node (e.g. appraisal)", true, false, NULL } } },
    { "step complete", "assign", DH_MSG_STEP_COMPLETE, &dh__item_command__descriptor,
      &dh__assignment__descriptor, "finish the current step", { CODE, TOKEN,
        { "--content", "content", "what was done", false, false, NULL } } },
    { "resolve", "assign", DH_MSG_RESOLVE, &dh__item_command__descriptor, &dh__assignment__descriptor,
      "the result is ready (or refused after examination)", { CODE, TOKEN,
        { NULL, "approved", NULL, false, false, "true" },
        { "--refuse", "approved", "refused after examination (needs --reason)", false, false, "false" },
        { "--reason", "reason", "why it was refused", false, false, NULL } } },
    { "return", "assign", DH_MSG_RETURN, &dh__item_command__descriptor, &dh__assignment__descriptor,
      "the result was handed to the applicant (by the counter)", { CODE } },
    { "history", "assign", DH_MSG_HISTORY, &dh__item_command__descriptor, &dh__history__descriptor,
      "every step: when, node, from, to, how long, what", { CODE } },
    { "assignment", "assign", DH_MSG_ASSIGNMENT, &dh__item_command__descriptor, &dh__assignment__descriptor,
      "who holds an item now, and its step token", { CODE } },
    { "catalog import", "intake", DH_MSG_CATALOG_IMPORT, &dh__import_csv__descriptor,
      &dh__import_reply__descriptor, "load the procedure catalog from a CSV file", { { 0 } },
      "text", "name" },
    { "org import", "assign", DH_MSG_ORG_IMPORT, &dh__import_csv__descriptor, &dh__import_reply__descriptor,
      "load units or staff from a CSV file (by an operator)", {
        { NULL, "name", "units or staff", true, false, NULL } }, "text", NULL },
    { "ping", NULL, DH_MSG_PING, NULL, NULL, "is the daemon there? (ping SERVICE)", { { 0 } } },
    { "service-status", NULL, DH_MSG_STATUS, NULL, &dh__service_status__descriptor,
      "a daemon's figures: batches, messages, links (service-status SERVICE)", { { 0 } } },
    { "clock", "deadline", DH_MSG_CLOCK_SHOW, &dh__item_command__descriptor, &dh__clock_report__descriptor,
      "the ledger and every deadline of an item and its steps", { CODE } },
    { "stats", "deadline", DH_MSG_STATS, &dh__stats_query__descriptor, &dh__stats_report__descriptor,
      "the figures of a period, as Biểu 06 counts them", { UNIT, PERIOD },
      .formats = STATS_FORMATS },
    { "recount", "deadline", DH_MSG_RECOUNT, &dh__stats_query__descriptor, &dh__stats_report__descriptor,
      "the same figures counted afresh from the items, to check stats", { UNIT, PERIOD },
      .formats = STATS_FORMATS },
    { "overdue", "deadline", DH_MSG_OVERDUE, &dh__deadline_query__descriptor, &dh__deadline_list__descriptor,
      "the items and steps past their deadline (quá hạn)", { UNIT, LIMIT },
      .formats = { { NULL, ctl_print_overdue, NULL } } },
    { "due-soon", "deadline", DH_MSG_DUE_SOON, &dh__deadline_query__descriptor, &dh__deadline_list__descriptor,
      "the items and steps whose deadline comes next (sắp đến hạn)", { UNIT, LIMIT },
      .formats = { { NULL, ctl_print_due_soon, NULL } } },
    { "backlog", "deadline", DH_MSG_BACKLOG, &dh__deadline_query__descriptor, &dh__deadline_list__descriptor,
      "the open items (tồn đọng), earliest received first, with their due time", { UNIT, LIMIT },
      .formats = { { NULL, ctl_print_backlog, NULL } } },
    { "queues", "deadline", DH_MSG_QUEUES, &dh__queues_query__descriptor, &dh__queues_reply__descriptor,
      "per unit: open items, due soon, overdue, and the age of the oldest", { UNIT },
      .formats = { { NULL, ctl_print_queues, NULL } } },
    { "recompute", "deadline", DH_MSG_RECOMPUTE, NULL, &dh__recompute_reply__descriptor,
      "reload the working calendar and recompute every open clock", { { 0 } },
      .formats = { { NULL, ctl_print_recompute, NULL } }, .follow = DH_MSG_RECOMPUTE_STATUS },
    { "recompute-status", "deadline", DH_MSG_RECOMPUTE_STATUS, NULL, &dh__recompute_reply__descriptor,
      "how the last recompute goes or went", { { 0 } },
      .formats = { { NULL, ctl_print_recompute, NULL } } },
    { "apology draft", "deadline", DH_MSG_APOLOGY_DRAFT, &dh__apology_command__descriptor,
      &dh__clock_report__descriptor, "ask for a new appointment before the due time (văn bản xin lỗi)", { CODE,
        { "--new-due", "new_due", "the new appointment: YYYY-MM-DD HH:MM (Hanoi) or ISO 8601", true, false, NULL },
        { "--reason", "reason", "why the item will be late", true, false, NULL } } },
    { "apology approve", "deadline", DH_MSG_APOLOGY_DECIDE, &dh__apology_command__descriptor,
      &dh__clock_report__descriptor, "approve the drafted apology (by the head of the lead unit)", { CODE,
        { NULL, "approved", NULL, false, false, "true" } } },
    { "apology refuse", "deadline", DH_MSG_APOLOGY_DECIDE, &dh__apology_command__descriptor,
      &dh__clock_report__descriptor, "refuse the drafted apology (by the head of the lead unit)", { CODE,
        { NULL, "approved", NULL, false, false, "false" },
        { "--reason", "reason", "why", true, false, NULL } } },
    { "notify templates", "notify", DH_MSG_TEMPLATE_IMPORT, &dh__import_csv__descriptor,
      &dh__import_reply__descriptor, "load the notification templates (deploy/templates/templates.txt)",
      { { 0 } }, "text", "name" },
    { "notify contacts", "notify", DH_MSG_CONTACT_IMPORT, &dh__import_csv__descriptor,
      &dh__import_reply__descriptor, "load the staff's mail addresses from the org chart's staff.csv", {
        { NULL, "name", NULL, false, false, "staff" } }, "text", NULL },
    { "notify log", "notify", DH_MSG_NOTIFY_LOG, &dh__notify_query__descriptor,
      &dh__notification_list__descriptor, "what was sent about an item, to whom, when, and how it went",
      { CODE } },
    { "notify dead", "notify", DH_MSG_NOTIFY_DEAD, NULL, &dh__notification_list__descriptor,
      "the notifications given up on after their last attempt (dead letters)", { { 0 } } },
    { "notify retry", "notify", DH_MSG_NOTIFY_RETRY, &dh__notify_query__descriptor,
      &dh__notify_retry_reply__descriptor, "send a dead letter again: notify retry ID, or --all", {
        { NULL, "id", "the notification's id (email-17)", false, false, NULL },
        { "--all", "all", "every dead letter", false, false, "true" } } },
};
#define S_COMMANDS (sizeof s_commands / sizeof s_commands [0])

static void
s_command_help (FILE *out, const s_command_t *command)
{
    fprintf (out, "usage: dunghanctl %s%s", command->name, command->service? "": " SERVICE");
    for (int i = 0; i < 12 && (command->options [i].flag || command->options [i].field); i++) {
        const s_option_t *option = &command->options [i];
        if (!option->help)
            continue;
        const char *arg = option->value? "": " VALUE";
        if (option->flag)
            fprintf (out, option->required? " %s%s": " [%s%s]", option->flag, arg);
        else
            fprintf (out, " %s", !strcmp (option->field, "code")? "CODE": "NAME");
    }
    if (command->file_field)
        fprintf (out, " FILE");
    fprintf (out, " [--json");
    for (int f = 1; f < S_FORMATS && command->formats [f].flag; f++)
        fprintf (out, "|%s%s", command->formats [f].flag, command->formats [f].save? " FILE": "");
    fprintf (out, "]");
    if (command->follow)
        fprintf (out, " [--no-wait]");
    fprintf (out, " [--cert FILE] [--actor ID] [--config FILE] [--timeout MS]\n  %s\n", command->summary);
    for (int i = 0; i < 12 && (command->options [i].flag || command->options [i].field); i++)
        if (command->options [i].flag && command->options [i].help)
            fprintf (out, "  %-14s %s%s\n", command->options [i].flag, command->options [i].help,
                     command->options [i].repeatable? "": "");
    for (int f = 1; f < S_FORMATS && command->formats [f].flag; f++) {
        char flag [32];
        snprintf (flag, sizeof flag, "%s%s", command->formats [f].flag, command->formats [f].save? " FILE": "");
        fprintf (out, "  %-14s %s\n", flag, command->formats [f].help);
    }
    if (command->follow)
        fprintf (out, "  --no-wait      answer once the work has started (default: wait until it is done)\n");
    fprintf (out, "  --json         print the reply as JSON\n"
                  "  --cert FILE    who you are: your certificate (default $DUNGHAN_CERT, else\n"
                  "                 `cert` in the configuration's ctl section)\n"
                  "  --actor ID     with a gateway's certificate only: the user it acts for\n"
                  "  --config FILE  configuration (default $DUNGHAN_CONFIG)\n"
                  "  --timeout MS   wait this long for the daemon (default 5000); a command still\n"
                  "                 queued after that is refused, never applied\n"
                  "  --key K        idempotency key: a command given again with the same key is\n"
                  "                 applied once (default: a fresh one, printed when it times out)\n");
}

static char *
s_read_file (const char *path)
{
    FILE *file = fopen (path, "rb");
    if (!file)
        return NULL;
    zchunk_t *chunk = zchunk_read (file, 64 << 20);
    fclose (file);
    if (!chunk)
        return NULL;
    char *text = zchunk_strdup (chunk);
    zchunk_destroy (&chunk);
    return text;
}

//  The idempotency key an operator gave with --key (a retry of a command
//  that timed out), or NULL: the client makes a fresh one.
static const char *s_key;

//  The options every command takes that shape the call: --timeout MS (a
//  whole number of milliseconds, 1 to an hour) and --key K. Refusals on
//  stderr; returns 0 or -1 (bad usage).
static int
s_call_option (const char *flag, const char *value, int *timeout)
{
    if (!value) {
        fprintf (stderr, "dunghanctl: %s needs a value\n", flag);
        return -1;
    }
    if (!strcmp (flag, "--key")) {
        if (!*value || strlen (value) > DH_KEY_MAX) {
            fprintf (stderr, "dunghanctl: --key wants 1 to %d bytes, got %zu\n", DH_KEY_MAX, strlen (value));
            return -1;
        }
        s_key = value;
        return 0;
    }
    char *end;
    errno = 0;
    long number = strtol (value, &end, 10);
    if (errno || end == value || *end || number < 1 || number > 3600000) {
        fprintf (stderr, "dunghanctl: --timeout wants milliseconds, a whole number from 1 to 3600000; "
                 "got '%s'\n", value);
        return -1;
    }
    *timeout = (int) number;
    return 0;
}

//  Work that goes on after the reply that started it (a recompute): ask
//  `follow` every 100 ms until a reply's `running` is false; *reply is
//  then that one. 0, or the error of a call that got no answer.
static int
s_follow (dh_client_t *client, uint32_t follow, const char *actor, int timeout,
          const ProtobufCMessageDescriptor *reply_type, dh_reply_t *reply)
{
    const ProtobufCFieldDescriptor *running =
        protobuf_c_message_descriptor_get_field_by_name (reply_type, "running");
    assert (running && running->type == PROTOBUF_C_TYPE_BOOL);
    while (!reply->status) {
        ProtobufCMessage *message = protobuf_c_message_unpack (reply_type, NULL, reply->payload_size, reply->payload);
        if (!message)
            return 0;           //  the caller says it is not one
        bool goes_on = *(const protobuf_c_boolean *) ((const char *) message + running->offset);
        protobuf_c_message_free_unpacked (message, NULL);
        if (!goes_on)
            return 0;
        zclock_sleep (100);
        int rc = dh_client_call (client, follow, actor, NULL, 0, timeout, reply);
        if (rc)
            return rc;
    }
    return 0;
}

//  Send one command (and follow the work it starts, when follow is a
//  type) and print what came back. Exit code 0, 1 (refused or
//  unreachable), 2 (usage).
static int
s_call (const char *service, const char *config_path, const char *cert, uint32_t type, const char *actor,
        const uint8_t *payload, size_t size, int timeout, bool json, uint32_t follow,
        const ProtobufCMessageDescriptor *reply_type, const s_format_t *format, const char *path)
{
    dh_config_t *config;
    dh_auth_t *auth;
    if (ctl_open (config_path, cert, &config, &auth))
        return 1;
    const char *endpoint = dh_config_get_for (config, service, "api");
    dh_client_t *client = dh_client_new (auth, service, endpoint);
    dh_reply_t reply;
    if (client && s_key)
        dh_client_set_key (client, s_key);
    int rc = client? dh_client_call (client, type, actor, payload, size, timeout, &reply): DH_E_INVALID;
    if (!rc && follow)
        rc = s_follow (client, follow, actor, timeout, reply_type, &reply);
    int exit_code = 0;
    if (rc) {
        fprintf (stderr, "dunghanctl: %s did not answer at %s: %s (%s)\n", service, endpoint,
                 dh_errname (rc), dh_strerror (rc));
        //  It may yet apply it: the same key makes a retry safe.
        if (rc == DH_E_TIMEOUT && client)
            fprintf (stderr, "dunghanctl: if it is applied late it is applied once: retry with --key %s\n",
                     dh_client_key (client));
        exit_code = 1;
    }
    else
    if (reply.status) {
        if (json) {
            json_t *error = json_pack ("{s:i, s:s, s:s}", "error", -reply.status,
                                       "name", reply.error_name, "text", reply.error_text);
            json_dumpf (error, stdout, JSON_INDENT (2));
            printf ("\n");
            json_decref (error);
        }
        fprintf (stderr, "dunghanctl: %s refused: %s (%d): %s\n", service, reply.error_name,
                 -reply.status, reply.error_text);
        exit_code = 1;
    }
    else
    if (reply_type) {
        ProtobufCMessage *message = protobuf_c_message_unpack (reply_type, NULL, reply.payload_size, reply.payload);
        if (!message) {
            fprintf (stderr, "dunghanctl: %s sent a reply that is not a %s\n", service, reply_type->short_name);
            exit_code = 1;
        }
        else
        if (json) {
            json_t *object = dh_pbjson_from_message (message);
            json_dumpf (object, stdout, JSON_INDENT (2));
            printf ("\n");
            json_decref (object);
        }
        else
        if (format->save) {
            if (format->save (path, message))
                exit_code = 1;
        }
        else
        if (format->print)
            format->print (stdout, message);
        else
            pbtext_print (stdout, message, 0);
        if (message)
            protobuf_c_message_free_unpacked (message, NULL);
    }
    else
        printf (json? "{\"ok\": true, \"service\": \"%s\"}\n": "%s: ok\n", service);
    dh_client_destroy (&client);
    dh_auth_destroy (&auth);
    dh_config_destroy (&config);
    return exit_code;
}

//  A first word alone ("step", "step --help"): list the commands it opens.
//  Returns the exit code, or -1 when word opens no two-word command.
static int
s_second_words (int argc, char **argv)
{
    size_t length = strlen (argv [0]);
    bool help = argc > 1 && (!strcmp (argv [1], "--help") || !strcmp (argv [1], "-h"));
    FILE *out = help? stdout: stderr;
    int listed = 0;
    const char *name, *summary;
    for (size_t i = 0; i < S_COMMANDS || ctl_survey_row (i - S_COMMANDS, &name, &summary); i++) {
        if (i < S_COMMANDS) {
            name = s_commands [i].name;
            summary = s_commands [i].summary;
        }
        if (strncmp (name, argv [0], length) || name [length] != ' ')
            continue;
        if (!listed++)
            fprintf (out, "usage: dunghanctl %s <command> [options]   (dunghanctl %s <command> --help)\n",
                     argv [0], argv [0]);
        fprintf (out, "  %-20s %s\n", name, summary);
    }
    if (!listed)
        return -1;
    if (!help && argc > 1)
        fprintf (stderr, "dunghanctl: unknown command '%s %s'\n", argv [0], argv [1]);
    return help? 0: 2;
}

static const s_command_t *
s_find (int argc, char **argv, int *words)
{
    for (size_t i = 0; i < S_COMMANDS; i++) {
        const char *space = strchr (s_commands [i].name, ' ');
        if (space && argc >= 2 && !strncmp (argv [0], s_commands [i].name, space - s_commands [i].name)
        &&  strlen (argv [0]) == (size_t) (space - s_commands [i].name) && !strcmp (argv [1], space + 1)) {
            *words = 2;
            return &s_commands [i];
        }
        if (!space && !strcmp (argv [0], s_commands [i].name)) {
            *words = 1;
            return &s_commands [i];
        }
    }
    return NULL;
}

void
ctl_work_usage (FILE *out)
{
    for (size_t i = 0; i < S_COMMANDS; i++)
        fprintf (out, "  %-20s %s\n", s_commands [i].name, s_commands [i].summary);
    const char *name, *summary;
    for (size_t i = 0; ctl_survey_row (i, &name, &summary); i++)
        fprintf (out, "  %-20s %s\n", name, summary);
}

int
ctl_work_main (int argc, char **argv)
{
    int surveyed = ctl_survey_main (argc, argv);
    if (surveyed >= 0)
        return surveyed;
    int words;
    const s_command_t *command = s_find (argc, argv, &words);
    if (!command)
        return s_second_words (argc, argv);
    argc -= words;
    argv += words;
    const char *config_path = NULL, *service = command->service, *file = NULL, *cert = NULL;
    //  Who acts is the certificate's name: the daemon takes it from the
    //  connection. Only a gateway's envelope actor (its user) is kept.
    const char *actor = "";
    bool json = false, wait = command->follow != 0;
    const s_format_t *format = &command->formats [0];
    const char *format_path = NULL;
    int timeout = 5000, exit_code = 2;
    bool seen [12] = { false };
    ProtobufCMessage *request = command->request? pbtext_new (command->request): NULL;
    for (int i = 0; i < 12 && request && command->options [i].field; i++)
        if (!command->options [i].flag && command->options [i].value)
            pbtext_set (request, command->options [i].field, command->options [i].value, &(const char *) { NULL });
    for (int i = 0; i < argc; i++) {
        const char *arg = argv [i];
        if (!strcmp (arg, "--help") || !strcmp (arg, "-h")) {
            s_command_help (stdout, command);
            exit_code = 0;
            goto done;
        }
        if (!strcmp (arg, "--json")) {
            json = true;
            continue;
        }
        if (command->follow && !strcmp (arg, "--no-wait")) {
            wait = false;
            continue;
        }
        int chosen = 0;
        for (int f = 1; f < S_FORMATS && command->formats [f].flag && !chosen; f++)
            if (!strcmp (arg, command->formats [f].flag))
                chosen = f;
        if (chosen) {
            if (format->flag) {
                fprintf (stderr, "dunghanctl %s: give one of %s and %s, not both\n", command->name,
                         format->flag, arg);
                goto done;
            }
            format = &command->formats [chosen];
            if (format->save && (i + 1 >= argc || !*(format_path = argv [++i]))) {
                fprintf (stderr, "dunghanctl %s: %s needs a file name\n", command->name, arg);
                goto done;
            }
            continue;
        }
        if (!strcmp (arg, "--timeout") || !strcmp (arg, "--key")) {
            if (s_call_option (arg, i + 1 < argc? argv [++i]: NULL, &timeout))
                goto done;
            continue;
        }
        if (!strcmp (arg, "--config") || !strcmp (arg, "--actor") || !strcmp (arg, "--timeout")
        ||  !strcmp (arg, "--cert")) {
            if (i + 1 >= argc) {
                fprintf (stderr, "dunghanctl: %s needs a value\n", arg);
                goto done;
            }
            const char *value = argv [++i];
            if (!strcmp (arg, "--config"))
                config_path = value;
            else
            if (!strcmp (arg, "--actor"))
                actor = value;
            else
            if (!strcmp (arg, "--cert"))
                cert = value;
            else
                timeout = atoi (value) > 0? atoi (value): 5000;
            continue;
        }
        int match = -1;
        for (int o = 0; o < 12 && (command->options [o].flag || command->options [o].field); o++) {
            const s_option_t *option = &command->options [o];
            if (option->flag? !strcmp (arg, option->flag): (arg [0] != '-' && !seen [o] && option->help))
                match = o;
            if (match >= 0)
                break;
        }
        if (match < 0 && arg [0] != '-') {
            if (!command->service && service == command->service) {
                service = arg;
                continue;
            }
            if (command->file_field && !file) {
                file = arg;
                continue;
            }
        }
        if (match < 0) {
            fprintf (stderr, "dunghanctl %s: unexpected '%s' (see --help)\n", command->name, arg);
            goto done;
        }
        const s_option_t *option = &command->options [match];
        const char *value = option->value;
        if (!value) {
            if (option->flag && i + 1 >= argc) {
                fprintf (stderr, "dunghanctl %s: %s needs a value\n", command->name, option->flag);
                goto done;
            }
            value = option->flag? argv [++i]: arg;
        }
        if (seen [match] && !option->repeatable && option->flag) {
            fprintf (stderr, "dunghanctl %s: %s given twice\n", command->name, option->flag);
            goto done;
        }
        seen [match] = true;
        const char *error = NULL;
        if (pbtext_set (request, option->field, value, &error)) {
            fprintf (stderr, "dunghanctl %s: %s '%s': %s\n", command->name,
                     option->flag? option->flag: option->field, value, error);
            goto done;
        }
    }
    for (int o = 0; o < 12 && (command->options [o].flag || command->options [o].field); o++)
        if (command->options [o].required && !seen [o]) {
            fprintf (stderr, "dunghanctl %s: %s is required (see --help)\n", command->name,
                     command->options [o].flag? command->options [o].flag:
                     !strcmp (command->options [o].field, "code")? "CODE": command->options [o].field);
            goto done;
        }
    if (!service) {
        fprintf (stderr, "dunghanctl %s: name the daemon (intake, assign, ...)\n", command->name);
        goto done;
    }
    if (json && format->flag) {
        fprintf (stderr, "dunghanctl %s: give --json or %s, not both\n", command->name, format->flag);
        goto done;
    }
    if (command->file_field) {
        if (!file) {
            fprintf (stderr, "dunghanctl %s: FILE is required\n", command->name);
            goto done;
        }
        char *text = s_read_file (file);
        if (!text) {
            fprintf (stderr, "dunghanctl %s: cannot read %s\n", command->name, file);
            exit_code = 1;
            goto done;
        }
        const char *error;
        pbtext_set (request, command->file_field, text, &error);
        free (text);
        if (command->name_field) {
            const char *base = strrchr (file, '/');
            char *name = strdup (base? base + 1: file);
            char *dot = strrchr (name, '.');
            if (dot)
                *dot = 0;
            pbtext_set (request, command->name_field, name, &error);
            free (name);
        }
    }
    size_t size = request? protobuf_c_message_get_packed_size (request): 0;
    uint8_t *payload = malloc (size + 1);
    if (request)
        protobuf_c_message_pack (request, payload);
    exit_code = s_call (service, config_path, cert, command->type, actor, payload, size, timeout, json,
                        wait? command->follow: 0, command->reply, format, format_path);
    free (payload);
done:
    pbtext_free (request);
    return exit_code;
}

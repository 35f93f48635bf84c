//  The JSON API: one row per endpoint, each a command to one daemon.
//  The daemons check every field and every right again; what is checked
//  here is what HTTP adds (parameters, JSON types, unknown fields) and
//  what the public must not learn (a lookup's refusal says the same
//  whether the code or the ID number was wrong).
#include <microhttpd.h>
#include "deadline.pb-c.h"
#include "envelope.pb-c.h"
#include "org.pb-c.h"
#include "work.pb-c.h"
#include "dh_client.h"
#include "dh_error.h"
#include "dh_text.h"
#include "dh_types.h"
#include "gateway.h"

#define S_ACTOR_PUBLIC "public"
#define S_LIMIT_MAX 10000

int
gateway_call (gateway_t *self, const char *service, uint32_t type, const char *actor,
              const ProtobufCMessage *request, const ProtobufCMessageDescriptor *reply_type,
              ProtobufCMessage **answer, http_reply_t *reply)
{
    if (answer)
        *answer = NULL;
    //  The connection thread's own client, kept for its next requests
    //  (clients.c): a ZeroMQ socket must not be shared between threads.
    dh_client_t *client = gateway_client_take (self, service);
    if (!client) {
        http_reply_error_status (reply, MHD_HTTP_SERVICE_UNAVAILABLE, DH_E_CONFIG,
                                 "cannot reach %s at %s (see the gateway's log)", service,
                                 dh_config_get_for (self->config, service, "api"));
        return DH_E_CONFIG;
    }
    size_t size = request? protobuf_c_message_get_packed_size (request): 0;
    uint8_t *payload = malloc (size + 1);
    if (!payload) {
        gateway_client_give_back (self, service, &client, true);
        http_reply_error (reply, DH_E_NOMEM, "out of memory");
        return DH_E_NOMEM;
    }
    if (request)
        protobuf_c_message_pack (request, payload);
    dh_reply_t answered;
    int rc = dh_client_call (client, type, actor, payload, size, self->timeout_ms, &answered);
    bool replied = rc == 0;
    free (payload);
    if (rc)
        http_reply_error_status (reply, MHD_HTTP_SERVICE_UNAVAILABLE, rc == DH_E_TIMEOUT? DH_E_TIMEOUT: DH_E_IO,
                                 "%s did not answer in %d ms: is it running?", service, self->timeout_ms);
    else
    if (answered.status) {
        rc = answered.status;
        http_reply_error (reply, rc, "%s", answered.error_text);
    }
    else
    if (reply_type && answer) {
        *answer = protobuf_c_message_unpack (reply_type, NULL, answered.payload_size, answered.payload);
        if (!*answer) {
            rc = DH_E_MALFORMED;
            http_reply_error_status (reply, MHD_HTTP_INTERNAL_SERVER_ERROR, rc,
                                     "%s sent a reply that is not a %s", service, reply_type->short_name);
        }
    }
    //  A client whose call got no reply is not kept: dh_client_call would
    //  skip the late reply by its seq, but would go on counting it as
    //  owed, and a refusal that names no seq could then not be taken as
    //  the next call's.
    gateway_client_give_back (self, service, &client, replied);
    return rc;
}

//  Ask, and answer the reply as JSON.
static void
s_answer (gateway_t *self, http_reply_t *reply, const char *service, uint32_t type, const char *actor,
          const ProtobufCMessage *request, const ProtobufCMessageDescriptor *reply_type)
{
    ProtobufCMessage *answer;
    if (gateway_call (self, service, type, actor, request, reply_type, &answer, reply))
        return;
    http_reply_json (reply, MHD_HTTP_OK, answer? dh_pbjson_from_message (answer): json_pack ("{s:b}", "ok", 1));
    if (answer)
        protobuf_c_message_free_unpacked (answer, NULL);
}

//  A query parameter or a path segment: text as dh_text takes it.
static bool
s_text_ok (http_reply_t *reply, const char *name, const char *value, size_t max_chars)
{
    char why [DH_TEXT_WHY_MAX];
    if (dh_text_check (value, strlen (value), max_chars, false, why, sizeof why)) {
        http_reply_error (reply, DH_E_INVALID, "%s: %s", name, why);
        return false;
    }
    return true;
}

static void
s_lookup (gateway_t *self, http_request_t *request, http_reply_t *reply)
{
    const char *code = http_request_query (request, "code");
    const char *id = http_request_query (request, "id");
    if (!code || !*code || !id || !*id) {
        http_reply_error (reply, DH_E_INVALID, "a lookup needs code and id (the applicant's ID number)");
        return;
    }
    if (!s_text_ok (reply, "code", code, 64) || !s_text_ok (reply, "id", id, 12))
        return;
    Dh__ItemCommand command = DH__ITEM_COMMAND__INIT;
    command.code = (char *) code;
    command.id_number = (char *) id;
    ProtobufCMessage *answer;
    int rc = gateway_call (self, "intake", DH_MSG_LOOKUP, S_ACTOR_PUBLIC, &command.base,
                           &dh__lookup_reply__descriptor, &answer, reply);
    //  The same words whichever was wrong: a stranger with a code must
    //  not learn that it exists.
    if (rc == DH_E_NOT_FOUND)
        http_reply_error (reply, DH_E_NOT_FOUND, "no dossier with that code and ID number");
    if (rc)
        return;
    //  State and appointment, nothing else (the receipt's fields are
    //  RECEIPT's, and empty here).
    json_t *json = dh_pbjson_from_message (answer), *shown = json_object ();
    const char *keys [] = { "code", "state", "due_at", "due_at_local", "steps" };
    for (size_t i = 0; json && shown && i < sizeof keys / sizeof keys [0]; i++)
        if (json_object_get (json, keys [i]))
            json_object_set (shown, keys [i], json_object_get (json, keys [i]));
    json_decref (json);
    http_reply_json (reply, MHD_HTTP_OK, shown);
    protobuf_c_message_free_unpacked (answer, NULL);
}

static void
s_submit (gateway_t *self, http_request_t *request, http_reply_t *reply)
{
    ProtobufCMessage *message;
    char why [300];
    int rc = dh_pbjson_to_message (&dh__submit_dossier__descriptor, http_request_json (request), &message,
                                why, sizeof why);
    if (rc) {
        http_reply_error (reply, rc, "%s", why);
        return;
    }
    Dh__SubmitDossier *submit = (Dh__SubmitDossier *) message;
    //  As at dunghanctl submit: the counter's own channel unless told.
    if (!submit->channel)
        submit->channel = DH__CHANNEL__IN_PERSON;
    if (dh_text_check_message (message, why, sizeof why))
        http_reply_error (reply, DH_E_INVALID, "%s", why);
    else
        s_answer (self, reply, "intake", DH_MSG_SUBMIT, http_request_staff (request), message,
                  &dh__submit_reply__descriptor);
    protobuf_c_message_free_unpacked (message, NULL);
}

static void
s_status (gateway_t *self, http_request_t *request, http_reply_t *reply)
{
    const char *code = http_request_segment (request, 0);
    if (!s_text_ok (reply, "code", code, 64))
        return;
    Dh__ItemCommand command = DH__ITEM_COMMAND__INIT;
    command.code = (char *) code;
    s_answer (self, reply, "intake", DH_MSG_ITEM_STATUS, http_request_staff (request), &command.base,
              &dh__item__descriptor);
}

//  A lifecycle command on one item, one row per endpoint: the body's
//  fields (the request message's, by name) go to the daemon as they are,
//  the code comes from the path, and what the path itself says
//  (resolve or refuse, approve or refuse an apology) no body may say.
typedef enum { S_PRESET_NONE, S_PRESET_TRUE, S_PRESET_FALSE } s_preset_t;

typedef struct {
    const char *service;
    uint32_t type;
    const ProtobufCMessageDescriptor *request;  //  ItemCommand or ApologyCommand
    const ProtobufCMessageDescriptor *reply;
    s_preset_t approved;
} s_action_t;

//  Both request types have `code` and `approved`, set through their
//  descriptors so one handler serves both.
static void
s_field_set (ProtobufCMessage *message, const char *name, const void *value, size_t size)
{
    const ProtobufCFieldDescriptor *field = protobuf_c_message_descriptor_get_field_by_name (
        message->descriptor, name);
    memcpy ((char *) message + field->offset, value, size);
}

static void
s_item_action (gateway_t *self, http_request_t *request, http_reply_t *reply)
{
    const s_action_t *action = http_request_arg (request);
    const char *code = http_request_segment (request, 0);
    if (!s_text_ok (reply, "code", code, 64))
        return;
    json_t *body = http_request_json (request);
    if (body && json_object_get (body, "code")) {
        http_reply_error (reply, DH_E_INVALID, "the code is in the path; the body must not name one");
        return;
    }
    if (body && action->approved != S_PRESET_NONE && json_object_get (body, "approved")) {
        http_reply_error (reply, DH_E_INVALID, "the path says whether it is approved; the body must not");
        return;
    }
    ProtobufCMessage *message;
    char why [300];
    json_t *empty = json_object ();
    int rc = dh_pbjson_to_message (action->request, body? body: empty, &message, why, sizeof why);
    json_decref (empty);
    if (rc) {
        http_reply_error (reply, rc, "%s", why);
        return;
    }
    char *copy = strdup (code);
    if (!copy) {
        protobuf_c_message_free_unpacked (message, NULL);
        http_reply_error (reply, DH_E_NOMEM, "out of memory");
        return;
    }
    s_field_set (message, "code", &copy, sizeof copy);
    if (action->approved != S_PRESET_NONE) {
        protobuf_c_boolean approved = action->approved == S_PRESET_TRUE;
        s_field_set (message, "approved", &approved, sizeof approved);
    }
    if (dh_text_check_message (message, why, sizeof why))
        http_reply_error (reply, DH_E_INVALID, "%s", why);
    else
        s_answer (self, reply, action->service, action->type, http_request_staff (request), message,
                  action->reply);
    protobuf_c_message_free_unpacked (message, NULL);
}

#define S_ITEM &dh__item_command__descriptor
#define S_APOLOGY &dh__apology_command__descriptor
static const s_action_t
    s_not_accept     = { "intake", DH_MSG_NOT_ACCEPT, S_ITEM, &dh__item__descriptor, 0 },
    s_withdraw       = { "intake", DH_MSG_WITHDRAW, S_ITEM, &dh__item__descriptor, 0 },
    s_supplied       = { "intake", DH_MSG_SUPPLEMENT_PROVIDE, S_ITEM, &dh__item__descriptor, 0 },
    s_fee_paid       = { "intake", DH_MSG_FEE_PAID, S_ITEM, &dh__item__descriptor, 0 },
    s_supplement     = { "assign", DH_MSG_SUPPLEMENT_REQUEST, S_ITEM, &dh__assignment__descriptor, 0 },
    s_fee_request    = { "assign", DH_MSG_FEE_REQUEST, S_ITEM, &dh__assignment__descriptor, 0 },
    s_assign         = { "assign", DH_MSG_ASSIGN, S_ITEM, &dh__assignment__descriptor, 0 },
    s_reassign       = { "assign", DH_MSG_REASSIGN, S_ITEM, &dh__assignment__descriptor, 0 },
    s_transfer       = { "assign", DH_MSG_TRANSFER, S_ITEM, &dh__assignment__descriptor, 0 },
    s_step_start     = { "assign", DH_MSG_STEP_START, S_ITEM, &dh__assignment__descriptor, 0 },
    s_step_complete  = { "assign", DH_MSG_STEP_COMPLETE, S_ITEM, &dh__assignment__descriptor, 0 },
    s_resolve        = { "assign", DH_MSG_RESOLVE, S_ITEM, &dh__assignment__descriptor, S_PRESET_TRUE },
    s_refuse         = { "assign", DH_MSG_RESOLVE, S_ITEM, &dh__assignment__descriptor, S_PRESET_FALSE },
    s_return         = { "assign", DH_MSG_RETURN, S_ITEM, &dh__assignment__descriptor, 0 },
    s_history        = { "assign", DH_MSG_HISTORY, S_ITEM, &dh__history__descriptor, 0 },
    s_assignment     = { "assign", DH_MSG_ASSIGNMENT, S_ITEM, &dh__assignment__descriptor, 0 },
    s_clock          = { "deadline", DH_MSG_CLOCK_SHOW, S_ITEM, &dh__clock_report__descriptor, 0 },
    s_apology        = { "deadline", DH_MSG_APOLOGY_DRAFT, S_APOLOGY, &dh__clock_report__descriptor, 0 },
    s_apology_ok     = { "deadline", DH_MSG_APOLOGY_DECIDE, S_APOLOGY, &dh__clock_report__descriptor,
                         S_PRESET_TRUE },
    s_apology_no     = { "deadline", DH_MSG_APOLOGY_DECIDE, S_APOLOGY, &dh__clock_report__descriptor,
                         S_PRESET_FALSE };

static void
s_stats (gateway_t *self, http_request_t *request, http_reply_t *reply)
{
    const char *unit = http_request_query (request, "unit");
    const char *from = http_request_query (request, "from");
    const char *to = http_request_query (request, "to");
    if (!from || !to) {
        http_reply_error (reply, DH_E_INVALID, "stats needs from and to (YYYY-MM-DD, Hanoi)");
        return;
    }
    if ((unit && !s_text_ok (reply, "unit", unit, 64)) || !s_text_ok (reply, "from", from, 10)
    ||  !s_text_ok (reply, "to", to, 10))
        return;
    Dh__StatsQuery query = DH__STATS_QUERY__INIT;
    query.unit = (char *) (unit? unit: "");
    query.from = (char *) from;
    query.to = (char *) to;
    s_answer (self, reply, "deadline", DH_MSG_STATS, http_request_staff (request), &query.base,
              &dh__stats_report__descriptor);
}

static void
s_deadline_list (gateway_t *self, http_request_t *request, http_reply_t *reply, uint32_t type)
{
    const char *unit = http_request_query (request, "unit");
    const char *limit = http_request_query (request, "limit");
    Dh__DeadlineQuery query = DH__DEADLINE_QUERY__INIT;
    if (unit && !s_text_ok (reply, "unit", unit, 64))
        return;
    query.unit = (char *) (unit? unit: "");
    if (limit) {
        char *end;
        long number = strtol (limit, &end, 10);
        if (end == limit || *end || number < 1 || number > S_LIMIT_MAX) {
            http_reply_error (reply, DH_E_RANGE, "limit must be a whole number from 1 to %d", S_LIMIT_MAX);
            return;
        }
        query.limit = (uint32_t) number;
    }
    s_answer (self, reply, "deadline", type, http_request_staff (request), &query.base,
              &dh__deadline_list__descriptor);
}

static void
s_overdue (gateway_t *self, http_request_t *request, http_reply_t *reply)
{
    s_deadline_list (self, request, reply, DH_MSG_OVERDUE);
}

static void
s_due_soon (gateway_t *self, http_request_t *request, http_reply_t *reply)
{
    s_deadline_list (self, request, reply, DH_MSG_DUE_SOON);
}

static void
s_backlog (gateway_t *self, http_request_t *request, http_reply_t *reply)
{
    s_deadline_list (self, request, reply, DH_MSG_BACKLOG);
}

static void
s_queues (gateway_t *self, http_request_t *request, http_reply_t *reply)
{
    const char *unit = http_request_query (request, "unit");
    if (unit && !s_text_ok (reply, "unit", unit, 64))
        return;
    Dh__QueuesQuery query = DH__QUEUES_QUERY__INIT;
    query.unit = (char *) (unit? unit: "");
    s_answer (self, reply, "deadline", DH_MSG_QUEUES, http_request_staff (request), &query.base,
              &dh__queues_reply__descriptor);
}

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

const http_route_t gateway_api_routes [] = {
    { "GET",  "/api/lookup",              HTTP_LIMITED, s_lookup,   { "code", "id" } },
    { "POST", "/api/dossiers",            HTTP_STAFF,   s_submit,   { NULL }, true },
    { "GET",  "/api/dossiers/*",          HTTP_STAFF,   s_status,   { NULL } },
    { "POST", "/api/dossiers/*/not-accept", HTTP_STAFF, s_item_action, { NULL }, true, &s_not_accept,
      "Refuse the dossier at reception, with the reason (intake NOT_ACCEPT)" },
    { "POST", "/api/dossiers/*/withdraw", HTTP_STAFF, s_item_action, { NULL }, true, &s_withdraw,
      "The applicant withdraws the dossier (intake WITHDRAW)" },
    { "POST", "/api/dossiers/*/supplement/request", HTTP_STAFF, s_item_action, { NULL }, true, &s_supplement,
      "Ask for missing papers: step_token, reason, papers; the clock pauses (assign SUPPLEMENT_REQUEST)" },
    { "POST", "/api/dossiers/*/supplement/provide", HTTP_STAFF, s_item_action, { NULL }, true, &s_supplied,
      "The applicant brought the missing papers: content (intake SUPPLEMENT_PROVIDE)" },
    { "POST", "/api/dossiers/*/fee/request", HTTP_STAFF, s_item_action, { NULL }, true, &s_fee_request,
      "A fee or obligation is due first: step_token, reason; the clock pauses (assign FEE_REQUEST)" },
    { "POST", "/api/dossiers/*/fee/paid", HTTP_STAFF, s_item_action, { NULL }, true, &s_fee_paid,
      "The fee was paid at the counter: content (intake FEE_PAID)" },
    { "POST", "/api/dossiers/*/assign", HTTP_STAFF, s_item_action, { NULL }, true, &s_assign,
      "Give an unassigned item to a handler: handler (assign ASSIGN, by a head or deputy)" },
    { "POST", "/api/dossiers/*/reassign", HTTP_STAFF, s_item_action, { NULL }, true, &s_reassign,
      "Move the item to another handler: handler, reason (assign REASSIGN, by a head or deputy)" },
    { "POST", "/api/dossiers/*/transfer", HTTP_STAFF, s_item_action, { NULL }, true, &s_transfer,
      "Make another unit the lead unit: unit, handler, reason (assign TRANSFER)" },
    { "POST", "/api/dossiers/*/steps/start", HTTP_STAFF, s_item_action, { NULL }, true, &s_step_start,
      "Start a step of the process: step_token, node (assign STEP_START)" },
    { "POST", "/api/dossiers/*/steps/complete", HTTP_STAFF, s_item_action, { NULL }, true, &s_step_complete,
      "Finish the current step: step_token, content (assign STEP_COMPLETE)" },
    { "POST", "/api/dossiers/*/resolve", HTTP_STAFF, s_item_action, { NULL }, true, &s_resolve,
      "The result is ready: step_token (assign RESOLVE, approved)" },
    { "POST", "/api/dossiers/*/refuse", HTTP_STAFF, s_item_action, { NULL }, true, &s_refuse,
      "Refused after examination: step_token, reason (assign RESOLVE, not approved)" },
    { "POST", "/api/dossiers/*/return", HTTP_STAFF, s_item_action, { NULL }, true, &s_return,
      "The result was handed to the applicant (assign RETURN)" },
    { "GET", "/api/dossiers/*/history", HTTP_STAFF, s_item_action, { NULL }, false, &s_history,
      "Every step: when, node, from, to, how long (assign HISTORY)" },
    { "GET", "/api/dossiers/*/assignment", HTTP_STAFF, s_item_action, { NULL }, false, &s_assignment,
      "Who holds the item now, and its step token (assign ASSIGNMENT)" },
    { "GET", "/api/dossiers/*/clock", HTTP_STAFF, s_item_action, { NULL }, false, &s_clock,
      "The item's ledger and every deadline of it and its steps (deadline CLOCK_SHOW)" },
    { "POST", "/api/dossiers/*/apology", HTTP_STAFF, s_item_action, { NULL }, true, &s_apology,
      "Draft an apology with a new appointment before the due time: new_due, reason (deadline APOLOGY_DRAFT)" },
    { "POST", "/api/dossiers/*/apology/approve", HTTP_STAFF, s_item_action, { NULL }, true, &s_apology_ok,
      "Approve the drafted apology (deadline APOLOGY_DECIDE, by the head of the lead unit)" },
    { "POST", "/api/dossiers/*/apology/refuse", HTTP_STAFF, s_item_action, { NULL }, true, &s_apology_no,
      "Refuse the drafted apology: reason (deadline APOLOGY_DECIDE)" },
    { "GET",  "/api/stats",               HTTP_STAFF,   s_stats,    { "unit", "from", "to" } },
    { "GET",  "/api/overdue",             HTTP_STAFF,   s_overdue,  { "unit", "limit" } },
    { "GET",  "/api/due-soon",            HTTP_STAFF,   s_due_soon, { "unit", "limit" } },
    { "GET",  "/api/backlog",             HTTP_STAFF,   s_backlog,  { "unit", "limit" }, false, NULL,
      "Open items, earliest received first, with holder and due time (deadline BACKLOG)" },
    { "GET",  "/api/queues",              HTTP_STAFF,   s_queues,   { "unit" }, false, NULL,
      "Per unit: open items, due soon, overdue, and the oldest with its age (deadline QUEUES)" },
    { NULL }
};

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
    const char *endpoint = dh_config_get_for (self->config, service, "api");
    //  One client per request, on the request's own thread: a ZeroMQ
    //  socket must not be shared between threads.
    dh_client_t *client = dh_client_new (self->user_auth, service, endpoint);
    if (!client) {
        http_reply_error_status (reply, MHD_HTTP_SERVICE_UNAVAILABLE, DH_E_CONFIG,
                                 "cannot reach %s at %s (see the gateway's log)", service, endpoint);
        return DH_E_CONFIG;
    }
    size_t size = request? protobuf_c_message_get_packed_size (request): 0;
    uint8_t *payload = malloc (size + 1);
    if (!payload) {
        dh_client_destroy (&client);
        http_reply_error (reply, DH_E_NOMEM, "out of memory");
        return DH_E_NOMEM;
    }
    if (request)
        protobuf_c_message_pack (request, payload);
    dh_reply_t answered;
    int rc = dh_client_call (client, type, actor, payload, size, self->timeout_ms, &answered);
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
    dh_client_destroy (&client);
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
    http_reply_json (reply, MHD_HTTP_OK, answer? pbjson_from_message (answer): json_pack ("{s:b}", "ok", 1));
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
    http_reply_json (reply, MHD_HTTP_OK, pbjson_from_message (answer));
    protobuf_c_message_free_unpacked (answer, NULL);
}

static void
s_submit (gateway_t *self, http_request_t *request, http_reply_t *reply)
{
    ProtobufCMessage *message;
    char why [300];
    int rc = pbjson_to_message (&dh__submit_dossier__descriptor, http_request_json (request), &message,
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

//  {"handler": ID, "reason": TEXT}: a head or deputy of the lead unit
//  gives the item to another handler (assign judges who may).
static void
s_reassign (gateway_t *self, http_request_t *request, http_reply_t *reply)
{
    const char *code = http_request_segment (request, 0);
    if (!s_text_ok (reply, "code", code, 64))
        return;
    json_t *body = http_request_json (request);
    const char *key;
    json_t *value;
    json_object_foreach (body, key, value) {
        if (strcmp (key, "handler") && strcmp (key, "reason")) {
            http_reply_error (reply, DH_E_INVALID, "unknown field '%.64s' (handler, reason)", key);
            return;
        }
        if (!json_is_string (value)) {
            http_reply_error (reply, DH_E_INVALID, "%s must be a string", key);
            return;
        }
    }
    Dh__ItemCommand command = DH__ITEM_COMMAND__INIT;
    command.code = (char *) code;
    const char *handler = json_string_value (json_object_get (body, "handler"));
    const char *reason = json_string_value (json_object_get (body, "reason"));
    command.handler = (char *) (handler? handler: "");
    command.reason = (char *) (reason? reason: "");
    char why [300];
    if (dh_text_check_message (&command.base, why, sizeof why)) {
        http_reply_error (reply, DH_E_INVALID, "%s", why);
        return;
    }
    s_answer (self, reply, "assign", DH_MSG_REASSIGN, http_request_staff (request), &command.base,
              &dh__assignment__descriptor);
}

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

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

const http_route_t gateway_api_routes [] = {
    { "GET",  "/api/lookup",              HTTP_LIMITED, s_lookup,   { "code", "id" } },
    { "POST", "/api/dossiers",            HTTP_STAFF,   s_submit,   { NULL }, true },
    { "GET",  "/api/dossiers/*",          HTTP_STAFF,   s_status,   { NULL } },
    { "POST", "/api/dossiers/*/reassign", HTTP_STAFF,   s_reassign, { NULL }, true },
    { "GET",  "/api/stats",               HTTP_STAFF,   s_stats,    { "unit", "from", "to" } },
    { "GET",  "/api/overdue",             HTTP_STAFF,   s_overdue,  { "unit", "limit" } },
    { "GET",  "/api/due-soon",            HTTP_STAFF,   s_due_soon, { "unit", "limit" } },
    { NULL }
};

//  GET /api/openapi.json: the API in OpenAPI 3. The paths whose shapes
//  matter most are described by hand below; every other row of the
//  routing tables is described from the row itself (its summary, access,
//  parameters and body), so no endpoint goes undescribed.
#include <ctype.h>
#include <microhttpd.h>
#include "dh_error.h"
#include "gateway.h"

static const char s_document [] =
    "{\n"
    "  \"openapi\": \"3.0.3\",\n"
    "  \"info\": {\n"
    "    \"title\": \"dunghan gateway\",\n"
    "    \"version\": \"1\",\n"
    "    \"description\": \"The dunghan daemons on the web. Every answer is JSON; a refusal is {error, code, message} with the daemon's error name and code (README: Error codes).\"\n"
    "  },\n"
    "  \"components\": {\n"
    "    \"securitySchemes\": {\n"
    "      \"staff\": { \"type\": \"http\", \"scheme\": \"bearer\", \"description\": \"A token from `dunghanctl token new --staff ID`.\" }\n"
    "    },\n"
    "    \"schemas\": {\n"
    "      \"Error\": {\n"
    "        \"type\": \"object\",\n"
    "        \"required\": [\"error\", \"code\", \"message\"],\n"
    "        \"properties\": {\n"
    "          \"error\": { \"type\": \"string\", \"example\": \"E_NOT_FOUND\" },\n"
    "          \"code\": { \"type\": \"integer\", \"example\": 2002 },\n"
    "          \"message\": { \"type\": \"string\" }\n"
    "        }\n"
    "      },\n"
    "      \"Applicant\": {\n"
    "        \"type\": \"object\",\n"
    "        \"additionalProperties\": false,\n"
    "        \"required\": [\"name\", \"id_number\"],\n"
    "        \"properties\": {\n"
    "          \"name\": { \"type\": \"string\", \"maxLength\": 200 },\n"
    "          \"id_number\": { \"type\": \"string\", \"pattern\": \"^([0-9]{9}|[0-9]{12})$\" },\n"
    "          \"phone\": { \"type\": \"string\" },\n"
    "          \"email\": { \"type\": \"string\" },\n"
    "          \"address\": { \"type\": \"string\" }\n"
    "        }\n"
    "      },\n"
    "      \"SubmitDossier\": {\n"
    "        \"type\": \"object\",\n"
    "        \"additionalProperties\": false,\n"
    "        \"required\": [\"procedure_code\", \"applicant\"],\n"
    "        \"properties\": {\n"
    "          \"procedure_code\": { \"type\": \"string\" },\n"
    "          \"applicant\": { \"$ref\": \"#/components/schemas/Applicant\" },\n"
    "          \"channel\": { \"type\": \"string\", \"enum\": [\"in-person\", \"online\", \"post\"], \"default\": \"in-person\" },\n"
    "          \"documents\": { \"type\": \"array\", \"items\": { \"type\": \"string\" }, \"maxItems\": 50 },\n"
    "          \"notify\": { \"type\": \"array\", \"items\": { \"type\": \"string\", \"enum\": [\"email\", \"sms\", \"zalo\"] }, \"maxItems\": 3 }\n"
    "        }\n"
    "      },\n"
    "      \"SubmitReply\": {\n"
    "        \"type\": \"object\",\n"
    "        \"properties\": {\n"
    "          \"code\": { \"type\": \"string\" },\n"
    "          \"received_at\": { \"type\": \"integer\", \"description\": \"UTC milliseconds\" },\n"
    "          \"received_at_local\": { \"type\": \"string\" },\n"
    "          \"due_at\": { \"type\": \"integer\" },\n"
    "          \"due_at_local\": { \"type\": \"string\" }\n"
    "        }\n"
    "      },\n"
    "      \"LookupReply\": {\n"
    "        \"type\": \"object\",\n"
    "        \"properties\": {\n"
    "          \"code\": { \"type\": \"string\" },\n"
    "          \"state\": { \"type\": \"string\" },\n"
    "          \"due_at\": { \"type\": \"integer\" },\n"
    "          \"due_at_local\": { \"type\": \"string\" },\n"
    "          \"steps\": { \"type\": \"array\", \"items\": { \"type\": \"string\" } }\n"
    "        }\n"
    "      },\n"
    "      \"Object\": { \"type\": \"object\", \"description\": \"The daemon's reply, field by field as its .proto names them; *_at instants in UTC ms with a *_at_local twin (Asia/Ho_Chi_Minh).\" }\n"
    "    },\n"
    "    \"responses\": {\n"
    "      \"Error\": { \"description\": \"Refused\", \"content\": { \"application/json\": { \"schema\": { \"$ref\": \"#/components/schemas/Error\" } } } }\n"
    "    }\n"
    "  },\n"
    "  \"paths\": {\n"
    "    \"/api/lookup\": {\n"
    "      \"get\": {\n"
    "        \"summary\": \"What the public sees of a dossier: its code and the applicant's ID number\",\n"
    "        \"description\": \"No sign-in; lookup_rate_per_s per client address. A wrong ID number and an unknown code get the same 404.\",\n"
    "        \"parameters\": [\n"
    "          { \"name\": \"code\", \"in\": \"query\", \"required\": true, \"schema\": { \"type\": \"string\" } },\n"
    "          { \"name\": \"id\", \"in\": \"query\", \"required\": true, \"schema\": { \"type\": \"string\" } }\n"
    "        ],\n"
    "        \"responses\": {\n"
    "          \"200\": { \"description\": \"Found\", \"content\": { \"application/json\": { \"schema\": { \"$ref\": \"#/components/schemas/LookupReply\" } } } },\n"
    "          \"400\": { \"$ref\": \"#/components/responses/Error\" },\n"
    "          \"404\": { \"$ref\": \"#/components/responses/Error\" },\n"
    "          \"429\": { \"$ref\": \"#/components/responses/Error\" },\n"
    "          \"503\": { \"$ref\": \"#/components/responses/Error\" }\n"
    "        }\n"
    "      }\n"
    "    },\n"
    "    \"/api/dossiers\": {\n"
    "      \"post\": {\n"
    "        \"summary\": \"Receive a dossier at the counter (intake SUBMIT) as the signed-in staff member\",\n"
    "        \"security\": [ { \"staff\": [] } ],\n"
    "        \"requestBody\": { \"required\": true, \"content\": { \"application/json\": { \"schema\": { \"$ref\": \"#/components/schemas/SubmitDossier\" } } } },\n"
    "        \"responses\": {\n"
    "          \"200\": { \"description\": \"Received\", \"content\": { \"application/json\": { \"schema\": { \"$ref\": \"#/components/schemas/SubmitReply\" } } } },\n"
    "          \"400\": { \"$ref\": \"#/components/responses/Error\" },\n"
    "          \"401\": { \"$ref\": \"#/components/responses/Error\" },\n"
    "          \"403\": { \"$ref\": \"#/components/responses/Error\" },\n"
    "          \"404\": { \"$ref\": \"#/components/responses/Error\" },\n"
    "          \"413\": { \"$ref\": \"#/components/responses/Error\" },\n"
    "          \"503\": { \"$ref\": \"#/components/responses/Error\" }\n"
    "        }\n"
    "      }\n"
    "    },\n"
    "    \"/api/dossiers/{code}\": {\n"
    "      \"get\": {\n"
    "        \"summary\": \"Everything the counter knows of a dossier (intake ITEM_STATUS)\",\n"
    "        \"security\": [ { \"staff\": [] } ],\n"
    "        \"parameters\": [ { \"name\": \"code\", \"in\": \"path\", \"required\": true, \"schema\": { \"type\": \"string\" } } ],\n"
    "        \"responses\": {\n"
    "          \"200\": { \"description\": \"The item\", \"content\": { \"application/json\": { \"schema\": { \"$ref\": \"#/components/schemas/Object\" } } } },\n"
    "          \"401\": { \"$ref\": \"#/components/responses/Error\" },\n"
    "          \"404\": { \"$ref\": \"#/components/responses/Error\" },\n"
    "          \"503\": { \"$ref\": \"#/components/responses/Error\" }\n"
    "        }\n"
    "      }\n"
    "    },\n"
    "    \"/api/dossiers/{code}/reassign\": {\n"
    "      \"post\": {\n"
    "        \"summary\": \"Give an item to another handler (assign REASSIGN; a head or deputy of the lead unit)\",\n"
    "        \"security\": [ { \"staff\": [] } ],\n"
    "        \"parameters\": [ { \"name\": \"code\", \"in\": \"path\", \"required\": true, \"schema\": { \"type\": \"string\" } } ],\n"
    "        \"requestBody\": { \"required\": true, \"content\": { \"application/json\": { \"schema\": {\n"
    "          \"type\": \"object\", \"additionalProperties\": false, \"required\": [\"handler\"],\n"
    "          \"properties\": { \"handler\": { \"type\": \"string\" }, \"reason\": { \"type\": \"string\" } } } } } },\n"
    "        \"responses\": {\n"
    "          \"200\": { \"description\": \"The assignment\", \"content\": { \"application/json\": { \"schema\": { \"$ref\": \"#/components/schemas/Object\" } } } },\n"
    "          \"400\": { \"$ref\": \"#/components/responses/Error\" },\n"
    "          \"401\": { \"$ref\": \"#/components/responses/Error\" },\n"
    "          \"403\": { \"$ref\": \"#/components/responses/Error\" },\n"
    "          \"404\": { \"$ref\": \"#/components/responses/Error\" },\n"
    "          \"409\": { \"$ref\": \"#/components/responses/Error\" },\n"
    "          \"503\": { \"$ref\": \"#/components/responses/Error\" }\n"
    "        }\n"
    "      }\n"
    "    },\n"
    "    \"/api/stats\": {\n"
    "      \"get\": {\n"
    "        \"summary\": \"The figures of a period, as Biểu 06 counts them (deadline STATS)\",\n"
    "        \"security\": [ { \"staff\": [] } ],\n"
    "        \"parameters\": [\n"
    "          { \"name\": \"unit\", \"in\": \"query\", \"required\": false, \"schema\": { \"type\": \"string\" } },\n"
    "          { \"name\": \"from\", \"in\": \"query\", \"required\": true, \"schema\": { \"type\": \"string\", \"format\": \"date\" } },\n"
    "          { \"name\": \"to\", \"in\": \"query\", \"required\": true, \"schema\": { \"type\": \"string\", \"format\": \"date\" } }\n"
    "        ],\n"
    "        \"responses\": {\n"
    "          \"200\": { \"description\": \"The report\", \"content\": { \"application/json\": { \"schema\": { \"$ref\": \"#/components/schemas/Object\" } } } },\n"
    "          \"400\": { \"$ref\": \"#/components/responses/Error\" },\n"
    "          \"401\": { \"$ref\": \"#/components/responses/Error\" },\n"
    "          \"503\": { \"$ref\": \"#/components/responses/Error\" }\n"
    "        }\n"
    "      }\n"
    "    },\n"
    "    \"/api/overdue\": {\n"
    "      \"get\": {\n"
    "        \"summary\": \"Items and steps past their deadline (deadline OVERDUE)\",\n"
    "        \"security\": [ { \"staff\": [] } ],\n"
    "        \"parameters\": [\n"
    "          { \"name\": \"unit\", \"in\": \"query\", \"required\": false, \"schema\": { \"type\": \"string\" } },\n"
    "          { \"name\": \"limit\", \"in\": \"query\", \"required\": false, \"schema\": { \"type\": \"integer\", \"minimum\": 1, \"maximum\": 10000 } }\n"
    "        ],\n"
    "        \"responses\": {\n"
    "          \"200\": { \"description\": \"The list\", \"content\": { \"application/json\": { \"schema\": { \"$ref\": \"#/components/schemas/Object\" } } } },\n"
    "          \"401\": { \"$ref\": \"#/components/responses/Error\" },\n"
    "          \"503\": { \"$ref\": \"#/components/responses/Error\" }\n"
    "        }\n"
    "      }\n"
    "    },\n"
    "    \"/api/due-soon\": {\n"
    "      \"get\": {\n"
    "        \"summary\": \"Items and steps whose deadline comes next (deadline DUE_SOON)\",\n"
    "        \"security\": [ { \"staff\": [] } ],\n"
    "        \"parameters\": [\n"
    "          { \"name\": \"unit\", \"in\": \"query\", \"required\": false, \"schema\": { \"type\": \"string\" } },\n"
    "          { \"name\": \"limit\", \"in\": \"query\", \"required\": false, \"schema\": { \"type\": \"integer\", \"minimum\": 1, \"maximum\": 10000 } }\n"
    "        ],\n"
    "        \"responses\": {\n"
    "          \"200\": { \"description\": \"The list\", \"content\": { \"application/json\": { \"schema\": { \"$ref\": \"#/components/schemas/Object\" } } } },\n"
    "          \"401\": { \"$ref\": \"#/components/responses/Error\" },\n"
    "          \"503\": { \"$ref\": \"#/components/responses/Error\" }\n"
    "        }\n"
    "      }\n"
    "    },\n"
    "    \"/events\": {\n"
    "      \"get\": {\n"
    "        \"summary\": \"Every daemon's event feed as Server-Sent Events\",\n"
    "        \"description\": \"Each event: `id:` a gateway-wide number, `data:` {daemon, seq, type, at, at_local, payload}. Send Last-Event-ID to resume; `event: snapshot-needed` when the gateway no longer holds what followed it, `event: gap` when a daemon's feed dropped events. A `: keepalive` comment every 15 s.\",\n"
    "        \"security\": [ { \"staff\": [] } ],\n"
    "        \"parameters\": [ { \"name\": \"Last-Event-ID\", \"in\": \"header\", \"required\": false, \"schema\": { \"type\": \"string\" } } ],\n"
    "        \"responses\": {\n"
    "          \"200\": { \"description\": \"The stream\", \"content\": { \"text/event-stream\": { \"schema\": { \"type\": \"string\" } } } },\n"
    "          \"401\": { \"$ref\": \"#/components/responses/Error\" }\n"
    "        }\n"
    "      }\n"
    "    },\n"
    "    \"/metrics\": {\n"
    "      \"get\": {\n"
    "        \"summary\": \"Each daemon's figures in Prometheus's text format\",\n"
    "        \"responses\": { \"200\": { \"description\": \"Metrics\", \"content\": { \"text/plain\": { \"schema\": { \"type\": \"string\" } } } } }\n"
    "      }\n"
    "    },\n"
    "    \"/healthz\": {\n"
    "      \"get\": {\n"
    "        \"summary\": \"Is the gateway up: its release, uptime and which daemons answer a PING (status ok, or degraded when one does not)\",\n"
    "        \"responses\": { \"200\": { \"description\": \"Health\", \"content\": { \"application/json\": { \"schema\": { \"type\": \"object\", \"properties\": { \"status\": { \"type\": \"string\", \"enum\": [\"ok\", \"degraded\"] }, \"version\": { \"type\": \"string\" }, \"uptime_s\": { \"type\": \"integer\" }, \"daemons\": { \"type\": \"object\", \"additionalProperties\": { \"type\": \"string\", \"enum\": [\"up\", \"down\"] } } } } } } } }\n"
    "      }\n"
    "    },\n"
    "    \"/api/openapi.json\": {\n"
    "      \"get\": {\n"
    "        \"summary\": \"This document\",\n"
    "        \"responses\": { \"200\": { \"description\": \"OpenAPI 3\", \"content\": { \"application/json\": { \"schema\": { \"type\": \"object\" } } } } }\n"
    "      }\n"
    "    }\n"
    "  }\n"
    "}\n";

//  "/api/dossiers/*/history" as OpenAPI spells it: "/api/dossiers/{code}/history".
static void
s_path (const char *route, char *path, size_t size)
{
    size_t length = 0;
    for (const char *at = route; *at && length + 8 < size; at++)
        if (*at == '*') {
            memcpy (path + length, "{code}", 6);
            length += 6;
        }
        else
            path [length++] = *at;
    path [length] = 0;
}

static json_t *
s_error_refs (const http_route_t *row)
{
    json_t *responses = json_pack ("{s:{s:s}}", "200", "description", "Done: the daemon's reply as JSON");
    const char *codes [] = { "400", "401", "403", "404", "409", "429", "503" };
    for (size_t i = 0; i < sizeof codes / sizeof codes [0]; i++) {
        if ((!strcmp (codes [i], "401") || !strcmp (codes [i], "403")) && row->access != HTTP_STAFF)
            continue;
        if (!strcmp (codes [i], "429") && row->access != HTTP_LIMITED)
            continue;
        json_object_set_new (responses, codes [i], json_pack ("{s:s}", "$ref", "#/components/responses/Error"));
    }
    return responses;
}

//  One operation from its routing row.
static json_t *
s_operation (const http_route_t *row)
{
    json_t *operation = json_pack ("{s:s, s:o}", "summary", row->summary? row->summary: row->path,
                                   "responses", s_error_refs (row));
    if (row->access == HTTP_STAFF)
        json_object_set_new (operation, "security", json_pack ("[{s:[]}]", "staff"));
    json_t *parameters = json_array ();
    if (strchr (row->path, '*'))
        json_array_append_new (parameters, json_pack ("{s:s, s:s, s:b, s:{s:s}}", "name", "code", "in", "path",
                                                      "required", 1, "schema", "type", "string"));
    for (size_t i = 0; i < 6 && row->query [i]; i++)
        json_array_append_new (parameters, json_pack ("{s:s, s:s, s:b, s:{s:s}}", "name", row->query [i],
                                                      "in", "query", "required", 0, "schema", "type", "string"));
    json_object_set_new (operation, "parameters", parameters);
    if (row->body)
        json_object_set_new (operation, "requestBody", json_pack ("{s:b, s:{s:{s:{s:s}}}}", "required", 1,
            "content", "application/json", "schema", "type", "object"));
    return operation;
}

static void
s_openapi (gateway_t *self, http_request_t *request, http_reply_t *reply)
{
    (void) request;
    json_error_t error;
    json_t *document = json_loads (s_document, 0, &error);
    json_t *paths = json_object_get (document, "paths");
    if (!paths) {
        json_decref (document);
        http_reply_error (reply, DH_E_INTERNAL, "the OpenAPI document does not parse (line %d): %s",
                          error.line, error.text);
        return;
    }
    const http_route_t * const *tables = http_tables (self->http);
    for (size_t t = 0; tables [t]; t++)
        for (const http_route_t *row = tables [t]; row->path; row++) {
            char path [256], method [8];
            s_path (row->path, path, sizeof path);
            size_t i;
            for (i = 0; row->method [i] && i < sizeof method - 1; i++)
                method [i] = (char) tolower ((unsigned char) row->method [i]);
            method [i] = 0;
            json_t *item = json_object_get (paths, path);
            if (!item) {
                item = json_object ();
                json_object_set_new (paths, path, item);
            }
            if (!json_object_get (item, method))
                json_object_set_new (item, method, s_operation (row));
        }
    http_reply_json (reply, MHD_HTTP_OK, document);
}

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

const http_route_t gateway_openapi_routes [] = {
    { "GET", "/api/openapi.json", HTTP_PUBLIC, s_openapi, { NULL } },
    { NULL }
};

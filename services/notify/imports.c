//  What operators load: the templates (deploy/templates/templates.txt)
//  and the staff's contacts (the org chart's staff.csv: id,name,unit,
//  role,email). A file with one bad line is refused whole, naming it.
#include "dh_call.h"
#include "dh_csv.h"
#include "dh_error.h"
#include "dh_types.h"
#include "work.pb-c.h"
#include "notify.h"

static dh_handler_fn s_template_import, s_contact_import;

const dh_command_t notify_import_commands [] = {
    { DH_MSG_TEMPLATE_IMPORT, s_template_import, DH_FROM_CLIENT, 0, false, NULL },
    { DH_MSG_CONTACT_IMPORT,  s_contact_import,  DH_FROM_CLIENT, 0, false, NULL },
    { 0 }
};

typedef struct {
    notify_t *self;
    dh_call_t *call;
    uint32_t rows;
    int rc;
} s_import_t;

static int
s_put_template (void *arg, const char *event, const char *channel, const char *subject, const char *body)
{
    s_import_t *import = arg;
    char key [96];
    int key_size = snprintf (key, sizeof key, "%s %s", event, channel);
    size_t subject_size = strlen (subject) + 1, body_size = strlen (body) + 1;
    uint8_t *value;
    int rc = dh_txn_reserve (import->call->txn, import->self->templates, key, (size_t) key_size,
                             subject_size + body_size, false, (void **) &value);
    if (rc)
        return import->rc = rc;
    memcpy (value, subject, subject_size);
    memcpy (value + subject_size, body, body_size);
    import->rows++;
    return 0;
}

static int
s_template_import (dh_call_t *call, void *state)
{
    Dh__ImportCsv *file;
    int rc = dh_call_unpack (call, &dh__import_csv__descriptor, (ProtobufCMessage **) &file);
    if (rc)
        return rc;
    s_import_t import = { state, call, 0, 0 };
    char error [512];
    rc = notify_templates_parse (*file->name? file->name: "templates", file->text, s_put_template, &import,
                                 error, sizeof error);
    if (import.rc)
        return dh_call_fail (call, import.rc, "cannot store the templates: %s", dh_strerror (import.rc));
    if (rc)
        return dh_call_fail (call, rc, "%s", error);
    if ((rc = dh_service_audit (call->service, call->txn, call->envelope->actor, "template-import", file->name)))
        return dh_call_fail (call, rc, "cannot audit the import");
    zsys_info ("notify: %u templates imported from %s by %s", import.rows, file->name, call->envelope->actor);
    Dh__ImportReply reply = DH__IMPORT_REPLY__INIT;
    reply.rows = import.rows;
    return dh_call_reply_message (call, &reply.base);
}

//  A staff row: its problem, or NULL.
static const char *
s_staff_problem (const char **fields, int count)
{
    if (count != 5)
        return "want 5 columns: id,name,unit,role,email";
    if (!*fields [0] || strlen (fields [0]) > 64)
        return "id must be 1-64 bytes";
    if (strlen (fields [1]) > 300)
        return "name is longer than 300 bytes";
    if (*fields [4] && (strlen (fields [4]) > 200 || !strchr (fields [4], '@') || strpbrk (fields [4], " <>\r\n")))
        return "email is not an address";
    return NULL;
}

static int
s_contact_import (dh_call_t *call, void *state)
{
    notify_t *self = state;
    Dh__ImportCsv *file;
    int rc = dh_call_unpack (call, &dh__import_csv__descriptor, (ProtobufCMessage **) &file);
    if (rc)
        return rc;
    if (strcmp (file->name, "staff"))
        return dh_call_fail (call, DH_E_INVALID, "contact import takes 'staff' (the org chart's staff.csv), "
                             "not '%.40s'", file->name);
    //  Twice through the file: checked whole, then written.
    uint32_t rows = 0;
    for (int pass = 0; pass < 2; pass++) {
        dh_csv_t csv;
        dh_csv_init (&csv, file->text);
        const char *fields [DH_CSV_MAX_FIELDS];
        int count;
        bool header = true;
        rows = 0;
        while ((count = dh_csv_row (&csv, fields, DH_CSV_MAX_FIELDS)) > 0) {
            if (header && !strcmp (fields [0], "id")) {
                header = false;
                continue;
            }
            header = false;
            const char *problem = s_staff_problem (fields, count);
            if (problem) {
                size_t line = csv.line;
                dh_csv_free (&csv);
                return dh_call_fail (call, DH_E_INVALID, "staff line %zu: %s", line, problem);
            }
            rows++;
            if (pass == 0)
                continue;
            Dh__Contact contact = DH__CONTACT__INIT;
            contact.name = (char *) fields [1];
            contact.email = (char *) fields [4];
            if ((rc = dh_call_put_message (call, self->staff, fields [0], &contact.base))) {
                dh_csv_free (&csv);
                return dh_call_fail (call, rc, "cannot store the contact of %s", fields [0]);
            }
        }
        size_t line = csv.line;
        dh_csv_free (&csv);
        if (count < 0)
            return dh_call_fail (call, count, "staff line %zu: %s", line, dh_strerror (count));
    }
    if ((rc = dh_service_audit (call->service, call->txn, call->envelope->actor, "contact-import", "staff")))
        return dh_call_fail (call, rc, "cannot audit the import");
    Dh__ImportReply reply = DH__IMPORT_REPLY__INIT;
    reply.rows = rows;
    return dh_call_reply_message (call, &reply.base);
}

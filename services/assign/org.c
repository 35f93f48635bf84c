//  The org chart: units (with parent and head) and staff (with unit and
//  role), imported from deploy/org/*.csv.
#include <ctype.h>
#include "dh_call.h"
#include "dh_csv.h"
#include "dh_error.h"
#include "dh_types.h"
#include "assign.h"

static dh_handler_fn s_org_import;

const dh_command_t assign_org_commands [] = {
    { DH_MSG_ORG_IMPORT, s_org_import, DH_FROM_CLIENT, 0, false, NULL },
    { 0 }
};

static const char *s_roles [] = { "", "clerk", "handler", "head", "deputy", "operator" };

static bool
s_id_ok (const char *text, size_t max)
{
    size_t length = strlen (text);
    if (!length || length > max)
        return false;
    for (size_t i = 0; i < length; i++)
        if (!(isalnum ((unsigned char) text [i]) || strchr (".-_", text [i])))
            return false;
    return true;
}

static bool
s_exists (dh_txn_t *txn, dh_dbi_t dbi, const char *key)
{
    dh_val_t value;
    return dh_txn_get (txn, dbi, key, strlen (key), &value) == 0;
}

//  A row of either file: 0, DH_E_INVALID with *problem saying what is
//  wrong with it, or the error that kept it from being stored.
typedef int (s_row_fn) (assign_t *self, dh_call_t *call, const char **fields, int count, bool write,
                        const char **problem);

//  A units row: code,name,parent,head. Parents must be known (earlier in
//  the file or already stored).
static const char *
s_unit_problem (assign_t *self, dh_call_t *call, const char **fields, int count, bool write)
{
    if (count != 4)
        return "want 4 columns: code,name,parent,head";
    if (!s_id_ok (fields [0], 64))
        return "code must be 1-64 letters, digits, '.', '-' or '_'";
    if (!*fields [1] || strlen (fields [1]) > 300)
        return "name must be 1-300 bytes";
    if (*fields [2] && !s_id_ok (fields [2], 64))
        return "parent must be a unit code or empty";
    if (*fields [3] && !s_id_ok (fields [3], 64))
        return "head must be a staff id or empty";
    if (write) {
        if (*fields [2] && !s_exists (call->txn, self->units, fields [2]))
            return "parent unit is not known (list parents before their children)";
    }
    return NULL;
}

static int
s_unit_row (assign_t *self, dh_call_t *call, const char **fields, int count, bool write,
            const char **problem)
{
    if ((*problem = s_unit_problem (self, call, fields, count, write)))
        return DH_E_INVALID;
    if (!write)
        return 0;
    *problem = "cannot store the unit";
    Dh__Unit unit = DH__UNIT__INIT;
    unit.code = (char *) fields [0];
    unit.name = (char *) fields [1];
    unit.parent = (char *) fields [2];
    unit.head = (char *) fields [3];
    return dh_call_put_message (call, self->units, unit.code, &unit.base);
}

//  A staff row: id,name,unit,role,email. The unit must be known.
static const char *
s_staff_problem (assign_t *self, dh_call_t *call, const char **fields, int count, int *role)
{
    if (count != 5)
        return "want 5 columns: id,name,unit,role,email";
    if (!s_id_ok (fields [0], 64))
        return "id must be 1-64 letters, digits, '.', '-' or '_'";
    if (!*fields [1] || strlen (fields [1]) > 300)
        return "name must be 1-300 bytes";
    if (!s_exists (call->txn, self->units, fields [2]))
        return "unit is not known (import units first)";
    *role = 0;
    for (int i = 1; i < 6; i++)
        if (!strcmp (fields [3], s_roles [i]))
            *role = i;
    if (!*role)
        return "role must be clerk, handler, head, deputy or operator";
    if (*fields [4] && (!strchr (fields [4], '@') || strlen (fields [4]) > 200))
        return "email is not an address";
    return NULL;
}

static int
s_staff_row (assign_t *self, dh_call_t *call, const char **fields, int count, bool write,
             const char **problem)
{
    int role;
    if ((*problem = s_staff_problem (self, call, fields, count, &role)))
        return DH_E_INVALID;
    if (!write)
        return 0;
    *problem = "cannot store the staff member";
    //  Moved to another unit: the old unit's index must forget them.
    Dh__Staff *old;
    int rc = assign_staff_get (self, call, fields [0], &old);
    if (rc == 0) {
        char key [140];
        snprintf (key, sizeof key, "%s|%s", old->unit, old->id);
        rc = dh_txn_del (call->txn, self->unit_staff, key, strlen (key));
    }
    if (rc && rc != DH_E_NOT_FOUND)
        return rc;
    Dh__Staff staff = DH__STAFF__INIT;
    staff.id = (char *) fields [0];
    staff.name = (char *) fields [1];
    staff.unit = (char *) fields [2];
    staff.role = role;
    staff.email = (char *) fields [4];
    char key [140];
    snprintf (key, sizeof key, "%s|%s", staff.unit, staff.id);
    uint8_t role_byte = role;
    if ((rc = dh_call_put_message (call, self->staff, staff.id, &staff.base)))
        return rc;
    return dh_txn_put (call->txn, self->unit_staff, key, strlen (key), &role_byte, 1);
}

//  Some staff member is an operator (unit_staff holds each one's role).
static bool
s_has_operator (assign_t *self, dh_call_t *call)
{
    dh_cursor_t *cursor;
    if (dh_cursor_open (call->txn, self->unit_staff, &cursor))
        return false;
    dh_val_t key, value;
    bool found = false;
    for (int rc = dh_cursor_first (cursor, &key, &value); rc == 0 && !found;
         rc = dh_cursor_next (cursor, &key, &value))
        found = value.size == 1 && *(const uint8_t *) value.data == DH__ROLE__OPERATOR;
    dh_cursor_close (&cursor);
    return found;
}

static int
s_org_import (dh_call_t *call, void *state)
{
    assign_t *self = state;
    Dh__ImportCsv *import;
    int rc = dh_call_unpack (call, &dh__import_csv__descriptor, (ProtobufCMessage **) &import);
    if (rc)
        return rc;
    bool units = !strcmp (import->name, "units");
    if (!units && strcmp (import->name, "staff"))
        return dh_call_fail (call, DH_E_INVALID, "org import takes 'units' or 'staff', not '%.40s'", import->name);
    //  The first import comes from whoever installs the system; once the
    //  chart names its people, only its operators change it.
    uint64_t staff_count;
    rc = dh_txn_count (call->txn, self->staff, &staff_count);
    if (rc)
        return dh_call_fail (call, rc, "cannot count staff: %s", dh_strerror (rc));
    if (staff_count > 0) {
        Dh__Staff *importer;
        //  No such person (an empty actor is a key LMDB refuses) is no operator.
        rc = assign_staff_get (self, call, call->envelope->actor, &importer);
        if (rc && rc != DH_E_NOT_FOUND && rc != DH_E_TOO_BIG)
            return dh_call_fail (call, rc, "org import: cannot read staff %.64s: %s",
                                 call->envelope->actor, dh_strerror (rc));
        if (rc || importer->role != DH__ROLE__OPERATOR)
            return dh_call_fail (call, DH_E_DENIED, "org import: only an operator of the org chart may change it, "
                                 "and '%.64s' is not one", call->envelope->actor);
    }
    //  Pass 0 checks the shape of every row, pass 1 checks references and
    //  writes; a bad row in pass 1 makes the handler fail after writing,
    //  and the service runs the batch again without this command.
    uint32_t rows = 0;
    for (int pass = 0; pass < 2; pass++) {
        dh_csv_t csv;
        dh_csv_init (&csv, import->text);
        const char *fields [DH_CSV_MAX_FIELDS];
        int count;
        const char *problem = NULL;
        s_row_fn *row = units? s_unit_row: s_staff_row;
        rows = 0;
        while ((count = dh_csv_row (&csv, fields, DH_CSV_MAX_FIELDS)) > 0) {
            if (!strcmp (fields [0], units? "code": "id"))
                continue;
            if ((rc = row (self, call, fields, count, pass == 1, &problem)))
                break;
            rows++;
        }
        if (count < 0) {
            rc = count;
            problem = count == DH_E_NOMEM? "no memory for a row": "unterminated quote or too many columns";
        }
        size_t line = csv.line;
        dh_csv_free (&csv);
        if (rc)
            return dh_call_fail (call, rc, "%s line %zu: %s", import->name, line, problem);
        if (rows == 0)
            return dh_call_fail (call, DH_E_INVALID, "%s has no rows", import->name);
    }
    //  After writing, so a row that demotes the last operator counts.
    if (!units && !s_has_operator (self, call))
        return dh_call_fail (call, DH_E_INVALID, "staff would leave no operator: no one could change "
                             "the org chart after it");
    rc = dh_service_audit (call->service, call->txn, call->envelope->actor, "org-import", import->name);
    if (rc)
        return rc;
    zsys_info ("assign: %s imported, %u rows, by %s", import->name, rows, call->envelope->actor);
    Dh__ImportReply reply = DH__IMPORT_REPLY__INIT;
    reply.rows = rows;
    return dh_call_reply_message (call, &reply.base);
}

int
assign_unit_get (assign_t *self, dh_call_t *call, const char *code, Dh__Unit **unit)
{
    return dh_call_get_message (call, self->units, code, &dh__unit__descriptor, (ProtobufCMessage **) unit);
}

int
assign_staff_get (assign_t *self, dh_call_t *call, const char *id, Dh__Staff **staff)
{
    return dh_call_get_message (call, self->staff, id, &dh__staff__descriptor, (ProtobufCMessage **) staff);
}

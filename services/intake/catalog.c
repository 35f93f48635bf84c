//  The procedure catalog (thủ tục hành chính): import from CSV, look up.
#include <errno.h>
#include <math.h>
#include "dh_call.h"
#include "dh_csv.h"
#include "dh_error.h"
#include "dh_types.h"
#include "intake.h"

static dh_handler_fn s_catalog_import;

const dh_command_t intake_catalog_commands [] = {
    { DH_MSG_CATALOG_IMPORT, s_catalog_import, DH_FROM_CLIENT, 0, false, NULL },
    { 0 }
};

//  Columns of deploy/catalog/procedures.csv, in order.
enum {
    COL_CODE, COL_NAME, COL_AGENCY, COL_LEAD_UNIT, COL_HOURS_IN_PERSON, COL_HOURS_ONLINE,
    COL_HOURS_POST, COL_SAME_DAY, COL_CALENDAR_DAYS, COL_SUPPLEMENT_POLICY,
    COL_SUPPLEMENT_HOURS, COL_RULE_VERSION, COL_COUNT
};

static int
s_number (const char *text, double max, double *value)
{
    char *end;
    errno = 0;
    *value = strtod (text, &end);
    return errno || end == text || *end || !isfinite (*value) || *value < 0 || *value > max? -1: 0;
}

static bool
s_code_ok (const char *text, size_t max)
{
    size_t length = strlen (text);
    if (!length || length > max)
        return false;
    for (size_t i = 0; i < length; i++)
        if (!(isalnum ((unsigned char) text [i]) || strchr (".-_", text [i])))
            return false;
    return true;
}

//  One row to a Procedure, or an error text naming the column.
static const char *
s_parse_row (const char **fields, int count, Dh__Procedure *procedure)
{
    if (count != COL_COUNT)
        return "wrong number of columns (want 12: code,name,agency,lead_unit,hours_in_person,"
               "hours_online,hours_post,same_day,calendar_days,supplement_policy,supplement_hours,rule_version)";
    if (!s_code_ok (fields [COL_CODE], 64))
        return "code must be 1-64 letters, digits, '.', '-' or '_'";
    if (!*fields [COL_NAME] || strlen (fields [COL_NAME]) > 500)
        return "name must be 1-500 bytes";
    if (!s_code_ok (fields [COL_AGENCY], INTAKE_AGENCY_MAX))
        return "agency code must be 1-32 letters, digits, '.', '-' or '_'";
    if (!s_code_ok (fields [COL_LEAD_UNIT], 64))
        return "lead_unit must be a unit code";
    double hours [3];
    for (int i = 0; i < 3; i++)
        if (s_number (fields [COL_HOURS_IN_PERSON + i], 24 * 365, &hours [i]))
            return "hours must be a number of working hours, 0 or more";
    bool same_day = !strcmp (fields [COL_SAME_DAY], "1") || !strcmp (fields [COL_SAME_DAY], "yes");
    if (!same_day && strcmp (fields [COL_SAME_DAY], "0") && strcmp (fields [COL_SAME_DAY], "no")
    &&  *fields [COL_SAME_DAY])
        return "same_day must be 0/1 or no/yes";
    double days;
    if (s_number (*fields [COL_CALENDAR_DAYS]? fields [COL_CALENDAR_DAYS]: "0", 3650, &days) || days != floor (days))
        return "calendar_days must be a whole number";
    int kinds = (hours [0] > 0) + same_day + (days > 0);
    if (kinds != 1)
        return "give exactly one of: working hours, same_day, calendar_days";
    if (hours [0] > 0 && (hours [1] <= 0 || hours [2] <= 0))
        return "give working hours for every channel (in person, online, post)";
    if (strcmp (fields [COL_SUPPLEMENT_POLICY], "extend") && strcmp (fields [COL_SUPPLEMENT_POLICY], "restart"))
        return "supplement_policy must be extend or restart";
    double supplement_hours;
    if (s_number (*fields [COL_SUPPLEMENT_HOURS]? fields [COL_SUPPLEMENT_HOURS]: "0", 24 * 365, &supplement_hours))
        return "supplement_hours must be a number";
    if (!*fields [COL_RULE_VERSION] || strlen (fields [COL_RULE_VERSION]) > 100)
        return "rule_version must be 1-100 bytes";
    procedure->code = (char *) fields [COL_CODE];
    procedure->name = (char *) fields [COL_NAME];
    procedure->agency = (char *) fields [COL_AGENCY];
    procedure->lead_unit = (char *) fields [COL_LEAD_UNIT];
    procedure->hours_in_person = hours [0];
    procedure->hours_online = hours [1];
    procedure->hours_post = hours [2];
    procedure->same_day = same_day;
    procedure->calendar_days = (uint32_t) days;
    procedure->restart_after_supplement = !strcmp (fields [COL_SUPPLEMENT_POLICY], "restart");
    procedure->supplement_hours = supplement_hours;
    procedure->rule_version = (char *) fields [COL_RULE_VERSION];
    return NULL;
}

//  Every row is checked before anything is written: a file with one bad
//  row changes nothing.
static int
s_catalog_import (dh_call_t *call, void *state)
{
    intake_t *self = state;
    Dh__ImportCsv *import;
    int rc = dh_call_unpack (call, &dh__import_csv__descriptor, (ProtobufCMessage **) &import);
    if (rc)
        return rc;
    for (int pass = 0; pass < 2; pass++) {
        dh_csv_t csv;
        dh_csv_init (&csv, import->text);
        const char *fields [DH_CSV_MAX_FIELDS];
        int count, rows = 0;
        rc = 0;
        while ((count = dh_csv_row (&csv, fields, DH_CSV_MAX_FIELDS)) > 0) {
            if (!strcmp (fields [0], "code"))
                continue;       //  the header
            Dh__Procedure procedure = DH__PROCEDURE__INIT;
            const char *problem = s_parse_row (fields, count, &procedure);
            if (problem) {
                rc = dh_call_fail (call, DH_E_INVALID, "%s line %zu: %s", import->name, csv.line, problem);
                break;
            }
            rows++;
            if (pass == 1) {
                if ((rc = dh_call_put_message (call, self->procedures, procedure.code, &procedure.base))) {
                    rc = dh_call_fail (call, rc, "%s line %zu: cannot store the procedure: %s",
                                       import->name, csv.line, dh_strerror (rc));
                    break;
                }
            }
        }
        if (count == DH_E_NOMEM && !rc)
            rc = dh_call_fail (call, count, "%s line %zu: no memory for a row", import->name, csv.line);
        else
        if (count < 0 && !rc)
            rc = dh_call_fail (call, DH_E_INVALID, "%s line %zu: unterminated quote or too many columns",
                               import->name, csv.line);
        dh_csv_free (&csv);
        if (rc)
            return rc;
        if (pass == 0 && rows == 0)
            return dh_call_fail (call, DH_E_INVALID, "%s has no procedures", import->name);
        if (pass == 1) {
            Dh__ImportReply reply = DH__IMPORT_REPLY__INIT;
            reply.rows = rows;
            zsys_info ("intake: catalog %s imported, %d procedures, by %s", import->name, rows,
                       call->envelope->actor);
            if ((rc = dh_service_audit (call->service, call->txn, call->envelope->actor,
                                        "catalog-import", import->name)))
                return rc;
            return dh_call_reply_message (call, &reply.base);
        }
    }
    return 0;
}

int
intake_procedure_get (intake_t *self, dh_call_t *call, const char *code, Dh__Procedure **procedure)
{
    return dh_call_get_message (call, self->procedures, code, &dh__procedure__descriptor,
                                (ProtobufCMessage **) procedure);
}

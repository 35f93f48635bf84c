//  The procedure catalog (thủ tục hành chính) and the process of each
//  procedure (its steps): import from CSV, look up.
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

//  ------------------------------------------------------------ import
//  Every import reads its rows twice: the first pass checks every row,
//  the second writes, so a file with one bad row changes nothing.

typedef struct {
    intake_t *self;
    dh_call_t *call;
    int pass;                   //  0: check, 1: write
    int rc;                     //  set when the problem is not the row's: store, memory
} s_row_t;

//  One row of a table: NULL when it is good (and written in pass 1),
//  else what is wrong with it, or what could not be done when row->rc
//  says the store or memory failed.
typedef const char *(s_row_fn) (s_row_t *row, const char **fields, int count, void *arg);

//  Hand every row of the import's text but its header (the row whose
//  first field is header) to fn, for one pass. The first problem
//  refuses the import, naming the line. *rows gets the rows taken.
static int
s_rows (intake_t *self, dh_call_t *call, const Dh__ImportCsv *import, const char *header,
        s_row_fn *fn, void *arg, int pass, int *rows)
{
    dh_csv_t csv;
    dh_csv_init (&csv, import->text);
    const char *fields [DH_CSV_MAX_FIELDS];
    int count, rc = 0;
    s_row_t row = { self, call, pass, 0 };
    *rows = 0;
    while ((count = dh_csv_row (&csv, fields, DH_CSV_MAX_FIELDS)) > 0) {
        if (!strcmp (fields [0], header))
            continue;
        const char *problem = fn (&row, fields, count, arg);
        if (row.rc) {
            rc = dh_call_fail (call, row.rc, "%s line %zu: %s: %s", import->name, csv.line, problem,
                               dh_strerror (row.rc));
            break;
        }
        if (problem) {
            rc = dh_call_fail (call, DH_E_INVALID, "%s line %zu: %s", import->name, csv.line, problem);
            break;
        }
        (*rows)++;
    }
    if (count == DH_E_NOMEM && !rc)
        rc = dh_call_fail (call, count, "%s line %zu: no memory for a row", import->name, csv.line);
    else
    if (count < 0 && !rc)
        rc = dh_call_fail (call, DH_E_INVALID, "%s line %zu: unterminated quote or too many columns",
                           import->name, csv.line);
    dh_csv_free (&csv);
    return rc;
}

//  A procedure imported again keeps the process steps.csv gave it: a
//  table only replaces what it holds.
static const char *
s_procedure_row (s_row_t *row, const char **fields, int count, void *arg)
{
    (void) arg;
    Dh__Procedure procedure = DH__PROCEDURE__INIT;
    const char *problem = s_parse_row (fields, count, &procedure);
    if (problem || row->pass == 0)
        return problem;
    Dh__Procedure *stored;
    int rc = intake_procedure_get (row->self, row->call, procedure.code, &stored);
    if (rc == 0) {
        procedure.n_steps = stored->n_steps;
        procedure.steps = stored->steps;
    }
    else
    if (rc == DH_E_NOT_FOUND)
        rc = 0;
    if (!rc)
        rc = dh_call_put_message (row->call, row->self->procedures, procedure.code, &procedure.base);
    row->rc = rc;
    return rc? "cannot store the procedure": NULL;
}

//  Columns of deploy/catalog/steps.csv, in order: one step of a
//  procedure's process (quy trình nội bộ) a row, the rows of a procedure
//  in the order its steps are taken.
enum { COL_STEP_PROCEDURE, COL_STEP_NODE, COL_STEP_HOURS, COL_STEP_ROLE, COL_STEP_COUNT };
#define S_STEP_HOURS_MAX 10000
#define S_STEP_NODE_MAX 100     //  as a node started by STEP_START

//  The steps import: the procedures it has given new steps so far.
typedef struct {
    char **seen;
    int seen_count;
} s_steps_t;

static char *
s_scratch_text (dh_service_t *service, const char *text)
{
    size_t size = strlen (text) + 1;
    char *copy = dh_service_scratch (service, size);
    if (copy)
        memcpy (copy, text, size);
    return copy;
}

static const char *
s_step_row (s_row_t *row, const char **fields, int count, void *arg)
{
    s_steps_t *steps = arg;
    dh_call_t *call = row->call;
    if (count != COL_STEP_COUNT)
        return "wrong number of columns (want 4: procedure_code,node,hours,role)";
    const char *code = fields [COL_STEP_PROCEDURE], *node = fields [COL_STEP_NODE];
    const char *role = fields [COL_STEP_ROLE];
    if (!s_code_ok (code, 64))
        return "procedure_code must be 1-64 letters, digits, '.', '-' or '_'";
    if (!*node || strlen (node) > S_STEP_NODE_MAX)
        return "node must be 1-100 bytes";
    double hours;
    if (s_number (fields [COL_STEP_HOURS], S_STEP_HOURS_MAX, &hours) || hours <= 0)
        return "hours must be a number of working hours, more than 0 and at most 10000";
    if (strcmp (role, "clerk") && strcmp (role, "handler") && strcmp (role, "head"))
        return "role must be clerk, handler or head";
    Dh__Procedure *procedure;
    int rc = intake_procedure_get (row->self, call, code, &procedure);
    if (rc == DH_E_NOT_FOUND)
        return "no such procedure in the catalog (import procedures.csv first)";
    if ((row->rc = rc))
        return "cannot read the procedure";
    if (row->pass == 0)
        return NULL;
    //  The first row of a procedure replaces the steps it had; the
    //  next rows add to what this import gave it.
    bool seen = false;
    for (int i = 0; i < steps->seen_count && !seen; i++)
        seen = !strcmp (steps->seen [i], code);
    Dh__ProcessStep *step = dh_service_scratch (call->service, sizeof *step);
    Dh__ProcessStep **list = dh_service_scratch (call->service,
                                                 ((seen? procedure->n_steps: 0) + 1) * sizeof *list);
    if (step)
        dh__process_step__init (step);
    if (!step || !list || !(step->node = s_scratch_text (call->service, node))
    ||  !(step->role = s_scratch_text (call->service, role))
    ||  (!seen && !(steps->seen [steps->seen_count] = s_scratch_text (call->service, code)))) {
        row->rc = DH_E_NOMEM;
        return "no memory for the step";
    }
    step->hours = hours;
    if (!seen) {
        steps->seen_count++;
        procedure->n_steps = 0;
    }
    if (procedure->n_steps)
        memcpy (list, procedure->steps, procedure->n_steps * sizeof *list);
    list [procedure->n_steps++] = step;
    procedure->steps = list;
    row->rc = dh_call_put_message (call, row->self->procedures, code, &procedure->base);
    return row->rc? "cannot store the steps": NULL;
}

//  The table a file holds is its name: steps (steps.csv) is the process
//  of procedures, any other name the procedures themselves.
static int
s_catalog_import (dh_call_t *call, void *state)
{
    intake_t *self = state;
    Dh__ImportCsv *import;
    int rc = dh_call_unpack (call, &dh__import_csv__descriptor, (ProtobufCMessage **) &import);
    if (rc)
        return rc;
    bool is_steps = !strcmp (import->name, "steps");
    const char *header = is_steps? "procedure_code": "code";
    s_row_fn *fn = is_steps? s_step_row: s_procedure_row;
    s_steps_t steps = { NULL, 0 };
    int rows;
    if ((rc = s_rows (self, call, import, header, fn, &steps, 0, &rows)))
        return rc;
    if (rows == 0)
        return dh_call_fail (call, DH_E_INVALID, "%s has no %s", import->name, is_steps? "steps": "procedures");
    if (is_steps && !(steps.seen = dh_service_scratch (call->service, rows * sizeof (char *))))
        return dh_call_fail (call, DH_E_NOMEM, "no memory to import %s", import->name);
    if ((rc = s_rows (self, call, import, header, fn, &steps, 1, &rows)))
        return rc;
    if (is_steps)
        zsys_info ("intake: catalog %s imported, %d steps of %d procedures, by %s", import->name, rows,
                   steps.seen_count, call->envelope->actor);
    else
        zsys_info ("intake: catalog %s imported, %d procedures, by %s", import->name, rows,
                   call->envelope->actor);
    if ((rc = dh_service_audit (call->service, call->txn, call->envelope->actor, "catalog-import", import->name)))
        return dh_call_fail (call, rc, "cannot audit the import of %s: %s", import->name, dh_strerror (rc));
    Dh__ImportReply reply = DH__IMPORT_REPLY__INIT;
    reply.rows = rows;
    return dh_call_reply_message (call, &reply.base);
}

int
intake_procedure_get (intake_t *self, dh_call_t *call, const char *code, Dh__Procedure **procedure)
{
    return dh_call_get_message (call, self->procedures, code, &dh__procedure__descriptor,
                                (ProtobufCMessage **) procedure);
}

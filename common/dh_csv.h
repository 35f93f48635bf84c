/*  dh_csv — read the CSV files operators edit (catalog, org chart,
    holidays): comma-separated, fields may be "quoted" (with "" for a
    quote) so Vietnamese names can hold commas; '#' starts a comment line.  */
#ifndef DH_CSV_H
#define DH_CSV_H

#include <stddef.h>

#define DH_CSV_MAX_FIELDS 32

typedef struct {
    const char *text;           //  the whole file, not owned
    size_t at;
    size_t line;                //  line number of the row last read (1-based)
    char *buffer;               //  the fields of the row, owned
    size_t capacity;
} dh_csv_t;

//  Start reading text (NUL-terminated; the caller keeps it alive).
void dh_csv_init (dh_csv_t *self, const char *text);
void dh_csv_free (dh_csv_t *self);

//  Read the next non-empty row into fields (at most max). Returns the
//  number of fields, 0 at the end, DH_E_INVALID on an unterminated quote
//  or too many fields, DH_E_NOMEM. @note fields point into self: valid until the next row.
int dh_csv_row (dh_csv_t *self, const char **fields, int max);

#endif

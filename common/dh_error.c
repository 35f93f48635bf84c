#include "dh_error.h"

typedef struct {
    int code;
    const char *name;
    const char *text;
} s_error_row_t;

static const s_error_row_t s_errors [] = {
#define DH_ERROR_ROW(sym, num, name, text) { num, name, text },
    DH_ERROR_LIST (DH_ERROR_ROW)
#undef DH_ERROR_ROW
};

static const s_error_row_t *
s_find (int code)
{
    if (code > 0)
        code = -code;
    for (unsigned i = 0; i < sizeof s_errors / sizeof s_errors [0]; i++)
        if (s_errors [i].code == code)
            return &s_errors [i];
    return 0;
}

const char *
dh_strerror (int code)
{
    const s_error_row_t *row = s_find (code);
    return row? row->text: "unknown error";
}

const char *
dh_errname (int code)
{
    const s_error_row_t *row = s_find (code);
    return row? row->name: "E_UNKNOWN";
}

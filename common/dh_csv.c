#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "dh_csv.h"
#include "dh_error.h"

void
dh_csv_init (dh_csv_t *self, const char *text)
{
    memset (self, 0, sizeof *self);
    self->text = text;
}

void
dh_csv_free (dh_csv_t *self)
{
    free (self->buffer);
    self->buffer = NULL;
}

int
dh_csv_row (dh_csv_t *self, const char **fields, int max)
{
    const char *text = self->text;
    for (;;) {
        if (!text [self->at])
            return 0;
        size_t end = self->at;
        bool quoted = false;
        //  Find the end of the row, minding quotes that may span commas.
        while (text [end] && (quoted || text [end] != '\n')) {
            if (text [end] == '"')
                quoted = !quoted;
            end++;
        }
        self->line++;
        size_t start = self->at;
        self->at = text [end]? end + 1: end;
        if (quoted)
            return DH_E_INVALID;
        size_t length = end - start;
        while (length && (text [start + length - 1] == '\r' || text [start + length - 1] == ' '))
            length--;
        size_t skip = 0;
        while (skip < length && (text [start + skip] == ' ' || text [start + skip] == '\t'))
            skip++;
        if (skip == length || text [start + skip] == '#')
            continue;           //  blank or comment
        if (length + 1 > self->capacity) {
            free (self->buffer);
            self->buffer = malloc (length + 64);
            self->capacity = self->buffer? length + 64: 0;
            if (!self->buffer)
                return DH_E_NOMEM;
        }
        int count = 0;
        char *out = self->buffer;
        fields [count++] = out;
        bool in_quotes = false;
        for (size_t i = start; i < start + length; i++) {
            char c = text [i];
            if (c == '"') {
                if (in_quotes && i + 1 < start + length && text [i + 1] == '"') {
                    *out++ = '"';
                    i++;
                }
                else
                    in_quotes = !in_quotes;
            }
            else
            if (c == ',' && !in_quotes) {
                *out++ = 0;
                if (count == max)
                    return DH_E_INVALID;
                fields [count++] = out;
            }
            else
                *out++ = c;
        }
        *out = 0;
        return count;
    }
}

//  The smallest test harness: CHECK counts and reports, main returns the verdict.
#ifndef UNIT_H
#define UNIT_H

#include <stdio.h>
#include <stdlib.h>

static int s_unit_checks, s_unit_failures;

#define CHECK(cond, ...) do { s_unit_checks++; if (!(cond)) { s_unit_failures++; \
    fprintf (stderr, "%s:%d: ", __FILE__, __LINE__); fprintf (stderr, __VA_ARGS__); \
    fprintf (stderr, "\n"); } } while (0)

#define UNIT_DONE(name) (printf ("%s: %d checks, %d failed\n", name, s_unit_checks, s_unit_failures), \
                         s_unit_failures? 1: 0)

//  A fresh folder under /tmp; the caller removes it with unit_rmdir.
static inline char *
unit_tmpdir (void)
{
    char *path = strdup ("/tmp/dh-unit-XXXXXX");
    return mkdtemp (path);
}

static inline void
unit_rmdir (char *path)
{
    char command [300];
    snprintf (command, sizeof command, "rm -rf '%s'", path);
    if (system (command)) {}
    free (path);
}

#endif

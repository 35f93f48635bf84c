//  dh_config: defaults with {run_dir} and {service}, the file, --set,
//  unknown keys refused, numbers checked, another service's keys.
#include <czmq.h>
#include "dh_config.h"
#include "dh_error.h"
#include "unit.h"

static const dh_config_key_t s_keys [] = {
    { "calendar", "deploy/calendar", "calendar folder", false },
    { NULL, NULL, NULL, false }
};

int
main (void)
{
    zsys_set_logstream (NULL);
    char *folder = unit_tmpdir ();
    char *path = zsys_sprintf ("%s/dunghan.cfg", folder);
    FILE *file = fopen (path, "w");
    fprintf (file, "run_dir = /srv/dh\nintake\n    batch_limit = 64\n    calendar = /etc/cal\nassign\n    api = tcp://10.0.0.2:7001\n");
    fclose (file);

    dh_config_t *config;
    char *argv [] = { "dunghan-intake", "--config", path, "--set", "window=5", "--set", "intake/resend_ms=250", "extra", NULL };
    CHECK (dh_config_load ("intake", "usage", 8, argv, s_keys, &config) == 0, "load");
    CHECK (!strcmp (dh_config_get (config, "run_dir"), "/srv/dh"), "top-level key");
    CHECK (!strcmp (dh_config_get (config, "api"), "ipc:///srv/dh/intake.api"), "default expanded: %s",
           dh_config_get (config, "api"));
    CHECK (!strcmp (dh_config_get (config, "data"), "/srv/dh/intake.lmdb"), "data default");
    CHECK (!strcmp (dh_config_get (config, "calendar"), "/etc/cal"), "own key from the file");
    CHECK (!strcmp (dh_config_get_for (config, "assign", "api"), "tcp://10.0.0.2:7001"), "another service's key");
    CHECK (!strcmp (dh_config_get_for (config, "deadline", "api"), "ipc:///srv/dh/deadline.api"), "another default");
    CHECK (dh_config_get (config, "no_such_key") == NULL, "unknown key has no value");
    int64_t value;
    CHECK (dh_config_int (config, "batch_limit", 1, 100000, &value) == 0 && value == 64, "file number");
    CHECK (dh_config_int (config, "window", 1, 100, &value) == 0 && value == 5, "--set number");
    CHECK (dh_config_int (config, "resend_ms", 1, 1000, &value) == 0 && value == 250, "--set with section");
    CHECK (dh_config_int (config, "resend_ms", 300, 1000, &value) == DH_E_CONFIG, "out of range");
    CHECK (dh_config_int (config, "api", 0, 10, &value) == DH_E_CONFIG, "not a number");
    CHECK (dh_config_argc (config) == 1 && !strcmp (dh_config_argv (config) [0], "extra"), "positional left");
    dh_config_destroy (&config);
    dh_config_destroy (&config);

    char *bad_set [] = { "x", "--set", "colour=blue", NULL };
    CHECK (dh_config_load ("intake", "usage", 3, bad_set, s_keys, &config) == DH_E_CONFIG, "--set of an unknown key");
    char *no_equals [] = { "x", "--set", "window", NULL };
    CHECK (dh_config_load ("intake", "usage", 3, no_equals, s_keys, &config) == DH_E_CONFIG, "--set without =");
    file = fopen (path, "w");
    fprintf (file, "intake\n    batch_limt = 64\n");
    fclose (file);
    char *typo [] = { "x", "--config", path, NULL };
    CHECK (dh_config_load ("intake", "usage", 3, typo, s_keys, &config) == DH_E_CONFIG, "a typo in our section");
    CHECK (dh_config_load_file ("assign", path, NULL, &config) == 0, "another section's typo is not ours");
    dh_config_destroy (&config);
    //  The sections name the daemons deployed, an empty one too, each
    //  once even when the file names it twice (its keys then merge).
    file = fopen (path, "w");
    fprintf (file, "run_dir = /srv/dh\ntest_clock = 1\nintake\n    batch_limit = 64\ndeadline\n"
                   "assign\nintake\n    batch_limit = 32\n    window = 7\n");
    fclose (file);
    CHECK (dh_config_load_file ("intake", path, s_keys, &config) == 0, "a file naming a section twice");
    const char *sections [] = { "intake", "deadline", "assign", NULL };
    for (size_t i = 0; i < 4; i++) {
        const char *name = dh_config_section (config, i);
        CHECK (sections [i]? name && !strcmp (name, sections [i]): !name, "section %zu: %s, not %s",
               i, sections [i]? sections [i]: "none", name? name: "none");
    }
    CHECK (dh_config_int (config, "batch_limit", 1, 100000, &value) == 0 && value == 32, "the later value wins");
    CHECK (dh_config_int (config, "window", 1, 100, &value) == 0 && value == 7, "the second part's own key");
    CHECK (!strcmp (dh_config_get (config, "run_dir"), "/srv/dh"), "top-level keys are no sections");
    dh_config_destroy (&config);
    unsetenv ("DUNGHAN_CONFIG");
    CHECK (dh_config_load_file ("ctl", NULL, NULL, &config) == 0, "no file");
    CHECK (dh_config_section (config, 0) == NULL, "no file, no section");
    dh_config_destroy (&config);
    file = fopen (path, "w");
    fprintf (file, "assign\nintake\n    batch_limt = 64\n");
    fclose (file);
    char *typo_later [] = { "x", "--config", path, NULL };
    CHECK (dh_config_load ("intake", "usage", 3, typo_later, s_keys, &config) == DH_E_CONFIG,
           "a typo in the second part of our section");

    char *missing [] = { "x", "--config", "/nonexistent/dunghan.cfg", NULL };
    CHECK (dh_config_load ("intake", "usage", 3, missing, s_keys, &config) == DH_E_CONFIG, "missing file");
    free (path);
    unit_rmdir (folder);
    return UNIT_DONE ("config");
}

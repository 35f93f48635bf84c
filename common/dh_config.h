/*  dh_config — one configuration file (ZPL, read by zconfig) that every
    daemon and dunghanctl read, each key with a default in one table.

    A daemon's keys live in its own section ("intake/api"); keys shared by
    all (run_dir, test_clock, curve) sit at the top. Defaults may say
    {run_dir} and {service}. The command line can override any key with
    --set key=value; --help prints every key with its default and meaning.

    The sections also say which daemons are deployed: a daemon is named
    by its section, even an empty one, so that dunghanctl knows whom to
    ask (and reports one that is down) without a list in code. A section
    named twice (a script that appends to a file) is one section, later
    keys winning.  */
#ifndef DH_CONFIG_H
#define DH_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char *key;            //  "api", or "/run_dir" for a top-level key
    const char *value;          //  default (may hold {run_dir}, {service})
    const char *help;
    //  A file or folder: a relative value in the configuration file is
    //  taken from the file's folder, so a daemon started anywhere finds
    //  it (a --set value stays relative to the working directory).
    bool path;
} dh_config_key_t;

typedef struct _dh_config_t dh_config_t;

//  dh_config_load returns this (positive) after printing --help.
#define DH_CONFIG_HELP 1

//  Read argv (--config FILE, --set key=value, --help) and the file.
//  extra is the daemon's own key table (NULL-key terminated) or NULL.
//  usage is printed first by --help. Without --config the file named by
//  $DUNGHAN_CONFIG is read, if set. Errors: DH_E_CONFIG with the reason
//  logged (unreadable file, unknown key in the service's section, bad
//  --set).
int dh_config_load (const char *service, const char *usage, int argc, char **argv,
                    const dh_config_key_t *extra, dh_config_t **self_p);

//  A configuration from a file only (dunghanctl, tests). path may be NULL.
int dh_config_load_file (const char *service, const char *path,
                         const dh_config_key_t *extra, dh_config_t **self_p);

void dh_config_destroy (dh_config_t **self_p);

//  The value of one of this service's keys, defaults applied.
//  @note owned by the config; valid until it is destroyed. Never NULL for
//  a key in a table; NULL for a key in none.
const char *dh_config_get (dh_config_t *self, const char *key);

//  The same key as another service sees it ("assign", "api").
const char *dh_config_get_for (dh_config_t *self, const char *service, const char *key);

//  A numeric key; DH_E_CONFIG (logged) if it is not a number in range.
int dh_config_int (dh_config_t *self, const char *key, int64_t min, int64_t max, int64_t *value);

//  Arguments left after the options were taken (positional ones).
int dh_config_argc (dh_config_t *self);
char **dh_config_argv (dh_config_t *self);

const char *dh_config_service (dh_config_t *self);

//  The index-th section of the file (from 0), in the order the file first
//  names them: the daemons deployed ("intake", "assign"). NULL past the
//  last. A section of dunghanctl's own ("ctl") is listed like any other.
//  @note owned by the config; valid until it is destroyed.
const char *dh_config_section (dh_config_t *self, size_t index);

#endif

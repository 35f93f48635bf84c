#include "dh_auth.h"
#include "dh_clock.h"
#include "dh_daemon.h"
#include "dh_error.h"

#define S_STOP_HOOKS 8

typedef struct {
    dh_daemon_stop_fn *fn;
    void *arg;
} s_stop_hook_t;

struct _dh_daemon_t {
    char *name;
    dh_config_t *config;
    zloop_t *loop;
    dh_auth_t *auth;            //  its certificate and ZAP handler
    char *ready_file;
    zlist_t *ready_lines;       //  "key=value", owned
    bool wrote_ready;           //  a second instance refused must not remove the first's
    s_stop_hook_t stop_hooks [S_STOP_HOOKS];
    size_t stop_hook_count;
};

//  A daemon is its certificate: peers accept its link messages only when
//  the certificate's name is the service's, so a mismatch would be
//  refused by every peer later. Say so now instead.
static int
s_authenticate (dh_daemon_t *self, int *why)
{
    self->auth = dh_auth_new (self->config, NULL, why);
    if (!self->auth)
        return *why;
    if (strcmp (dh_auth_role (self->auth), DH_ROLE_SERVICE) || strcmp (dh_auth_name (self->auth), self->name)) {
        zsys_error ("%s: its certificate says %s, role %s; a daemon needs name %s, role service",
                    self->name, dh_auth_name (self->auth), dh_auth_role (self->auth), self->name);
        return *why = DH_E_CONFIG;
    }
    return *why = dh_auth_serve (self->auth);
}

//  A ready file whose process is gone (killed, the server lost power)
//  must not say a daemon is ready before this one is: remove it. One
//  whose process lives is left to it (this one will find the store busy).
static void
s_remove_stale_ready (dh_daemon_t *self)
{
    FILE *file = fopen (self->ready_file, "r");
    if (!file)
        return;
    int pid = 0;
    bool named = fscanf (file, "pid=%d", &pid) == 1 && pid > 0;
    fclose (file);
    if (!named || (kill (pid, 0) && errno == ESRCH)) {
        zsys_info ("%s: removing the ready file of process %d, which is gone", self->name, pid);
        unlink (self->ready_file);
    }
}

static int64_t s_started_at;

dh_daemon_t *
dh_daemon_new (dh_config_t *config, int *why)
{
    s_started_at = zclock_time ();
    *why = DH_E_NOMEM;
    dh_daemon_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->config = config;
    self->name = strdup (dh_config_service (config));
    self->ready_file = strdup (dh_config_get (config, "ready_file"));
    self->ready_lines = zlist_new ();
    self->loop = zloop_new ();
    if (!self->name || !self->ready_file || !self->ready_lines || !self->loop)
        goto fail;
    zlist_autofree (self->ready_lines);
    int64_t test_clock, test_clock_start;
    if (dh_config_int (config, "test_clock", 0, 1, &test_clock)
    ||  dh_config_int (config, "test_clock_start", 0, INT64_MAX, &test_clock_start)) {
        *why = DH_E_CONFIG;
        goto fail;
    }
    if (test_clock) {
        dh_clock_set_test_mode (true);
        if (test_clock_start)
            dh_clock_set (test_clock_start);
        zsys_warning ("%s: test clock on: CLOCK commands can move time", self->name);
    }
    const char *run_dir = dh_config_get (config, "run_dir");
    if (zsys_dir_create ("%s", run_dir)) {
        zsys_error ("%s: cannot create run folder %s", self->name, run_dir);
        *why = DH_E_IO;
        goto fail;
    }
    s_remove_stale_ready (self);
    if (s_authenticate (self, why))
        goto fail;
    return self;
fail:
    dh_daemon_destroy (&self);
    return NULL;
}

void
dh_daemon_destroy (dh_daemon_t **self_p)
{
    dh_daemon_t *self = *self_p;
    if (!self)
        return;
    while (self->stop_hook_count) {
        s_stop_hook_t *hook = &self->stop_hooks [--self->stop_hook_count];
        hook->fn (hook->arg);
    }
    //  Its monitors are read on the loop: they go first.
    dh_auth_destroy (&self->auth);
    zloop_destroy (&self->loop);
    if (self->wrote_ready)
        unlink (self->ready_file);
    zlist_destroy (&self->ready_lines);
    free (self->ready_file);
    free (self->name);
    free (self);
    *self_p = NULL;
}

int
dh_daemon_ready_add (dh_daemon_t *self, const char *key, const char *value)
{
    char *line = zsys_sprintf ("%s=%s", key, value);
    if (!line)
        return DH_E_NOMEM;
    int rc = zlist_append (self->ready_lines, line);
    free (line);                //  autofree kept a copy
    return rc? DH_E_NOMEM: 0;
}

int
dh_daemon_on_stop (dh_daemon_t *self, dh_daemon_stop_fn *fn, void *arg)
{
    assert (self->stop_hook_count < S_STOP_HOOKS);
    self->stop_hooks [self->stop_hook_count++] = (s_stop_hook_t) { fn, arg };
    return 0;
}

//  Written under another name and renamed, so a reader never sees half.
static int
s_write_ready (dh_daemon_t *self)
{
    char *partial = zsys_sprintf ("%s.partial", self->ready_file);
    FILE *file = partial? fopen (partial, "w"): NULL;
    if (!file) {
        zsys_warning ("%s: cannot write ready file %s", self->name, self->ready_file);
        free (partial);
        return DH_E_IO;
    }
    fprintf (file, "pid=%d\n", getpid ());
    for (const char *line = zlist_first (self->ready_lines); line; line = zlist_next (self->ready_lines))
        fprintf (file, "%s\n", line);
    int rc = fclose (file) || rename (partial, self->ready_file)? DH_E_IO: 0;
    self->wrote_ready = !rc;
    if (rc)
        zsys_warning ("%s: cannot write ready file %s", self->name, self->ready_file);
    free (partial);
    return rc;
}

int
dh_daemon_run (dh_daemon_t *self)
{
    s_write_ready (self);
    zsys_info ("%s: ready (%s)", self->name, self->ready_file);
    zloop_start (self->loop);
    zsys_info ("%s: stopping", self->name);
    return 0;
}

int64_t
dh_daemon_started_at (void)
{
    return s_started_at;
}

zloop_t *
dh_daemon_loop (dh_daemon_t *self)
{
    return self->loop;
}

dh_config_t *
dh_daemon_config (dh_daemon_t *self)
{
    return self->config;
}

const char *
dh_daemon_name (dh_daemon_t *self)
{
    return self->name;
}

dh_auth_t *
dh_daemon_auth (dh_daemon_t *self)
{
    return self->auth;
}

int
dh_daemon_main (const char *name, const char *usage, int argc, char **argv,
                const dh_config_key_t *keys, dh_daemon_setup_fn *setup, void *state)
{
    char *ident = zsys_sprintf ("dunghan-%s", name);
    zsys_set_logident (ident);
    zsys_set_logstream (stderr);
    dh_config_t *config;
    int rc = dh_config_load (name, usage, argc, argv, keys, &config);
    if (rc == DH_CONFIG_HELP || rc) {
        free (ident);
        return rc == DH_CONFIG_HELP? 0: DH_EXIT_CONFIG;
    }
    int status = 0, why;
    dh_daemon_t *daemon = dh_daemon_new (config, &why);
    if (!daemon)
        status = why == DH_E_CONFIG? DH_EXIT_CONFIG: 1;     //  dh_daemon_new said why
    else
    if ((rc = setup (daemon, state))) {
        zsys_error ("%s: cannot start: %s", name, dh_strerror (rc));
        status = rc == DH_E_CONFIG || rc == DH_E_LAYOUT? DH_EXIT_CONFIG: 1;
    }
    else
        dh_daemon_run (daemon);
    dh_daemon_destroy (&daemon);
    dh_config_destroy (&config);
    free (ident);
    return status;
}

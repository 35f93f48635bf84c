#include <czmq.h>
#include "dh_config.h"
#include "dh_error.h"

//  Keys every daemon has.
static const dh_config_key_t s_common_keys [] = {
    { "/run_dir",     "/var/lib/dunghan", "folder for sockets, stores and ready files", true },
    { "/test_clock",  "0",     "1 lets CLOCK commands set and advance time (tests only)", false },
    { "/certs",       "{run_dir}/certs", "public certificates (*.cert) of every program and person let in; whoever writes here mints identities", true },
    { "cert",         "{certs}/{service}.cert", "this program's certificate (its secret half beside it, *.cert_secret, readable by it alone)", true },
    { "api",          "ipc://{run_dir}/{service}.api", "command endpoint (ROUTER); tcp://host:port for several servers", false },
    { "events",       "ipc://{run_dir}/{service}.events", "event feed endpoint (PUB)", false },
    { "events_queue", "100000", "events kept for a subscriber that falls behind; past that the feed drops them for it (it sees a gap in seq)", false },
    { "data",         "{run_dir}/{service}.lmdb", "LMDB environment folder", true },
    { "ready_file",   "{run_dir}/{service}.ready", "written when the daemon is ready, removed on stop", true },
    { "batch_limit",  "2048",  "most messages applied in one commit (group commit)", false },
    { "commit_linger_us", "1000", "after a commit, wait up to this long for the senders just answered to send again, so they share the next commit (0 = never wait)", false },
    { "commit_linger_gap_us", "200", "stop waiting when no message came for this long", false },
    { "window",       "256",   "most unacknowledged link batches in flight per peer (a batch: what one commit wrote for the peer)", false },
    { "resend_ms",    "1000",  "resend unacknowledged link messages after this many ms", false },
    { "max_message",  "1048576", "largest accepted message, bytes", false },
    { "map_size_mb",  "64",    "initial LMDB map size, MiB", false },
    { "map_max_mb",   "16384", "the LMDB map never grows past this, MiB", false },
    { "idempotency_hours", "24", "a command's idempotency key is remembered this long: a retry with it within the window is answered, not applied again", false },
    { "test_clock_start", "0", "with test_clock = 1 only: the instant (UTC ms) the test clock starts at, so a "
      "daemon restarted by a test goes on at the test's time (0 = the real time)", false },
    { "test_fail_alloc", "0",  "with test_clock = 1 only: the Nth scratch allocation of every batch fails, as if out of memory (0 = never)", false },
    { NULL, NULL, NULL, false }
};

struct _dh_config_t {
    char *service;
    zconfig_t *root;
    const dh_config_key_t *extra;
    zhash_t *cache;             //  expanded values we hand out
    int argc;
    char **argv;
};

static const dh_config_key_t *
s_find_in (const dh_config_key_t *table, const char *key)
{
    for (; table && table->key; table++) {
        const char *name = table->key [0] == '/'? table->key + 1: table->key;
        if (!strcmp (name, key))
            return table;
    }
    return NULL;
}

static const dh_config_key_t *
s_find (dh_config_t *self, const char *key)
{
    const dh_config_key_t *row = s_find_in (s_common_keys, key);
    return row? row: s_find_in (self->extra, key);
}

//  Replace {run_dir} and {service}. Caller frees.
static char *
s_expand (dh_config_t *self, const char *value, const char *service)
{
    const char *run_dir = zconfig_get (self->root, "run_dir", NULL);
    if (!run_dir)
        run_dir = s_find_in (s_common_keys, "run_dir")->value;
    char *result = strdup (value);
    const char *names [] = { "{run_dir}", "{service}" };
    const char *values [] = { run_dir, service };
    for (int i = 0; i < 2; i++) {
        char *at;
        while ((at = strstr (result, names [i]))) {
            char *next = zsys_sprintf ("%.*s%s%s", (int) (at - result), result,
                                       values [i], at + strlen (names [i]));
            free (result);
            result = next;
        }
    }
    return result;
}

static const char *
s_get (dh_config_t *self, const char *service, const char *key)
{
    const dh_config_key_t *row = s_find (self, key);
    if (!row)
        return NULL;
    bool top = row->key [0] == '/';
    char *path = top? strdup (key): zsys_sprintf ("%s/%s", service, key);
    const char *raw = zconfig_get (self->root, path, NULL);
    char *value = s_expand (self, raw? raw: row->value, service);
    char *cache_key = zsys_sprintf ("%s|%s", service, key);
    const char *old = zhash_lookup (self->cache, cache_key);
    if (old && !strcmp (old, value)) {
        free (value);
        value = (char *) old;
    }
    else {
        zhash_update (self->cache, cache_key, value);
        zhash_freefn (self->cache, cache_key, free);
    }
    free (cache_key);
    free (path);
    return value;
}

const char *
dh_config_get (dh_config_t *self, const char *key)
{
    return s_get (self, self->service, key);
}

const char *
dh_config_get_for (dh_config_t *self, const char *service, const char *key)
{
    return s_get (self, service, key);
}

int
dh_config_int (dh_config_t *self, const char *key, int64_t min, int64_t max, int64_t *value)
{
    const char *text = dh_config_get (self, key);
    char *end;
    errno = 0;
    long long number = text? strtoll (text, &end, 10): 0;
    if (!text || errno || end == text || *end || number < min || number > max) {
        zsys_error ("config: %s/%s = '%s' is not a number from %lld to %lld",
                    self->service, key, text? text: "", (long long) min, (long long) max);
        return DH_E_CONFIG;
    }
    *value = number;
    return 0;
}

static void
s_print_help (dh_config_t *self, const char *usage)
{
    printf ("%s\n", usage);
    printf ("options:\n"
            "  --config FILE      configuration file (ZPL); default $DUNGHAN_CONFIG\n"
            "  --set KEY=VALUE    override one key (repeatable)\n"
            "  --help             this text\n\n"
            "configuration keys (section '%s' unless marked /top-level), with defaults:\n",
            self->service);
    const dh_config_key_t *tables [] = { s_common_keys, self->extra };
    for (int t = 0; t < 2; t++)
        for (const dh_config_key_t *row = tables [t]; row && row->key; row++)
            printf ("  %-14s %-34s %s\n", row->key, row->value, row->help);
}

//  Keys in our own section that no table knows are typos: refuse them.
static int
s_check_section (dh_config_t *self)
{
    zconfig_t *section = zconfig_locate (self->root, self->service);
    for (zconfig_t *child = section? zconfig_child (section): NULL; child; child = zconfig_next (child))
        if (!s_find (self, zconfig_name (child))) {
            zsys_error ("config: unknown key '%s/%s' (see --help)", self->service, zconfig_name (child));
            return DH_E_CONFIG;
        }
    return 0;
}

//  zconfig keeps a section named twice as two nodes, and finds only the
//  first: fold every node into one tree by its path instead, later values
//  winning, so a file that was appended to means what it says.
static const dh_config_key_t *s_find (dh_config_t *self, const char *key);

//  A path key's relative value, from the file's folder `base`; NULL when
//  the value stays as it is (absolute, a {template}, an endpoint).
static char *
s_from_base (dh_config_t *self, const char *base, const char *name, const char *value)
{
    const dh_config_key_t *row = s_find (self, name);
    if (!base || !row || !row->path || !value || !*value
    ||  value [0] == '/' || value [0] == '{' || strstr (value, "://"))
        return NULL;
    return zsys_sprintf ("%s/%s", base, value);
}

static void
s_fold (dh_config_t *self, zconfig_t *into, zconfig_t *from, const char *prefix, const char *base)
{
    for (zconfig_t *child = zconfig_child (from); child; child = zconfig_next (child)) {
        char *path = prefix? zsys_sprintf ("%s/%s", prefix, zconfig_name (child))
                           : strdup (zconfig_name (child));
        const char *value = zconfig_value (child);
        char *resolved = s_from_base (self, base, zconfig_name (child), value);
        zconfig_put (into, path, resolved? resolved: value? value: "");
        free (resolved);
        s_fold (self, into, child, path, base);
        free (path);
    }
}

//  The absolute folder of the file at path; NULL if it cannot be known.
static char *
s_folder_of (const char *path)
{
    char *copy = strdup (path);
    char *slash = copy? strrchr (copy, '/'): NULL;
    const char *folder = slash? (slash == copy? "/": (*slash = 0, copy)): ".";
    char *absolute = realpath (folder, NULL);
    free (copy);
    return absolute;
}

static int
s_new (const char *service, const char *path, const dh_config_key_t *extra, dh_config_t **self_p)
{
    dh_config_t *self = calloc (1, sizeof *self);
    self->service = strdup (service);
    self->extra = extra;
    self->cache = zhash_new ();
    if (!path)
        path = getenv ("DUNGHAN_CONFIG");
    if (path && *path) {
        zconfig_t *file = zconfig_load (path);
        if (!file) {
            zsys_error ("config: cannot read %s (missing, or not ZPL)", path);
            dh_config_destroy (&self);
            return DH_E_CONFIG;
        }
        self->root = zconfig_new ("root", NULL);
        char *base = s_folder_of (path);
        s_fold (self, self->root, file, NULL, base);
        free (base);
        zconfig_destroy (&file);
    }
    else
        self->root = zconfig_new ("root", NULL);
    *self_p = self;
    return 0;
}

int
dh_config_load_file (const char *service, const char *path,
                     const dh_config_key_t *extra, dh_config_t **self_p)
{
    int rc = s_new (service, path, extra, self_p);
    if (!rc && (rc = s_check_section (*self_p)))
        dh_config_destroy (self_p);
    return rc;
}

int
dh_config_load (const char *service, const char *usage, int argc, char **argv,
                const dh_config_key_t *extra, dh_config_t **self_p)
{
    const char *path = NULL;
    bool help = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp (argv [i], "--help") || !strcmp (argv [i], "-h"))
            help = true;
        else
        if (!strcmp (argv [i], "--config") && i + 1 < argc)
            path = argv [++i];
    }
    dh_config_t *self;
    int rc = help? s_new (service, NULL, extra, &self): s_new (service, path, extra, &self);
    if (rc)
        return rc;
    if (help) {
        s_print_help (self, usage);
        dh_config_destroy (&self);
        return DH_CONFIG_HELP;
    }
    self->argv = calloc (argc + 1, sizeof (char *));
    for (int i = 1; i < argc; i++) {
        if (!strcmp (argv [i], "--config")) {
            i++;
            continue;
        }
        if (!strcmp (argv [i], "--set")) {
            const char *assignment = i + 1 < argc? argv [++i]: "";
            const char *equals = strchr (assignment, '=');
            if (!equals || equals == assignment) {
                zsys_error ("config: --set wants KEY=VALUE, got '%s'", assignment);
                dh_config_destroy (&self);
                return DH_E_CONFIG;
            }
            //  "intake/api" and "api" both name intake's own key.
            size_t prefix = strlen (service);
            if (!strncmp (assignment, service, prefix) && assignment [prefix] == '/')
                assignment += prefix + 1;
            char *key = strndup (assignment, equals - assignment);
            const dh_config_key_t *row = s_find (self, key);
            if (!row) {
                zsys_error ("config: unknown key '%s' (see --help)", key);
                free (key);
                dh_config_destroy (&self);
                return DH_E_CONFIG;
            }
            char *path_in_tree = row->key [0] == '/'? strdup (key): zsys_sprintf ("%s/%s", service, key);
            zconfig_put (self->root, path_in_tree, equals + 1);
            free (path_in_tree);
            free (key);
            continue;
        }
        self->argv [self->argc++] = argv [i];
    }
    if ((rc = s_check_section (self))) {
        dh_config_destroy (&self);
        return rc;
    }
    *self_p = self;
    return 0;
}

void
dh_config_destroy (dh_config_t **self_p)
{
    dh_config_t *self = *self_p;
    if (!self)
        return;
    zconfig_destroy (&self->root);
    zhash_destroy (&self->cache);
    free (self->argv);
    free (self->service);
    free (self);
    *self_p = NULL;
}

int
dh_config_argc (dh_config_t *self)
{
    return self->argc;
}

char **
dh_config_argv (dh_config_t *self)
{
    return self->argv;
}

const char *
dh_config_service (dh_config_t *self)
{
    return self->service;
}

//  A top-level node that is not a top-level key: a top-level key has a
//  value, a section has keys or nothing.
const char *
dh_config_section (dh_config_t *self, size_t index)
{
    for (zconfig_t *node = zconfig_child (self->root); node; node = zconfig_next (node)) {
        const char *name = zconfig_name (node);
        const dh_config_key_t *row = s_find (self, name);
        const char *value = zconfig_value (node);
        if ((row && row->key [0] == '/') || (value && *value && !zconfig_child (node)))
            continue;
        if (index-- == 0)
            return name;
    }
    return NULL;
}

//  Staff sign-in tokens. The file ({run_dir}/gateway.tokens, key
//  `tokens`) holds one line per token, `SHA256HEX STAFF_ID EXPIRES_UNIX`:
//  the hash of the token as the client sends it (64 hex digits), never
//  the token, so a copy of the file signs nobody in. The gateway reads
//  it again whenever it changes, so a token issued or struck out takes
//  effect at the next request without a restart.
#include <ctype.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <sys/stat.h>
#include <time.h>
#include "dh_codec.h"
#include "dh_error.h"
#include "gateway.h"

#define S_HASH_HEX (crypto_hash_sha256_BYTES * 2)

typedef struct {
    char staff [DH_NAME_MAX + 1];
    int64_t expires;
} s_token_t;

struct _tokens_t {
    char *path;
    pthread_mutex_t mutex;
    zhash_t *tokens;            //  hash hex -> s_token_t
    struct stat seen;           //  the file as last read; st_ino 0: none
};

static bool
s_staff_valid (const char *staff)
{
    size_t size = strlen (staff);
    if (!size || size > DH_NAME_MAX || staff [0] == '.')
        return false;
    for (const char *at = staff; *at; at++)
        if (!isalnum ((unsigned char) *at) && !strchr ("._-", *at))
            return false;
    return true;
}

static void
s_hash_hex (const char *token, char hex [S_HASH_HEX + 1])
{
    unsigned char hash [crypto_hash_sha256_BYTES];
    crypto_hash_sha256 (hash, (const unsigned char *) token, strlen (token));
    sodium_bin2hex (hex, S_HASH_HEX + 1, hash, sizeof hash);
}

//  The file into a fresh table; a bad line is skipped and logged.
static zhash_t *
s_read (const char *path)
{
    zhash_t *tokens = zhash_new ();
    FILE *file = tokens? fopen (path, "r"): NULL;
    if (!file)
        return tokens;
    char line [512];
    int number = 0;
    while (fgets (line, sizeof line, file)) {
        number++;
        if (line [0] == '#' || line [0] == '\n')
            continue;
        char hash [S_HASH_HEX + 2], staff [DH_NAME_MAX + 2];
        long long expires;
        s_token_t *token = calloc (1, sizeof *token);
        if (!token)
            break;
        if (sscanf (line, "%65s %65s %lld", hash, staff, &expires) != 3 || strlen (hash) != S_HASH_HEX
        ||  strspn (hash, "0123456789abcdef") != S_HASH_HEX || !s_staff_valid (staff)) {
            zsys_warning ("gateway: %s:%d is not 'SHA256HEX STAFF_ID EXPIRES_UNIX': skipped", path, number);
            free (token);
            continue;
        }
        strcpy (token->staff, staff);
        token->expires = expires;
        zhash_update (tokens, hash, token);
        zhash_freefn (tokens, hash, free);
    }
    fclose (file);
    return tokens;
}

tokens_t *
tokens_new (const char *path)
{
    tokens_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->path = strdup (path);
    self->tokens = zhash_new ();
    if (!self->path || !self->tokens || sodium_init () < 0) {
        tokens_destroy (&self);
        return NULL;
    }
    pthread_mutex_init (&self->mutex, NULL);
    return self;
}

void
tokens_destroy (tokens_t **self_p)
{
    tokens_t *self = *self_p;
    if (!self)
        return;
    zhash_destroy (&self->tokens);
    free (self->path);
    pthread_mutex_destroy (&self->mutex);
    free (self);
    *self_p = NULL;
}

//  Read the file again when it is not the one read last (its inode,
//  size or time of change differ). Under the mutex.
static void
s_refresh (tokens_t *self)
{
    struct stat now;
    if (stat (self->path, &now))
        memset (&now, 0, sizeof now);
    if (now.st_ino == self->seen.st_ino && now.st_size == self->seen.st_size
    &&  now.st_mtim.tv_sec == self->seen.st_mtim.tv_sec && now.st_mtim.tv_nsec == self->seen.st_mtim.tv_nsec)
        return;
    zhash_t *tokens = s_read (self->path);
    if (!tokens)
        return;                 //  out of memory: keep the tokens known
    zhash_destroy (&self->tokens);
    self->tokens = tokens;
    self->seen = now;
    zsys_info ("gateway: %zu sign-in tokens in %s", zhash_size (tokens), self->path);
}

int
tokens_check (tokens_t *self, const char *token, char *staff, size_t staff_size, const char **why)
{
    char hex [S_HASH_HEX + 1];
    s_hash_hex (token, hex);
    int rc = DH_E_NOT_FOUND;
    *why = "unknown token";
    pthread_mutex_lock (&self->mutex);
    s_refresh (self);
    s_token_t *found = zhash_lookup (self->tokens, hex);
    if (found && found->expires <= (int64_t) time (NULL)) {
        rc = DH_E_STATE;
        *why = "the token has expired";
    }
    else
    if (found) {
        snprintf (staff, staff_size, "%s", found->staff);
        rc = 0;
    }
    pthread_mutex_unlock (&self->mutex);
    return rc;
}

static void
s_usage (FILE *out)
{
    fprintf (out,
        "usage: dunghan-gateway token new --staff ID [--days N] [--config FILE]\n"
        "  print a new sign-in token for staff member ID and add its hash to the\n"
        "  gateway's tokens file (key `tokens`); the token itself is kept nowhere:\n"
        "  give it to that person. It expires after N days (default 30, at most 366).\n"
        "  To strike one out, delete its line from the file.\n");
}

int
tokens_main (int argc, char **argv, const dh_config_key_t *keys)
{
    //  argv: "token" "new" options...
    const char *staff = NULL, *config_path = NULL;
    long days = 30;
    if (argc < 2 || strcmp (argv [1], "new")) {
        s_usage (argc > 1 && !strcmp (argv [1], "--help")? stdout: stderr);
        return argc > 1 && !strcmp (argv [1], "--help")? 0: 2;
    }
    for (int i = 2; i < argc; i++) {
        const char *arg = argv [i];
        if (!strcmp (arg, "--help")) {
            s_usage (stdout);
            return 0;
        }
        if (i + 1 >= argc) {
            fprintf (stderr, "dunghan-gateway token new: unexpected '%s' (see --help)\n", arg);
            return 2;
        }
        const char *value = argv [++i];
        if (!strcmp (arg, "--staff"))
            staff = value;
        else
        if (!strcmp (arg, "--config"))
            config_path = value;
        else
        if (!strcmp (arg, "--days")) {
            char *end;
            days = strtol (value, &end, 10);
            if (*end || end == value || days < 1 || days > 366) {
                fprintf (stderr, "dunghan-gateway token new: --days wants 1 to 366, not '%s'\n", value);
                return 2;
            }
        }
        else {
            fprintf (stderr, "dunghan-gateway token new: unexpected '%s' (see --help)\n", arg);
            return 2;
        }
    }
    if (!staff || !s_staff_valid (staff)) {
        fprintf (stderr, "dunghan-gateway token new: --staff wants a staff id (1-64 of A-Z a-z 0-9 . _ -)\n");
        return 2;
    }
    dh_config_t *config;
    if (dh_config_load_file ("gateway", config_path, keys, &config))
        return 1;
    if (sodium_init () < 0) {
        dh_config_destroy (&config);
        return 1;
    }
    unsigned char secret [32];
    char token [sizeof secret * 2 + 1], hex [S_HASH_HEX + 1];
    randombytes_buf (secret, sizeof secret);
    sodium_bin2hex (token, sizeof token, secret, sizeof secret);
    sodium_memzero (secret, sizeof secret);
    s_hash_hex (token, hex);
    const char *path = dh_config_get (config, "tokens");
    char line [256];
    int length = snprintf (line, sizeof line, "%s %s %lld\n", hex, staff,
                           (long long) time (NULL) + days * 86400LL);
    int fd = open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    int exit_code = 0;
    if (fd < 0 || write (fd, line, (size_t) length) != length || fsync (fd)) {
        fprintf (stderr, "dunghan-gateway token new: cannot add to %s: %s\n", path, strerror (errno));
        exit_code = 1;
    }
    else {
        printf ("%s\n", token);
        fprintf (stderr, "dunghan-gateway: a token for %s, valid %ld days, added to %s\n", staff, days, path);
    }
    if (fd >= 0)
        close (fd);
    sodium_memzero (token, sizeof token);
    dh_config_destroy (&config);
    return exit_code;
}

//  Checking staff sign-in tokens against the tokens file (its format and
//  the issuing, by dunghanctl token new, are common/dh_tokens). The
//  gateway reads it again whenever it changes, so a token issued or
//  struck out takes effect at the next request without a restart.
#include <ctype.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <sys/stat.h>
#include <time.h>
#include "dh_codec.h"
#include "dh_error.h"
#include "dh_tokens.h"
#include "gateway.h"

#define S_HASH_HEX DH_TOKENS_HASH_HEX

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
        ||  strspn (hash, "0123456789abcdef") != S_HASH_HEX || !dh_tokens_staff_valid (staff)) {
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
    dh_tokens_hash_hex (token, hex);
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

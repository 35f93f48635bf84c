//  Issuing staff sign-in tokens (the file format is in dh_tokens.h).
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "dh_codec.h"
#include "dh_error.h"
#include "dh_tokens.h"

const dh_config_key_t dh_tokens_keys [] = {
    { "tokens", DH_TOKENS_DEFAULT, DH_TOKENS_HELP, true },
    { NULL, NULL, NULL, false }
};

bool
dh_tokens_staff_valid (const char *staff)
{
    size_t size = strlen (staff);
    if (!size || size > DH_NAME_MAX || staff [0] == '.')
        return false;
    for (const char *at = staff; *at; at++)
        if (!isalnum ((unsigned char) *at) && !strchr ("._-", *at))
            return false;
    return true;
}

void
dh_tokens_hash_hex (const char *token, char hex [DH_TOKENS_HASH_HEX + 1])
{
    unsigned char hash [crypto_hash_sha256_BYTES];
    crypto_hash_sha256 (hash, (const unsigned char *) token, strlen (token));
    sodium_bin2hex (hex, DH_TOKENS_HASH_HEX + 1, hash, sizeof hash);
}

int
dh_tokens_issue (const char *path, const char *staff, int days, char token [DH_TOKENS_TOKEN_HEX + 1],
                 char *why, size_t why_size)
{
    if (sodium_init () < 0) {
        snprintf (why, why_size, "libsodium cannot start");
        return DH_E_IO;
    }
    unsigned char secret [DH_TOKENS_TOKEN_HEX / 2];
    randombytes_buf (secret, sizeof secret);
    sodium_bin2hex (token, DH_TOKENS_TOKEN_HEX + 1, secret, sizeof secret);
    sodium_memzero (secret, sizeof secret);
    char hex [DH_TOKENS_HASH_HEX + 1], line [256];
    dh_tokens_hash_hex (token, hex);
    int length = snprintf (line, sizeof line, "%s %s %lld\n", hex, staff, (long long) time (NULL) + days * 86400LL);
    //  Appended and fsynced: a token printed is a token the gateway knows,
    //  even after a power cut.
    int fd = open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    int rc = 0;
    if (fd < 0 || write (fd, line, (size_t) length) != length || fsync (fd)) {
        snprintf (why, why_size, "cannot add to %s: %s", path, strerror (errno));
        sodium_memzero (token, DH_TOKENS_TOKEN_HEX + 1);
        rc = DH_E_IO;
    }
    if (fd >= 0)
        close (fd);
    return rc;
}

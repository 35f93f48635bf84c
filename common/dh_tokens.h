/*  Staff sign-in tokens for the web gateway, as a file of one line per
    token, `SHA256HEX STAFF_ID EXPIRES_UNIX`: the hash of the token as
    the client sends it, never the token, so a copy of the file signs
    nobody in. dunghanctl issues them (dh_tokens_issue); the gateway
    checks them.  */
#ifndef DH_TOKENS_H
#define DH_TOKENS_H

#include <stdbool.h>
#include <stddef.h>
#include "dh_config.h"

#define DH_TOKENS_HASH_HEX 64
#define DH_TOKENS_TOKEN_HEX 64
#define DH_TOKENS_DAYS_MAX 366
#define DH_TOKENS_DEFAULT "{run_dir}/gateway.tokens"
#define DH_TOKENS_HELP "staff sign-in tokens: lines 'SHA256HEX STAFF_ID EXPIRES_UNIX' " \
    "(dunghanctl token new); read again when it changes"

//  The key `tokens` for a program that reads the gateway's section
//  (dh_config_get_for (config, "gateway", "tokens")).
extern const dh_config_key_t dh_tokens_keys [];

//  A staff id as the org chart spells them: 1-64 of A-Z a-z 0-9 . _ -,
//  not starting with a dot.
bool dh_tokens_staff_valid (const char *staff);

//  The hex SHA-256 of a token, as the file holds it.
void dh_tokens_hash_hex (const char *token, char hex [DH_TOKENS_HASH_HEX + 1]);

//  A new random token for staff, valid days days, its hash appended to
//  the file at path and fsynced. Returns 0 with the token in token, or
//  DH_E_IO with words in why.
int dh_tokens_issue (const char *path, const char *staff, int days, char token [DH_TOKENS_TOKEN_HEX + 1],
                     char *why, size_t why_size);

#endif

/*  dh_mail — one mail over SMTP through libcurl, thread-safe: it runs in
    worker threads (dh_jobs), never on a daemon's loop.  */
#ifndef DH_MAIL_H
#define DH_MAIL_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    const char *url;            //  smtp://host:port (smtps:// for TLS from the start)
    const char *from;           //  the sender's address
    const char *user;           //  "" for none
    const char *password;
    bool starttls;              //  require STARTTLS on smtp://
    long timeout_ms;
} dh_mail_config_t;

//  Send one UTF-8 mail: an RFC 2047 subject, a UTF-8 text body
//  (quoted-printable or base64), Date, and Message-ID
//  <message_id@domain of from>: the receiver's idempotency key. Returns 0
//  when the server took it; DH_E_IO when it may later (no connection, a
//  timeout, a 4xx reply: retry); DH_E_INVALID when it never will (a bad
//  address, a 5xx reply); words in error (always ended).
//  @note to and from are bare addresses (local@domain: no display name,
//  no '<>', no space, comma or control character); message_id is
//  letters, digits, '.' and RFC 5322's atext signs. Anything else is
//  refused with DH_E_INVALID before any connection. The body's line ends
//  go out as CRLF, in base64 lines of 76. timeout_ms bounds the
//  connection and the whole exchange each (30 s when 0 or less).
//  DH_E_NOMEM when memory runs out. Neither the password nor the URL is
//  ever written into error.
int dh_mail_send (const dh_mail_config_t *config, const char *to, const char *subject, const char *body,
                  const char *message_id, char *error, size_t error_size);

//  The Subject header's value for subject (UTF-8): subject itself when it
//  is printable ASCII, shorter than 900 bytes and holds no "=?"; else
//  =?UTF-8?B?...?= words of at most 75 characters, none splitting a
//  character, folded with CRLF and a space so that every line, the first
//  after "Subject: ", stays within 76 characters (RFC 2047 2.). A CR or
//  LF in subject is thus carried encoded, never as a line end.
//  @note Returns a fresh string the caller frees, or NULL when memory
//  runs out.
char *dh_mail_encode_subject (const char *subject);

#endif

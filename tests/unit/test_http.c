//  dh_http and dh_mail without a network: the signature receivers check,
//  against vectors Python's hmac module computed; the Subject's RFC 2047
//  words (their length, folding and that they decode back to the text,
//  no character split); and what both refuse before connecting.
//  Delivery itself is tests/integration/t080-channels.sh.
#include <sodium.h>
#include <string.h>
#include "dh_error.h"
#include "dh_http.h"
#include "dh_mail.h"
#include "unit.h"

typedef struct {
    const char *secret, *timestamp, *body, *expected;
} s_vector_t;

//  Each expected value was computed with
//  /usr/bin/python3 -c "import hmac,hashlib;print(hmac.new(SECRET,b'TIMESTAMP.BODY',hashlib.sha256).hexdigest())"
//  (the second with SECRET b'k'*100, longer than a SHA-256 block, and the
//  body encoded as UTF-8).
static const s_vector_t s_vectors [] = {
    { "key", "123", "{}",
      "sha256=28739ce20e2d3d0eb7847a31bca889409d78898aa78efb82e124f99ddd0818a2" },
    { "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
      "1772420400", "{\"text\":\"Hồ sơ\"}",
      "sha256=d2c48839508b199ac6e36271a5916d66eb240879ee868c1ac47a5f67d9db5ca1" },
    { "s3cret", "1772420400", "",
      "sha256=bc4c71b1f998ffffe64088ed6d27a84e140a0b5fb59f4607b05d5b1158f3f6c6" },
};

static void
s_check_signatures (void)
{
    for (size_t i = 0; i < sizeof s_vectors / sizeof s_vectors [0]; i++) {
        const s_vector_t *v = &s_vectors [i];
        char out [72];
        memset (out, 'x', sizeof out);
        dh_http_signature (v->secret, v->timestamp, v->body, out);
        CHECK (!strcmp (out, v->expected), "vector %zu: got %.72s", i, out);
    }
}

//  Decode every =?UTF-8?B?...?= word of value (checking each one's length,
//  each line's, and that a word starts on a character) into text.
static void
s_decode_subject (const char *value, char *text, size_t size)
{
    size_t text_size = 0;
    size_t line = strlen ("Subject: ");
    const char *at = value;
    while (*at) {
        if (!strncmp (at, "\r\n ", 3)) {
            CHECK (line <= 76, "a line of %zu characters in %s", line, value);
            line = 0;
            at += 2;            //  the space is the next line's first character
            continue;
        }
        CHECK (!strncmp (at, " =?UTF-8?B?", 11) || !strncmp (at, "=?UTF-8?B?", 10), "not a word at %s", at);
        if (*at == ' ') {
            at++;
            line++;
        }
        const char *end = strstr (at + 10, "?=");
        CHECK (end != NULL, "a word without its end in %s", value);
        if (!end)
            return;
        size_t word = end + 2 - at;
        CHECK (word <= 75, "a word of %zu characters", word);
        size_t decoded = 0;
        CHECK (!sodium_base642bin ((unsigned char *) text + text_size, size - text_size, at + 10, end - at - 10,
                                   NULL, &decoded, NULL, sodium_base64_VARIANT_ORIGINAL),
               "bad base64 in %.*s", (int) word, at);
        CHECK (decoded && ((unsigned char) text [text_size] & 0xc0) != 0x80,
               "a word starts inside a character: %.*s", (int) word, at);
        text_size += decoded;
        line += word;
        at = end + 2;
    }
    CHECK (line <= 76, "a line of %zu characters in %s", line, value);
    text [text_size] = 0;
}

static void
s_check_subjects (void)
{
    //  Plain ASCII stays as it is.
    const char *plain [] = { "", "Dossier 000.10.01.H26-260302-0001 is ready" };
    for (size_t i = 0; i < 2; i++) {
        char *value = dh_mail_encode_subject (plain [i]);
        CHECK (value && !strcmp (value, plain [i]), "plain subject changed: %s", value);
        free (value);
    }
    //  A known word: /usr/bin/python3 -c "import base64;print(base64.b64encode('Hồ sơ'.encode()))"
    char *value = dh_mail_encode_subject ("Hồ sơ");
    CHECK (value && !strcmp (value, "=?UTF-8?B?SOG7kyBzxqE=?="), "Hồ sơ gave %s", value);
    free (value);

    //  Long ones, of letters of 1, 2 and 3 bytes, so words end at every
    //  place in a character; text that looks like a word or ends a line
    //  is carried encoded.
    const char *texts [] = {
        "Hồ sơ 000.10.01.H26-260302-0001 đã có kết quả, hẹn trả 2026-03-05 09:00",
        "ệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệ",
        "aệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệệ",
        "aaéééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé",
        "Subject\r\nBcc: everyone@example.org",
        "looks like =?UTF-8?B?SGk=?= a word",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts [0]; i++) {
        value = dh_mail_encode_subject (texts [i]);
        CHECK (value != NULL, "no memory?");
        if (!value)
            continue;
        char decoded [512];
        s_decode_subject (value, decoded, sizeof decoded);
        CHECK (!strcmp (decoded, texts [i]), "%s came back as %s", texts [i], decoded);
        for (const char *c = value; (c = strpbrk (c, "\r\n")); c += strncmp (c, "\r\n ", 3)? 1: 3)
            CHECK (!strncmp (c, "\r\n ", 3), "a line end that is not folding in %s", value);
        free (value);
    }
}

static void
s_check_refusals (void)
{
    dh_mail_config_t mail = { "smtp://127.0.0.1:1", "thongbao@hanoi.gov.vn", "", "", false, 1000 };
    char error [256];
    const char *bad [] = { "no-at", "", "@hanoi.gov.vn", "a@", "a\r\n@x.vn", "a@x.vn\r\nRCPT TO:<b@y.vn>",
                           "<a@x.vn>", "a@x.vn, b@y.vn", "Hoa <a@x.vn>", "a@b@x.vn" };
    for (size_t i = 0; i < sizeof bad / sizeof bad [0]; i++) {
        int rc = dh_mail_send (&mail, bad [i], "s", "b", "id-1", error, sizeof error);
        CHECK (rc == DH_E_INVALID && *error, "to '%s': %d %s", bad [i], rc, error);
        mail.from = bad [i];
        rc = dh_mail_send (&mail, "a@x.vn", "s", "b", "id-1", error, sizeof error);
        CHECK (rc == DH_E_INVALID && *error, "from '%s': %d %s", bad [i], rc, error);
        mail.from = "thongbao@hanoi.gov.vn";
    }
    const char *bad_ids [] = { "", "a b", "a>b", "a@b", "a\r\nb" };
    for (size_t i = 0; i < sizeof bad_ids / sizeof bad_ids [0]; i++) {
        int rc = dh_mail_send (&mail, "a@x.vn", "s", "b", bad_ids [i], error, sizeof error);
        CHECK (rc == DH_E_INVALID && *error, "message id '%s': %d %s", bad_ids [i], rc, error);
    }

    dh_http_config_t http = { "http://127.0.0.1:1/", "", "", 1000 };
    const char *bad_keys [] = { "", "a\r\nX-Evil: 1", "a\nb" };
    for (size_t i = 0; i < sizeof bad_keys / sizeof bad_keys [0]; i++) {
        int rc = dh_http_post (&http, "{}", bad_keys [i], error, sizeof error);
        CHECK (rc == DH_E_INVALID && *error, "key '%s': %d %s", bad_keys [i], rc, error);
    }
    http.token = "tok\r\nX-Evil: 1";
    int rc = dh_http_post (&http, "{}", "k1", error, sizeof error);
    CHECK (rc == DH_E_INVALID && !strstr (error, "X-Evil"), "token with a line end: %d %s", rc, error);
}

int
main (void)
{
    s_check_signatures ();
    s_check_subjects ();
    s_check_refusals ();
    return UNIT_DONE ("test_http");
}

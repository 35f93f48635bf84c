/*  dh_mail — one mail over SMTP through libcurl (see dh_mail.h).

    The message is built whole in memory before curl connects, its body in
    base64: any UTF-8 then passes every relay unharmed, whatever the relay
    thinks of 8BITMIME or of long lines. Each call has its own easy handle
    and nothing is shared between calls but libcurl's global state, set up
    once.  */
#include <assert.h>
#include <curl/curl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "dh_error.h"
#include "dh_mail.h"

#define S_TIMEOUT_DEFAULT_MS 30000
//  An encoded word is at most 75 characters: "=?UTF-8?B?" and "?=" leave
//  63 for base64, so 60 of them, 45 bytes. A line holding one is at most
//  76, so the first word, after "Subject: ", carries 39 bytes (64 chars).
#define S_WORD_BYTES        45
#define S_FIRST_WORD_BYTES  39
#define S_PLAIN_MAX         900     //  a plain subject's line stays under 998
#define S_BODY_LINE_BYTES   57      //  76 characters of base64
#define S_ADDRESS_MAX       254     //  RFC 5321's path, less the brackets
#define S_ID_MAX            200
#define S_REPLY_MAX         160     //  what error keeps of the server's last line

//  curl_global_init is not thread-safe and the senders start in worker
//  threads: the first call does it. dh_http has its own once; the two may
//  run together, which libcurl allows when built thread-safe
//  (CURL_VERSION_THREADSAFE, since 7.84; Debian 12's is).
static pthread_once_t s_once = PTHREAD_ONCE_INIT;
static CURLcode s_init_result;

static void
s_init (void)
{
    s_init_result = curl_global_init (CURL_GLOBAL_DEFAULT);
}

//  A bare address as MAIL FROM, RCPT TO and the headers carry it: one '@'
//  with something on each side, and nothing that could end a line, close
//  the brackets, name a second recipient or start a comment or a quote.
static bool
s_address_ok (const char *address)
{
    if (!address)
        return false;
    const char *at = strchr (address, '@');
    if (!at || at == address || !at [1] || strchr (at + 1, '@') || strlen (address) > S_ADDRESS_MAX)
        return false;
    for (const unsigned char *c = (const unsigned char *) address; *c; c++)
        if (*c <= ' ' || *c == 0x7f || strchr ("<>,;:\"()[]\\", *c))
            return false;
    return true;
}

//  message_id is the id-left of <id-left@domain>: dot-atom-text.
static bool
s_message_id_ok (const char *id)
{
    if (!id || !*id || strlen (id) > S_ID_MAX)
        return false;
    for (const char *c = id; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9')
              || strchr (".!#$%&'*+-/=?^_`{|}~", *c)))
            return false;
    return true;
}

//  RFC 5322's date-time in UTC, with English names whatever the locale.
static void
s_date (char *out, size_t size)
{
    static const char *const days [] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
    static const char *const months [] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    time_t now = time (NULL);
    struct tm tm;
    gmtime_r (&now, &tm);
    snprintf (out, size, "%s, %02d %s %04d %02d:%02d:%02d +0000", days [tm.tm_wday % 7], tm.tm_mday,
              months [tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static bool
s_subject_plain (const char *subject)
{
    size_t length = 0;
    for (const unsigned char *c = (const unsigned char *) subject; *c; c++, length++)
        if (*c < ' ' || *c > '~')
            return false;
    return length < S_PLAIN_MAX && !strstr (subject, "=?");
}

char *
dh_mail_encode_subject (const char *subject)
{
    if (s_subject_plain (subject))
        return strdup (subject);
    size_t length = strlen (subject);
    //  A word carries at least its room less 3 bytes (a character is never
    //  split); each takes at most 75 characters and 3 of folding.
    size_t words = length / (S_FIRST_WORD_BYTES - 3) + 2;
    char *out = malloc (words * 78 + 1);
    if (!out)
        return NULL;
    char *at = out;
    size_t start = 0;
    do {
        size_t end = start + (start? S_WORD_BYTES: S_FIRST_WORD_BYTES);
        if (end >= length)
            end = length;
        else
            while (end > start + 1 && ((unsigned char) subject [end] & 0xc0) == 0x80)
                end--;          //  back to the start of the character
        if (start)
            at = stpcpy (at, "\r\n ");
        at = stpcpy (at, "=?UTF-8?B?");
        sodium_bin2base64 (at, sodium_base64_ENCODED_LEN (S_WORD_BYTES, sodium_base64_VARIANT_ORIGINAL),
                           (const unsigned char *) subject + start, end - start,
                           sodium_base64_VARIANT_ORIGINAL);
        at += strlen (at);
        at = stpcpy (at, "?=");
        start = end;
    } while (start < length);
    return out;
}

//  The whole message, CRLF throughout. Returns it (the caller frees) and
//  its size, or NULL when memory runs out.
static char *
s_message (const char *from, const char *to, const char *subject, const char *body,
           const char *message_id, size_t *size)
{
    char *encoded = dh_mail_encode_subject (subject);
    //  The body's lines end in CRLF before base64, as RFC 2045 wants text.
    size_t length = strlen (body);
    char *text = malloc (2 * length + 1);
    char *message = NULL;
    FILE *stream = NULL;
    if (!encoded || !text)
        goto fail;
    size_t text_size = 0;
    for (size_t i = 0; i < length; i++) {
        if (body [i] == '\n' && (i == 0 || body [i - 1] != '\r'))
            text [text_size++] = '\r';
        text [text_size++] = body [i];
    }
    stream = open_memstream (&message, size);
    if (!stream)
        goto fail;
    char date [64];
    s_date (date, sizeof date);
    fprintf (stream, "Date: %s\r\nFrom: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%s@%s>\r\n"
             "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
             "Content-Transfer-Encoding: base64\r\n\r\n",
             date, from, to, encoded, message_id, strchr (from, '@') + 1);
    for (size_t at = 0; at < text_size; at += S_BODY_LINE_BYTES) {
        char line [sodium_base64_ENCODED_LEN (S_BODY_LINE_BYTES, sodium_base64_VARIANT_ORIGINAL)];
        size_t n = text_size - at < S_BODY_LINE_BYTES? text_size - at: S_BODY_LINE_BYTES;
        sodium_bin2base64 (line, sizeof line, (unsigned char *) text + at, n, sodium_base64_VARIANT_ORIGINAL);
        fprintf (stream, "%s\r\n", line);
    }
    bool failed = ferror (stream);
    if (fclose (stream) || failed) {
        stream = NULL;
        goto fail;
    }
    free (encoded);
    free (text);
    return message;

fail:
    if (stream)
        fclose (stream);
    free (message);
    free (encoded);
    free (text);
    return NULL;
}

typedef struct {
    const char *data;
    size_t size, sent;
} s_upload_t;

static size_t
s_read (char *buffer, size_t size, size_t count, void *arg)
{
    s_upload_t *upload = (s_upload_t *) arg;
    size_t n = upload->size - upload->sent;
    if (n > size * count)
        n = size * count;
    memcpy (buffer, upload->data + upload->sent, n);
    upload->sent += n;
    return n;
}

//  Keeps the server's last refusal (a 4xx or 5xx line), for error: its
//  words say why ("550 5.1.1 <x@y>: Recipient address rejected"); the
//  reply to curl's QUIT comes after it. Only what comes in: what goes out
//  carries the credentials.
static int
s_debug (CURL *curl, curl_infotype type, char *data, size_t size, void *arg)
{
    (void) curl;
    if (type != CURLINFO_HEADER_IN || size < 3 || (data [0] != '4' && data [0] != '5'))
        return 0;
    char *reply = (char *) arg;
    size_t n = 0;
    for (size_t i = 0; i < size && n < S_REPLY_MAX - 1 && data [i] != '\r' && data [i] != '\n'; i++)
        reply [n++] = (unsigned char) data [i] < ' '? ' ': (unsigned char) data [i] >= 0x7f? '?': data [i];
    reply [n] = 0;
    return 0;
}

int
dh_mail_send (const dh_mail_config_t *config, const char *to, const char *subject, const char *body,
              const char *message_id, char *error, size_t error_size)
{
    assert (config);
    if (error_size)
        *error = 0;
    if (!s_address_ok (config->from)) {
        snprintf (error, error_size, "the sender (from) is not a bare address");
        return DH_E_INVALID;
    }
    if (!s_address_ok (to)) {
        snprintf (error, error_size, "the recipient is not a bare address");
        return DH_E_INVALID;
    }
    if (!s_message_id_ok (message_id)) {
        snprintf (error, error_size, "the message id is empty or holds a sign a Message-ID cannot");
        return DH_E_INVALID;
    }
    pthread_once (&s_once, s_init);
    if (s_init_result != CURLE_OK) {
        snprintf (error, error_size, "libcurl cannot start: %s", curl_easy_strerror (s_init_result));
        return DH_E_IO;
    }
    int rc = DH_E_NOMEM;
    CURL *curl = curl_easy_init ();
    struct curl_slist *recipients = NULL;
    size_t size = 0;
    char *message = s_message (config->from, to, subject? subject: "", body? body: "", message_id, &size);
    char path [S_ADDRESS_MAX + 3];
    snprintf (path, sizeof path, "<%s>", to);
    if (!curl || !message || !(recipients = curl_slist_append (NULL, path))) {
        snprintf (error, error_size, "out of memory building the mail");
        goto done;
    }
    s_upload_t upload = { message, size, 0 };
    char curl_words [CURL_ERROR_SIZE] = "";
    char reply [S_REPLY_MAX] = "";
    long timeout_ms = config->timeout_ms > 0? config->timeout_ms: S_TIMEOUT_DEFAULT_MS;
    snprintf (path, sizeof path, "<%s>", config->from);
    curl_easy_setopt (curl, CURLOPT_URL, config->url? config->url: "");
    curl_easy_setopt (curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt (curl, CURLOPT_NOSIGNAL, 1L);          //  threads: no SIGALRM for DNS timeouts
    curl_easy_setopt (curl, CURLOPT_ERRORBUFFER, curl_words);
    curl_easy_setopt (curl, CURLOPT_VERBOSE, 1L);           //  for s_debug only; it prints nothing
    curl_easy_setopt (curl, CURLOPT_DEBUGFUNCTION, s_debug);
    curl_easy_setopt (curl, CURLOPT_DEBUGDATA, reply);
    curl_easy_setopt (curl, CURLOPT_MAIL_FROM, path);
    curl_easy_setopt (curl, CURLOPT_MAIL_RCPT, recipients);
    curl_easy_setopt (curl, CURLOPT_READFUNCTION, s_read);
    curl_easy_setopt (curl, CURLOPT_READDATA, &upload);
    curl_easy_setopt (curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt (curl, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    curl_easy_setopt (curl, CURLOPT_TIMEOUT_MS, timeout_ms);
    if (config->starttls)
        curl_easy_setopt (curl, CURLOPT_USE_SSL, (long) CURLUSESSL_ALL);
    if (config->user && *config->user) {
        curl_easy_setopt (curl, CURLOPT_USERNAME, config->user);
        curl_easy_setopt (curl, CURLOPT_PASSWORD, config->password? config->password: "");
    }
    CURLcode result = curl_easy_perform (curl);
    long code = 0;
    curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &code);
    if (result == CURLE_OK)
        rc = 0;
    else {
        //  A 5xx reply is the server's final word; anything else (no
        //  connection, a timeout, a 4xx) may go better later.
        rc = code >= 500? DH_E_INVALID: result == CURLE_OUT_OF_MEMORY? DH_E_NOMEM: DH_E_IO;
        const char *words = *curl_words? curl_words: curl_easy_strerror (result);
        //  The server's own line, when it refused, says why better than curl.
        if (code >= 400 && *reply)
            snprintf (error, error_size, "mail not sent: %s; the server replied \"%s\"", words, reply);
        else if (code >= 400)
            snprintf (error, error_size, "mail not sent: %s; the server replied %ld", words, code);
        else if (code)
            snprintf (error, error_size, "mail not sent: %s; the server's last reply was %ld", words, code);
        else
            snprintf (error, error_size, "mail not sent: %s; no reply from the server", words);
    }

done:
    curl_slist_free_all (recipients);
    if (curl)
        curl_easy_cleanup (curl);
    if (message) {
        sodium_memzero (message, size);     //  a citizen's words: not left in freed memory
        free (message);
    }
    return rc;
}

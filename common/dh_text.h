/*  dh_text — text is checked once, at the door: every string a client
    sends is valid UTF-8 (no overlong encoding, no surrogate, nothing past
    U+10FFFF), holds no control character (C0, DEL, C1; a field that
    allows line breaks takes \n and \r\n) and is at most so many
    characters, counted in code points (a Vietnamese name takes more
    bytes than letters). A name with a terminal escape sequence in it
    would otherwise be stored and printed back to an operator's terminal.

    Every field's limit and whether it takes line breaks are stated once,
    in the table in dh_text.c, keyed by "Message.field" (the .proto's own
    names); a field not listed gets the default row. dh_call_unpack runs
    dh_text_check_message on every command's payload, so a handler only
    ever sees checked text; dh_codec checks the envelope's own text.

    No allocation; nothing to free.  */
#ifndef DH_TEXT_H
#define DH_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <protobuf-c/protobuf-c.h>

//  Room enough for any words these functions write.
#define DH_TEXT_WHY_MAX 200

//  Check one string (NUL-terminated; size bytes are read, so an embedded
//  NUL is caught as a control character). max_chars 0: no limit. Returns
//  0, or DH_E_INVALID with words in why ("not valid UTF-8 at byte 7",
//  "a control character (U+001B) at byte 3", "201 characters, at most
//  200"; bytes counted from 0).
int dh_text_check (const char *text, size_t size, size_t max_chars, bool lines,
                   char *why, size_t why_size);

//  Check every string field of message: nested messages and repeated
//  fields included, each against its row of the table. Returns 0, or
//  DH_E_INVALID with words in why naming the field by its path in the
//  message ("applicant.name: 201 characters, at most 200",
//  "documents[2]: not valid UTF-8 at byte 7").
int dh_text_check_message (const ProtobufCMessage *message, char *why, size_t why_size);

//  The limit and line-break allowance of a field ("Applicant.name"), as
//  the table says (the default row for a field it does not list).
void dh_text_rule (const char *message, const char *field, size_t *max_chars, bool *lines);

#endif

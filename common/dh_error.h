/*  dh_error — the project's error codes and their words.

    Every function in common/ returns 0 or one of these negative codes;
    LMDB, ZeroMQ and libc codes are mapped into this range, never leaked.
    On the wire a Reply carries the positive value and the symbolic name so
    a client in another language can branch on it without our headers.  */
#ifndef DH_ERROR_H
#define DH_ERROR_H

#define DH_ERROR_LIST(X) \
    X (DH_OK,              0,     "OK",              "success") \
    X (DH_E_INVALID,   -2001, "E_INVALID",       "invalid input") \
    X (DH_E_NOT_FOUND, -2002, "E_NOT_FOUND",     "not found") \
    X (DH_E_EXISTS,    -2003, "E_EXISTS",        "already exists") \
    X (DH_E_NOMEM,     -2004, "E_NOMEM",         "out of memory") \
    X (DH_E_IO,        -2005, "E_IO",            "input/output error") \
    X (DH_E_FULL,      -2006, "E_FULL",          "store is full (map size reached its configured maximum)") \
    X (DH_E_CORRUPT,   -2007, "E_CORRUPT",       "stored data is corrupt") \
    X (DH_E_TOO_BIG,   -2008, "E_TOO_BIG",       "message or field too large") \
    X (DH_E_VERSION,   -2009, "E_VERSION",       "unsupported protocol version") \
    X (DH_E_UNKNOWN,   -2010, "E_UNKNOWN_TYPE",  "unknown message type") \
    X (DH_E_STATE,     -2011, "E_STATE",         "not allowed in the current state") \
    X (DH_E_DENIED,    -2012, "E_DENIED",        "not allowed for this role") \
    X (DH_E_STALE,     -2013, "E_STALE",         "stale step token (the step was reassigned)") \
    X (DH_E_NO_CALENDAR,-2014,"E_NO_CALENDAR",   "no working calendar for that year") \
    X (DH_E_TIMEOUT,   -2015, "E_TIMEOUT",       "timed out") \
    X (DH_E_CONFIG,    -2016, "E_CONFIG",        "bad configuration") \
    X (DH_E_BUSY,      -2017, "E_BUSY",          "resource busy") \
    X (DH_E_INTERNAL,  -2018, "E_INTERNAL",      "internal error") \
    X (DH_E_MALFORMED, -2019, "E_MALFORMED",     "malformed message") \
    X (DH_E_RANGE,     -2020, "E_RANGE",         "value out of range") \
    X (DH_E_LAYOUT,    -2021, "E_LAYOUT",        "the store holds records of another layout (another version)")

enum {
#define DH_ERROR_ENUM(sym, num, name, text) sym = num,
    DH_ERROR_LIST (DH_ERROR_ENUM)
#undef DH_ERROR_ENUM
};

//  Words for an error code (negative or positive form). Never NULL; static.
const char *dh_strerror (int code);

//  Symbolic name ("E_INVALID") for an error code. Never NULL; static.
const char *dh_errname (int code);

#endif

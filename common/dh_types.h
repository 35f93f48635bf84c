/*  dh_types — every message type number on the wire, in one table.

    Adding a message is one row here and one handler where it is applied.
    Numbers are part of the protocol: never renumber, only append.  */
#ifndef DH_TYPES_H
#define DH_TYPES_H

#define DH_PROTOCOL_VERSION 1

#define DH_TYPE_LIST(X) \
    /* built-in commands every service answers (1..99) */ \
    X (DH_MSG_PING,            1, "PING") \
    X (DH_MSG_STATUS,          2, "STATUS") \
    X (DH_MSG_CLOCK,           3, "CLOCK") \
    X (DH_MSG_LINK_ACK,        4, "LINK_ACK") \
    X (DH_MSG_AUDIT_VERIFY,    5, "AUDIT_VERIFY") \
    X (DH_MSG_LINK_BATCH,      6, "LINK_BATCH") \
    X (DH_MSG_SNAPSHOT,        7, "SNAPSHOT") \
    /* intake (100..199) */ \
    X (DH_MSG_CATALOG_IMPORT, 100, "CATALOG_IMPORT") \
    X (DH_MSG_SUBMIT,         101, "SUBMIT") \
    X (DH_MSG_ITEM_STATUS,    102, "ITEM_STATUS") \
    X (DH_MSG_LOOKUP,         103, "LOOKUP") \
    X (DH_MSG_NOT_ACCEPT,     104, "NOT_ACCEPT") \
    X (DH_MSG_WITHDRAW,       105, "WITHDRAW") \
    X (DH_MSG_SUPPLEMENT_PROVIDE, 106, "SUPPLEMENT_PROVIDE") \
    X (DH_MSG_SUPPLEMENT_EXPIRED, 107, "SUPPLEMENT_EXPIRED") \
    X (DH_MSG_FEE_PAID,       108, "FEE_PAID") \
    X (DH_MSG_RECEIPT,        109, "RECEIPT") \
    X (DH_MSG_ITEM_RECEIVED,  150, "ITEM_RECEIVED") \
    /* assign (200..299) */ \
    X (DH_MSG_ORG_IMPORT,     200, "ORG_IMPORT") \
    X (DH_MSG_ASSIGN,         201, "ASSIGN") \
    X (DH_MSG_REASSIGN,       202, "REASSIGN") \
    X (DH_MSG_TRANSFER,       203, "TRANSFER") \
    X (DH_MSG_STEP_START,     204, "STEP_START") \
    X (DH_MSG_STEP_COMPLETE,  205, "STEP_COMPLETE") \
    X (DH_MSG_SUPPLEMENT_REQUEST, 206, "SUPPLEMENT_REQUEST") \
    X (DH_MSG_RESOLVE,        207, "RESOLVE") \
    X (DH_MSG_RETURN,         208, "RETURN") \
    X (DH_MSG_HISTORY,        209, "HISTORY") \
    X (DH_MSG_ASSIGNMENT,     210, "ASSIGNMENT") \
    X (DH_MSG_FEE_REQUEST,    211, "FEE_REQUEST") \
    X (DH_MSG_ITEM_CHANGED,   250, "ITEM_CHANGED") \
    /* deadline (300..399) */ \
    X (DH_MSG_CLOCK_SHOW,     301, "CLOCK_SHOW") \
    X (DH_MSG_STATS,          302, "STATS") \
    X (DH_MSG_OVERDUE,        303, "OVERDUE") \
    X (DH_MSG_DUE_SOON,       304, "DUE_SOON") \
    X (DH_MSG_RECOMPUTE,      305, "RECOMPUTE") \
    X (DH_MSG_APOLOGY_DRAFT,  306, "APOLOGY_DRAFT") \
    X (DH_MSG_APOLOGY_DECIDE, 307, "APOLOGY_DECIDE") \
    X (DH_MSG_RECOUNT,        308, "RECOUNT") \
    X (DH_MSG_QUEUES,         309, "QUEUES") \
    X (DH_MSG_BACKLOG,        310, "BACKLOG") \
    X (DH_MSG_RECOMPUTE_STATUS, 311, "RECOMPUTE_STATUS") \
    X (DH_MSG_CLOCK_CHANGE,   350, "CLOCK_CHANGE") \
    X (DH_MSG_DEADLINE_WARNING,  360, "DEADLINE_WARNING") \
    X (DH_MSG_DEADLINE_BREACHED, 361, "DEADLINE_BREACHED") \
    X (DH_MSG_CLOCK_STOPPED,  362, "CLOCK_STOPPED") \
    /* notify (400..499) */ \
    X (DH_MSG_TEMPLATE_IMPORT, 400, "TEMPLATE_IMPORT") \
    X (DH_MSG_CONTACT_IMPORT, 401, "CONTACT_IMPORT") \
    X (DH_MSG_NOTIFY_LOG,     402, "NOTIFY_LOG") \
    X (DH_MSG_NOTIFY_DEAD,    403, "NOTIFY_DEAD") \
    X (DH_MSG_NOTIFY_RETRY,   404, "NOTIFY_RETRY") \
    X (DH_MSG_NOTIFY_EVENT,   450, "NOTIFY_EVENT") \
    X (DH_MSG_NOTIFICATION_SENT,   460, "NOTIFICATION_SENT") \
    X (DH_MSG_NOTIFICATION_FAILED, 461, "NOTIFICATION_FAILED") \
    /* test and benchmark messages (900..999) */ \
    X (DH_MSG_TEST_APPLY,    900, "TEST_APPLY") \
    X (DH_MSG_TEST_PUT,      901, "TEST_PUT") \
    X (DH_MSG_TEST_COUNT,    902, "TEST_COUNT")

enum {
#define DH_TYPE_ENUM(sym, num, name) sym = num,
    DH_TYPE_LIST (DH_TYPE_ENUM)
#undef DH_TYPE_ENUM
};

//  Name of a message type ("PING"), or "?" for an unknown number. Static.
const char *dh_type_name (unsigned type);

#endif

//  The commands every service answers: PING, STATUS, CLOCK.
#include "envelope.pb-c.h"
#include "dh_audit.h"
#include "dh_clock.h"
#include "dh_error.h"
#include "dh_link.h"
#include "dh_service_private.h"
#include "dh_types.h"

static int
s_handle_ping (dh_call_t *call, void *state)
{
    (void) state;
    (void) call;
    return 0;
}

static int
s_handle_status (dh_call_t *call, void *state)
{
    (void) state;
    dh_service_t *service = call->service;
    dh_service_stats_t stats;
    dh_service_stats (service, &stats);
    Dh__ServiceStatus status = DH__SERVICE_STATUS__INIT;
    status.service = (char *) dh_service_name (service);
    status.event_seq = stats.event_seq;
    status.batches = stats.batches;
    status.messages = stats.messages;
    status.apply_us = stats.apply_us;
    status.commit_us = stats.commit_us;
    status.linger_us = stats.linger_us;
    status.now_ms = dh_clock_now ();
    status.map_size = dh_store_map_size (dh_service_store (service));
    Dh__PeerStatus peers [16], *peer_pointers [16];
    const char *name;
    uint64_t last, acked, sent;
    size_t count = 0;
    while (count < 16 && dh_link_peer_status (dh_service_link (service), count, &name, &last, &acked, &sent)) {
        dh__peer_status__init (&peers [count]);
        peers [count].peer = (char *) name;
        peers [count].last_seq = last;
        peers [count].acked_seq = acked;
        peers [count].sent_seq = sent;
        peer_pointers [count] = &peers [count];
        count++;
    }
    status.n_peers = count;
    status.peers = peer_pointers;
    size_t size = dh__service_status__get_packed_size (&status);
    uint8_t *buffer = dh_service_scratch (service, size);
    if (!buffer)
        return dh_call_fail (call, DH_E_NOMEM, "no memory for the status");
    dh__service_status__pack (&status, buffer);
    return dh_call_reply (call, buffer, size);
}

static int
s_handle_clock (dh_call_t *call, void *state)
{
    (void) state;
    if (!dh_clock_test_mode ())
        return dh_call_fail (call, DH_E_DENIED, "the clock can be moved only with test_clock = 1");
    Dh__ClockCommand *command = dh__clock_command__unpack (NULL, call->envelope->payload_size,
                                                           call->envelope->payload);
    if (!command)
        return dh_call_fail (call, DH_E_MALFORMED, "CLOCK payload is not a ClockCommand");
    int rc = 0;
    if (command->set_ms)
        rc = dh_clock_set (command->set_ms);
    if (!rc && command->advance_ms)
        rc = dh_clock_advance (command->advance_ms);
    dh__clock_command__free_unpacked (command, NULL);
    if (rc)
        return dh_call_fail (call, rc, "cannot move the clock: %s", dh_strerror (rc));
    zsys_info ("%s: test clock now %" PRId64, dh_service_name (call->service), dh_clock_now ());
    dh_service_timers_rearm (call->service);
    Dh__ClockReply reply = DH__CLOCK_REPLY__INIT;
    reply.now_ms = dh_clock_now ();
    uint8_t buffer [32];
    return dh_call_reply (call, buffer, dh__clock_reply__pack (&reply, buffer));
}

static int
s_handle_audit_verify (dh_call_t *call, void *state)
{
    (void) state;
    Dh__AuditReport report = DH__AUDIT_REPORT__INIT;
    report.service = (char *) dh_service_name (call->service);
    int rc = dh_audit_verify (call->txn, dh_service_audit_dbi (call->service),
                              &report.records, &report.broken_seq);
    if (rc && rc != DH_E_CORRUPT)
        return dh_call_fail (call, rc, "cannot read the audit chain: %s", dh_strerror (rc));
    if (rc)
        zsys_error ("%s: audit chain broken at record %" PRIu64, report.service, report.broken_seq);
    uint8_t buffer [128];
    return dh_call_reply (call, buffer, dh__audit_report__pack (&report, buffer));
}

static const dh_command_t s_builtins [] = {
    { DH_MSG_PING,         s_handle_ping,         DH_FROM_CLIENT, 0, false, NULL },
    { DH_MSG_STATUS,       s_handle_status,       DH_FROM_CLIENT, 0, false, NULL },
    { DH_MSG_CLOCK,        s_handle_clock,        DH_FROM_CLIENT, 0, false, NULL },
    { DH_MSG_AUDIT_VERIFY, s_handle_audit_verify, DH_FROM_CLIENT, 0, false, NULL },
    { 0 }
};

void
dh_service_register_builtins (dh_service_t *self)
{
    dh_service_register (self, s_builtins, NULL);
}

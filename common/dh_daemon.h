/*  dh_daemon — what every dunghan process that runs until stopped has:
    its configuration, its name in the log, its certificate and the ZAP
    handler that admits only the deployment's certificates (dh_auth), one
    reactor (zloop), the ready file, SIGINT/SIGTERM, and the exit status
    that tells systemd whether a restart can help.

    A daemon without a store (the gateway) stands on this alone; one with
    a store builds a dh_service on it (dh_service.h).  */
#ifndef DH_DAEMON_H
#define DH_DAEMON_H

#include <czmq.h>
#include "dh_auth.h"
#include "dh_config.h"

typedef struct _dh_daemon_t dh_daemon_t;

//  The release this build is. Every daemon reports it (STATUS, the
//  gateway's /healthz), so an operator sees what runs where; a package
//  build may set it (-DDH_VERSION=...).
#ifndef DH_VERSION
#define DH_VERSION "0.1.0"
#endif

//  A daemon's exit status when it cannot start until someone changes its
//  configuration or its store (a bad key, a store of another layout):
//  sysexits' EX_CONFIG, so that systemd does not restart it in a loop
//  (RestartPreventExitStatus). Any other failure to start exits 1.
#define DH_EXIT_CONFIG 78

//  Make the daemon of config's service: its loop, test clock if asked,
//  its run folder, its certificate (`cert`: name = the service, role
//  service) and the ZAP handler on the `certs` folder. NULL on error
//  (logged); *why then gets DH_E_CONFIG when a configuration value is
//  wrong or the certificate is missing or not the service's, else
//  DH_E_IO or DH_E_NOMEM.
//  @note config stays the caller's and must outlive the daemon.
dh_daemon_t *dh_daemon_new (dh_config_t *config, int *why);

//  Runs the stop hooks (last added first), removes the ready file, frees.
void dh_daemon_destroy (dh_daemon_t **self_p);

//  Add "key=value" to the ready file (the endpoints a client or a test
//  reads there). value is copied.
int dh_daemon_ready_add (dh_daemon_t *self, const char *key, const char *value);

//  Call fn (arg) when the daemon is destroyed, before the loop goes; what
//  a layer built on the daemon frees. Hooks run last added first.
typedef void (dh_daemon_stop_fn) (void *arg);
int dh_daemon_on_stop (dh_daemon_t *self, dh_daemon_stop_fn *fn, void *arg);

//  Write the ready file ("pid=N" and the added lines), log `ready`, and
//  run the loop until SIGINT or SIGTERM. Returns 0 on a clean stop.
int dh_daemon_run (dh_daemon_t *self);

//  When this process's daemon was made (UTC ms, wall clock; 0 before):
//  what its uptime counts from. Process-wide, as a process is one
//  daemon, so that code without the daemon at hand (the gateway's web
//  threads) can say it.
int64_t dh_daemon_started_at (void);

zloop_t *dh_daemon_loop (dh_daemon_t *self);
dh_config_t *dh_daemon_config (dh_daemon_t *self);
//  The service's name ("intake"). @note owned by the daemon.
const char *dh_daemon_name (dh_daemon_t *self);
//  Its identity, for the sockets it binds and connects.
//  @note owned by the daemon.
dh_auth_t *dh_daemon_auth (dh_daemon_t *self);

//  main() of a daemon: log identity "dunghan-<name>", configuration from
//  argv (--help prints usage and every key), the daemon, setup, the loop.
//  setup returns 0 or an error code; DH_E_CONFIG and DH_E_LAYOUT make the
//  exit status DH_EXIT_CONFIG, anything else 1.
typedef int (dh_daemon_setup_fn) (dh_daemon_t *daemon, void *state);
int dh_daemon_main (const char *name, const char *usage, int argc, char **argv,
                    const dh_config_key_t *keys, dh_daemon_setup_fn *setup, void *state);

#endif

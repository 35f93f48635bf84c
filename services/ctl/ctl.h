/*  dunghanctl — the operator's tool. Each subcommand lives in its own
    cmd_<name>.c and is one row in the table in main.c.  */
#ifndef CTL_H
#define CTL_H

#include <stdbool.h>
#include <stdio.h>

//  A subcommand gets argv starting at its own name (argv[0] = "calendar").
//  Returns the process exit code: 0 success, 1 the command failed,
//  2 bad usage.
typedef int (ctl_command_fn) (int argc, char **argv);

int ctl_calendar_main (int argc, char **argv);

//  Certificates (cmd_cert.c): `cert new`, and the identity dunghanctl
//  speaks with: cert (--cert), else $DUNGHAN_CERT, else the
//  configuration's ctl/cert. NULL when there is none (said on stderr).
struct _dh_config_t;
struct _dh_auth_t;
int ctl_cert_main (int argc, char **argv);
//  dunghanctl token new (cmd_token.c)
int ctl_token_main (int argc, char **argv);
struct _dh_auth_t *ctl_auth (struct _dh_config_t *config, const char *cert);
//  The configuration and the identity a command speaks with, both or
//  neither (what was missing said on stderr). Returns 0 or DH_E_CONFIG.
int ctl_open (const char *config_path, const char *cert, struct _dh_config_t **config,
              struct _dh_auth_t **auth);

//  The daemons' event feeds, one line per event (cmd_watch.c).
int ctl_watch_main (int argc, char **argv);

//  The commands asked of every configured daemon (cmd_survey.c): audit
//  verify, health, time advance, time set. Returns the exit code, or -1
//  when argv names none; ctl_survey_row gives each one's name and summary
//  (false past the last).
int ctl_survey_main (int argc, char **argv);
bool ctl_survey_row (size_t index, const char **name, const char **summary);

//  The commands that talk to daemons (cmd_work.c). argv[0] is the command
//  word; returns -1 when it is not one of them.
int ctl_work_main (int argc, char **argv);
void ctl_work_usage (FILE *out);

#endif

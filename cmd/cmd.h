/* The sluice command line: argv in, a libsluice call, an exit code out. */
#ifndef SLUICE_CMD_H
#define SLUICE_CMD_H

#include <stdbool.h>
#include <stddef.h>

int cmd_run(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_cleanup(int argc, char **argv);

/* The OCI runtime commands (docs/oci.md), runc's names and flags. */
int cmd_create(int argc, char **argv);
int cmd_start(int argc, char **argv);
int cmd_oci_run(int argc, char **argv);
/* sluice run's argv is the OCI run's (oci_run.c), not a sandbox's. */
bool cmd_run_is_oci(int argc, char **argv);
int cmd_state(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_kill(int argc, char **argv);
int cmd_delete(int argc, char **argv);
int cmd_exec(int argc, char **argv);
int cmd_ps(int argc, char **argv);
int cmd_spec(int argc, char **argv);
int cmd_features(int argc, char **argv);
int cmd_pause(int argc, char **argv);
int cmd_resume(int argc, char **argv);
int cmd_checkpoint(int argc, char **argv);
int cmd_restore(int argc, char **argv);
int cmd_update(int argc, char **argv);
int cmd_events(int argc, char **argv);

/* create's flags, which the OCI run shares (create.c). */
struct flag;
extern const struct flag *const create_flags;
extern const size_t n_create_flags;

#endif

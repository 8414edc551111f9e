/* The sluice command line: argv in, a libsluice call, an exit code out. */
#ifndef SLUICE_CMD_H
#define SLUICE_CMD_H

int cmd_run(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_cleanup(int argc, char **argv);

#endif

/* sluice init: the helper entry point (docs/protocol.md). */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "helper.h"

int cmd_init(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: sluice init 3<CONFIG\n\n"
		       "Builds the sandbox from the config on fd 3 (raw YAML/JSON read to EOF,\n"
		       "or the framed protocol of docs/protocol.md) and execs process.args.\n"
		       "Setup errors go to fd 4 when it is a pipe or socket, else to stderr.\n"
		       "Frames on fd 3 (version 1): 1 CONFIG, 2 GO, 3 NAMESPACES, 4 SECCOMP;\n"
		       "on fd 4: 0x81 READY, 0x82 ERROR, 0x83 SECCOMP_LISTENER.\n");
		return 0;
	}
	if (argc > 1) {
		fprintf(stderr, "sluice: init takes no arguments: the config comes on fd 3\n");
		return SLUICE_EXIT_USAGE;
	}
	return sluice_helper_main();
}

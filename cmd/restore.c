/* sluice restore: runc's command, refused by name (docs/oci.md). */
#include "cmd.h"
#include "oci_cmd.h"

int cmd_restore(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return oci_unsupported("restore");
}

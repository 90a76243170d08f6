/* The command table: one line per command. Each command's descriptor
 * (usage, options, example) lives beside its code in cmd_<verb>.c. */
#include "bootstrap/cli.h"

extern const struct sb_cmd sb_cmd_bom;
extern const struct sb_cmd sb_cmd_help;
extern const struct sb_cmd sb_cmd_version;
extern const struct sb_cmd sb_cmd_completion;
extern const struct sb_cmd sb_cmd_gen_man;
extern const struct sb_cmd sb_cmd_lab_redfish_bmc;

const struct sb_cmd *const sb_commands[] = {
	&sb_cmd_bom,
	&sb_cmd_help,
	&sb_cmd_version,
	&sb_cmd_completion,
	&sb_cmd_gen_man,
	&sb_cmd_lab_redfish_bmc,
	NULL,
};

/* The command table: one line per command. Each command's descriptor
 * (usage, options, example) lives beside its code in cmd_<verb>.c. */
#include "bootstrap/cli.h"

extern const struct sb_cmd sb_cmd_bom;
extern const struct sb_cmd sb_cmd_discover;
extern const struct sb_cmd sb_cmd_power;
extern const struct sb_cmd sb_cmd_boot;
extern const struct sb_cmd sb_cmd_media;
extern const struct sb_cmd sb_cmd_bmc;
extern const struct sb_cmd sb_cmd_checklist;
extern const struct sb_cmd sb_cmd_plan;
extern const struct sb_cmd sb_cmd_reconcile;
extern const struct sb_cmd sb_cmd_inventory;
extern const struct sb_cmd sb_cmd_besu;
extern const struct sb_cmd sb_cmd_inband;
extern const struct sb_cmd sb_cmd_image;
extern const struct sb_cmd sb_cmd_ceph;
extern const struct sb_cmd sb_cmd_run;
extern const struct sb_cmd sb_cmd_runs;
extern const struct sb_cmd sb_cmd_help;
extern const struct sb_cmd sb_cmd_lab;
extern const struct sb_cmd sb_cmd_version;
extern const struct sb_cmd sb_cmd_completion;
extern const struct sb_cmd sb_cmd_gen_man;
extern const struct sb_cmd sb_cmd_lab_redfish_bmc;

const struct sb_cmd *const sb_commands[] = {
	&sb_cmd_bom,
	&sb_cmd_discover,
	&sb_cmd_power,
	&sb_cmd_boot,
	&sb_cmd_media,
	&sb_cmd_bmc,
	&sb_cmd_checklist,
	&sb_cmd_plan,
	&sb_cmd_reconcile,
	&sb_cmd_inventory,
	&sb_cmd_besu,
	&sb_cmd_inband,
	&sb_cmd_image,
	&sb_cmd_ceph,
	&sb_cmd_lab,
	&sb_cmd_run,
	&sb_cmd_runs,
	&sb_cmd_help,
	&sb_cmd_version,
	&sb_cmd_completion,
	&sb_cmd_gen_man,
	&sb_cmd_lab_redfish_bmc,
	NULL,
};

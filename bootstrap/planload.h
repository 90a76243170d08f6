/* siteboot: what `plan` and `run` share: their common options, loading
 * the checklist and the BOM, and building the plan. Command layer. */
#ifndef SB_BOOTSTRAP_PLANLOAD_H
#define SB_BOOTSTRAP_PLANLOAD_H

#include <stddef.h>

#include "bootstrap/checklist.h"
#include "bootstrap/cli.h"
#include "common/str.h"

struct sb_planload {
	const char *target;	/* TIER or FILE */
	const char *site_path;
	struct sb_plan_filter filter;
	struct sb_strv hosts;
	struct sb_checklist *cl;
	struct sb_site *site;
	struct sb_plan *plan;
};

/* Parse the command line: the checklist, --site, --only, --from, --hosts
 * (which `opts` must hold under those names) and, through `extra`, the
 * command's own options (extra returns 0 or an exit status). Returns 0
 * or an exit status. */
int sb_planload_parse(struct sb_planload *pl, struct sb_cli *cli, int argc,
		      char **argv, const struct sb_opt *opts,
		      int (*extra)(void *ctx, int k, const char *arg), void *ctx);
/* Load both files and build the plan, printing problems. Returns 0 or an
 * exit status. */
int sb_planload_load(struct sb_planload *pl, struct sb_cli *cli);
void sb_planload_release(struct sb_planload *pl);
/* The selection (--only/--from/--hosts) as a canonical string. */
void sb_planload_selection(const struct sb_planload *pl, char *buf,
			   size_t size);

/* Print the plan (text or --json), marking what earlier runs in the
 * database at `db` finished. Returns 0 or an exit status. */
int sb_plan_print(struct sb_cli *cli, const struct sb_planload *pl,
		  const char *db);

#endif

/* siteboot plan TIER|FILE --site FILE: the steps per host in the order
 * they would run, with what earlier runs already did. Nothing is done. */
#include "bootstrap/checklist.h"
#include "bootstrap/cli.h"
#include "bootstrap/planload.h"
#include "bootstrap/runstore.h"
#include "common/error.h"
#include "common/json.h"
#include "common/str.h"
#include "common/time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct sb_opt plan_opts[] = {
	{ "site", 's', SB_OPT_ARG, "FILE", "the site's BOM" },
	{ "only", 0, SB_OPT_ARG, "STEP", "this step alone" },
	{ "from", 0, SB_OPT_ARG, "STEP", "this step and the ones after it" },
	{ "hosts", 0, SB_OPT_ARG, "NODES", "only these nodes and VMs (names, ranges, comma-separated)" },
	{ NULL, 0, 0, NULL, NULL },
};

int sb_planload_parse(struct sb_planload *pl, struct sb_cli *cli, int argc,
		      char **argv, const struct sb_opt *opts,
		      int (*extra)(void *ctx, int k, const char *arg), void *ctx)
{
	struct sb_optparse op;
	const char *arg;
	int k;

	memset(pl, 0, sizeof(*pl));
	sb_optparse_init(&op, argc, argv);
	while ((k = sb_optparse_next(&op, cli, opts, &arg)) != -2) {
		if (k == -3)
			return SB_EXIT_USAGE;
		if (k == -1) {
			if (pl->target)
				return sb_cli_usage_error(cli, "give one checklist (TIER or FILE), not '%s' too", arg);
			pl->target = arg;
			continue;
		}
		const char *name = opts[k].name;
		if (strcmp(name, "site") == 0) {
			pl->site_path = arg;
		} else if (strcmp(name, "only") == 0) {
			pl->filter.only = arg;
		} else if (strcmp(name, "from") == 0) {
			pl->filter.from = arg;
		} else if (strcmp(name, "hosts") == 0) {
			char *dup = strdup(arg), *save = NULL;
			/* split on commas outside brackets: "n[01-03],n05" */
			int depth = 0;
			char *start = dup;
			(void)save;
			if (!dup)
				return SB_EXIT_PROBLEMS;
			for (char *p = dup;; p++) {
				if (*p == '[')
					depth++;
				else if (*p == ']')
					depth--;
				if (*p == '\0' || (*p == ',' && depth == 0)) {
					char end = *p;
					*p = '\0';
					if (*start)
						sb_strv_push(&pl->hosts, start);
					if (!end)
						break;
					start = p + 1;
				}
			}
			free(dup);
		} else if (extra) {
			int rc = extra(ctx, k, arg);
			if (rc)
				return rc;
		}
	}
	if (!pl->target)
		return sb_cli_usage_error(cli, "give a checklist: a tier (core, regional, edge) or a FILE");
	if (!pl->site_path)
		return sb_cli_usage_error(cli, "give the site's BOM with --site FILE");
	if (pl->filter.only && pl->filter.from)
		return sb_cli_usage_error(cli, "--only and --from cannot be used together");
	pl->filter.hosts = (const char *const *)pl->hosts.v;
	pl->filter.nhosts = pl->hosts.n;
	return 0;
}

int sb_planload_load(struct sb_planload *pl, struct sb_cli *cli)
{
	struct sb_diags d;
	int rc;

	sb_diags_init(&d);
	rc = sb_checklist_open(&pl->cl, pl->target, &d);
	if (rc == SB_EINPUT && !sb_checklist_builtin(pl->target) &&
	    access(pl->target, F_OK) != 0 && !strchr(pl->target, '/') &&
	    !strchr(pl->target, '.')) {
		sb_diags_release(&d);
		static const char *const tiers[] = { "core", "regional", "edge", NULL };
		const char *best = sb_did_you_mean(pl->target, tiers);
		return sb_cli_usage_error(cli, "'%s' is neither a tier (core, regional, edge) nor a checklist file%s%s%s",
					  pl->target, best ? "; did you mean '" : "",
					  best ? best : "", best ? "'?" : "");
	}
	if (rc == 0)
		rc = sb_bom_load(&pl->site, pl->site_path, &d);
	if (rc == 0) {
		rc = sb_plan_build(&pl->plan, pl->cl, pl->site, &pl->filter, &d);
		if (rc == SB_EINPUT && d.nerrors == 0)
			rc = SB_EUSAGE;
	}
	sb_diags_sort(&d);
	sb_cli_diags_print(cli, &d);
	sb_diags_release(&d);
	if (rc == SB_EUSAGE)
		return sb_cli_usage_error(cli, "%s", sb_error_message());
	if (rc == SB_EINPUT) {
		fprintf(stderr, "siteboot %s: error: %s\n", cli->cmd ? cli->cmd->name : "plan",
			!pl->cl ? "the checklist is not valid; the lines above say where" :
			!pl->site ? "the BOM is not valid; 'siteboot bom check' lists its problems" :
			"the checklist does not apply to this site; the lines above say why");
		return SB_EXIT_USAGE;
	}
	if (rc)
		return sb_cli_fail(cli, rc);
	return 0;
}

void sb_planload_release(struct sb_planload *pl)
{
	sb_plan_free(pl->plan);
	sb_checklist_free(pl->cl);
	sb_bom_free(pl->site);
	sb_strv_release(&pl->hosts);
	memset(pl, 0, sizeof(*pl));
}

void sb_planload_selection(const struct sb_planload *pl, char *buf, size_t size)
{
	size_t off = 0;

	buf[0] = '\0';
	if (pl->filter.only)
		off += (size_t)snprintf(buf + off, size - off, "only=%s;", pl->filter.only);
	if (pl->filter.from && off < size)
		off += (size_t)snprintf(buf + off, size - off, "from=%s;", pl->filter.from);
	for (size_t i = 0; i < pl->filter.nhosts && off < size; i++)
		off += (size_t)snprintf(buf + off, size - off, "%s%s", i ? "," : "hosts=",
					pl->filter.hosts[i]);
}

int sb_plan_print(struct sb_cli *cli, const struct sb_planload *plp, const char *db)
{
	struct sb_runstore *rs = NULL;
	json_t *hosts = NULL;
	int rc = 0;
	const struct sb_plan *p = plp->plan;
	const struct sb_checklist *c = plp->cl;
	/* history: what earlier runs finished (only when a database exists;
	 * a plan never creates one) */
	if (access(db, F_OK) == 0 && sb_runstore_open(&rs, db) != 0) {
		sb_cli_warn(cli, "%s; the plan does not show earlier runs", sb_error_message());
		rs = NULL;
	}
	size_t ndone = 0;
	if (cli->json)
		hosts = json_array();
	else
		printf("Plan: checklist %s (%s, sha256 %.12s) on site %s (%s), %zu host%s, %zu step%s\n",
		       c->name, c->path, c->sha256, plp->site->id, plp->site->path,
		       p->nhosts, p->nhosts == 1 ? "" : "s", p->nitems, p->nitems == 1 ? "" : "s");
	for (size_t h = 0; h < p->nhosts; h++) {
		const struct sb_plan_host *ph = &p->hosts[h];
		struct sb_tmpl_env env = { plp->site, ph->node, NULL, NULL, NULL, NULL };
		json_t *steps = cli->json ? json_array() : NULL;
		const char *parent = ph->node && ph->node->parent ? ph->node->parent->name : NULL;
		if (!cli->json)
			printf("\n%s%s%s%s%s%s\n", ph->name,
			       ph->node && ph->node->mgmt.ip ? "  " : "",
			       ph->node && ph->node->mgmt.ip ? ph->node->mgmt.ip : "",
			       parent ? "  (VM on " : "", parent ? parent : "", parent ? ")" : "");
		for (size_t i = 0; i < ph->nitems; i++) {
			const struct sb_step *s = &c->steps[p->items[ph->items[i]].step];
			struct sb_step_row row;
			char run_id[64] = "";
			bool done = false;
			if (rs && sb_runstore_step_last_ok(rs, c->name, plp->site->id, ph->name,
							    s->id, false, &row, run_id) == 0) {
				done = true;
				ndone++;
				sb_step_row_release(&row);
			}
			sb_error_clear();
			char *run = sb_action_describe(&s->run, &env);
			char *chk = s->check ? sb_action_describe(s->check, &env) : NULL;
			char *ver = s->verify ? sb_action_describe(s->verify, &env) : NULL;
			if (cli->json) {
				json_t *o = json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:I, s:i, s:s, s:b, s:s?}",
						      "id", s->id, "title", s->title, "run", run,
						      "check", chk, "verify", ver,
						      "timeout_ms", (json_int_t)s->timeout_ms,
						      "retries", (int)s->retries,
						      "on_failure", sb_on_failure_name(s->on_failure),
						      "done", done, "done_in_run", done ? run_id : NULL);
				json_array_append_new(steps, o);
			} else {
				printf("  %2zu. %-22s %s%s%s%s\n", i + 1, s->id, run ? run : "",
				       done ? "   [done in run " : "", done ? run_id : "",
				       done ? "]" : "");
				if (chk)
					printf("      check:  %s\n", chk);
				if (ver)
					printf("      verify: %s\n", ver);
			}
			free(run);
			free(chk);
			free(ver);
		}
		if (cli->json)
			json_array_append_new(hosts, json_pack("{s:s, s:s?, s:s?, s:o}", "host", ph->name,
							       "mgmt_ip", ph->node ? ph->node->mgmt.ip : NULL,
							       "vm_on", parent, "steps", steps));
	}
	if (cli->json) {
		rc = sb_cli_json_out(cli, json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:o}",
						     "checklist", c->name, "checklist_file", c->path,
						     "checklist_sha256", c->sha256, "site", plp->site->id,
						     "bom_sha256", plp->site->sha256,
						     "items", (json_int_t)p->nitems,
						     "done", (json_int_t)ndone, "hosts", hosts));
		rc = rc ? sb_cli_fail(cli, rc) : 0;
	} else {
		printf("\n%zu of %zu step%s already done by earlier runs; nothing was run.\n",
		       ndone, p->nitems, p->nitems == 1 ? "" : "s");
	}
	sb_runstore_close(rs);
	return rc;
}

static int run_plan(struct sb_cli *cli, int argc, char **argv)
{
	struct sb_planload pl;
	int rc;

	if ((rc = sb_planload_parse(&pl, cli, argc, argv, plan_opts, NULL, NULL)) ||
	    (rc = sb_planload_load(&pl, cli))) {
		sb_planload_release(&pl);
		return rc;
	}
	rc = sb_plan_print(cli, &pl, sb_cli_db_path(cli));
	sb_planload_release(&pl);
	return rc;
}

const struct sb_cmd sb_cmd_plan = {
	.name = "plan",
	.run = run_plan,
	.summary = "show the steps a checklist would run per host; do nothing",
	.usage = "siteboot plan TIER|FILE --site FILE [--only STEP | --from STEP] [--hosts NODES] [--json]",
	.description =
		"'plan' applies a checklist (a tier's built-in one, or a FILE) to the site "
		"in the BOM and prints, per host, the steps in the order 'siteboot run' "
		"would run them, each with its action, check and verification rendered "
		"for that host, and marks the steps an earlier run already finished. "
		"Every template variable is resolved here: an unknown variable, or one "
		"without a value for a host (a node with no management address), is an "
		"error with the checklist's FILE:LINE:COL, before anything is run. "
		"Outputs of earlier steps (steps.ID.stdout) show as placeholders. "
		"Nothing is run and nothing is written.",
	.opts = plan_opts,
	.example = "siteboot plan edge --site bom/examples/edge-accra.yaml\n"
		   "siteboot plan my-smoke.yaml --site site.yaml --hosts edge-n[01-02] --json",
};

/* siteboot checklist check FILE... */
#include "bootstrap/checklist.h"
#include "bootstrap/cli.h"
#include "common/error.h"
#include "common/json.h"
#include "common/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const checklist_verbs[] = { "check", NULL };

static int checklist_load_any(void **obj, const char *file, struct sb_diags *d)
{
	struct sb_checklist *c = NULL;
	int rc = sb_checklist_open(&c, file, d);

	*obj = c;
	return rc;
}

static void checklist_free_any(void *obj)
{
	sb_checklist_free(obj);
}

static void checklist_facts(json_t *o, const void *obj)
{
	const struct sb_checklist *c = obj;
	json_t *ord = json_array();

	json_object_set_new(o, "name", json_string(c->name));
	json_object_set_new(o, "steps", json_integer((json_int_t)c->nsteps));
	json_object_set_new(o, "sha256", json_string(c->sha256));
	for (size_t k = 0; k < c->nsteps; k++)
		json_array_append_new(ord, json_string(c->steps[c->order[k]].id));
	json_object_set_new(o, "order", ord);
}

static void checklist_summary(char *buf, size_t size, const void *obj)
{
	const struct sb_checklist *c = obj;

	snprintf(buf, size, "checklist %s, %zu step%s", c->name, c->nsteps,
		 c->nsteps == 1 ? "" : "s");
}

static int checklist_check(struct sb_cli *cli, char **files, int nfiles)
{
	static const struct sb_cli_check_kind kind = {
		checklist_load_any, checklist_free_any, checklist_facts,
		checklist_summary
	};

	return sb_cli_check_files(cli, files, nfiles, &kind);
}

static int run_checklist(struct sb_cli *cli, int argc, char **argv)
{
	struct sb_optparse op;
	const char *arg;
	char **files;
	int nfiles = 0, k, rc;

	if (argc < 2)
		return sb_cli_usage_error(cli, "say 'check'");
	if (strcmp(argv[1], "check") != 0) {
		const char *best = sb_did_you_mean(argv[1], checklist_verbs);
		return sb_cli_usage_error(cli, "unknown verb '%s'%s%s%s", argv[1],
					  best ? "; did you mean '" : "; say 'check'",
					  best ? best : "", best ? "'?" : "");
	}
	files = calloc((size_t)argc, sizeof(*files));
	if (!files)
		return SB_EXIT_PROBLEMS;
	sb_optparse_init(&op, argc - 1, argv + 1);
	while ((k = sb_optparse_next(&op, cli, NULL, &arg)) != -2) {
		if (k == -3) {
			free(files);
			return SB_EXIT_USAGE;
		}
		files[nfiles++] = (char *)arg;
	}
	if (nfiles == 0)
		rc = sb_cli_usage_error(cli, "give at least one checklist FILE (or a tier: core, regional, edge)");
	else
		rc = checklist_check(cli, files, nfiles);
	free(files);
	return rc;
}

const struct sb_cmd sb_cmd_checklist = {
	.name = "checklist",
	.run = run_checklist,
	.summary = "validate a checklist",
	.usage = "siteboot checklist check FILE|TIER... [--json]",
	.description =
		"'checklist check' validates each checklist (docs/checklists.md): its "
		"schema, every executor action, the template variables it uses and the "
		"order its steps' needs make (a cycle is named). Problems are printed as "
		"FILE:LINE:COL: error: MESSAGE; HINT on standard error. A tier name "
		"(core, regional, edge) checks the checklist built into siteboot. Exits 0 "
		"when every checklist is valid (warnings allowed), 2 when any is not.",
	.verbs = checklist_verbs,
	.example = "siteboot checklist check bootstrap/checklists/edge.yaml\n"
		   "siteboot checklist check my-smoke.yaml --json",
};

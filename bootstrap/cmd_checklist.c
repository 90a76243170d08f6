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

static int checklist_check(struct sb_cli *cli, char **files, int nfiles)
{
	json_t *arr = cli->json ? json_array() : NULL;
	bool all_ok = true;

	for (int i = 0; i < nfiles; i++) {
		struct sb_diags d;
		struct sb_checklist *c = NULL;
		int rc;

		sb_diags_init(&d);
		rc = sb_checklist_open(&c, files[i], &d);
		sb_diags_sort(&d);
		if (rc && rc != SB_EINPUT) {
			sb_diags_release(&d);
			json_decref(arr);
			return sb_cli_fail(cli, rc);
		}
		sb_error_clear();
		if (d.nerrors)
			all_ok = false;
		if (cli->json) {
			json_t *o = json_pack("{s:s, s:b, s:i, s:i, s:o}", "file", files[i],
					      "ok", d.nerrors == 0, "errors", (int)d.nerrors,
					      "warnings", (int)d.nwarnings,
					      "diagnostics", sb_cli_diags_json(&d));
			if (o && c) {
				json_object_set_new(o, "name", json_string(c->name));
				json_object_set_new(o, "steps", json_integer((json_int_t)c->nsteps));
				json_object_set_new(o, "sha256", json_string(c->sha256));
				json_t *ord = json_array();
				for (size_t k = 0; k < c->nsteps; k++)
					json_array_append_new(ord, json_string(c->steps[c->order[k]].id));
				json_object_set_new(o, "order", ord);
			}
			json_array_append_new(arr, o);
		} else {
			sb_cli_diags_print(cli, &d);
			if (d.nerrors)
				printf("%s: invalid: %zu error%s, %zu warning%s\n", files[i],
				       d.nerrors, d.nerrors == 1 ? "" : "s", d.nwarnings,
				       d.nwarnings == 1 ? "" : "s");
			else if (cli->verbosity >= 0)
				printf("%s: ok: checklist %s, %zu step%s, %zu warning%s\n",
				       files[i], c->name, c->nsteps, c->nsteps == 1 ? "" : "s",
				       d.nwarnings, d.nwarnings == 1 ? "" : "s");
		}
		sb_checklist_free(c);
		sb_diags_release(&d);
	}
	if (cli->json) {
		int rc = sb_cli_json_out(cli, json_pack("{s:b, s:o}", "ok", all_ok,
							 "files", arr));
		if (rc)
			return sb_cli_fail(cli, rc);
	}
	return all_ok ? SB_EXIT_OK : SB_EXIT_USAGE;
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

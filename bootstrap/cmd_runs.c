/* siteboot runs list|show RUN|forget-key NODE */
#include "bootstrap/cli.h"
#include "bootstrap/runstore.h"
#include "bootstrap/table.h"
#include "common/error.h"
#include "common/json.h"
#include "common/str.h"
#include "common/time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const runs_verbs[] = { "list", "show", "forget-key", NULL };

static const struct sb_opt runs_opts[] = {
	{ "limit", 0, SB_OPT_ARG, "N", "list: at most N runs (default 50)" },
	{ NULL, 0, 0, NULL, NULL },
};

static void when(char *buf, size_t size, int64_t ms)
{
	if (!ms) {
		sb_strlcpy(buf, "-", size);
		return;
	}
	sb_time_iso8601(buf, size, ms);
}

static json_t *run_json(const struct sb_run_row *r)
{
	char a[40], b[40];

	when(a, sizeof(a), r->started_at);
	when(b, sizeof(b), r->finished_at);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s?}",
			 "run", r->id, "state", r->state, "checklist", r->checklist,
			 "checklist_file", r->checklist_path,
			 "checklist_sha256", r->checklist_sha256, "site", r->site,
			 "bom", r->bom_path, "bom_sha256", r->bom_sha256,
			 "started_by", r->started_by, "dir", r->dir, "started_at", a,
			 "finished_at", r->finished_at ? b : NULL);
}

static int runs_list(struct sb_cli *cli, struct sb_runstore *rs, size_t limit)
{
	struct sb_run_row *v = NULL;
	size_t n = 0;
	int rc = sb_runstore_run_list(rs, &v, &n, limit);

	if (rc)
		return sb_cli_fail(cli, rc);
	if (cli->json) {
		json_t *arr = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(arr, run_json(&v[i]));
		rc = sb_cli_json_out(cli, json_pack("{s:o}", "runs", arr));
		free(v);
		return rc ? sb_cli_fail(cli, rc) : 0;
	}
	static const char *const cols[] = { "RUN", "STATE", "CHECKLIST", "SITE", "STARTED", "BY" };
	struct sb_table tb;
	sb_table_init(&tb, 0, 6, cols);
	for (size_t i = 0; i < n; i++) {
		char a[40];
		when(a, sizeof(a), v[i].started_at);
		sb_table_rowf(&tb, "%s\t%s\t%s\t%s\t%s\t%s", v[i].id, v[i].state, v[i].checklist,
			      v[i].site, a, v[i].started_by);
	}
	if (n)
		sb_table_print(stdout, &tb);
	else
		printf("no runs yet\n");
	sb_table_release(&tb);
	free(v);
	return 0;
}

static int runs_show(struct sb_cli *cli, struct sb_runstore *rs, const char *id)
{
	struct sb_run_row r;
	struct sb_step_row *v = NULL;
	size_t n = 0;
	int rc;

	if ((rc = sb_runstore_run_get(rs, id, &r)) ||
	    (rc = sb_runstore_step_list(rs, r.id, &v, &n)))
		return rc == SB_EUSAGE ? sb_cli_usage_error(cli, "%s", sb_error_message()) :
		       sb_cli_fail(cli, rc);
	bool failed = false;
	if (cli->json) {
		json_t *doc = run_json(&r), *steps = json_array();
		for (size_t i = 0; i < n; i++) {
			char a[40], b[40];
			when(a, sizeof(a), v[i].started_at);
			when(b, sizeof(b), v[i].finished_at);
			failed |= v[i].state == SB_ST_FAILED;
			json_array_append_new(steps, json_pack("{s:s, s:s, s:s, s:i, s:s?, s:s?, s:o, s:s?, s:s?, s:s?}",
							       "host", v[i].host, "step", v[i].step,
							       "state", sb_step_state_name(v[i].state),
							       "attempts", (int)v[i].attempts,
							       "started_at", v[i].started_at ? a : NULL,
							       "finished_at", v[i].finished_at ? b : NULL,
							       "exit_status", v[i].exit_status >= 0 ?
									json_integer(v[i].exit_status) : json_null(),
							       "output_sha256", v[i].output_sha256[0] ? v[i].output_sha256 : NULL,
							       "error", v[i].error,
							       "log", v[i].log[0] ? v[i].log : NULL));
		}
		json_object_set_new(doc, "steps", steps);
		rc = sb_cli_json_out(cli, doc);
		rc = rc ? sb_cli_fail(cli, rc) : 0;
	} else {
		char a[40], b[40];
		when(a, sizeof(a), r.started_at);
		when(b, sizeof(b), r.finished_at);
		printf("Run %s: %s\n  checklist %s (%s, sha256 %.16s)\n  site %s (%s, sha256 %.16s)\n"
		       "  started %s by %s, finished %s\n  logs %s\n\n", r.id, r.state, r.checklist,
		       r.checklist_path, r.checklist_sha256, r.site, r.bom_path, r.bom_sha256, a,
		       r.started_by, b, r.dir);
		static const char *const cols[] = { "HOST", "STEP", "STATE", "TRIES", "EXIT", "ERROR" };
		struct sb_table tb;
		sb_table_init(&tb, 2, 6, cols);
		for (size_t i = 0; i < n; i++) {
			char ex[16];
			failed |= v[i].state == SB_ST_FAILED;
			snprintf(ex, sizeof(ex), "%d", v[i].exit_status);
			sb_table_rowf(&tb, "%s\t%s\t%s\t%u\t%s\t%.160s", v[i].host, v[i].step,
				      sb_step_state_name(v[i].state), v[i].attempts,
				      v[i].exit_status >= 0 ? ex : "-", v[i].error ? v[i].error : "-");
		}
		sb_table_print(stdout, &tb);
		sb_table_release(&tb);
	}
	for (size_t i = 0; i < n; i++)
		sb_step_row_release(&v[i]);
	free(v);
	return rc;
}

static int run_runs(struct sb_cli *cli, int argc, char **argv)
{
	struct sb_optparse op;
	struct sb_runstore *rs = NULL;
	const char *arg, *pos[4];
	size_t npos = 0;
	long long limit = 50;
	int k, rc;

	if (argc < 2)
		return sb_cli_usage_error(cli, "say 'list', 'show RUN' or 'forget-key NODE'");
	sb_optparse_init(&op, argc - 1, argv + 1);
	while ((k = sb_optparse_next(&op, cli, runs_opts, &arg)) != -2) {
		if (k == -3)
			return SB_EXIT_USAGE;
		if (k == -1) {
			if (npos == 4)
				return sb_cli_usage_error(cli, "too many arguments");
			pos[npos++] = arg;
		} else if (sb_parse_ll(&limit, arg, 1, 100000, "--limit")) {
			return sb_cli_usage_error(cli, "%s", sb_error_message());
		}
	}
	const char *verb = argv[1];
	if (strcmp(verb, "list") != 0 && strcmp(verb, "show") != 0 &&
	    strcmp(verb, "forget-key") != 0) {
		const char *best = sb_did_you_mean(verb, runs_verbs);
		return sb_cli_usage_error(cli, "unknown verb '%s'%s%s%s", verb,
					  best ? "; did you mean '" : "; say list, show or forget-key",
					  best ? best : "", best ? "'?" : "");
	}
	size_t want = strcmp(verb, "list") == 0 ? 0 : 1;
	if (npos != want)
		return sb_cli_usage_error(cli, "'runs %s' takes %s", verb,
					  want ? (verb[0] == 's' ? "a RUN id" : "a NODE name") : "no arguments");
	const char *db = sb_cli_db_path(cli);
	if (access(db, F_OK) != 0 && strcmp(verb, "list") == 0) {
		if (cli->json)
			return sb_cli_json_out(cli, json_pack("{s:[]}", "runs")) ? SB_EXIT_PROBLEMS : 0;
		printf("no runs yet (no database at %s)\n", db);
		return 0;
	}
	if ((rc = sb_runstore_open(&rs, db)))
		return sb_cli_fail(cli, rc);
	if (strcmp(verb, "list") == 0) {
		rc = runs_list(cli, rs, (size_t)limit);
	} else if (strcmp(verb, "show") == 0) {
		rc = runs_show(cli, rs, pos[0]);
	} else {
		char fp[128] = "";
		sb_runstore_hostkey_get(rs, pos[0], fp, NULL);
		rc = sb_runstore_hostkey_forget(rs, pos[0]);
		if (rc)
			rc = sb_cli_fail(cli, rc);
		else if (!cli->json)
			printf("forgot the host key of %s (%s); the next connection pins the key it offers\n",
			       pos[0], fp);
		else
			rc = sb_cli_json_out(cli, json_pack("{s:s, s:s}", "node", pos[0],
							    "forgotten", fp)) ? SB_EXIT_PROBLEMS : 0;
	}
	sb_runstore_close(rs);
	return rc;
}

const struct sb_cmd sb_cmd_runs = {
	.name = "runs",
	.run = run_runs,
	.summary = "the history of checklist runs",
	.usage = "siteboot runs list [--limit N] [--json]\nsiteboot runs show RUN [--json]\n"
		 "siteboot runs forget-key NODE",
	.description =
		"'runs list' lists the checklist runs recorded in the inventory database, "
		"newest first: id, state (running, ok, failed), checklist, site, when and "
		"who. 'runs show RUN' (an id or a unique prefix) shows one run: the checklist "
		"and BOM versions (SHA-256), and every step on every host with its state, "
		"attempts, exit status and error, and where its log is. 'runs forget-key NODE' "
		"removes the SSH host key pinned for a node (after a reinstall), so that the "
		"next run pins the new one.",
	.verbs = runs_verbs,
	.opts = runs_opts,
	.example = "siteboot runs list\nsiteboot runs show 20261205-0912 --json\n"
		   "siteboot runs forget-key edge-n02",
	.flags = SB_CMD_DB,
};

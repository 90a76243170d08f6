/* siteboot run TIER|FILE --site FILE: run or resume a checklist. */
#include "bootstrap/checklist.h"
#include "bootstrap/cli.h"
#include "bootstrap/engine.h"
#include "bootstrap/oob.h"
#include "bootstrap/planload.h"
#include "bootstrap/runstore.h"
#include "bootstrap/table.h"
#include "common/error.h"
#include "common/json.h"
#include "common/str.h"
#include "common/time.h"

#include <libgen.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct sb_opt run_opts[] = {
	{ "site", 's', SB_OPT_ARG, "FILE", "the site's BOM" },
	{ "only", 0, SB_OPT_ARG, "STEP", "this step alone" },
	{ "from", 0, SB_OPT_ARG, "STEP", "this step and the ones after it" },
	{ "hosts", 0, SB_OPT_ARG, "NODES", "only these nodes and VMs (names, ranges, comma-separated)" },
	{ "parallel", 'j', SB_OPT_ARG, "N", "steps executing at once (default 4)" },
	{ "dry-run", 'n', SB_OPT_NONE, NULL, "print what would run, run nothing" },
	{ "attest", 0, SB_OPT_ARG, "STEP=NAME", "confirm a manual step as NAME (all=NAME: every one)" },
	{ "identity", 'i', SB_OPT_ARG, "FILE", "SSH private key (default: agent, then ~/.ssh)" },
	{ "credentials", 0, SB_OPT_ARG, "FILE", "BMC credentials for bmc steps (mode 0600)" },
	{ "bmc-ca-file", 0, SB_OPT_ARG, "PEM", "bmc steps: trust Redfish BMC certificates signed by these (e.g. the lab's)" },
	{ "new", 0, SB_OPT_NONE, NULL, "start a new run instead of resuming" },
	{ "rerun-inflight", 0, SB_OPT_NONE, NULL, "run again a step without check that was in flight" },
	{ "runs-dir", 0, SB_OPT_ARG, "DIR", "where run logs go (default: beside the database)" },
	{ NULL, 0, 0, NULL, NULL },
};

struct run_args {
	unsigned parallel;
	bool dry_run, new_run, rerun_inflight;
	struct sb_strv attest;
	const char *identity, *credentials, *runs_dir, *bmc_ca_file;
	struct sb_cli *cli;
};

static int run_extra(void *ctx, int k, const char *arg)
{
	struct run_args *a = ctx;
	const char *name = run_opts[k].name;
	long long v;

	if (strcmp(name, "parallel") == 0) {
		if (sb_parse_ll(&v, arg, 1, 1024, "--parallel"))
			return sb_cli_usage_error(a->cli, "%s", sb_error_message());
		a->parallel = (unsigned)v;
	} else if (strcmp(name, "dry-run") == 0) {
		a->dry_run = true;
	} else if (strcmp(name, "new") == 0) {
		a->new_run = true;
	} else if (strcmp(name, "rerun-inflight") == 0) {
		a->rerun_inflight = true;
	} else if (strcmp(name, "attest") == 0) {
		const char *eq = strchr(arg, '=');
		if (!eq || eq == arg || !eq[1])
			return sb_cli_usage_error(a->cli, "--attest takes STEP=NAME (or all=NAME), not '%s'", arg);
		sb_strv_push(&a->attest, arg);
	} else if (strcmp(name, "identity") == 0) {
		a->identity = arg;
	} else if (strcmp(name, "credentials") == 0) {
		a->credentials = arg;
	} else if (strcmp(name, "bmc-ca-file") == 0) {
		if (access(arg, R_OK) != 0)
			return sb_cli_usage_error(a->cli, "--bmc-ca-file %s: cannot read it", arg);
		a->bmc_ca_file = arg;
	} else if (strcmp(name, "runs-dir") == 0) {
		a->runs_dir = arg;
	}
	return 0;
}

/* ---- output: a live view on a terminal, lines otherwise ------------------- */

struct view_host {
	const char *name;
	char step[64];
	size_t pos, total, ok;
	uint64_t since;
	enum sb_step_state state;
	bool finished;
};

struct view {
	struct sb_cli *cli;
	bool live, lines;
	pthread_mutex_t mu;
	struct view_host *h;
	size_t nh;
	size_t drawn;
	bool stop;
	const char *run_id;
	uint64_t start;
};

static struct view_host *vh_find(struct view *v, const char *host)
{
	for (size_t i = 0; i < v->nh; i++)
		if (strcmp(v->h[i].name, host) == 0)
			return &v->h[i];
	return NULL;
}

static void draw(struct view *v)
{
	uint64_t now = sb_time_mono_ms();

	if (v->drawn)
		fprintf(stderr, "\033[%zuA", v->drawn);
	for (size_t i = 0; i < v->nh; i++) {
		struct view_host *h = &v->h[i];
		const char *st = h->finished ? (h->state == SB_ST_FAILED ? "FAILED" :
						h->state == SB_ST_BLOCKED ? "stopped" : "done") :
				 h->step[0] ? "running" : "waiting";
		fprintf(stderr, "\033[2K  %-16s %-8s %3zu/%-3zu %-28s %6.1fs\n", h->name, st,
			h->ok, h->total, h->finished ? "" : h->step,
			h->finished || !h->step[0] ? 0.0 : (double)(now - h->since) / 1000.0);
	}
	v->drawn = v->nh;
	fflush(stderr);
}

static void on_event(void *ctx, const struct sb_engine_event *ev)
{
	struct view *v = ctx;
	char ts[40];

	pthread_mutex_lock(&v->mu);
	struct view_host *h = ev->host ? vh_find(v, ev->host) : NULL;
	if (h) {
		if (ev->kind == SB_EV_STEP_START) {
			sb_strlcpy(h->step, ev->step, sizeof(h->step));
			h->since = sb_time_mono_ms();
		} else if (ev->kind == SB_EV_STEP_END) {
			if (sb_step_state_ok(ev->state))
				h->ok++;
			else
				h->state = ev->state;
			h->step[0] = '\0';
		} else if (ev->kind == SB_EV_HOST_END) {
			h->finished = true;
		}
	}
	if (ev->kind == SB_EV_WARN) {
		if (v->live && v->drawn) {
			fprintf(stderr, "\033[%zuA\033[J", v->drawn);
			v->drawn = 0;
		}
		fprintf(stderr, "siteboot run: WARNING: %s\n", ev->message);
	}
	if (v->live) {
		if (ev->kind == SB_EV_STEP_END && ev->state == SB_ST_FAILED) {
			if (v->drawn)
				fprintf(stderr, "\033[%zuA\033[J", v->drawn);
			v->drawn = 0;
			fprintf(stderr, "%s %s: FAILED: %s\n", ev->host, ev->step,
				ev->message ? ev->message : "");
		}
		draw(v);
	} else if (v->lines && ev->kind != SB_EV_WARN) {
		sb_time_iso8601(ts, sizeof(ts), sb_time_now_ms());
		if (ev->kind == SB_EV_RUN)
			printf("%s run %s %s, %zu steps\n", ts, ev->run_id,
			       ev->earlier ? "resumed" : "started", ev->total);
		else if (ev->kind == SB_EV_STEP_START)
			printf("%s %s %s start [%zu/%zu]\n", ts, ev->host, ev->step, ev->pos, ev->total);
		else if (ev->kind == SB_EV_RETRY)
			printf("%s %s %s retry after attempt %u: %s\n", ts, ev->host, ev->step,
			       ev->attempt, ev->message);
		else if (ev->kind == SB_EV_STEP_END)
			printf("%s %s %s %s%s [%zu/%zu] %.1fs%s%s\n", ts, ev->host, ev->step,
			       sb_step_state_name(ev->state), ev->earlier ? " earlier" : "",
			       ev->pos, ev->total, (double)ev->elapsed_ms / 1000.0,
			       ev->message ? ": " : "", ev->message ? ev->message : "");
		else if (ev->kind == SB_EV_HOST_END)
			printf("%s %s finished\n", ts, ev->host);
		fflush(stdout);
	}
	pthread_mutex_unlock(&v->mu);
}

static void *ticker(void *arg)
{
	struct view *v = arg;

	for (;;) {
		sb_time_sleep_ms(500);
		pthread_mutex_lock(&v->mu);
		if (v->stop) {
			pthread_mutex_unlock(&v->mu);
			return NULL;
		}
		draw(v);
		pthread_mutex_unlock(&v->mu);
	}
}

static struct view *g_view;

static int attest_ask(void *ctx, const char *host, const char *step,
		      const char *text, char **name)
{
	struct view *v = ctx;
	char line[256];

	pthread_mutex_lock(&v->mu);
	if (v->live && v->drawn) {
		fprintf(stderr, "\033[%zuA\033[J", v->drawn);
		v->drawn = 0;
	}
	fprintf(stderr, "\nManual step '%s' (%s):\n  %s\n"
		"Type your name to confirm that this is done (empty to refuse): ",
		step, host, text);
	fflush(stderr);
	if (!fgets(line, sizeof(line), stdin)) {
		pthread_mutex_unlock(&v->mu);
		return sb_error_set(SB_ECANCELED, "step '%s': no confirmation given", step);
	}
	sb_trim(line);
	pthread_mutex_unlock(&v->mu);
	if (!*line)
		return sb_error_set(SB_ECANCELED, "step '%s': the confirmation was refused", step);
	*name = strdup(line);
	return *name ? 0 : SB_ENOMEM;
}

static void on_signal(int sig)
{
	(void)sig;
	sb_engine_cancel();
}

static const char *who(void)
{
	const char *s = getenv("SITEBOOT_OPERATOR");
	struct passwd *pw;

	if (s && *s)
		return s;
	s = getenv("SUDO_USER");
	if (s && *s)
		return s;
	pw = getpwuid(getuid());
	return pw ? pw->pw_name : "unknown";
}

static json_t *result_json(const struct sb_engine_result *r, const struct sb_planload *pl)
{
	json_t *hosts = json_array();

	for (size_t i = 0; i < r->nhosts; i++) {
		const struct sb_engine_host *h = &r->hosts[i];
		json_array_append_new(hosts, json_pack("{s:s, s:s, s:I, s:I, s:s?, s:s?, s:s?}",
						       "host", h->name,
						       "state", h->state == SB_ST_DONE ? "ok" :
								sb_step_state_name(h->state),
						       "ok", (json_int_t)h->ok, "total", (json_int_t)h->total,
						       "failed_step", h->failed_step, "error", h->error,
						       "log", h->log));
	}
	return json_pack("{s:s, s:s, s:b, s:b, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:o}",
			 "run", r->run_id, "dir", r->run_dir, "ok", r->ok, "resumed", r->resumed,
			 "checklist", pl->cl->name, "checklist_sha256", pl->cl->sha256,
			 "site", pl->site->id, "ran", (json_int_t)r->nran,
			 "already_done", (json_int_t)r->nalready,
			 "done_earlier", (json_int_t)r->nearlier, "failed", (json_int_t)r->nfailed,
			 "blocked", (json_int_t)r->nblocked, "elapsed_ms", (json_int_t)r->elapsed_ms,
			 "hosts", hosts);
}

static void summary_text(const struct sb_engine_result *r)
{
	static const char *const cols[] = { "HOST", "STATE", "DONE", "FIRST FAILED STEP", "ERROR" };
	struct sb_table tb;

	printf("\nRun %s %s in %.1f s: %zu ran, %zu already done, %zu done earlier, %zu failed, %zu not run\n",
	       r->run_id, r->ok ? "finished" : "did NOT finish", (double)r->elapsed_ms / 1000.0,
	       r->nran, r->nalready, r->nearlier, r->nfailed, r->nblocked);
	sb_table_init(&tb, 2, 5, cols);
	for (size_t i = 0; i < r->nhosts; i++) {
		const struct sb_engine_host *h = &r->hosts[i];
		char err[300];
		snprintf(err, sizeof(err), "%.200s%s%s", h->error ? h->error : "-",
			 h->log ? "  log: " : "", h->log ? h->log : "");
		sb_table_rowf(&tb, "%s\t%s\t%zu/%zu\t%s\t%s", h->name,
			      h->state == SB_ST_DONE ? "ok" :
			      h->state == SB_ST_FAILED ? "FAILED" :
			      h->state == SB_ST_BLOCKED ? "stopped" : "unfinished",
			      h->ok, h->total, h->failed_step ? h->failed_step : "-",
			      h->error ? err : "-");
	}
	sb_table_print(stdout, &tb);
	sb_table_release(&tb);
	printf("Logs: %s\n", r->run_dir);
}


static int run_run(struct sb_cli *cli, int argc, char **argv)
{
	struct sb_planload pl;
	struct run_args a = { .cli = cli };
	struct sb_runstore *rs = NULL;
	struct sb_oob_creds creds = { 0 };
	struct sb_engine_result res = { 0 };
	struct view v = { 0 };
	char sel[512], runs_dir[4096];
	int rc;

	if ((rc = sb_planload_parse(&pl, cli, argc, argv, run_opts, run_extra, &a)) ||
	    (rc = sb_planload_load(&pl, cli)))
		goto out;
	const char *db = sb_cli_db_path(cli);
	/* local steps that run siteboot see the run's SSH key: the answer
	 * media authorise the key the run will log in with (image answer-iso) */
	char idreal[4096];
	if (a.identity && realpath(a.identity, idreal))
		setenv("SITEBOOT_SSH_IDENTITY", idreal, 1);
	if (a.dry_run) {
		if (!cli->json)
			printf("Dry run: nothing is run.\n");
		rc = sb_plan_print(cli, &pl, db);
		goto out;
	}
	if (a.credentials) {
		struct sb_diags d;
		sb_diags_init(&d);
		rc = sb_oob_creds_load(&creds, a.credentials, &d);
		sb_cli_diags_print(cli, &d);
		sb_diags_release(&d);
		if (rc) {
			rc = rc == SB_EINPUT ? SB_EXIT_USAGE : sb_cli_fail(cli, rc);
			goto out;
		}
	} else {
		sb_oob_creds_from_env(&creds);
	}
	if ((rc = sb_runstore_open(&rs, db))) {
		rc = sb_cli_fail(cli, rc);
		goto out;
	}
	if (a.runs_dir) {
		sb_strlcpy(runs_dir, a.runs_dir, sizeof(runs_dir));
	} else if (getenv("SITEBOOT_RUNS_DIR") && *getenv("SITEBOOT_RUNS_DIR")) {
		sb_strlcpy(runs_dir, getenv("SITEBOOT_RUNS_DIR"), sizeof(runs_dir));
	} else {
		char tmp[4096];
		sb_strlcpy(tmp, db, sizeof(tmp));
		snprintf(runs_dir, sizeof(runs_dir), "%s/runs", dirname(tmp));
	}
	sb_planload_selection(&pl, sel, sizeof(sel));
	/* the view */
	v.cli = cli;
	v.live = cli->progress && !cli->json;
	v.lines = !v.live && !cli->json && cli->verbosity >= 0;
	pthread_mutex_init(&v.mu, NULL);
	v.nh = pl.plan->nhosts;
	v.h = calloc(v.nh + 1, sizeof(*v.h));
	for (size_t i = 0; v.h && i < v.nh; i++) {
		v.h[i].name = pl.plan->hosts[i].name;
		v.h[i].total = pl.plan->hosts[i].nitems;
	}
	g_view = &v;
	bool interactive = isatty(STDIN_FILENO) && isatty(STDERR_FILENO);
	for (size_t i = 0; i < a.attest.n; i++)
		if (strncmp(a.attest.v[i], "all=", 4) == 0)
			fprintf(stderr, "siteboot run: WARNING: --attest %s confirms EVERY manual step of this run in the name of %s, without a person reading them; each is recorded as confirmed by --attest all\n",
				a.attest.v[i], a.attest.v[i] + 4);
	struct sb_engine_opts o = {
		.parallel = a.parallel, .new_run = a.new_run, .rerun_inflight = a.rerun_inflight,
		.identity = a.identity, .runs_dir = runs_dir, .started_by = who(),
		.creds = &creds, .selection = sel, .bmc_ca_file = a.bmc_ca_file,
		.attest = (const char *const *)a.attest.v, .nattest = a.attest.n,
		.attest_ask = interactive ? attest_ask : NULL,
		.event = on_event, .ctx = &v,
	};
	struct sigaction sa = { 0 }, old_int, old_term;
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	pthread_t tk;
	bool tk_on = v.live && pthread_create(&tk, NULL, ticker, &v) == 0;
	rc = sb_engine_run(&res, pl.plan, rs, &o);
	if (tk_on) {
		pthread_mutex_lock(&v.mu);
		v.stop = true;
		pthread_mutex_unlock(&v.mu);
		pthread_join(tk, NULL);
		draw(&v);
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if (rc) {
		rc = sb_cli_fail(cli, rc);
		goto out;
	}
	if (cli->json) {
		rc = sb_cli_json_out(cli, result_json(&res, &pl));
		if (rc) {
			rc = sb_cli_fail(cli, rc);
			goto out;
		}
	} else if (cli->verbosity >= 0 || !res.ok) {
		summary_text(&res);
	}
	rc = res.ok ? SB_EXIT_OK : SB_EXIT_PROBLEMS;
out:
	sb_engine_result_release(&res);
	free(v.h);
	sb_runstore_close(rs);
	sb_oob_creds_release(&creds);
	sb_strv_release(&a.attest);
	sb_planload_release(&pl);
	return rc;
}

const struct sb_cmd sb_cmd_run = {
	.name = "run",
	.run = run_run,
	.summary = "run or resume a checklist on a site",
	.usage = "siteboot run TIER|FILE --site FILE [--only STEP | --from STEP] [--hosts NODES]\n"
		 "             [--parallel N] [--dry-run] [--attest STEP=NAME|all=NAME]...\n"
		 "             [--identity KEY] [--credentials FILE] [--bmc-ca-file PEM] [--new] [--rerun-inflight] [--json]",
	.description =
		"'run' carries out a checklist (a tier's built-in one, or a FILE; see "
		"docs/checklists.md) on the site in the BOM, hosts in parallel, and records "
		"every step's state in the inventory database (docs/runs.md). Run it again "
		"after a crash, a kill or a power cut and it resumes the same run: finished "
		"steps are not repeated, and a step that was in flight is re-checked with its "
		"check before anything is done again. A step whose check succeeds is not run. "
		"One failing host stops only itself unless the step says on_failure: stop-site.\n\n"
		"On a terminal a live view shows one line per host; otherwise one line per "
		"event goes to standard output. The summary lists every host with its state, "
		"its first failed step, the error and the step's log (under the run directory, "
		"beside the database unless --runs-dir). Manual steps (attest) ask for the "
		"technician's name on a terminal; without one, --attest STEP=NAME confirms a "
		"step, and --attest all=NAME every manual step (printed loudly, recorded as "
		"such). Every step result and confirmation is a ledger event.\n\n"
		"SSH uses --identity KEY, else the agent, else ~/.ssh keys; a host's key is "
		"pinned on first use and a changed key stops that host. bmc steps log in with "
		"--credentials and verify Redfish BMCs' TLS certificates against the system's "
		"CAs, plus --bmc-ca-file when given. Exits 0 when every "
		"step is done, 1 when any failed or could not run, 2 on bad usage or input.",
	.opts = run_opts,
	.example = "siteboot run edge --site site.yaml\n"
		   "siteboot run smoke.yaml --site site.yaml --parallel 8 --attest all=\"A. Mensah\"\n"
		   "siteboot run edge --site site.yaml --from install-ceph --hosts edge-n[01-02]",
	.flags = SB_CMD_DB,
};

/* siteboot lab up|down|status: a virtual site on this machine. */
#include "bootstrap/cli.h"
#include "bootstrap/lab.h"
#include "common/error.h"
#include "common/json.h"
#include "common/str.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const lab_verbs[] = { "up", "down", "status", NULL };

enum { OPT_SITE, OPT_DIR, OPT_NO_SSH, OPT_NETNS };
static const struct sb_opt lab_opts[] = {
	[OPT_SITE] = { "site", 0, SB_OPT_ARG, "FILE",
		       "the site BOM to simulate (lab up; default: the edge example)" },
	[OPT_DIR] = { "dir", 0, SB_OPT_ARG, "DIR",
		      "the lab's state directory (default $SITEBOOT_LAB_DIR, else /var/lib/siteboot/lab)" },
	[OPT_NO_SSH] = { "no-ssh", 0, SB_OPT_NONE, NULL,
			 "start only the BMCs, no SSH lab hosts (lab up)" },
	[OPT_NETNS] = { "netns", 0, SB_OPT_NONE, NULL,
			"put each SSH lab host in its own network namespace (lab up, root)" },
	{ NULL, 0, SB_OPT_NONE, NULL, NULL },
};

static void print_state(const json_t *st, bool with_alive)
{
	json_t *v;
	size_t i;

	printf("site:        %s\n", sb_json_str(st, "site") ? sb_json_str(st, "site") : "-");
	printf("source:      %s\n", sb_json_str(st, "source") ? sb_json_str(st, "source") : "-");
	printf("credentials: %s (name \"lab\")\n",
	       sb_json_str(st, "credentials") ? sb_json_str(st, "credentials") : "-");
	json_array_foreach(sb_json_arr(st, "bmcs"), i, v)
		printf("bmc:         %s\n", json_string_value(v));
	json_array_foreach(sb_json_arr(st, "hosts"), i, v) {
		long long port = 0;
		sb_json_int(v, "port", &port);
		printf("host:        %s %s@%s:%lld\n", sb_json_str(v, "node"),
		       sb_json_str(v, "user"), sb_json_str(v, "host"), port);
	}
	json_array_foreach(sb_json_arr(st, "procs"), i, v) {
		long long pid = 0;
		json_t *alive = json_object_get(v, "alive");
		sb_json_int(v, "pid", &pid);
		printf("process:     %-8s %-10s %-22s pid %lld%s\n",
		       sb_json_str(v, "kind"), sb_json_str(v, "node"),
		       sb_json_str(v, "listen"), pid,
		       with_alive ? (json_is_true(alive) ? " running" : " GONE") : "");
	}
}

static void on_signal(int sig)
{
	(void)sig;
	sb_lab_interrupt();
}

/* The peers run in sessions of their own, so a signal that ends `lab up`
 * would not reach them: SIGINT, SIGTERM and SIGHUP make it stop what it
 * started and fail instead (a SIGKILL leaves the PIDs in lab.json for
 * `lab down`). */
static int lab_up(struct sb_cli *cli, const struct sb_lab_up_opts *o)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa, old[3];
	json_t *st = NULL;
	int rc;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	for (int i = 0; i < 3; i++)
		sigaction(sigs[i], &sa, &old[i]);
	rc = sb_lab_up(o, &st);
	for (int i = 0; i < 3; i++)
		sigaction(sigs[i], &old[i], NULL);

	if (rc)
		return sb_cli_fail(cli, rc);
	if (cli->json)
		return sb_cli_json_out(cli, st) ? SB_EXIT_PROBLEMS : SB_EXIT_OK;
	if (cli->verbosity >= 0) {
		print_state(st, false);
		printf("lab up: %zu processes in %s; stop them with 'siteboot lab down%s%s'\n",
		       json_array_size(sb_json_arr(st, "procs")), sb_lab_dir(o->dir),
		       o->dir ? " --dir " : "", o->dir ? o->dir : "");
	}
	json_decref(st);
	return SB_EXIT_OK;
}

static int lab_down(struct sb_cli *cli, const char *dir)
{
	unsigned stopped = 0;
	int rc = sb_lab_down(sb_lab_dir(dir), &stopped);

	if (rc)
		return sb_cli_fail(cli, rc);
	if (cli->json)
		return sb_cli_json_out(cli, json_pack("{s:s, s:i}", "dir",
						      sb_lab_dir(dir), "stopped",
						      (int)stopped)) ?
			SB_EXIT_PROBLEMS : SB_EXIT_OK;
	if (cli->verbosity >= 0)
		printf("lab down: stopped %u process%s in %s\n", stopped,
		       stopped == 1 ? "" : "es", sb_lab_dir(dir));
	return SB_EXIT_OK;
}

static int lab_status(struct sb_cli *cli, const char *dir)
{
	json_t *st = NULL;
	unsigned dead = 0;
	int rc = sb_lab_status(sb_lab_dir(dir), &st, &dead);

	if (rc)
		return sb_cli_fail(cli, rc);
	json_object_set_new(st, "ok", json_boolean(dead == 0));
	if (!cli->json) {
		print_state(st, true);
		if (dead)
			fprintf(stderr,
				"siteboot lab status: %u process%s of the lab in %s %s gone; restart it with 'siteboot lab down' and 'siteboot lab up'\n",
				dead, dead == 1 ? "" : "es", sb_lab_dir(dir),
				dead == 1 ? "is" : "are");
		json_decref(st);
	} else if (sb_cli_json_out(cli, st)) {
		return SB_EXIT_PROBLEMS;
	}
	return dead ? SB_EXIT_PROBLEMS : SB_EXIT_OK;
}

static int run_lab(struct sb_cli *cli, int argc, char **argv)
{
	struct sb_optparse op;
	struct sb_lab_up_opts o = { 0 };
	const char *arg, *verb;
	int k;

	if (argc < 2)
		return sb_cli_usage_error(cli, "say 'up', 'down' or 'status'");
	verb = argv[1];
	sb_optparse_init(&op, argc - 1, argv + 1);
	while ((k = sb_optparse_next(&op, cli, lab_opts, &arg)) != -2) {
		switch (k) {
		case -3:
			return SB_EXIT_USAGE;
		case -1:
			return sb_cli_usage_error(cli, "unexpected argument '%s'", arg);
		case OPT_SITE:
			o.site = arg;
			break;
		case OPT_DIR:
			o.dir = arg;
			break;
		case OPT_NO_SSH:
			o.no_ssh = true;
			break;
		case OPT_NETNS:
			o.netns = true;
			break;
		default:
			break;
		}
	}
	if (strcmp(verb, "up") == 0)
		return lab_up(cli, &o);
	if (o.site || o.no_ssh || o.netns)
		return sb_cli_usage_error(cli, "--site, --no-ssh and --netns belong to 'lab up'");
	if (strcmp(verb, "down") == 0)
		return lab_down(cli, o.dir);
	if (strcmp(verb, "status") == 0)
		return lab_status(cli, o.dir);
	{
		const char *best = sb_did_you_mean(verb, lab_verbs);
		if (best)
			return sb_cli_usage_error(cli, "unknown verb '%s'; did you mean '%s'?",
						  verb, best);
		return sb_cli_usage_error(cli, "unknown verb '%s'; say 'up', 'down' or 'status'",
					  verb);
	}
}

const struct sb_cmd sb_cmd_lab = {
	.name = "lab",
	.run = run_lab,
	.summary = "start, inspect or stop a virtual site on this machine",
	.usage = "siteboot lab up [--site FILE] [--dir DIR] [--no-ssh] [--netns] [--json]\n"
		 "siteboot lab status [--dir DIR] [--json]\n"
		 "siteboot lab down [--dir DIR]",
	.description =
		"'lab up' reads a site BOM (default: the edge example) and starts, per node, "
		"real independent peers that play its hardware: an OpenIPMI ipmi_sim for an "
		"ipmi:// BMC (its FRU carries the BOM's expected serials and part numbers), "
		"the Redfish emulator for a redfish:// BMC, and an OpenSSH sshd for the host. "
		"Everything listens on 127.0.0.0/8. It writes a copy of the BOM whose BMC URLs "
		"point at the simulators (DIR/site.yaml) and the BMCs' login under the "
		"credential name \"lab\" (DIR/credentials.yaml, mode 0600). If any part fails "
		"to start, everything already started is stopped again.\n\n"
		"'lab status' shows the lab BOM, the BMC URLs and each process; it exits 1 "
		"when a process of the lab is gone. With --json: lab.json's content, at least "
		"\"site\" (the lab BOM's path) and \"bmcs\" (their URLs), with \"alive\" per "
		"process.\n\n"
		"'lab down' stops every process the lab started, by PID and only while it "
		"still is that process, and removes the lab's files. See docs/lab.md.",
	.verbs = lab_verbs,
	.opts = lab_opts,
	.example = "siteboot lab up --dir /tmp/lab --no-ssh\n"
		   "siteboot lab status --dir /tmp/lab --json\n"
		   "siteboot lab down --dir /tmp/lab",
};

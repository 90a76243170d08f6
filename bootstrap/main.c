/* siteboot: one binary, git-style subcommands dispatched from a table. */
#include "bootstrap/cli.h"
#include "bootstrap/version.h"
#include "common/error.h"
#include "common/lazylib.h"
#include "common/log.h"
#include "common/str.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void print_overview(FILE *f)
{
	fprintf(f,
		"usage: siteboot [--json] [-v|-q] [--db PATH] [--no-progress] COMMAND [ARGS]\n"
		"\n"
		"siteboot provisions a site: it reads the site's bill of materials,\n"
		"drives the BMCs, runs the tier checklist and keeps a tamper-evident\n"
		"inventory of every component.\n"
		"\n"
		"Commands:\n");
	for (const struct sb_cmd *const *c = sb_commands; *c; c++)
		if (!((*c)->flags & SB_CMD_HIDDEN))
			fprintf(f, "  %-12s %s\n", (*c)->name, (*c)->summary);
	fprintf(f,
		"\n"
		"'siteboot help COMMAND' or 'siteboot COMMAND --help' tells more;\n"
		"'man siteboot' has it all. Exit status: 0 ok, 1 the work found\n"
		"problems, 2 bad usage or bad input.\n");
}

/* `siteboot -v --version`: the libraries loaded on first use, each loaded
 * now, so that a missing one shows here rather than in the middle of a
 * job. Exit 2 when one is missing, as a call into it would. */
static int print_libraries(void)
{
	int rc = 0;

	printf("libraries loaded on first use (Debian package):\n");
	for (int i = 0; i < SB_LIB_COUNT; i++) {
		const struct sb_lazylib *l = sb_lazylib_get((enum sb_lib)i);
		int e = sb_lazylib_load((enum sb_lib)i);

		printf("  %-20s %-16s %-8s %s\n", l->soname, l->package,
		       e ? "MISSING" : "ok", l->use);
		if (e) {
			fprintf(stderr, "siteboot: error: %s\n", sb_error_message());
			rc = sb_error_exit_status(e);
		}
	}
	return rc;
}

/* Take the global options out of argv wherever they stand (before "--"),
 * so that `siteboot bom show x.yaml --json` works as people type it. */
static int take_globals(struct sb_cli *cli, int *argc, char **argv,
			bool *help, bool *version)
{
	int out = 1;

	for (int i = 1; i < *argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0) {
			for (; i < *argc; i++)
				argv[out++] = argv[i];
			break;
		}
		if (strcmp(a, "--json") == 0) {
			cli->json = true;
		} else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
			cli->verbosity++;
		} else if (strcmp(a, "-vv") == 0) {
			cli->verbosity += 2;
		} else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
			cli->verbosity = -1;
		} else if (strcmp(a, "--no-progress") == 0) {
			cli->progress = false;
		} else if (strcmp(a, "--db") == 0) {
			if (i + 1 >= *argc)
				return sb_cli_usage_error(NULL, "option '--db' needs a PATH");
			cli->db_path = argv[++i];
		} else if (strncmp(a, "--db=", 5) == 0) {
			cli->db_path = a + 5;
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			*help = true;
		} else if (strcmp(a, "--version") == 0) {
			*version = true;
		} else {
			argv[out++] = argv[i];
		}
	}
	argv[out] = NULL;
	*argc = out;
	if (cli->db_path && !*cli->db_path)
		return sb_cli_usage_error(NULL, "option '--db' needs a PATH");
	return 0;
}

int main(int argc, char **argv)
{
	struct sb_cli cli = { 0 };
	bool help = false, version = false;
	const struct sb_cmd *cmd;
	int rc;

	/* a closed pipe must show as a write error, not kill us silently
	 * in the middle of a database transaction */
	signal(SIGPIPE, SIG_IGN);
	cli.tty_out = isatty(STDOUT_FILENO);
	cli.progress = isatty(STDERR_FILENO);
	rc = take_globals(&cli, &argc, argv, &help, &version);
	if (rc)
		return rc;
	if (cli.json)
		cli.progress = false;
	sb_log_set_level(cli.verbosity < 0 ? SB_LOG_ERROR :
			 cli.verbosity == 0 ? SB_LOG_WARN :
			 cli.verbosity == 1 ? SB_LOG_INFO : SB_LOG_DEBUG);

	if (version && argc < 2) {
		printf("siteboot %s\n", SB_VERSION);
		if (cli.verbosity > 0 && (rc = print_libraries()) != 0) {
			fflush(stdout);
			return rc;
		}
		goto finish;
	}
	if (argc < 2) {
		if (help) {
			print_overview(stdout);
			goto finish;
		}
		print_overview(stderr);
		return SB_EXIT_USAGE;
	}
	cmd = sb_command_find(argv[1]);
	if (!cmd) {
		const char *names[128];
		size_t n = 0;
		for (const struct sb_cmd *const *c = sb_commands; *c && n < 127; c++)
			if (!((*c)->flags & SB_CMD_HIDDEN))
				names[n++] = (*c)->name;
		names[n] = NULL;
		const char *best = sb_did_you_mean(argv[1], names);
		if (best)
			return sb_cli_usage_error(NULL, "unknown command '%s'; did you mean '%s'?",
						  argv[1], best);
		return sb_cli_usage_error(NULL, "unknown command '%s'", argv[1]);
	}
	cli.cmd = cmd;
	if (help) {
		sb_cli_print_command_help(stdout, cmd);
		goto finish;
	}
	rc = cmd->run(&cli, argc - 1, argv + 1);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "siteboot: error: cannot write to standard output: %s\n",
			strerror(errno ? errno : EIO));
		return rc ? rc : SB_EXIT_PROBLEMS;
	}
	return rc;
finish:
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "siteboot: error: cannot write to standard output: %s\n",
			strerror(errno ? errno : EIO));
		return SB_EXIT_PROBLEMS;
	}
	return 0;
}

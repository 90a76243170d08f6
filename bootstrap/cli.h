/* siteboot: the command layer. Only this layer prints to the user and
 * chooses exit codes; modules return SB_E* codes with messages.
 *
 * Every command is one `struct sb_cmd` in its cmd_<verb>.c, listed in
 * commands.c. Its option table drives parsing, `--help`, the bash
 * completion and the man page, so they cannot drift apart. */
#ifndef SB_BOOTSTRAP_CLI_H
#define SB_BOOTSTRAP_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "common/diag.h"

/* Exit statuses, documented in siteboot(1). */
enum {
	SB_EXIT_OK = 0,
	SB_EXIT_PROBLEMS = 1,	/* the work ran and found problems */
	SB_EXIT_USAGE = 2,	/* bad usage or bad input */
};

struct sb_cli {
	bool json;		/* --json: one JSON document on stdout */
	int verbosity;		/* -q: -1, default 0, -v: 1, -vv: 2 */
	const char *db_path;	/* --db, or NULL for the default */
	bool progress;		/* a terminal and not --no-progress */
	bool tty_out;
	const struct sb_cmd *cmd;
};

enum sb_opt_arg { SB_OPT_NONE, SB_OPT_ARG };

struct sb_opt {
	const char *name;	/* long name without "--" */
	char shortname;		/* 0 when none */
	enum sb_opt_arg arg;
	const char *argname;	/* "FILE", "N" */
	const char *help;
};

/* Command flags. */
enum {
	SB_CMD_DB = 1 << 0,	/* uses the inventory database */
	SB_CMD_ROOT = 1 << 1,	/* needs root */
	SB_CMD_HIDDEN = 1 << 2,	/* not listed in help (build helpers) */
};

struct sb_cmd {
	const char *name;
	int (*run)(struct sb_cli *cli, int argc, char **argv);
	const char *summary;	/* one line, no final period */
	const char *usage;	/* synopsis lines, "\n"-separated */
	const char *description;	/* paragraphs, "\n\n"-separated */
	const char *const *verbs;	/* sub-verbs for completion, or NULL */
	const struct sb_opt *opts;	/* NULL-name terminated, or NULL */
	const char *example;	/* lines of shell, "\n"-separated */
	unsigned flags;
};

/* The table (commands.c), NULL-terminated. */
extern const struct sb_cmd *const sb_commands[];
const struct sb_cmd *sb_command_find(const char *name);

/* The global options, which every command accepts anywhere. */
extern const struct sb_opt sb_global_opts[];

/* Option parsing for one command: call repeatedly. Returns the index of
 * the matched option in `opts` (its value in *arg), -1 when the next
 * argument is positional (in *arg), -2 at the end, or -3 after printing
 * a usage error. */
struct sb_optparse {
	int argc;
	char **argv;
	int i;
	bool only_positional;	/* after "--" */
};
void sb_optparse_init(struct sb_optparse *op, int argc, char **argv);
int sb_optparse_next(struct sb_optparse *op, const struct sb_cli *cli,
		     const struct sb_opt *opts, const char **arg);

/* Messages. Errors go to stderr as one line. */
int sb_cli_usage_error(const struct sb_cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));	/* returns SB_EXIT_USAGE */
/* Print the thread's sb_error message and return the exit status for
 * `code`. */
int sb_cli_fail(const struct sb_cli *cli, int code);
void sb_cli_warn(const struct sb_cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sb_cli_diags_print(const struct sb_cli *cli, const struct sb_diags *d);
/* Diagnostics as a JSON array. */
json_t *sb_cli_diags_json(const struct sb_diags *d);

/* Emit the JSON document on stdout (and take ownership of it). */
int sb_cli_json_out(const struct sb_cli *cli, json_t *doc);

/* `X check FILE...` for one kind of file (BOM, checklist): `load` parses
 * a file into *obj with its diagnostics (SB_EINPUT when it has errors;
 * any other error stops the command), `facts` adds what the loaded thing
 * is to the file's JSON entry, `summary` says it in words ("site X
 * (edge), 3 nodes"). */
struct sb_cli_check_kind {
	int (*load)(void **obj, const char *file, struct sb_diags *d);
	void (*release)(void *obj);
	void (*facts)(json_t *o, const void *obj);
	void (*summary)(char *buf, size_t size, const void *obj);
};
/* Check each file and report: the diagnostics and a line per file, or one
 * JSON document {"ok", "files": [{"file", "ok", "errors", "warnings",
 * "diagnostics", facts...}]}. Exit status 0 when all are valid, else 2. */
int sb_cli_check_files(struct sb_cli *cli, char **files, int nfiles,
		       const struct sb_cli_check_kind *kind);

/* The inventory database path: --db, $SITEBOOT_DB, or the default. */
const char *sb_cli_db_path(const struct sb_cli *cli);
#define SB_DEFAULT_DB "/var/lib/siteboot/inventory.db"

/* Help for one command (siteboot help CMD, CMD --help). */
void sb_cli_print_command_help(FILE *f, const struct sb_cmd *c);

#endif

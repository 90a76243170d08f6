/* Shared pieces of the command layer: option parsing, messages, JSON. */
#include "bootstrap/cli.h"
#include "common/error.h"
#include "common/json.h"
#include "common/str.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

const struct sb_opt sb_global_opts[] = {
	{ "json", 0, SB_OPT_NONE, NULL,
	  "print one JSON document on standard output instead of text" },
	{ "verbose", 'v', SB_OPT_NONE, NULL,
	  "say more on standard error (twice: debug)" },
	{ "quiet", 'q', SB_OPT_NONE, NULL, "say only errors" },
	{ "db", 0, SB_OPT_ARG, "PATH",
	  "the inventory database (default $SITEBOOT_DB or " SB_DEFAULT_DB ")" },
	{ "no-progress", 0, SB_OPT_NONE, NULL,
	  "no progress display, even on a terminal" },
	{ "help", 'h', SB_OPT_NONE, NULL, "show the help of the command" },
	{ NULL, 0, SB_OPT_NONE, NULL, NULL },
};

const struct sb_cmd *sb_command_find(const char *name)
{
	for (const struct sb_cmd *const *c = sb_commands; *c; c++)
		if (strcmp((*c)->name, name) == 0)
			return *c;
	return NULL;
}

void sb_optparse_init(struct sb_optparse *op, int argc, char **argv)
{
	op->argc = argc;
	op->argv = argv;
	op->i = 1;	/* argv[0] is the command name */
	op->only_positional = false;
}

static void opt_suggest(char *hint, size_t size, const char *word,
			const struct sb_opt *opts)
{
	const char *cands[64];
	size_t n = 0;
	const char *best;

	for (size_t i = 0; opts && opts[i].name && n < 63; i++)
		cands[n++] = opts[i].name;
	for (size_t i = 0; sb_global_opts[i].name && n < 63; i++)
		cands[n++] = sb_global_opts[i].name;
	cands[n] = NULL;
	best = sb_did_you_mean(word, cands);
	if (best)
		snprintf(hint, size, "; did you mean '--%s'?", best);
	else
		hint[0] = '\0';
}

int sb_optparse_next(struct sb_optparse *op, const struct sb_cli *cli,
		     const struct sb_opt *opts, const char **arg)
{
	char hint[80];

	*arg = NULL;
	if (op->i >= op->argc)
		return -2;
	const char *a = op->argv[op->i++];
	if (op->only_positional || a[0] != '-' || a[1] == '\0') {
		*arg = a;
		return -1;
	}
	if (strcmp(a, "--") == 0) {
		op->only_positional = true;
		return sb_optparse_next(op, cli, opts, arg);
	}
	if (a[1] == '-') {
		const char *name = a + 2, *eq = strchr(name, '=');
		size_t nl = eq ? (size_t)(eq - name) : strlen(name);
		for (int k = 0; opts && opts[k].name; k++) {
			if (strlen(opts[k].name) != nl ||
			    strncmp(opts[k].name, name, nl) != 0)
				continue;
			if (opts[k].arg == SB_OPT_NONE) {
				if (eq) {
					sb_cli_usage_error(cli, "option '--%s' takes no value",
							   opts[k].name);
					return -3;
				}
				return k;
			}
			if (eq) {
				*arg = eq + 1;
			} else if (op->i < op->argc) {
				*arg = op->argv[op->i++];
			} else {
				sb_cli_usage_error(cli, "option '--%s' needs a value (%s)",
						   opts[k].name,
						   opts[k].argname ? opts[k].argname : "VALUE");
				return -3;
			}
			return k;
		}
		char word[64];
		snprintf(word, sizeof(word), "%.*s", (int)(nl < 63 ? nl : 63), name);
		opt_suggest(hint, sizeof(hint), word, opts);
		sb_cli_usage_error(cli, "unknown option '--%s'%s", word, hint);
		return -3;
	}
	/* short options, one at a time (no bundling: keeps messages clear) */
	for (int k = 0; opts && opts[k].name; k++) {
		if (!opts[k].shortname || a[1] != opts[k].shortname)
			continue;
		if (opts[k].arg == SB_OPT_NONE) {
			if (a[2]) {
				sb_cli_usage_error(cli, "write '%s' as separate options", a);
				return -3;
			}
			return k;
		}
		if (a[2]) {
			*arg = a + 2;
		} else if (op->i < op->argc) {
			*arg = op->argv[op->i++];
		} else {
			sb_cli_usage_error(cli, "option '-%c' needs a value", a[1]);
			return -3;
		}
		return k;
	}
	sb_cli_usage_error(cli, "unknown option '%s'", a);
	return -3;
}

int sb_cli_usage_error(const struct sb_cli *cli, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (cli && cli->cmd)
		fprintf(stderr, "siteboot %s: error: %s (see 'siteboot help %s')\n",
			cli->cmd->name, msg, cli->cmd->name);
	else
		fprintf(stderr, "siteboot: error: %s (see 'siteboot --help')\n",
			msg);
	return SB_EXIT_USAGE;
}

int sb_cli_fail(const struct sb_cli *cli, int code)
{
	const char *msg = sb_error_message();

	if (!msg[0])
		msg = sb_error_name(code);
	if (cli && cli->cmd)
		fprintf(stderr, "siteboot %s: error: %s\n", cli->cmd->name, msg);
	else
		fprintf(stderr, "siteboot: error: %s\n", msg);
	return sb_error_exit_status(code);
}

void sb_cli_warn(const struct sb_cli *cli, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (cli && cli->verbosity < 0)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "siteboot: warning: %s\n", msg);
}

void sb_cli_diags_print(const struct sb_cli *cli, const struct sb_diags *d)
{
	char line[2048];

	for (size_t i = 0; i < d->n; i++) {
		if (d->v[i].level == SB_DIAG_WARNING && cli && cli->verbosity < 0)
			continue;
		sb_diag_format(line, sizeof(line), &d->v[i]);
		fprintf(stderr, "%s\n", line);
	}
	if (d->dropped)
		fprintf(stderr, "siteboot: %zu more problems not shown\n",
			d->dropped);
}

json_t *sb_cli_diags_json(const struct sb_diags *d)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < d->n; i++) {
		const struct sb_diag *dg = &d->v[i];
		json_t *o = json_pack("{s:s, s:s, s:i, s:i, s:s, s:s?}",
				      "level",
				      dg->level == SB_DIAG_ERROR ? "error" : "warning",
				      "file", dg->file, "line", (int)dg->line,
				      "column", (int)dg->col, "message", dg->msg,
				      "hint", dg->hint);
		if (o)
			json_array_append_new(arr, o);
	}
	return arr;
}

int sb_cli_json_out(const struct sb_cli *cli, json_t *doc)
{
	int rc;

	(void)cli;
	if (!doc)
		return sb_error_set(SB_ENOMEM, "out of memory building JSON");
	rc = sb_json_write(stdout, doc);
	json_decref(doc);
	return rc;
}

const char *sb_cli_db_path(const struct sb_cli *cli)
{
	const char *env;

	if (cli->db_path)
		return cli->db_path;
	env = getenv("SITEBOOT_DB");
	if (env && *env)
		return env;
	return SB_DEFAULT_DB;
}

static void print_opts(FILE *f, const struct sb_opt *opts)
{
	for (size_t i = 0; opts && opts[i].name; i++) {
		char left[64];
		if (opts[i].shortname)
			snprintf(left, sizeof(left), "-%c, --%s%s%s",
				 opts[i].shortname, opts[i].name,
				 opts[i].arg ? " " : "",
				 opts[i].arg ? opts[i].argname : "");
		else
			snprintf(left, sizeof(left), "--%s%s%s", opts[i].name,
				 opts[i].arg ? " " : "",
				 opts[i].arg ? opts[i].argname : "");
		fprintf(f, "  %-26s %s\n", left, opts[i].help);
	}
}

void sb_cli_print_command_help(FILE *f, const struct sb_cmd *c)
{
	const char *p = c->usage;

	fprintf(f, "siteboot %s: %s\n\nUsage:\n", c->name, c->summary);
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		fprintf(f, "  %.*s\n", (int)n, p);
		p += n + (nl ? 1 : 0);
	}
	if (c->description)
		fprintf(f, "\n%s\n", c->description);
	if (c->opts && c->opts[0].name) {
		fprintf(f, "\nOptions:\n");
		print_opts(f, c->opts);
	}
	fprintf(f, "\nGlobal options (anywhere on the line):\n");
	print_opts(f, sb_global_opts);
	if (c->example) {
		fprintf(f, "\nExample:\n");
		p = c->example;
		while (*p) {
			const char *nl = strchr(p, '\n');
			size_t n = nl ? (size_t)(nl - p) : strlen(p);
			fprintf(f, "  %.*s\n", (int)n, p);
			p += n + (nl ? 1 : 0);
		}
	}
	fprintf(f, "\nExit status: 0 ok, 1 the work found problems, 2 bad usage or input.\n");
}

int sb_cli_check_files(struct sb_cli *cli, char **files, int nfiles,
		       const struct sb_cli_check_kind *kind)
{
	json_t *arr = cli->json ? json_array() : NULL;
	bool all_ok = true;

	for (int i = 0; i < nfiles; i++) {
		struct sb_diags d;
		void *obj = NULL;
		int rc;

		sb_diags_init(&d);
		rc = kind->load(&obj, files[i], &d);
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
			if (o && obj)
				kind->facts(o, obj);
			json_array_append_new(arr, o);
		} else {
			sb_cli_diags_print(cli, &d);
			if (d.nerrors) {
				printf("%s: invalid: %zu error%s, %zu warning%s\n", files[i],
				       d.nerrors, d.nerrors == 1 ? "" : "s", d.nwarnings,
				       d.nwarnings == 1 ? "" : "s");
			} else if (cli->verbosity >= 0) {
				char what[512];
				kind->summary(what, sizeof(what), obj);
				printf("%s: ok: %s, %zu warning%s\n", files[i], what,
				       d.nwarnings, d.nwarnings == 1 ? "" : "s");
			}
		}
		kind->release(obj);
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

/* siteboot image verify|write|build: install images at the site.
 * images/ checks and writes; this layer prints, records what was verified
 * and written in the ledger (images/ and inventory/ are peers) and picks
 * the exit code. cmd_image.c dispatches here. */
#include "bootstrap/cli.h"
#include "bootstrap/cmd_image.h"
#include "bootstrap/inv_cli.h"
#include "common/error.h"
#include "common/json.h"
#include "common/str.h"
#include "images/images.h"
#include "inventory/inventory.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum {
	O_SHA256, O_CATALOG, O_ENTRY, O_LIST, O_NO_RECORD, O_FORCE, O_SOURCE,
	O_OUT,
};

const struct sb_opt sb_image_media_opts[] = {
	[O_SHA256] = { "sha256", 0, SB_OPT_ARG, "HEX",
		       "verify: the expected SHA-256 instead of the catalog's" },
	[O_CATALOG] = { "catalog", 0, SB_OPT_ARG, "FILE",
			"verify: the image catalog (default: the installed catalog.yaml)" },
	[O_ENTRY] = { "entry", 0, SB_OPT_ARG, "NAME[@VERSION]",
		      "verify: check against this catalog entry, whatever the file is called (NAME alone: any listed version of NAME)" },
	[O_LIST] = { "list", 0, SB_OPT_NONE, NULL, "verify: list the catalog and stop" },
	[O_NO_RECORD] = { "no-record", 0, SB_OPT_NONE, NULL,
			  "verify, write: do not record the result in the inventory ledger" },
	[O_FORCE] = { "force", 0, SB_OPT_NONE, NULL,
		      "write: allow a target that is not a removable block device (a fixed disk, a loop device, a plain file)" },
	[O_SOURCE] = { "source", 0, SB_OPT_ARG, "DIR",
		       "build: the siteboot source tree (default: the current directory)" },
	[O_OUT] = { "out", 0, SB_OPT_ARG, "DIR",
		    "build: where the ISO goes (default: SOURCE/images/out)" },
	{ NULL, 0, SB_OPT_NONE, NULL, NULL },
};

struct image_args {
	const char *opt[O_OUT + 1];
	bool list, no_record, force;
	char **pos;
	int npos;
};

/* ---- progress on a terminal ---- */

struct progress {
	const struct sb_cli *cli;
	const char *what;
	int phase;
	const char *const *phases;	/* labels by phase, or NULL */
	double t0;
	bool shown;
};

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int show_progress(void *ctx, uint64_t done, uint64_t total)
{
	struct progress *p = ctx;
	char d[32], t[32];
	double el = mono() - p->t0;
	const char *label = p->phases ? p->phases[p->phase] : p->what;

	if (!p->cli->progress || p->cli->json)
		return 0;
	sb_fmt_size(d, sizeof(d), done, true);
	sb_fmt_size(t, sizeof(t), total, true);
	if (total)
		fprintf(stderr, "\r\033[K  %s: %3d%%  %s of %s  %.0f MiB/s", label,
			(int)(done * 100 / total), d, t,
			el > 0 ? (double)done / 1048576.0 / el : 0.0);
	else
		fprintf(stderr, "\r\033[K  %s: %s", label, d);
	p->shown = true;
	return 0;
}

static void progress_end(struct progress *p)
{
	if (p->shown)
		fprintf(stderr, "\r\033[K");
	p->shown = false;
}

/* ---- the ledger ---- */

/* Record one event; a database that cannot be opened is an error, since
 * the technician asked for the trail (--no-record says otherwise). */
static int record(const struct sb_cli *cli, const char *kind, json_t *payload,
		  int64_t *seq)
{
	struct sb_inv *db = NULL;
	int rc;

	*seq = 0;
	rc = sb_inv_open(&db, sb_cli_db_path(cli), 0);
	if (rc == 0)
		rc = sb_inv_ledger_append_seq(db, "siteboot image", kind, payload, seq);
	sb_inv_close(db);
	if (rc)
		sb_error_prefix("recording %s in %s (or pass --no-record): ", kind,
				sb_cli_db_path(cli));
	return rc;
}

/* ---- verify ---- */

static const char *default_catalog(void)
{
	static const char *const places[] = {
		SB_DATADIR "/catalog.yaml", "images/catalog.yaml", NULL,
	};
	const char *env = getenv("SITEBOOT_CATALOG");

	if (env && *env)
		return env;
	for (const char *const *p = places; *p; p++)
		if (access(*p, R_OK) == 0)
			return *p;
	return places[0];
}

static int list_catalog(struct sb_cli *cli, const struct sb_image_catalog *c)
{
	json_t *doc, *arr;

	if (!cli->json) {
		printf("%-16s %-10s %-44s %s\n", "NAME", "VERSION", "FILENAME", "SHA-256");
		for (size_t i = 0; i < c->n; i++)
			printf("%-16s %-10s %-44s %.16s...\n", c->entries[i].name,
			       c->entries[i].version, c->entries[i].filename,
			       c->entries[i].sha256);
		return SB_EXIT_OK;
	}
	doc = json_object();
	arr = json_array();
	for (size_t i = 0; i < c->n; i++) {
		const struct sb_image_entry *e = &c->entries[i];
		json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s?}", "name", e->name,
				      "version", e->version, "filename", e->filename,
				      "sha256", e->sha256, "url", e->url, "source", e->source);
		if (o && e->size)
			json_object_set_new(o, "size", json_integer((json_int_t)e->size));
		json_array_append_new(arr, o);
	}
	json_object_set_new(doc, "catalog", json_string(c->file));
	json_object_set_new(doc, "images", arr);
	return sb_cli_json_out(cli, doc) ? SB_EXIT_PROBLEMS : SB_EXIT_OK;
}

static json_t *entry_json(const struct sb_image_entry *e)
{
	if (!e)
		return json_null();
	return json_pack("{s:s, s:s, s:s, s:s}", "name", e->name, "version",
			 e->version, "filename", e->filename, "sha256", e->sha256);
}

static void verdict_text(const char *file, const struct sb_image_check *r,
			 const char *expect, const char *catfile)
{
	const struct sb_image_entry *e = r->entry;

	switch (r->verdict) {
	case SB_IMAGE_OK:
		if (expect)
			printf("%s: ok: sha256 %s as expected\n", file, r->sha256);
		else if (r->renamed)
			printf("%s: ok: this is %s %s (published as %s), sha256 %s\n",
			       file, e->name, e->version, e->filename, r->sha256);
		else
			printf("%s: ok: %s %s, sha256 %s\n", file, e->name,
			       e->version, r->sha256);
		break;
	case SB_IMAGE_CORRUPT:
		if (r->size_mismatch)
			printf("%s: CORRUPTED: %llu bytes, but %s %s has %llu; download it again%s%s\n",
			       file, (unsigned long long)r->size, e->name, e->version,
			       (unsigned long long)e->size, e->url ? " from " : "",
			       e->url ? e->url : "");
		else
			printf("%s: CORRUPTED: sha256 %s, but %s %s has %s; download it again%s%s\n",
			       file, r->sha256, e->name, e->version, e->sha256,
			       e->url ? " from " : "", e->url ? e->url : "");
		break;
	case SB_IMAGE_SWAPPED:
		printf("%s: WRONG IMAGE: named as %s %s, but its bytes are %s %s (%s); fetch the right file\n",
		       file, e->name, e->version, r->actual->name, r->actual->version,
		       r->actual->filename);
		break;
	case SB_IMAGE_UNKNOWN:
		printf("%s: UNKNOWN: neither its name nor its sha256 %s is in %s; add the image with its published checksum, or check it with --sha256\n",
		       file, r->sha256, catfile);
		break;
	case SB_IMAGE_MISMATCH:
		printf("%s: MISMATCH: sha256 %s, expected %s; download it again\n",
		       file, r->sha256, expect);
		break;
	}
}

static int image_verify(struct sb_cli *cli, struct image_args *a)
{
	struct sb_image_catalog *cat = NULL;
	struct sb_diags d;
	char expect[SB_SHA256_HEX];
	const char *catfile = NULL;
	json_t *doc = NULL, *arr = NULL;
	bool all_ok = true;
	int rc = SB_EXIT_OK;

	sb_diags_init(&d);
	if (a->opt[O_SHA256] && (a->opt[O_CATALOG] || a->opt[O_ENTRY] || a->list)) {
		rc = sb_cli_usage_error(cli, "give --sha256 or a catalog (--catalog, --entry, --list), not both");
		goto out;
	}
	if (a->opt[O_SHA256] && !sb_image_sha256_parse(expect, a->opt[O_SHA256])) {
		rc = sb_cli_usage_error(cli, "--sha256 wants the 64 hex digits of a SHA-256, got '%s'",
					a->opt[O_SHA256]);
		goto out;
	}
	if (!a->opt[O_SHA256]) {
		catfile = a->opt[O_CATALOG] ? a->opt[O_CATALOG] : default_catalog();
		if (sb_image_catalog_load(&cat, catfile, &d)) {
			sb_diags_sort(&d);
			sb_cli_diags_print(cli, &d);
			if (d.nerrors == 0)
				fprintf(stderr, "siteboot image: error: %s\n", sb_error_message());
			else
				fprintf(stderr, "siteboot image: error: %s: the catalog has %zu error%s; fix them first\n",
					catfile, d.nerrors, d.nerrors == 1 ? "" : "s");
			rc = SB_EXIT_USAGE;
			goto out;
		}
		if (a->list) {
			rc = list_catalog(cli, cat);
			goto out;
		}
		if (a->opt[O_ENTRY] && !sb_image_catalog_find_spec(cat, a->opt[O_ENTRY])) {
			const char **names = calloc(cat->n + 1, sizeof(*names));
			char hint[512] = "";
			for (size_t i = 0; names && i < cat->n; i++)
				names[i] = cat->entries[i].name;
			if (names)
				sb_hint_choice(hint, sizeof(hint), a->opt[O_ENTRY], names,
					       "'--list' shows the entries", false);
			free(names);
			rc = sb_cli_usage_error(cli, "no entry '%s' in %s; %s",
						a->opt[O_ENTRY], catfile, hint);
			goto out;
		}
	}
	if (a->npos == 0) {
		rc = sb_cli_usage_error(cli, "give the image FILE to verify");
		goto out;
	}
	if (cli->json) {
		doc = json_object();
		arr = json_array();
	}
	for (int i = 0; i < a->npos; i++) {
		struct sb_image_check r;
		struct progress p = { cli, "sha256", 0, NULL, mono(), false };
		const char *file = a->pos[i];
		int64_t seq = 0;
		int vr;

		vr = sb_image_verify(&r, file, a->opt[O_SHA256] ? expect : NULL, cat,
				     a->opt[O_ENTRY], show_progress, &p);
		progress_end(&p);
		if (vr) {
			rc = sb_cli_fail(cli, vr);
			goto out;
		}
		if (r.verdict != SB_IMAGE_OK)
			all_ok = false;
		if (!a->no_record) {
			json_t *ev = json_pack("{s:s, s:s, s:s, s:I, s:o, s:s?}",
					       "file", file, "verdict",
					       sb_image_verdict_name(r.verdict), "sha256",
					       r.sha256, "size", (json_int_t)r.size,
					       "entry", entry_json(r.entry), "catalog", catfile);
			if (ev && a->opt[O_SHA256])
				json_object_set_new(ev, "expected_sha256", json_string(expect));
			vr = record(cli, r.verdict == SB_IMAGE_OK ? "image.verified" : "image.rejected",
				    ev, &seq);
			json_decref(ev);
			if (vr) {
				rc = sb_cli_fail(cli, vr);
				goto out;
			}
		}
		if (cli->json) {
			json_t *o = json_pack("{s:s, s:b, s:s, s:s, s:I, s:o}",
					      "file", file, "ok", r.verdict == SB_IMAGE_OK,
					      "verdict", sb_image_verdict_name(r.verdict),
					      "sha256", r.sha256, "size", (json_int_t)r.size,
					      "entry", entry_json(r.entry));
			if (o && r.actual && r.verdict == SB_IMAGE_SWAPPED)
				json_object_set_new(o, "actual", entry_json(r.actual));
			if (o && a->opt[O_SHA256])
				json_object_set_new(o, "expected_sha256", json_string(expect));
			if (o && r.renamed)
				json_object_set_new(o, "renamed", json_true());
			if (o && seq)
				json_object_set_new(o, "ledger_seq", json_integer(seq));
			json_array_append_new(arr, o);
		} else {
			verdict_text(file, &r, a->opt[O_SHA256] ? expect : NULL, catfile);
		}
	}
	if (cli->json) {
		json_object_set_new(doc, "ok", json_boolean(all_ok));
		if (catfile)
			json_object_set_new(doc, "catalog", json_string(catfile));
		json_object_set_new(doc, "images", arr);
		arr = NULL;
		rc = sb_cli_json_out(cli, doc);
		doc = NULL;
		if (rc) {
			rc = sb_cli_fail(cli, rc);
			goto out;
		}
	}
	rc = all_ok ? SB_EXIT_OK : SB_EXIT_PROBLEMS;
out:
	json_decref(arr);
	json_decref(doc);
	sb_image_catalog_free(cat);
	sb_diags_release(&d);
	return rc;
}

/* ---- write ---- */

static int image_write(struct sb_cli *cli, struct image_args *a)
{
	static const char *const phases[] = { "writing", "reading back" };
	struct sb_image_target t;
	struct sb_image_write_result res;
	struct progress p = { cli, NULL, 0, phases, 0, false };
	struct sb_image_write_opts o = { show_progress, &p, &p.phase };
	const char *image, *dev;
	char size[32];
	int64_t seq = 0;
	int rc;

	if (a->npos != 2)
		return sb_cli_usage_error(cli, "give the image and the device: 'siteboot image write ISO DEVICE'");
	if (a->opt[O_SHA256] || a->opt[O_CATALOG] || a->opt[O_ENTRY] || a->list ||
	    a->opt[O_SOURCE] || a->opt[O_OUT])
		return sb_cli_usage_error(cli, "write takes --force and --no-record only; verify the image first with 'siteboot image verify'");
	image = a->pos[0];
	dev = a->pos[1];
	{
		/* the image's size, to refuse a stick that is too small */
		struct stat st;
		if (stat(image, &st) != 0 || !S_ISREG(st.st_mode))
			return sb_cli_usage_error(cli, "%s: not a readable image file; check the path", image);
		rc = sb_image_target_check(&t, dev, a->force, (uint64_t)st.st_size, NULL);
	}
	if (rc)
		return sb_cli_fail(cli, rc == SB_ESECURITY ? SB_EINPUT : rc);
	p.t0 = mono();
	rc = sb_image_write(&res, image, &t, &o);
	progress_end(&p);
	if (rc)
		return sb_cli_fail(cli, rc);
	if (!a->no_record) {
		json_t *ev = json_pack("{s:s, s:s, s:s, s:I, s:b, s:b}", "image", image,
				       "sha256", res.sha256, "device", dev, "bytes",
				       (json_int_t)res.bytes, "verified", res.verified,
				       "block_device", t.is_block);
		rc = record(cli, "image.written", ev, &seq);
		json_decref(ev);
		if (rc)
			return sb_cli_fail(cli, rc);
	}
	if (cli->json) {
		json_t *doc = json_pack("{s:b, s:s, s:s, s:b, s:b, s:I, s:s, s:s, s:f, s:f}",
					"ok", res.verified, "image", image, "device", dev,
					"block_device", t.is_block, "removable", t.removable,
					"bytes", (json_int_t)res.bytes, "sha256", res.sha256,
					"readback_sha256", res.readback,
					"write_seconds", res.write_seconds,
					"verify_seconds", res.verify_seconds);
		if (doc && seq)
			json_object_set_new(doc, "ledger_seq", json_integer(seq));
		if (sb_cli_json_out(cli, doc))
			return SB_EXIT_PROBLEMS;
	} else {
		sb_fmt_size(size, sizeof(size), res.bytes, true);
		if (res.verified)
			printf("%s: wrote %s (%s) in %.1f s and read it back: sha256 %s matches\n",
			       dev, image, size, res.write_seconds, res.sha256);
		else
			printf("%s: READ-BACK MISMATCH after writing %s (%s): wrote sha256 %s, read back %s; the device is failing or was removed: use another one\n",
			       dev, image, size, res.sha256, res.readback);
	}
	return res.verified ? SB_EXIT_OK : SB_EXIT_PROBLEMS;
}

/* ---- build ---- */

static int image_build(struct sb_cli *cli, struct image_args *a)
{
	const char *src = a->opt[O_SOURCE] ? a->opt[O_SOURCE] : ".";
	int rc;

	if (a->npos)
		return sb_cli_usage_error(cli, "build takes no arguments; use --source DIR and --out DIR");
	if (cli->json)
		return sb_cli_usage_error(cli, "build has no --json output; it prints the build's steps");
	rc = sb_image_build(src, a->opt[O_OUT]);
	return rc ? sb_cli_fail(cli, rc) : SB_EXIT_OK;
}

/* argv[0] is the verb. */
static int parse(struct image_args *a, struct sb_cli *cli, int argc, char **argv)
{
	struct sb_optparse op;
	const char *arg;
	int k;

	memset(a, 0, sizeof(*a));
	a->pos = calloc((size_t)argc + 1, sizeof(*a->pos));
	if (!a->pos)
		return SB_EXIT_PROBLEMS;
	sb_optparse_init(&op, argc, argv);
	while ((k = sb_optparse_next(&op, cli, sb_image_media_opts, &arg)) != -2) {
		if (k == -3)
			return SB_EXIT_USAGE;
		if (k == -1)
			a->pos[a->npos++] = (char *)arg;
		else if (k == O_LIST)
			a->list = true;
		else if (k == O_NO_RECORD)
			a->no_record = true;
		else if (k == O_FORCE)
			a->force = true;
		else
			a->opt[k] = arg;
	}
	return 0;
}

static int run_verb(struct sb_cli *cli, int argc, char **argv,
		    int (*fn)(struct sb_cli *, struct image_args *))
{
	struct image_args a;
	int rc = parse(&a, cli, argc, argv);

	if (rc == 0)
		rc = fn(cli, &a);
	free(a.pos);
	return rc;
}

int sb_image_verify_cmd(struct sb_cli *cli, int argc, char **argv)
{
	return run_verb(cli, argc, argv, image_verify);
}

int sb_image_write_cmd(struct sb_cli *cli, int argc, char **argv)
{
	return run_verb(cli, argc, argv, image_write);
}

int sb_image_build_cmd(struct sb_cli *cli, int argc, char **argv)
{
	return run_verb(cli, argc, argv, image_build);
}

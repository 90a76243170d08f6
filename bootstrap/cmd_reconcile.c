/* siteboot reconcile --site FILE: the BOM against what was discovered. */
#include "bom/bom.h"
#include "bootstrap/cli.h"
#include "bootstrap/inv_cli.h"
#include "bootstrap/table.h"
#include "common/error.h"
#include "common/json.h"
#include "common/str.h"
#include "common/time.h"
#include "common/yaml.h"
#include "inventory/inventory.h"

#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

enum { O_SITE, O_CSV, O_ALL, O_OPERATOR };

static const struct sb_opt rec_opts[] = {
	[O_SITE] = { "site", 0, SB_OPT_ARG, "FILE", "the site's BOM (required)" },
	[O_CSV] = { "csv", 0, SB_OPT_NONE, NULL,
		    "print CSV (one row per finding, matched ones included)" },
	[O_ALL] = { "all", 0, SB_OPT_NONE, NULL,
		    "list matched parts too, not only the problems" },
	[O_OPERATOR] = { "operator", 0, SB_OPT_ARG, "NAME",
			 "who ran it, for the ledger (default $USER)" },
	{ NULL, 0, SB_OPT_NONE, NULL, NULL },
};

/* What the report says about the BOM: from the parsed site, or from its
 * compiled form (which keeps no sb_site). */
struct bom_head {
	const char *id, *tier, *path, *sha256;
	size_t nnodes;
};

static const char *nz(const char *s)
{
	return s ? s : "";
}

/* The CSV report is about 100,000 rows on a core site: built in a
 * buffer and written in large pieces, not character by character. An
 * outbuf without a file keeps what is flushed in memory, a piece at a
 * time (no growing copy of the whole). */
struct chunk {
	struct chunk *next;
	size_t n;
	char b[];
};

struct outbuf {
	FILE *f;		/* or NULL: into the chunks */
	struct chunk *first, **last;
	bool oom;
	size_t n;
	char b[1 << 16];
};

static void ob_flush(struct outbuf *o)
{
	if (o->n && o->f) {
		fwrite(o->b, 1, o->n, o->f);
	} else if (o->n) {
		struct chunk *c = malloc(sizeof(*c) + o->n);
		if (c) {
			c->next = NULL;
			c->n = o->n;
			memcpy(c->b, o->b, o->n);
			*o->last = c;
			o->last = &c->next;
		} else {
			o->oom = true;
		}
	}
	o->n = 0;
}

static void ob_put(struct outbuf *o, const char *s, size_t n)
{
	while (n) {
		size_t k = sizeof(o->b) - o->n;
		if (!k) {
			ob_flush(o);
			continue;
		}
		if (k > n)
			k = n;
		memcpy(o->b + o->n, s, k);
		o->n += k;
		s += k;
		n -= k;
	}
}

/* One field, RFC 4180 quoting (as sb_inv_csv_field), then ',' or '\n'.
 * Most fields need no quotes: they are copied straight into the buffer
 * in one pass, which stops at the first character that needs them. */
static void ob_field(struct outbuf *o, const char *s, bool last)
{
	size_t n;

	if (s) {
		char *d, *end;
		const char *p = s;
		if (sizeof(o->b) - o->n < 1024)
			ob_flush(o);
		d = o->b + o->n;
		end = o->b + sizeof(o->b) - 1;	/* room for the separator */
		while (*p && *p != ',' && *p != '"' && *p != '\n' && *p != '\r' &&
		       d < end)
			*d++ = *p++;
		if (!*p) {
			*d++ = last ? '\n' : ',';
			o->n = (size_t)(d - o->b);
			return;
		}
		/* quotes needed, or a very long field: the general way */
	}
	n = s ? strlen(s) : 0;
	if (n && strpbrk(s, ",\"\n\r")) {
		ob_put(o, "\"", 1);
		for (const char *q; (q = strchr(s, '"')); s = q + 1) {
			ob_put(o, s, (size_t)(q - s) + 1);
			ob_put(o, "\"", 1);
		}
		ob_put(o, s, strlen(s));
		ob_put(o, "\"", 1);
	} else {
		ob_put(o, s ? s : "", n);
	}
	ob_put(o, last ? "\n" : ",", 1);
}

static void ob_uint(struct outbuf *o, unsigned v, bool show)
{
	char num[16];
	size_t i = sizeof(num);

	num[--i] = ',';
	if (show)
		do {
			num[--i] = (char)('0' + v % 10);
			v /= 10;
		} while (v);
	ob_put(o, num + i, sizeof(num) - i);
}

static void csv_rows(struct outbuf *o, const struct sb_inv_reconcile *r,
		     const char *site, size_t lo, size_t hi)
{
	for (size_t i = lo; i < hi; i++) {
		const struct sb_inv_finding *f = &r->v[i];
		ob_field(o, site, false);
		ob_field(o, f->po, false);
		ob_uint(o, f->po_line, f->po_line);
		ob_field(o, f->vendor, false);
		ob_uint(o, f->bom_line, f->bom_line);
		ob_field(o, f->node, false);
		ob_field(o, f->line, false);
		ob_field(o, f->part_number, false);
		ob_uint(o, f->ordered, f->ordered);
		ob_uint(o, f->found, f->ordered);
		ob_field(o, f->expected_serial, false);
		ob_field(o, f->observed_serial, false);
		ob_field(o, f->observed_part, false);
		ob_field(o, f->location, false);
		ob_field(o, f->kind, false);
		ob_field(o, sb_inv_severity_name(f->severity), false);
		ob_field(o, f->blocking ? "yes" : "no", false);
		ob_field(o, f->evidence, false);
		ob_field(o, f->id, false);
		ob_field(o, f->disposition, false);
		ob_field(o, f->detail, true);
	}
	ob_flush(o);
}

/* The second half of a large report, formatted into memory on another
 * thread while this one writes the first. */
struct csv_half {
	struct outbuf *o;
	const struct sb_inv_reconcile *r;
	const char *site;
	size_t lo, hi;
};

static void *csv_half_main(void *arg)
{
	struct csv_half *h = arg;

	csv_rows(h->o, h->r, h->site, h->lo, h->hi);
	return NULL;
}

static int print_csv(const struct sb_inv_reconcile *r, const char *site)
{
	struct outbuf *o = malloc(2 * sizeof(*o));
	struct csv_half h = { .r = r, .site = site, .hi = r->n };
	static const char head[] = "site,po,po_line,vendor,bom_line,node,line,"
		"part_number,ordered,found,expected_serial,observed_serial,"
		"observed_part,location,finding,severity,blocking,evidence,id,"
		"disposition,detail\n";
	pthread_t tid;
	bool two = false;
	int rc = 0;

	if (!o)
		return sb_error_set(SB_ENOMEM, "out of memory");
	o[0].f = stdout;
	o[0].n = 0;
	h.lo = r->n;
	if (r->n >= 8192) {
		h.o = &o[1];
		h.o->f = NULL;
		h.o->first = NULL;
		h.o->last = &h.o->first;
		h.o->oom = false;
		h.o->n = 0;
		h.lo = r->n / 2;
		two = pthread_create(&tid, NULL, csv_half_main, &h) == 0;
		if (!two)
			h.lo = r->n;
	}
	ob_put(&o[0], head, sizeof(head) - 1);
	csv_rows(&o[0], r, site, 0, h.lo);
	if (two) {
		pthread_join(tid, NULL);
		if (h.o->oom)
			rc = sb_error_set(SB_ENOMEM, "out of memory for the report");
		for (struct chunk *c = h.o->first, *next; c; c = next) {
			next = c->next;
			if (!rc)
				fwrite(c->b, 1, c->n, stdout);
			free(c);
		}
	}
	free(o);
	return rc;
}

static json_t *finding_json(const struct sb_inv_finding *f)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:b, s:s?, s:s?, s:s?, s:s?, s:s?}",
			      "id", f->id, "finding", f->kind,
			      "severity", sb_inv_severity_name(f->severity),
			      "blocking", f->blocking, "node", f->node, "line", f->line,
			      "part_number", f->part_number, "po", f->po,
			      "vendor", f->vendor);

	if (!o)
		return NULL;
	if (f->po_line)
		json_object_set_new(o, "po_line", json_integer(f->po_line));
	if (f->bom_line)
		json_object_set_new(o, "bom_line", json_integer(f->bom_line));
	if (f->ordered) {
		json_object_set_new(o, "ordered", json_integer(f->ordered));
		json_object_set_new(o, "found", json_integer(f->found));
	}
	sb_json_set_str(o, "expected_serial", f->expected_serial);
	sb_json_set_str(o, "observed_serial", f->observed_serial);
	sb_json_set_str(o, "observed_part", f->observed_part);
	sb_json_set_str(o, "location", f->location);
	sb_json_set_str(o, "evidence", f->evidence);
	sb_json_set_str(o, "detail", f->detail);
	if (f->disposition)
		json_object_set_new(o, "disposition",
				    json_pack("{s:s, s:s?, s:s?}", "decision",
					      f->disposition, "by", f->disposition_by,
					      "note", f->disposition_note));
	return o;
}

static int print_json(const struct sb_cli *cli, const struct sb_inv_reconcile *r,
		      const struct bom_head *s)
{
	json_t *doc = json_object(), *arr = json_array(), *counts = json_object();

	if (!doc || !arr || !counts) {
		json_decref(doc);
		json_decref(arr);
		json_decref(counts);
		return sb_error_set(SB_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < r->n; i++) {
		const char *k = r->v[i].kind;
		json_t *c = json_object_get(counts, k);
		json_object_set_new(counts, k, json_integer(c ? json_integer_value(c) + 1 : 1));
		json_array_append_new(arr, finding_json(&r->v[i]));
	}
	json_object_set_new(doc, "site", json_string(s->id));
	json_object_set_new(doc, "tier", json_string(s->tier));
	json_object_set_new(doc, "bom", json_string(s->path));
	json_object_set_new(doc, "bom_sha256", json_string(s->sha256));
	json_object_set_new(doc, "nodes", json_integer((json_int_t)s->nnodes));
	json_object_set_new(doc, "observed_nodes", json_integer((json_int_t)r->nobserved_nodes));
	json_object_set_new(doc, "ok", json_boolean(r->nblocking == 0));
	json_object_set_new(doc, "blocking", json_integer((json_int_t)r->nblocking));
	json_object_set_new(doc, "counts", counts);
	json_object_set_new(doc, "findings", arr);
	return sb_cli_json_out(cli, doc);
}

static void print_text(const struct sb_inv_reconcile *r, const struct bom_head *s,
		       bool all)
{
	static const char *const cols[] = { "ID", "NODE", "LINE", "FINDING", "SEV",
					    "PART", "EXPECTED", "OBSERVED", "LOCATION",
					    "DETAIL" };
	struct sb_table tb;
	size_t matched = 0, shown = 0;

	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->v[i].kind, "matched") == 0)
			matched++;
	printf("Site %s (%s): %zu node%s in the BOM, %zu discovered; %zu matched, "
	       "%zu finding%s, %zu blocking\n", s->id, s->tier, s->nnodes,
	       s->nnodes == 1 ? "" : "s", r->nobserved_nodes, matched, r->n - matched,
	       r->n - matched == 1 ? "" : "s", r->nblocking);
	sb_table_init(&tb, 0, 10, cols);
	for (size_t i = 0; i < r->n; i++) {
		const struct sb_inv_finding *f = &r->v[i];
		char detail[600];
		if (!all && strcmp(f->kind, "matched") == 0)
			continue;
		shown++;
		if (f->disposition)
			snprintf(detail, sizeof(detail), "[%s by %s] %s", f->disposition,
				 nz(f->disposition_by), nz(f->detail));
		else
			sb_strlcpy(detail, nz(f->detail), sizeof(detail));
		sb_table_rowf(&tb, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s", f->id,
			      nz(f->node), nz(f->line), f->kind,
			      sb_inv_severity_name(f->severity), nz(f->part_number),
			      nz(f->expected_serial), nz(f->observed_serial),
			      nz(f->location), detail);
	}
	if (shown) {
		printf("\n");
		sb_table_print(stdout, &tb);
	}
	sb_table_release(&tb);
	if (r->nblocking)
		printf("\n%zu blocking finding%s: fix them, or record a decision with "
		       "'siteboot inventory disposition ID accept|rma|return|waive --by "
		       "NAME --note TEXT'\n", r->nblocking, r->nblocking == 1 ? "" : "s");
}

/* -v: where the time went, phase by phase (wall and this process's CPU) */
struct phase_clock {
	bool on;
	uint64_t wall, cpu;
};

static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void phase(struct phase_clock *pc, const char *what)
{
	uint64_t w = sb_time_mono_ns(), c = cpu_ns();

	if (pc->on && what) {
		/* memory touched so far: on a virtual machine the first touch
		 * of a page is a large part of the cost */
		struct rusage ru;
		getrusage(RUSAGE_SELF, &ru);
		fprintf(stderr, "siteboot reconcile: %-28s %7.1f ms wall %7.1f ms CPU "
			"%6.1f MB peak RSS\n", what, (double)(w - pc->wall) / 1e6,
			(double)(c - pc->cpu) / 1e6, (double)ru.ru_maxrss / 1024);
	}
	pc->wall = w;
	pc->cpu = c;
}

/* The integrity check runs on the second core, on its own connection,
 * while this thread parses the BOM, reads and matches; nothing is printed
 * until it has said the file is sound (docs/decisions.md). It covers the
 * tables reconcile reads: the observations come packed in report_parts,
 * and components is read (and checked, beside the matching) only when a
 * part's name was learnt after its report was packed. The ledger is
 * checked too before reconcile appends to it (a new BOM). */
static const char *const read_tables[] = {
	"reports", "report_parts", "firmware", "dispositions", "boms",
	"bom_compiled", NULL,
};
static const char *const fill_tables[] = { "components", NULL };

/* Work that runs on another thread: its error comes back as text. */
struct job {
	pthread_t tid;
	bool started;
	int (*fn)(struct job *);
	int rc;
	char msg[1024];
	/* the check */
	const char *db_path;
	const char *const *tables;
	/* the BOM: its bytes and hash, then its compiled form when this
	 * build made one (read on a connection of the job's own: the
	 * command's is busy reading the observations); unpacked, or parsed */
	const char *bom_path;
	char *bom_buf;
	size_t bom_len;
	int bom_read_rc;
	char bom_sha256[65];
	char compiler[256];	/* "": no cache */
	unsigned char *blob;	/* the compiled form found; the expectations
				   point into it */
	size_t blob_len;
	bool hit;
	char why[300];		/* -v: why it was not used */
	unsigned char *packed;	/* a miss: the compiled form to store */
	size_t packed_len;
	struct sb_site *site;	/* a miss: the parsed BOM */
	uint64_t lookup_wall, lookup_cpu, job_wall, job_cpu;	/* -v */
	struct sb_arena *arena;
	struct sb_inv_expect *e;
	struct sb_diags diags;
};

static void *job_main(void *arg)
{
	struct job *j = arg;

	j->rc = j->fn(j);
	if (j->rc)
		snprintf(j->msg, sizeof(j->msg), "%s", sb_error_message());
	return NULL;
}

/* Start on another thread, or run here when no thread can be had. */
static void job_start(struct job *j, int (*fn)(struct job *))
{
	j->fn = fn;
	j->started = pthread_create(&j->tid, NULL, job_main, j) == 0;
	if (!j->started)
		job_main(j);
}

/* Wait for it; its error becomes this thread's. */
static int job_wait(struct job *j)
{
	if (j->started) {
		pthread_join(j->tid, NULL);
		j->started = false;
	}
	return j->rc ? sb_error_set(j->rc, "%s", j->msg) : 0;
}

static int check_job(struct job *j)
{
	struct sb_inv *db = NULL;
	int rc = sb_inv_open(&db, j->db_path, SB_INV_READONLY | SB_INV_NOCHECK);

	if (!rc)
		rc = sb_inv_read_tune(db);
	if (!rc)
		rc = sb_inv_quick_check(db, j->tables);
	sb_inv_close(db);
	return rc;
}

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The BOM's bytes, hash and compiled form (when this build stored one). */
static void bom_lookup_one(struct job *j)
{
	struct sb_inv *db = NULL;
	int rc;

	j->bom_read_rc = sb_yaml_read_file(&j->bom_buf, &j->bom_len, j->bom_path,
					   NULL, &j->diags);
	if (j->bom_read_rc)
		return;
	sb_sha256_hex(j->bom_sha256, j->bom_buf, j->bom_len);
	if (!sb_cli_bom_compiler(j->compiler, sizeof(j->compiler))) {
		j->compiler[0] = '\0';
		snprintf(j->why, sizeof(j->why), "this siteboot has no GNU build-id: "
			 "the BOM is parsed every time");
		return;
	}
	/* not tuned like the reading of the observations: the blob's pages
	 * are copied once out of the memory map, where SQLite's own page
	 * cache would take a fresh page for each (measured: about half the
	 * CPU time of this lookup) */
	rc = sb_inv_open(&db, j->db_path, SB_INV_READONLY | SB_INV_NOCHECK);
	if (!rc)
		rc = sb_inv_bom_compiled_get(db, j->bom_sha256, j->compiler, &j->blob,
					     &j->blob_len);
	sb_inv_close(db);
	if (rc)
		snprintf(j->why, sizeof(j->why), "%s", rc == SB_ENOTFOUND ?
			 "none for this BOM and this build" : sb_error_message());
}

static int bom_job_one(struct job *j)
{
	uint64_t w = sb_time_mono_ns(), c = thread_cpu_ns();
	int rc;

	bom_lookup_one(j);
	j->lookup_wall = sb_time_mono_ns() - w;
	j->lookup_cpu = thread_cpu_ns() - c;

	if (j->bom_read_rc)
		return sb_error_set(j->bom_read_rc, "%s: cannot read the BOM", j->bom_path);
	if (j->blob) {
		rc = sb_inv_expect_unpack(j->e, j->arena, &j->diags, j->blob,
					  j->blob_len, j->bom_path, j->bom_sha256);
		if (!rc) {
			j->hit = true;
			return 0;
		}
		/* damaged: parse, and store it anew */
		snprintf(j->why, sizeof(j->why), "%s", sb_error_message());
	}
	rc = sb_bom_load_buf(&j->site, j->bom_path, j->bom_buf, j->bom_len, &j->diags);
	sb_diags_sort(&j->diags);
	if (rc || (rc = sb_cli_site_expect(j->e, j->arena, j->site)))
		return rc;
	/* a BOM with errors never gets here: only good ones are stored */
	if (j->compiler[0] && strcmp(j->site->sha256, j->bom_sha256) == 0 &&
	    sb_inv_expect_pack(&j->packed, &j->packed_len, j->e, &j->diags,
			       j->bom_path, j->bom_sha256) != 0)
		snprintf(j->why, sizeof(j->why), "%s", sb_error_message());
	return 0;
}

static int bom_job(struct job *j)
{
	uint64_t w = sb_time_mono_ns(), c = thread_cpu_ns();
	int rc = bom_job_one(j);

	j->job_wall = sb_time_mono_ns() - w;
	j->job_cpu = thread_cpu_ns() - c;
	return rc;
}

/* The compiled form of a BOM that was parsed, for the next run; a cache:
 * when it cannot be stored (a read-only inventory, a busy one), the next
 * run parses again. */
static void bom_store(const struct sb_cli *cli, struct sb_inv *db, struct job *j)
{
	const char *why = NULL;

	if (!j->packed)
		return;
	if (sqlite3_db_readonly(sb_inv_sqlite(db), "main") == 1)
		why = "the inventory is read-only";
	else if (sb_inv_bom_compiled_put(db, j->bom_sha256, j->compiler, j->packed,
					 j->packed_len))
		why = sb_error_message();
	if (cli->verbosity > 0) {
		if (why)
			fprintf(stderr, "siteboot reconcile:   compiled BOM not stored: "
				"%s\n", why);
		else
			fprintf(stderr, "siteboot reconcile:   compiled BOM stored "
				"(%zu bytes)\n", j->packed_len);
	}
}

/* A core site's reconciliation touches about 100 MB of fresh memory
 * (the BOM's tree, the observations, the findings). On a virtual machine
 * a page fault per 4 KiB page costs more than the work itself: the heap
 * is grown once, ahead, and offered to the kernel for transparent huge
 * pages (one fault per 2 MiB), and every thread allocates from it
 * (docs/decisions.md, "reconcile's memory"). Nothing is touched ahead:
 * memory that is not used costs nothing. Best effort: when the kernel
 * says no, the 4 KiB pages work as before. */
static void heap_for_bulk_work(void)
{
	const size_t huge = (size_t)2 << 20, pad = (size_t)512 << 20;
	void *p;
	uintptr_t lo, hi;

	mallopt(M_ARENA_MAX, 1);		/* the threads share this heap */
	mallopt(M_MMAP_THRESHOLD, 32 << 20);	/* big arrays too (glibc's most) */
	mallopt(M_TRIM_THRESHOLD, 1 << 30);	/* keep it to the end */
	mallopt(M_TOP_PAD, (int)pad);
	/* larger than what is free at the top: the heap grows by it and
	 * the pad; freed, it stays there for what follows */
	if (!(p = malloc((size_t)8 << 20)))
		return;
	lo = ((uintptr_t)p + huge - 1) & ~(uintptr_t)(huge - 1);
	hi = (uintptr_t)sbrk(0) & ~(uintptr_t)(huge - 1);
	/* only when the block did come from the heap below the break (not
	 * under a sanitizer's allocator, nor from a map of its own) */
	if (hi > lo && hi - lo <= pad + ((size_t)16 << 20))
		madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
	free(p);
	mallopt(M_TOP_PAD, 128 << 10);
}

static int run_reconcile(struct sb_cli *cli, int argc, char **argv)
{
	struct phase_clock pc = { .on = cli->verbosity > 0 };
	struct sb_optparse op;
	const char *arg, *opt[sizeof(rec_opts) / sizeof(rec_opts[0])] = { 0 };
	struct sb_site *s = NULL;
	struct sb_inv *db = NULL;
	struct sb_inv_observed *ob = NULL;
	struct sb_inv_expect e = { 0 };
	struct bom_head head;
	struct sb_inv_reconcile r = { 0 };
	struct job chk = { 0 }, chk_fill = { 0 }, bom = { 0 };
	struct sb_arena a;
	char actor[160];
	const char *who;
	bool is_new, known;
	int k, rc;

	sb_optparse_init(&op, argc, argv);
	while ((k = sb_optparse_next(&op, cli, rec_opts, &arg)) != -2) {
		if (k == -3)
			return SB_EXIT_USAGE;
		if (k == -1)
			return sb_cli_usage_error(cli, "unexpected argument '%s'; say "
						  "'reconcile --site FILE'", arg);
		opt[k] = arg ? arg : "";
	}
	if (!opt[O_SITE])
		return sb_cli_usage_error(cli, "say which site: --site FILE");
	if (opt[O_CSV] && cli->json)
		return sb_cli_usage_error(cli, "choose --csv or --json, not both");
	phase(&pc, NULL);
	heap_for_bulk_work();
	sb_arena_init(&a, 0);
	sb_diags_init(&bom.diags);
	/* three pieces of work that need nothing of each other: the BOM
	 * parse and the integrity check on other threads, the reading of
	 * the observations here (the file is opened, and migrated, first) */
	rc = sb_inv_open(&db, sb_cli_db_path(cli), SB_INV_NOCHECK);
	if (rc) {
		rc = sb_cli_fail(cli, rc);
		goto done;
	}
	if ((rc = sb_inv_read_tune(db))) {
		rc = sb_cli_fail(cli, rc);
		goto done;
	}
	chk.db_path = sb_inv_path(db);
	chk.tables = read_tables;
	job_start(&chk, check_job);
	bom.bom_path = opt[O_SITE];
	bom.db_path = sb_inv_path(db);
	bom.arena = &a;
	bom.e = &e;
	job_start(&bom, bom_job);
	phase(&pc, "open");
	if ((rc = sb_inv_observed_load(&ob, db))) {
		/* damage explains a failed read best: the check's word first */
		int crc = job_wait(&chk);
		rc = sb_cli_fail(cli, crc ? crc : rc);
		goto done;
	}
	if (sb_inv_observed_fills(ob)) {
		chk_fill.db_path = sb_inv_path(db);
		chk_fill.tables = fill_tables;
		job_start(&chk_fill, check_job);
	}
	phase(&pc, "observations read");
	rc = job_wait(&bom);
	s = bom.site;
	sb_cli_diags_print(cli, &bom.diags);
	if (rc) {
		if (rc == SB_EINPUT)
			fprintf(stderr, "siteboot reconcile: error: %s is not a valid BOM; "
				"'siteboot bom check %s' lists its problems\n",
				opt[O_SITE], opt[O_SITE]);
		rc = rc == SB_EINPUT ? SB_EXIT_USAGE : sb_cli_fail(cli, rc);
		goto done;
	}
	if (pc.on && bom.hit)
		fprintf(stderr, "siteboot reconcile:   BOM not parsed: its compiled "
			"form (%zu bytes) was used\n", bom.blob_len);
	else if (pc.on)
		fprintf(stderr, "siteboot reconcile:   BOM parsed; its compiled form: "
			"%s\n", bom.why);
	if (pc.on)
		fprintf(stderr, "siteboot reconcile:   BOM on its thread: %.1f ms wall "
			"%.1f ms CPU, of which read, hashed, looked up %.1f ms wall "
			"%.1f ms CPU\n", (double)bom.job_wall / 1e6,
			(double)bom.job_cpu / 1e6, (double)bom.lookup_wall / 1e6,
			(double)bom.lookup_cpu / 1e6);
	phase(&pc, "waiting for the BOM");
	head.id = e.site;
	head.tier = e.tier;
	head.path = opt[O_SITE];
	head.sha256 = bom.bom_sha256;
	head.nnodes = e.nnodes;
	if ((rc = sb_inv_reconcile_observed(&r, ob, &e))) {
		rc = sb_cli_fail(cli, rc);
		goto done;
	}
	if (pc.on)
		fprintf(stderr, "siteboot reconcile:   %zu observations of this site\n",
			r.nobservations);
	phase(&pc, "expectations and matching");
	if ((rc = job_wait(&chk)) || (rc = job_wait(&chk_fill))) {
		rc = sb_cli_fail(cli, rc);
		goto done;
	}
	phase(&pc, "waiting for quick_check");
	/* the BOM goes into the ledger the first time: check the ledger
	 * before appending to it */
	who = opt[O_OPERATOR] ? opt[O_OPERATOR] : getenv("USER");
	snprintf(actor, sizeof(actor), "operator:%.120s", who && *who ? who : "siteboot");
	if ((rc = sb_inv_bom_known(db, head.sha256, &known)) ||
	    (!known && (rc = sb_inv_quick_check(db, (const char *const[]){
			"ledger", "checkpoints", NULL }))) ||
	    (rc = sb_inv_bom_record(db, head.id, head.tier, head.sha256, head.path,
				    actor, &is_new))) {
		rc = sb_cli_fail(cli, rc);
		goto done;
	}
	bom_store(cli, db, &bom);
	phase(&pc, "BOM recorded in the ledger");
	if (cli->json) {
		if ((rc = print_json(cli, &r, &head))) {
			rc = sb_cli_fail(cli, rc);
			goto done;
		}
	} else if (opt[O_CSV]) {
		if ((rc = print_csv(&r, head.id))) {
			rc = sb_cli_fail(cli, rc);
			goto done;
		}
	} else {
		print_text(&r, &head, opt[O_ALL] != NULL);
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		rc = sb_cli_fail(cli, sb_error_set(SB_EIO, "cannot write the report "
						   "to standard output"));
		goto done;
	}
	phase(&pc, "output");
	rc = r.nblocking ? SB_EXIT_PROBLEMS : SB_EXIT_OK;
done:
	job_wait(&bom);
	job_wait(&chk);
	job_wait(&chk_fill);
	if (!s)
		sb_bom_free(bom.site);
	sb_diags_release(&bom.diags);
	free(bom.bom_buf);
	free(bom.blob);
	free(bom.packed);
	sb_inv_reconcile_release(&r);
	sb_inv_observed_free(ob);
	sb_inv_close(db);
	sb_arena_release(&a);
	sb_bom_free(s);
	return rc;
}

const struct sb_cmd sb_cmd_reconcile = {
	.name = "reconcile",
	.run = run_reconcile,
	.summary = "compare the BOM with what was discovered: per BOM line and node",
	.usage = "siteboot reconcile --site FILE [--all] [--json | --csv]",
	.description =
		"Compares what the site's BOM orders with the latest observations in the "
		"inventory and reports, per BOM line and per node: matched, missing, "
		"extra (found, not ordered), wrong_part (part number not among the "
		"allowed ones: the line's, its alternates and its manufacturer_part; a "
		"match on model alone is reported, never accepted), unverifiable (no "
		"source that sees that class of part has reported on the node yet: an "
		"IPMI-only BMC sees no PSUs or NICs; a warning), "
		"serial_mismatch (possible substitution), duplicate_serial (the same "
		"serial in two places), moved (on another node of the site), wrong_slot, "
		"quantity_short, quantity_over, firmware_below_baseline, "
		"firmware_unverifiable, tier_requirement (e.g. a validator with less "
		"than 64 GiB of RAM) and identity_conflict (two sources disagree about a "
		"chassis serial). Parts are matched by serial, then by durable "
		"identifier (MAC, WWN), then by node, slot and part number; a part "
		"matched by serial or MAC whose source gives no part number (lsblk, ip "
		"link) is matched, with a note, and its model string only noted when it "
		"disagrees.\n\n"
		"Each finding has a stable ID; 'siteboot inventory disposition ID "
		"accept|rma|return|waive' records a decision in the ledger, after which "
		"the finding no longer blocks. The text report lists the problems (--all: "
		"everything); --json and --csv give every row with site, PO, PO line, "
		"vendor, BOM line, part number, quantities ordered and found, expected "
		"and observed serials, location, finding, severity and evidence. The BOM "
		"used is recorded in the ledger (bom.imported) the first time, and its "
		"compiled form is kept in the inventory (bom_compiled, per BOM file and "
		"siteboot build), so that the next run with the same file need not parse "
		"it; -v says which way it went. Exits 1 when a blocking finding exists.",
	.opts = rec_opts,
	.example = "siteboot reconcile --site site.yaml\n"
		   "siteboot reconcile --site site.yaml --csv > reconcile.csv",
	.flags = SB_CMD_DB,
};

/* `inventory verify`: recompute every payload hash, the chain, the Merkle
 * root and every checkpoint, and name the first event that does not match.
 *
 * The fast path only answers "all good": the ledger is cut into chunks of
 * 2^16 events that several threads read and hash at once, each on its own
 * read-only connection. Every event stores its predecessor's hash, so the
 * chain splits cleanly: event i is good when hash_i = H(prev_i || leaf_i)
 * and prev_i = hash_(i-1), by induction the same as recomputing the chain
 * from the start. A chunk starts at a multiple of its (power of two) size,
 * so its Merkle subtrees slot into the tree of the chunks before it.
 * Inside a chunk, payload, leaf, chain and node hashes of 256 events go
 * through sb_sha256_many together.
 *
 * When anything at all does not match, the serial path runs: one pass in
 * sequence order to find the first bad event, then the whole ledger is
 * loaded a second time to tell a change from a deletion, an insertion or
 * a reordering: where an event's predecessor now sits says what was done. */
#include "inventory/inv_priv.h"

#include "common/error.h"
#include "common/pool.h"
#include "common/str.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *sb_inv_problem_name(enum sb_inv_problem p)
{
	switch (p) {
	case SB_INV_OK: return "ok";
	case SB_INV_CHANGED: return "changed";
	case SB_INV_DELETED: return "deleted";
	case SB_INV_INSERTED: return "inserted";
	case SB_INV_REORDERED: return "reordered";
	case SB_INV_CHECKPOINT: return "checkpoint";
	case SB_INV_GUARD: return "guard";
	}
	return "?";
}

#define ENTRY_MAX (4 + 8 + 6 + 32 + 3 * 65536)

struct row {
	int64_t seq;
	unsigned char prev[32], hash[32];
	bool payload_ok;
	bool self_ok;		/* hash == H(prev || leaf(own fields)) */
};

struct rows {
	struct row *r;
	size_t n, cap;
};

static void problem(struct sb_inv_verify *v, enum sb_inv_problem p,
		    int64_t seq, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void problem(struct sb_inv_verify *v, enum sb_inv_problem p,
		    int64_t seq, const char *fmt, ...)
{
	va_list ap;

	if (v->problem != SB_INV_OK && v->problem != SB_INV_GUARD)
		return;
	v->problem = p;
	v->seq = seq;
	va_start(ap, fmt);
	vsnprintf(v->detail, sizeof(v->detail), fmt, ap);
	va_end(ap);
}

/* Hash one stored row; returns false when a field is missing or
 * malformed (then the row counts as changed). */
static bool row_hash(sqlite3_stmt *st, char *entry, unsigned char psha[32],
		     unsigned char leaf[32], unsigned char hash[32],
		     const unsigned char prev[32], struct row *r)
{
	const char *t = sb_inv_col(st, 1), *a = sb_inv_col(st, 2),
		   *k = sb_inv_col(st, 3);
	const void *payload = sqlite3_column_blob(st, 4);
	int plen = sqlite3_column_bytes(st, 4);
	const void *ps = sqlite3_column_blob(st, 5), *pv = sqlite3_column_blob(st, 6),
		   *h = sqlite3_column_blob(st, 7);
	size_t elen;

	r->seq = sqlite3_column_int64(st, 0);
	r->payload_ok = false;
	r->self_ok = false;
	memset(r->prev, 0, 32);
	memset(r->hash, 0, 32);
	if (pv && sqlite3_column_bytes(st, 6) == 32)
		memcpy(r->prev, pv, 32);
	if (h && sqlite3_column_bytes(st, 7) == 32)
		memcpy(r->hash, h, 32);
	if (!t || !a || !k || !ps || sqlite3_column_bytes(st, 5) != 32 ||
	    strlen(t) > 65535 || strlen(a) > 65535 || strlen(k) > 65535)
		return false;
	sb_sha256(psha, payload ? payload : "", (size_t)plen);
	r->payload_ok = memcmp(psha, ps, 32) == 0;
	elen = sb_inv_event_entry(entry, ENTRY_MAX, r->seq, t, a, k, ps);
	sb_inv_event_hashes(leaf, hash, prev, entry, elen);
	if (memcmp(prev, r->prev, 32) == 0)
		r->self_ok = memcmp(hash, r->hash, 32) == 0;
	else {
		unsigned char l2[32], h2[32];
		sb_inv_event_hashes(l2, h2, r->prev, entry, elen);
		r->self_ok = memcmp(h2, r->hash, 32) == 0;
	}
	return true;
}

static int rows_push(struct rows *rs, const struct row *r)
{
	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 1024;
		void *p = realloc(rs->r, cap * sizeof(*rs->r));
		if (!p)
			return sb_error_set(SB_ENOMEM, "out of memory");
		rs->r = p;
		rs->cap = cap;
	}
	rs->r[rs->n++] = *r;
	return 0;
}

/* Where is the event whose chain hash is h? Index into rs, or -1. */
static ssize_t find_hash(const struct rows *rs, const unsigned char h[32])
{
	for (size_t i = 0; i < rs->n; i++)
		if (memcmp(rs->r[i].hash, h, 32) == 0)
			return (ssize_t)i;
	return -1;
}

static bool is_zero(const unsigned char h[32])
{
	for (int i = 0; i < 32; i++)
		if (h[i])
			return false;
	return true;
}

/* Say what happened at row i, the first that does not follow from the
 * rows before it (expected sequence e, expected predecessor hash P). */
static void classify(struct sb_inv_verify *v, const struct rows *rs, size_t i,
		     int64_t e, const unsigned char P[32])
{
	const struct row *r = &rs->r[i];
	const struct row *next = i + 1 < rs->n ? &rs->r[i + 1] : NULL;
	ssize_t at;

	if (r->seq > e) {
		problem(v, SB_INV_DELETED, e, "event %lld was deleted: the ledger "
			"goes from event %lld to event %lld", (long long)e,
			(long long)(e - 1), (long long)r->seq);
		return;
	}
	if (!r->payload_ok) {
		problem(v, SB_INV_CHANGED, r->seq, "event %lld was changed: its "
			"payload does not match its SHA-256", (long long)r->seq);
		return;
	}
	at = is_zero(r->prev) ? -2 : find_hash(rs, r->prev);
	if (at >= 0 && (size_t)at > i) {
		problem(v, SB_INV_REORDERED, r->seq, "event %lld is out of order: "
			"it was written after the event now numbered %lld",
			(long long)r->seq, (long long)rs->r[at].seq);
		return;
	}
	/* the next event skips this one and follows the expected one */
	if (next && memcmp(next->prev, P, 32) == 0) {
		problem(v, SB_INV_INSERTED, r->seq, "event %lld was inserted: the "
			"event after it follows event %lld directly",
			(long long)r->seq, (long long)(e - 1));
		return;
	}
	if (memcmp(r->prev, P, 32) == 0) {
		problem(v, SB_INV_CHANGED, r->seq, "event %lld was changed: its "
			"time, actor, kind or number does not match its hash",
			(long long)r->seq);
		return;
	}
	if (at >= 0 && (size_t)at + 1 < i) {
		problem(v, SB_INV_INSERTED, rs->r[at + 1].seq, "event %lld was "
			"inserted: event %lld follows event %lld directly",
			(long long)rs->r[at + 1].seq, (long long)r->seq,
			(long long)rs->r[at].seq);
		return;
	}
	if (at == -1 && (!next || memcmp(next->prev, r->hash, 32) == 0)) {
		problem(v, SB_INV_DELETED, e, "event %lld was deleted: the event "
			"now numbered %lld follows an event that is no longer in "
			"the ledger", (long long)e, (long long)r->seq);
		return;
	}
	problem(v, SB_INV_CHANGED, r->seq, "event %lld was changed: it does not "
		"chain to event %lld", (long long)r->seq, (long long)(e - 1));
}

struct cp {
	int64_t id, size;
	unsigned char root[32];
	char *note;
};

static int load_checkpoints(struct sb_inv *db, struct cp **out, size_t *n)
{
	sqlite3_stmt *st = NULL;
	struct cp *v = NULL;
	size_t k = 0;
	int rc = 0, s;

	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(db->db, "SELECT id, tree_size, root, note FROM "
			       "checkpoints ORDER BY id", -1, &st, NULL) != SQLITE_OK)
		return sb_inv_sqlerr(db, "read checkpoints");
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		void *p = realloc(v, (k + 1) * sizeof(*v));
		if (!p) {
			rc = sb_error_set(SB_ENOMEM, "out of memory");
			break;
		}
		v = p;
		memset(&v[k], 0, sizeof(v[k]));
		v[k].id = sqlite3_column_int64(st, 0);
		v[k].size = sqlite3_column_int64(st, 1);
		if (sqlite3_column_bytes(st, 2) == 32)
			memcpy(v[k].root, sqlite3_column_blob(st, 2), 32);
		v[k].note = sb_strdup(sb_inv_col(st, 3) ? sb_inv_col(st, 3) : "");
		k++;
	}
	if (!rc && s != SQLITE_DONE)
		rc = sb_inv_sqlerr(db, "read checkpoints");
	sqlite3_finalize(st);
	*out = v;
	*n = k;
	return rc;
}

static void free_checkpoints(struct cp *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(c[i].note);
	free(c);
}

/* ---- the fast path --------------------------------------------------------- */

#define CHUNK_LOG2 16
#define BATCH_LOG2 8
#define BATCH (1 << BATCH_LOG2)	/* events hashed together */
#define MAX_THREADS 8
#define BIG_PAYLOAD 16384	/* hashed on its own, not copied */

static unsigned tune_chunk_log2, tune_threads;

void sb_inv_verify_tune(unsigned chunk_log2, unsigned threads)
{
	tune_chunk_log2 = chunk_log2 > 30 ? 30 : chunk_log2;
	tune_threads = threads > MAX_THREADS ? MAX_THREADS : threads;
}

struct snap {
	int64_t size;			/* checkpoint tree size (global) */
	struct sb_merkle_acc acc;	/* the chunk's leaves up to it */
};

struct chunk {
	int64_t lo, hi;			/* sequence numbers, inclusive */
	bool done, ok;
	unsigned char first_prev[32], last_hash[32];
	struct sb_merkle_acc acc;
	struct snap *snaps;
	size_t nsnaps;
};

struct fast {
	const struct cp *cps;
	size_t ncp;
	struct chunk *chunks;
	pthread_mutex_t lock;
	unsigned nconn;
	sqlite3 *conn[MAX_THREADS];
	sqlite3_stmt *st[MAX_THREADS];
	bool busy[MAX_THREADS];
};

/* A batch of up to BATCH rows: the bytes to hash live in one arena. */
struct batch {
	unsigned char *arena;
	size_t used, cap;
	size_t n;
	size_t off[2 * BATCH], len[2 * BATCH];	/* payloads, then entries */
	bool big[BATCH];
	const unsigned char *msg[2 * BATCH];	/* what sb_sha256_many hashes */
	size_t mlen[2 * BATCH];
	unsigned char out[2 * BATCH][32];
	unsigned char psha[BATCH][32], prev[BATCH][32], hash[BATCH][32];
	unsigned char bigsha[BATCH][32];
	unsigned char chain[BATCH][64];
	unsigned char node[BATCH][65];
	unsigned char level[BATCH][32];
};

static bool arena_room(struct batch *b, size_t more)
{
	size_t cap = b->cap ? b->cap : 65536;
	void *p;

	if (b->used + more <= b->cap)
		return true;
	while (cap < b->used + more)
		cap *= 2;
	if (!(p = realloc(b->arena, cap)))
		return false;
	b->arena = p;
	b->cap = cap;
	return true;
}

/* Copy row i of the batch out of the statement; false when a field is
 * missing or malformed (the serial path then says which). */
static bool take_row(sqlite3_stmt *st, struct batch *b, size_t i)
{
	const char *t = sb_inv_col(st, 1), *a = sb_inv_col(st, 2),
		   *k = sb_inv_col(st, 3);
	const void *payload = sqlite3_column_blob(st, 4);
	size_t plen = (size_t)sqlite3_column_bytes(st, 4);
	const void *ps = sqlite3_column_blob(st, 5), *pv = sqlite3_column_blob(st, 6),
		   *h = sqlite3_column_blob(st, 7);
	size_t tl, al, kl, elen;

	if (!t || !a || !k || !ps || !pv || !h ||
	    sqlite3_column_bytes(st, 5) != 32 || sqlite3_column_bytes(st, 6) != 32 ||
	    sqlite3_column_bytes(st, 7) != 32)
		return false;
	tl = strlen(t);
	al = strlen(a);
	kl = strlen(k);
	if (tl > 65535 || al > 65535 || kl > 65535)
		return false;
	memcpy(b->psha[i], ps, 32);
	memcpy(b->prev[i], pv, 32);
	memcpy(b->hash[i], h, 32);
	b->big[i] = plen > BIG_PAYLOAD;
	if (b->big[i]) {
		sb_sha256(b->bigsha[i], payload, plen);
		plen = 0;
	}
	elen = 4 + 8 + 6 + tl + al + kl + 32;
	if (!arena_room(b, plen + 1 + elen))
		return false;
	b->off[i] = b->used;
	b->len[i] = plen;
	if (plen)
		memcpy(b->arena + b->used, payload, plen);
	b->used += plen;
	/* the Merkle leaf hashes 0x00 || entry */
	b->arena[b->used] = 0x00;
	b->off[BATCH + i] = b->used;
	b->len[BATCH + i] = 1 + sb_inv_event_entry((char *)b->arena + b->used + 1,
						   elen, sqlite3_column_int64(st, 0),
						   t, a, k, ps);
	b->used += 1 + elen;
	return true;
}

/* The interior-node messages 0x01 || left || right over level[0..n). */
static void pair_up(struct batch *b, size_t n, const unsigned char **msg,
		    size_t *len)
{
	for (size_t j = 0; j < n / 2; j++) {
		b->node[j][0] = 0x01;
		memcpy(b->node[j] + 1, b->level[2 * j], 32);
		memcpy(b->node[j] + 33, b->level[2 * j + 1], 32);
		msg[j] = b->node[j];
		len[j] = 65;
	}
}

/* Hash pairs of level[0..n) into level[0..n/2) until one is left. */
static void subtree_up(struct batch *b, size_t n)
{
	const unsigned char *msg[BATCH / 2];
	size_t len[BATCH / 2];

	for (; n > 1; n /= 2) {
		pair_up(b, n, msg, len);
		sb_sha256_many(b->level, msg, len, n / 2);
	}
}

static void snap_push(struct chunk *c, size_t *si, const int64_t *local,
		      size_t nlocal)
{
	while (*si < nlocal && local[*si] == (int64_t)c->acc.n) {
		struct snap *s = &c->snaps[c->nsnaps++];
		s->size = c->lo - 1 + local[*si];
		s->acc = c->acc;
		(*si)++;
	}
}

/* Check the rows of one batch against each other and the one before
 * (prev_hash: the last row's stored hash, NULL at the chunk's start),
 * and add their leaves to the chunk's tree. */
static bool batch_check(struct chunk *c, struct batch *b,
			const unsigned char *prev_hash, const int64_t *local,
			size_t nlocal, size_t *si)
{
	const unsigned char **msg = b->msg;
	size_t *len = b->mlen, n = b->n, m = 0;
	bool whole;

	for (size_t i = 0; i < n; i++) {
		msg[i] = b->arena + b->off[i];
		len[i] = b->len[i];
		msg[n + i] = b->arena + b->off[BATCH + i];
		len[n + i] = b->len[BATCH + i];
	}
	sb_sha256_many(b->out, msg, len, 2 * n);
	for (size_t i = 0; i < n; i++) {
		const unsigned char *want = i ? b->hash[i - 1] : prev_hash;
		if (memcmp(b->big[i] ? b->bigsha[i] : b->out[i], b->psha[i], 32) != 0)
			return false;
		if (want && memcmp(b->prev[i], want, 32) != 0)
			return false;
		memcpy(b->chain[i], b->prev[i], 32);
		memcpy(b->chain[i] + 32, b->out[n + i], 32);
		memcpy(b->level[i], b->out[n + i], 32);
		msg[i] = b->chain[i];
		len[i] = 64;
	}
	/* a whole, aligned batch with no checkpoint inside is one subtree:
	 * its first level goes along with the chain hashes */
	whole = n == BATCH && c->acc.n % BATCH == 0 &&
		!(*si < nlocal && local[*si] < (int64_t)(c->acc.n + BATCH));
	if (whole) {
		pair_up(b, n, msg + n, len + n);
		m = n / 2;
	}
	sb_sha256_many(b->out, msg, len, n + m);
	for (size_t i = 0; i < n; i++)
		if (memcmp(b->out[i], b->hash[i], 32) != 0)
			return false;
	if (whole) {
		memcpy(b->level, b->out[n], m * 32);
		subtree_up(b, m);
		sb_merkle_acc_push_subtree(&c->acc, b->level[0], BATCH_LOG2);
		snap_push(c, si, local, nlocal);
		return true;
	}
	for (size_t i = 0; i < n; i++) {
		sb_merkle_acc_push(&c->acc, b->level[i]);
		snap_push(c, si, local, nlocal);
	}
	return true;
}

static void check_chunk(struct fast *f, struct chunk *c, sqlite3_stmt *st)
{
	struct batch *b = calloc(1, sizeof(*b));
	int64_t *local = NULL, e = c->lo;
	size_t nlocal = 0, si = 0;
	unsigned char last[32];
	bool have_last = false;
	int s = SQLITE_DONE;

	if (!b)
		return;
	/* checkpoints inside this chunk, as leaf counts from its start */
	for (size_t i = 0; i < f->ncp; i++)
		if (f->cps[i].size >= c->lo && f->cps[i].size <= c->hi)
			nlocal++;
	if (nlocal) {
		local = calloc(nlocal, sizeof(*local));
		c->snaps = calloc(nlocal, sizeof(*c->snaps));
		if (!local || !c->snaps)
			goto out;
		nlocal = 0;
		for (size_t i = 0; i < f->ncp; i++)
			if (f->cps[i].size >= c->lo && f->cps[i].size <= c->hi)
				local[nlocal++] = f->cps[i].size - c->lo + 1;
	}
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, c->lo);
	sqlite3_bind_int64(st, 2, c->hi);
	for (;;) {
		b->n = 0;
		b->used = 0;
		while (b->n < BATCH && (s = sqlite3_step(st)) == SQLITE_ROW) {
			if (sqlite3_column_int64(st, 0) != e || !take_row(st, b, b->n))
				goto out;
			if (e == c->lo)
				memcpy(c->first_prev, b->prev[b->n], 32);
			b->n++;
			e++;
		}
		if (b->n && !batch_check(c, b, have_last ? last : NULL, local,
					 nlocal, &si))
			goto out;
		if (b->n) {
			memcpy(last, b->hash[b->n - 1], 32);
			have_last = true;
		}
		if (b->n < BATCH || s != SQLITE_ROW)
			break;
	}
	if (s != SQLITE_DONE && s != SQLITE_ROW)
		goto out;
	c->ok = e == c->hi + 1 && have_last && si == nlocal;
	if (c->ok)
		memcpy(c->last_hash, last, 32);
out:
	sqlite3_reset(st);
	free(local);
	free(b->arena);
	free(b);
}

static void chunk_work(size_t i, void *ctx)
{
	struct fast *f = ctx;
	unsigned k = 0;

	pthread_mutex_lock(&f->lock);
	while (k < f->nconn && f->busy[k])
		k++;
	if (k < f->nconn)
		f->busy[k] = true;
	pthread_mutex_unlock(&f->lock);
	if (k == f->nconn)
		return;
	check_chunk(f, &f->chunks[i], f->st[k]);
	f->chunks[i].done = true;
	pthread_mutex_lock(&f->lock);
	f->busy[k] = false;
	pthread_mutex_unlock(&f->lock);
}

static const char *const chunk_sql =
	"SELECT seq, time, actor, kind, payload, payload_sha256, prev, hash "
	"FROM ledger WHERE seq BETWEEN ? AND ? ORDER BY seq";

/* Another read-only connection to the same file, its read transaction
 * begun now: only events up to the main connection's last one are read,
 * and the ledger only grows. No mmap of the file: a scan that touches
 * each page once pays more for the page faults (on this VM, more than
 * half the scan) than a copy costs. Not one pread() per page either: the
 * file is read in large windows (scanvfs.c), and "mmap_size" here makes
 * SQLite take its pages in place from those windows instead of copying
 * them. A small page cache, as nothing is read twice. */
static sqlite3 *extra_conn(const char *path)
{
	sqlite3 *c = NULL;

	if (sqlite3_open_v2(path, &c, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
			    sb_inv_scan_vfs()) != SQLITE_OK ||
	    sqlite3_busy_timeout(c, 5000) != SQLITE_OK ||
	    sqlite3_exec(c, "PRAGMA mmap_size = 2147418112; PRAGMA cache_size = 200; BEGIN; "
			 "SELECT seq FROM ledger LIMIT 1", NULL, NULL, NULL) != SQLITE_OK) {
		sqlite3_close(c);
		return NULL;
	}
	return c;
}

static unsigned verify_threads(void)
{
	long n;

	if (tune_threads)
		return tune_threads;
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > 4 ? 4 : (unsigned)n;
}

/* The whole ledger checked in chunks: true when every event, the chain,
 * the tree and the root of every checkpoint it covers match (v gets the
 * totals, *ncovered those checkpoints); false when anything does not, or
 * on any error, for the serial path to say what. *rc is set only when
 * the user interrupted. */
static bool fast_verify(struct sb_inv *db, const struct cp *cps, size_t ncp,
			struct sb_inv_verify *v, size_t *ncovered, int *rc)
{
	struct fast f;
	struct sb_merkle_acc g;
	sqlite3_stmt *st = NULL;
	int64_t lo = 0, hi = 0, cs;
	size_t nchunks, ci = 0;
	unsigned threads, chunk_log2 = tune_chunk_log2 ? tune_chunk_log2 : CHUNK_LOG2;
	unsigned char zero[32] = { 0 };
	bool ok = false;

	memset(&f, 0, sizeof(f));
	*rc = 0;
	/* two subqueries: SQLite answers a lone min() or max() of the rowid
	 * from the b-tree's ends, but min() and max() together in one
	 * SELECT scan the whole table */
	if (sqlite3_prepare_v2(db->db, "SELECT (SELECT min(seq) FROM ledger), "
			       "(SELECT max(seq) FROM ledger)", -1, &st, NULL) !=
	    SQLITE_OK)
		return false;
	if (sqlite3_step(st) == SQLITE_ROW) {
		lo = sqlite3_column_int64(st, 0);
		hi = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (hi == 0 && lo == 0) {
		/* empty (or only a row 0, which the serial path reports) */
		return false;
	}
	if (lo != 1 || hi < 1)
		return false;
	/* checkpoint sizes must not go backwards (the serial path says so) */
	for (size_t i = 0; i < ncp; i++)
		if (cps[i].size < 1 || (i && cps[i].size < cps[i - 1].size))
			return false;
	cs = (int64_t)1 << chunk_log2;
	nchunks = (size_t)((hi + cs - 1) / cs);
	if (!(f.chunks = calloc(nchunks, sizeof(*f.chunks))))
		return false;
	for (size_t i = 0; i < nchunks; i++) {
		f.chunks[i].lo = (int64_t)i * cs + 1;
		f.chunks[i].hi = (int64_t)(i + 1) * cs < hi ? (int64_t)(i + 1) * cs : hi;
	}
	f.cps = cps;
	f.ncp = ncp;
	pthread_mutex_init(&f.lock, NULL);
	threads = verify_threads();
	if (threads > nchunks)
		threads = (unsigned)nchunks;
	/* connections of their own, or the main one alone: a write
	 * transaction in progress is only visible to it */
	if (db->depth == 0 && db->path && strcmp(db->path, ":memory:") != 0)
		while (f.nconn < threads && (f.conn[f.nconn] = extra_conn(db->path)))
			f.nconn++;
	if (f.nconn == 0)
		f.conn[f.nconn++] = db->db;
	for (unsigned k = 0; k < f.nconn; k++)
		if (sqlite3_prepare_v2(f.conn[k], chunk_sql, -1, &f.st[k], NULL) != SQLITE_OK)
			goto out;
	if (f.nconn == 1) {
		for (size_t i = 0; i < nchunks && !sb_pool_canceled(); i++)
			chunk_work(i, &f);
	} else if (sb_pool_run(nchunks, f.nconn, chunk_work, NULL, &f)) {
		goto out;
	}
	if (sb_pool_canceled()) {
		*rc = sb_error_set(SB_ECANCELED, "inventory verify interrupted");
		goto out;
	}
	/* join the chunks: the chain across each border, the tree, and the
	 * checkpoints' roots */
	sb_merkle_acc_init(&g);
	for (size_t i = 0; i < nchunks; i++) {
		const struct chunk *c = &f.chunks[i];
		if (!c->done || !c->ok)
			goto out;
		if (memcmp(c->first_prev, i ? f.chunks[i - 1].last_hash : zero, 32) != 0)
			goto out;
		for (size_t k = 0; k < c->nsnaps; k++, ci++) {
			struct sb_merkle_acc t = g;
			unsigned char root[32];
			sb_merkle_acc_append(&t, &c->snaps[k].acc);
			sb_merkle_acc_root(&t, root);
			if (ci >= ncp || cps[ci].size != c->snaps[k].size ||
			    memcmp(root, cps[ci].root, 32) != 0)
				goto out;
		}
		sb_merkle_acc_append(&g, &c->acc);
	}
	v->events = hi;
	sb_merkle_acc_root(&g, v->root);
	memcpy(v->head, f.chunks[nchunks - 1].last_hash, 32);
	*ncovered = ci;
	v->threads = f.nconn;
	ok = true;
out:
	for (unsigned k = 0; k < f.nconn; k++) {
		sqlite3_finalize(f.st[k]);
		if (f.conn[k] != db->db) {
			sqlite3_exec(f.conn[k], "COMMIT", NULL, NULL, NULL);
			sqlite3_close(f.conn[k]);
		}
	}
	for (size_t i = 0; i < nchunks; i++)
		free(f.chunks[i].snaps);
	free(f.chunks);
	pthread_mutex_destroy(&f.lock);
	return ok;
}

static int check_guards(struct sb_inv *db, struct sb_inv_verify *v)
{
	static const char *const names[] = {
		"ledger_no_update", "ledger_no_delete", "checkpoints_no_update",
		"checkpoints_no_delete", NULL
	};
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(db->db, "SELECT 1 FROM sqlite_master WHERE "
			       "type = 'trigger' AND name = ?", -1, &st, NULL) !=
	    SQLITE_OK)
		return sb_inv_sqlerr(db, "read the schema");
	for (int i = 0; names[i]; i++) {
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, names[i], -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_ROW) {
			if (v->nguards_missing++ == 0)
				problem(v, SB_INV_GUARD, 0, "the guard trigger %s was "
					"dropped: someone edited the database by hand",
					names[i]);
		}
	}
	sqlite3_finalize(st);
	return 0;
}

int sb_inv_verify(struct sb_inv *db, struct sb_inv_verify *v)
{
	static const char *sql = "SELECT seq, time, actor, kind, payload, "
				 "payload_sha256, prev, hash FROM ledger ORDER BY seq";
	struct sb_merkle_acc acc;
	struct rows rs = { 0 };
	struct cp *cps = NULL;
	size_t ncp = 0, ci = 0;
	sqlite3_stmt *st = NULL;
	unsigned char P[32], psha[32], leaf[32], hash[32];
	char *entry = NULL;
	int64_t e = 1;
	bool bad = false, in_txn = false;
	int rc, s;

	memset(v, 0, sizeof(*v));
	memset(P, 0, 32);
	sb_merkle_acc_init(&acc);
	if (!(entry = malloc(ENTRY_MAX)))
		return sb_error_set(SB_ENOMEM, "out of memory");
	/* one read transaction: a consistent view while writers go on */
	if (db->depth == 0) {
		if ((rc = sb_inv_exec(db, "BEGIN")))
			goto out;
		in_txn = true;
	}
	if ((rc = load_checkpoints(db, &cps, &ncp)))
		goto out;
	if (fast_verify(db, cps, ncp, v, &ci, &rc))
		goto tail;
	if (rc)
		goto out;
	if (sqlite3_prepare_v2(db->db, sql, -1, &st, NULL) != SQLITE_OK) {
		rc = sb_inv_sqlerr(db, "read the ledger");
		goto out;
	}
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		struct row r;
		bool ok = row_hash(st, entry, psha, leaf, hash, P, &r);

		if (!ok || r.seq != e || !r.payload_ok ||
		    memcmp(r.prev, P, 32) != 0 || memcmp(hash, r.hash, 32) != 0) {
			bad = true;
			break;
		}
		sb_merkle_acc_push(&acc, leaf);
		memcpy(P, hash, 32);
		e++;
		while (ci < ncp && cps[ci].size <= (int64_t)acc.n) {
			unsigned char root[32];
			sb_merkle_acc_root(&acc, root);
			if (cps[ci].size != (int64_t)acc.n) {
				problem(v, SB_INV_CHECKPOINT, 0, "checkpoint %lld "
					"claims %lld events, fewer than the one before "
					"it: the checkpoints were edited",
					(long long)cps[ci].id, (long long)cps[ci].size);
				bad = true;
			} else if (memcmp(root, cps[ci].root, 32) != 0) {
				problem(v, SB_INV_CHECKPOINT, 0, "checkpoint %lld "
					"(%lld events) does not match the ledger: "
					"events up to %lld were rewritten",
					(long long)cps[ci].id, (long long)cps[ci].size,
					(long long)cps[ci].size);
				bad = true;
			}
			ci++;
		}
		if (bad)
			break;
	}
	if (!bad && s != SQLITE_DONE) {
		rc = sb_inv_sqlerr(db, "read the ledger");
		goto out;
	}
	v->events = e - 1;
	sb_merkle_acc_root(&acc, v->root);
	memcpy(v->head, P, 32);
	if (bad && v->problem == SB_INV_OK) {
		/* second pass: load every row to say what happened */
		unsigned char P2[32];
		int64_t e2 = 1;

		sqlite3_reset(st);
		memset(P2, 0, 32);
		while ((s = sqlite3_step(st)) == SQLITE_ROW) {
			struct row r;
			row_hash(st, entry, psha, leaf, hash, P2, &r);
			if ((rc = rows_push(&rs, &r)))
				goto out;
			if (r.seq == e2 && memcmp(hash, r.hash, 32) == 0 &&
			    r.payload_ok && memcmp(r.prev, P2, 32) == 0) {
				memcpy(P2, hash, 32);
				e2++;
			}
		}
		/* the first pass matched rows 1..e-1: row e-1 (0-based) is
		 * the first that did not */
		if ((size_t)(e - 1) < rs.n)
			classify(v, &rs, (size_t)(e - 1), e, P);
		else
			problem(v, SB_INV_CHANGED, e, "event %lld changed while it "
				"was being read", (long long)e);
	}
tail:
	/* checkpoints beyond the end: events at the end were deleted */
	if (v->problem == SB_INV_OK) {
		for (; ci < ncp; ci++) {
			if (cps[ci].size > v->events) {
				problem(v, SB_INV_DELETED, v->events + 1, "event %lld was "
					"deleted: checkpoint %lld covers %lld events and "
					"the ledger now ends at %lld",
					(long long)(v->events + 1), (long long)cps[ci].id,
					(long long)cps[ci].size, (long long)v->events);
				break;
			}
		}
	}
	/* signatures */
	for (size_t i = 0; v->problem == SB_INV_OK && i < ncp; i++) {
		bool ok, checked;
		if ((rc = sb_inv_note_check(NULL, db->path, cps[i].note, cps[i].size,
					    cps[i].root, &ok, &checked)))
			goto out;
		if (checked && !ok)
			problem(v, SB_INV_CHECKPOINT, 0, "checkpoint %lld: the signed "
				"note does not match its tree size and root, or its "
				"signature is not the appliance key's",
				(long long)cps[i].id);
		else if (checked)
			v->checkpoints++;
	}
	if ((rc = check_guards(db, v)))
		goto out;
	rc = 0;
out:
	if (in_txn)
		sqlite3_exec(db->db, "COMMIT", NULL, NULL, NULL);
	sqlite3_finalize(st);
	free_checkpoints(cps, ncp);
	free(rs.r);
	free(entry);
	return rc;
}

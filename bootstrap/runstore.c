/* Run state in the inventory database (docs/runs.md). */
#include "bootstrap/runstore.h"
#include "common/error.h"
#include "common/file.h"
#include "common/json.h"
#include "common/str.h"
#include "common/time.h"
#include "inventory/inventory.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sb_runstore {
	struct sb_inv *inv;
	sqlite3 *db;
	pthread_mutex_t mu;	/* recursive: held across begin..commit */
	char path[4096];
};

static int db_err(struct sb_runstore *rs, const char *what)
{
	return sb_error_set(SB_EIO, "inventory database %s: %s: %s", rs->path, what,
			    sqlite3_errmsg(rs->db));
}

int sb_runstore_open(struct sb_runstore **out, const char *db_path)
{
	struct sb_runstore *rs = calloc(1, sizeof(*rs));
	pthread_mutexattr_t ma;
	int rc;

	*out = NULL;
	if (!rs)
		return sb_error_set(SB_ENOMEM, "out of memory");
	sb_strlcpy(rs->path, db_path, sizeof(rs->path));
	if ((rc = sb_inv_open(&rs->inv, db_path, 0))) {
		free(rs);
		return rc;
	}
	rs->db = sb_inv_sqlite(rs->inv);
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&rs->mu, &ma);
	pthread_mutexattr_destroy(&ma);
	*out = rs;
	return 0;
}

void sb_runstore_close(struct sb_runstore *rs)
{
	if (!rs)
		return;
	sb_inv_close(rs->inv);
	pthread_mutex_destroy(&rs->mu);
	free(rs);
}

int sb_runstore_begin(struct sb_runstore *rs)
{
	int rc;

	pthread_mutex_lock(&rs->mu);
	if ((rc = sb_inv_begin(rs->inv)))
		pthread_mutex_unlock(&rs->mu);
	return rc;
}

int sb_runstore_commit(struct sb_runstore *rs)
{
	int rc = sb_inv_commit(rs->inv);

	if (rc)
		sb_inv_rollback(rs->inv);
	pthread_mutex_unlock(&rs->mu);
	return rc;
}

void sb_runstore_rollback(struct sb_runstore *rs)
{
	sb_inv_rollback(rs->inv);
	pthread_mutex_unlock(&rs->mu);
}

static const char *const state_names[] = {
	"pending", "running", "done", "already", "failed", "blocked", NULL,
};

const char *sb_step_state_name(enum sb_step_state s)
{
	return state_names[s];
}

int sb_step_state_parse(const char *s)
{
	for (int i = 0; state_names[i]; i++)
		if (sb_streq(s, state_names[i]))
			return i;
	return SB_ST_PENDING;
}

void sb_step_row_release(struct sb_step_row *r)
{
	if (!r)
		return;
	free(r->stdout_text);
	free(r->error);
	r->stdout_text = r->error = NULL;
}

static void col_str(char *dst, size_t size, sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	sb_strlcpy(dst, t ? (const char *)t : "", size);
}

static char *col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? strdup((const char *)t) : NULL;
}

#define RUN_COLS "id, checklist, checklist_path, checklist_sha256, site, bom_path," \
	" bom_sha256, selection, started_by, dir, state, started_at, finished_at"

static void run_from(struct sb_run_row *r, sqlite3_stmt *st)
{
	memset(r, 0, sizeof(*r));
	col_str(r->id, sizeof(r->id), st, 0);
	col_str(r->checklist, sizeof(r->checklist), st, 1);
	col_str(r->checklist_path, sizeof(r->checklist_path), st, 2);
	col_str(r->checklist_sha256, sizeof(r->checklist_sha256), st, 3);
	col_str(r->site, sizeof(r->site), st, 4);
	col_str(r->bom_path, sizeof(r->bom_path), st, 5);
	col_str(r->bom_sha256, sizeof(r->bom_sha256), st, 6);
	col_str(r->selection, sizeof(r->selection), st, 7);
	col_str(r->started_by, sizeof(r->started_by), st, 8);
	col_str(r->dir, sizeof(r->dir), st, 9);
	col_str(r->state, sizeof(r->state), st, 10);
	r->started_at = sqlite3_column_int64(st, 11);
	r->finished_at = sqlite3_column_int64(st, 12);
}

static int prep(struct sb_runstore *rs, sqlite3_stmt **st, const char *sql)
{
	if (sqlite3_prepare_v2(rs->db, sql, -1, st, NULL) != SQLITE_OK)
		return db_err(rs, "prepare");
	return 0;
}

int sb_runstore_find_resumable(struct sb_runstore *rs, struct sb_run_row *out,
			       const char *csha, const char *bsha,
			       const char *selection)
{
	sqlite3_stmt *st = NULL;
	int rc;

	pthread_mutex_lock(&rs->mu);
	if ((rc = prep(rs, &st, "SELECT " RUN_COLS " FROM runs WHERE checklist_sha256 = ?"
			" AND bom_sha256 = ? AND selection = ?"
			" ORDER BY started_at DESC LIMIT 1")))
		goto out;
	sqlite3_bind_text(st, 1, csha, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, bsha, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, selection, -1, SQLITE_STATIC);
	int s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		run_from(out, st);
		rc = 0;
	} else if (s == SQLITE_DONE) {
		rc = SB_ENOTFOUND;
	} else {
		rc = db_err(rs, "looking for a run to resume");
	}
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&rs->mu);
	return rc;
}

int sb_runstore_run_create(struct sb_runstore *rs, const struct sb_run_row *r)
{
	sqlite3_stmt *st = NULL;
	int rc;

	pthread_mutex_lock(&rs->mu);
	if ((rc = prep(rs, &st, "INSERT INTO runs (" RUN_COLS ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,NULL)")))
		goto out;
	const char *v[] = { r->id, r->checklist, r->checklist_path, r->checklist_sha256,
			    r->site, r->bom_path, r->bom_sha256, r->selection,
			    r->started_by, r->dir, r->state };
	for (int i = 0; i < 11; i++)
		sqlite3_bind_text(st, i + 1, v[i], -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 12, r->started_at);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : db_err(rs, "recording the run");
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&rs->mu);
	return rc;
}

int sb_runstore_run_finish(struct sb_runstore *rs, const char *id,
			   const char *state)
{
	sqlite3_stmt *st = NULL;
	int rc;

	pthread_mutex_lock(&rs->mu);
	if ((rc = prep(rs, &st, "UPDATE runs SET state = ?, finished_at = ? WHERE id = ?")))
		goto out;
	sqlite3_bind_text(st, 1, state, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, sb_time_now_ms());
	sqlite3_bind_text(st, 3, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : db_err(rs, "finishing the run");
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&rs->mu);
	return rc;
}

int sb_runstore_run_get(struct sb_runstore *rs, const char *id,
			struct sb_run_row *out)
{
	sqlite3_stmt *st = NULL;
	char pat[80];
	int rc, n = 0;

	snprintf(pat, sizeof(pat), "%.60s%%", id);
	pthread_mutex_lock(&rs->mu);
	if ((rc = prep(rs, &st, "SELECT " RUN_COLS " FROM runs WHERE id = ?1 OR id LIKE ?2"
			" ORDER BY (id = ?1) DESC, started_at DESC LIMIT 2")))
		goto out;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, pat, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct sb_run_row r;
		run_from(&r, st);
		if (n == 0)
			*out = r;
		if (n == 0 && strcmp(r.id, id) == 0) {
			n = 1;
			break;
		}
		n++;
	}
	if (n == 0)
		rc = sb_error_set(SB_ENOTFOUND, "no run '%s' in %s; 'siteboot runs list' shows the runs",
				  id, rs->path);
	else if (n > 1)
		rc = sb_error_set(SB_EUSAGE, "'%s' names more than one run; give more of the id", id);
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&rs->mu);
	return rc;
}

int sb_runstore_run_list(struct sb_runstore *rs, struct sb_run_row **out,
			 size_t *n, size_t limit)
{
	sqlite3_stmt *st = NULL;
	struct sb_run_row *v = NULL;
	int rc;

	*out = NULL;
	*n = 0;
	pthread_mutex_lock(&rs->mu);
	if ((rc = prep(rs, &st, "SELECT " RUN_COLS " FROM runs ORDER BY started_at DESC, id DESC LIMIT ?")))
		goto out;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)limit);
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct sb_run_row *nv = realloc(v, (*n + 1) * sizeof(*v));
		if (!nv) {
			rc = sb_error_set(SB_ENOMEM, "out of memory");
			goto out;
		}
		v = nv;
		run_from(&v[(*n)++], st);
	}
	*out = v;
	v = NULL;
out:
	free(v);
	sqlite3_finalize(st);
	pthread_mutex_unlock(&rs->mu);
	return rc;
}

int sb_runstore_step_add(struct sb_runstore *rs, const char *run,
			 const char *host, const char *step, unsigned seq)
{
	sqlite3_stmt *st = NULL;
	int rc;

	pthread_mutex_lock(&rs->mu);
	if ((rc = prep(rs, &st, "INSERT OR IGNORE INTO run_steps (run_id, host, step, seq, state)"
			" VALUES (?, ?, ?, ?, 'pending')")))
		goto out;
	sqlite3_bind_text(st, 1, run, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, host, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, step, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, (int)seq);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : db_err(rs, "recording a step");
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&rs->mu);
	return rc;
}

#define STEP_COLS "host, step, seq, state, attempts, started_at, finished_at," \
	" exit_status, output_sha256, stdout, error, log"

static void step_from(struct sb_step_row *r, sqlite3_stmt *st)
{
	memset(r, 0, sizeof(*r));
	col_str(r->host, sizeof(r->host), st, 0);
	col_str(r->step, sizeof(r->step), st, 1);
	r->seq = (unsigned)sqlite3_column_int(st, 2);
	r->state = (enum sb_step_state)sb_step_state_parse((const char *)sqlite3_column_text(st, 3));
	r->attempts = (unsigned)sqlite3_column_int(st, 4);
	r->started_at = sqlite3_column_int64(st, 5);
	r->finished_at = sqlite3_column_int64(st, 6);
	r->exit_status = sqlite3_column_type(st, 7) == SQLITE_NULL ? -1 :
			 sqlite3_column_int(st, 7);
	col_str(r->output_sha256, sizeof(r->output_sha256), st, 8);
	r->stdout_text = col_dup(st, 9);
	r->error = col_dup(st, 10);
	col_str(r->log, sizeof(r->log), st, 11);
}

int sb_runstore_step_get(struct sb_runstore *rs, const char *run,
			 const char *host, const char *step,
			 struct sb_step_row *out)
{
	sqlite3_stmt *st = NULL;
	int rc;

	pthread_mutex_lock(&rs->mu);
	if ((rc = prep(rs, &st, "SELECT " STEP_COLS " FROM run_steps WHERE run_id = ?"
			" AND host = ? AND step = ?")))
		goto out;
	sqlite3_bind_text(st, 1, run, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, host, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, step, -1, SQLITE_STATIC);
	int s = sqlite3_step(st);
	if (s == SQLITE_ROW)
		step_from(out, st);
	else
		rc = s == SQLITE_DONE ? SB_ENOTFOUND : db_err(rs, "reading a step");
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&rs->mu);
	return rc;
}

int sb_runstore_step_put(struct sb_runstore *rs, const char *run,
			 const struct sb_step_row *r)
{
	sqlite3_stmt *st = NULL;
	int rc;

	pthread_mutex_lock(&rs->mu);
	if ((rc = prep(rs, &st, "UPDATE run_steps SET state = ?, attempts = ?, started_at = ?,"
			" finished_at = ?, exit_status = ?, output_sha256 = ?, stdout = ?,"
			" error = ?, log = ? WHERE run_id = ? AND host = ? AND step = ?")))
		goto out;
	sqlite3_bind_text(st, 1, sb_step_state_name(r->state), -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, (int)r->attempts);
	if (r->started_at)
		sqlite3_bind_int64(st, 3, r->started_at);
	if (r->finished_at)
		sqlite3_bind_int64(st, 4, r->finished_at);
	if (r->exit_status >= 0)
		sqlite3_bind_int(st, 5, r->exit_status);
	if (r->output_sha256[0])
		sqlite3_bind_text(st, 6, r->output_sha256, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, r->stdout_text, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, r->error, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, r->log, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, run, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, r->host, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 12, r->step, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : db_err(rs, "recording a step's state");
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&rs->mu);
	return rc;
}

int sb_runstore_step_list(struct sb_runstore *rs, const char *run,
			  struct sb_step_row **out, size_t *n)
{
	sqlite3_stmt *st = NULL;
	struct sb_step_row *v = NULL;
	int rc;

	*out = NULL;
	*n = 0;
	pthread_mutex_lock(&rs->mu);
	if ((rc = prep(rs, &st, "SELECT " STEP_COLS " FROM run_steps WHERE run_id = ?"
			" ORDER BY rowid")))
		goto out;
	sqlite3_bind_text(st, 1, run, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct sb_step_row *nv = realloc(v, (*n + 1) * sizeof(*v));
		if (!nv) {
			rc = sb_error_set(SB_ENOMEM, "out of memory");
			for (size_t i = 0; i < *n; i++)
				sb_step_row_release(&v[i]);
			free(v);
			*n = 0;
			goto out;
		}
		v = nv;
		step_from(&v[(*n)++], st);
	}
	*out = v;
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&rs->mu);
	return rc;
}

int sb_runstore_step_last_ok(struct sb_runstore *rs, const char *checklist,
			     const char *site, const char *host,
			     const char *step, bool ran, struct sb_step_row *out,
			     char run_id[64])
{
	sqlite3_stmt *st = NULL;
	int rc;

	pthread_mutex_lock(&rs->mu);
	if ((rc = prep(rs, &st, "SELECT s.host, s.step, s.seq, s.state, s.attempts, s.started_at,"
			" s.finished_at, s.exit_status, s.output_sha256, s.stdout, s.error, s.log, r.id"
			" FROM run_steps s JOIN runs r ON r.id = s.run_id"
			" WHERE r.checklist = ? AND r.site = ? AND s.host = ? AND s.step = ?"
			" AND s.state IN ('done', ?5)"
			" ORDER BY s.finished_at DESC LIMIT 1")))
		goto out;
	sqlite3_bind_text(st, 1, checklist, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, site, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, host, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, step, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, ran ? "done" : "already", -1, SQLITE_STATIC);
	int s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		step_from(out, st);
		if (run_id)
			col_str(run_id, 64, st, 12);
	} else {
		rc = s == SQLITE_DONE ? SB_ENOTFOUND : db_err(rs, "reading step history");
	}
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&rs->mu);
	return rc;
}

int sb_runstore_hostkey_get(struct sb_runstore *rs, const char *node,
			    char fp[128], char endpoint[128])
{
	sqlite3_stmt *st = NULL;
	int rc;

	pthread_mutex_lock(&rs->mu);
	if ((rc = prep(rs, &st, "SELECT fingerprint, endpoint FROM ssh_host_keys WHERE node = ?")))
		goto out;
	sqlite3_bind_text(st, 1, node, -1, SQLITE_STATIC);
	int s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		col_str(fp, 128, st, 0);
		if (endpoint)
			col_str(endpoint, 128, st, 1);
	} else {
		rc = s == SQLITE_DONE ? SB_ENOTFOUND : db_err(rs, "reading a host key");
	}
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&rs->mu);
	return rc;
}

int sb_runstore_hostkey_pin(struct sb_runstore *rs, const char *node,
			    const char *endpoint, const char *fp,
			    const char *source)
{
	sqlite3_stmt *st = NULL;
	int rc;

	pthread_mutex_lock(&rs->mu);
	if ((rc = prep(rs, &st, "INSERT OR REPLACE INTO ssh_host_keys (node, endpoint, fingerprint,"
			" source, pinned_at) VALUES (?, ?, ?, ?, ?)")))
		goto out;
	sqlite3_bind_text(st, 1, node, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, endpoint, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, fp, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, source, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, sb_time_now_ms());
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : db_err(rs, "pinning a host key");
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&rs->mu);
	return rc;
}

int sb_runstore_hostkey_forget(struct sb_runstore *rs, const char *node)
{
	sqlite3_stmt *st = NULL;
	int rc;

	pthread_mutex_lock(&rs->mu);
	if ((rc = prep(rs, &st, "DELETE FROM ssh_host_keys WHERE node = ?")))
		goto out;
	sqlite3_bind_text(st, 1, node, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : db_err(rs, "forgetting a host key");
	if (!rc && sqlite3_changes(rs->db) == 0)
		rc = sb_error_set(SB_ENOTFOUND, "no host key is pinned for %s", node);
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&rs->mu);
	return rc;
}

int sb_runstore_ledger(struct sb_runstore *rs, const char *actor,
		       const char *kind, json_t *payload)
{
	char who[160];
	int rc;

	snprintf(who, sizeof(who), "operator:%s", actor && *actor ? actor : "unknown");
	pthread_mutex_lock(&rs->mu);
	rc = sb_inv_ledger_append(rs->inv, who, kind, payload);
	pthread_mutex_unlock(&rs->mu);
	return rc;
}

/* Opening the inventory: pragmas, integrity check, migrations, and the
 * transaction helpers every writer in inventory/ goes through. */
#include "inventory/inv_priv.h"

#include "common/error.h"
#include "common/file.h"
#include "common/str.h"
#include "common/time.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int sb_inv_sqlerr(struct sb_inv *db, const char *what)
{
	int ec = db && db->db ? sqlite3_extended_errcode(db->db) : SQLITE_ERROR;
	const char *msg = db && db->db ? sqlite3_errmsg(db->db) : "no database";
	const char *path = db && db->path ? db->path : "inventory";

	switch (ec & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return sb_error_set(SB_ECONFLICT, "%s: %s: %s; another siteboot is "
				    "writing the inventory, retry when it is done",
				    path, what, msg);
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return sb_error_set(SB_ETAMPER, "%s: %s: %s; the database file is "
				    "damaged: restore it from a copy, or move it aside "
				    "and run discovery again", path, what, msg);
	case SQLITE_FULL:
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
	case SQLITE_READONLY:
	case SQLITE_PERM:
		return sb_error_set(SB_EIO, "%s: %s: %s; check the file's "
				    "permissions and free space", path, what, msg);
	case SQLITE_CONSTRAINT:
		return sb_error_set(SB_ECONFLICT, "%s: %s: %s", path, what, msg);
	default:
		return sb_error_set(SB_EINTERNAL, "%s: %s: %s", path, what, msg);
	}
}

int sb_inv_prep(struct sb_inv *db, sqlite3_stmt **st, const char *sql)
{
	if (*st) {
		sqlite3_reset(*st);
		sqlite3_clear_bindings(*st);
		return 0;
	}
	if (sqlite3_prepare_v3(db->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st,
			       NULL) != SQLITE_OK) {
		*st = NULL;
		return sb_inv_sqlerr(db, "prepare");
	}
	return 0;
}

int sb_inv_exec(struct sb_inv *db, const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(db->db, sql, NULL, NULL, &err) != SQLITE_OK) {
		int rc = sb_inv_sqlerr(db, "update");
		sqlite3_free(err);
		return rc;
	}
	return 0;
}

void sb_inv_bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

const char *sb_inv_col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

void sb_inv_time(char out[32], int64_t ms)
{
	sb_time_iso8601(out, 32, ms ? ms : sb_time_now_ms());
}

sqlite3 *sb_inv_sqlite(struct sb_inv *db)
{
	return db->db;
}

const char *sb_inv_path(const struct sb_inv *db)
{
	return db->path;
}

int sb_inv_schema_version(struct sb_inv *db)
{
	sqlite3_stmt *st = NULL;
	int v = -1;

	if (sqlite3_prepare_v2(db->db, "PRAGMA user_version", -1, &st, NULL) ==
	    SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

int sb_inv_begin(struct sb_inv *db)
{
	if (db->readonly)
		return sb_error_set(SB_EINTERNAL, "%s: opened read-only", db->path);
	if (db->depth++ > 0)
		return 0;
	db->head_valid = false;	/* another process may have appended */
	if (sb_inv_exec(db, "BEGIN IMMEDIATE")) {
		db->depth = 0;
		return sb_error_code();
	}
	return 0;
}

int sb_inv_commit(struct sb_inv *db)
{
	if (db->depth <= 0)
		return sb_error_set(SB_EINTERNAL, "commit without a transaction");
	if (--db->depth > 0)
		return 0;
	if (sb_inv_exec(db, "COMMIT")) {
		int rc = sb_error_code();
		sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
		db->head_valid = false;
		return rc;
	}
	return 0;
}

void sb_inv_rollback(struct sb_inv *db)
{
	if (db->depth <= 0)
		return;
	db->depth = 0;
	db->head_valid = false;
	sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
}

static int quick_check_one(struct sb_inv *db, const char *table)
{
	sqlite3_stmt *st = NULL;
	char sql[160];
	int rc = 0, s;

	if (table)
		snprintf(sql, sizeof(sql), "PRAGMA quick_check(\"%s\")", table);
	else
		snprintf(sql, sizeof(sql), "PRAGMA quick_check(3)");
	if (sqlite3_prepare_v2(db->db, sql, -1, &st, NULL) != SQLITE_OK)
		return sb_inv_sqlerr(db, "integrity check");
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		const char *r = sb_inv_col(st, 0);
		if (r && strcmp(r, "ok") != 0) {
			/* a table's check lists every bad cell: say the first
			 * three problems, as quick_check(3) does */
			const char *e = r;
			for (int lines = 0; *e && lines < 3; e++)
				if (*e == '\n' && ++lines == 3)
					break;
			rc = sb_error_set(SB_ETAMPER, "%s: the database file is damaged "
					  "(quick_check%s%s: %.*s); restore it from a copy, "
					  "or move it aside and run discovery again",
					  db->path, table ? " of " : "", table ? table : "",
					  (int)(e - r > 400 ? 400 : e - r), r);
			break;
		}
	}
	if (!rc && s != SQLITE_DONE)
		rc = sb_inv_sqlerr(db, "integrity check");
	sqlite3_finalize(st);
	return rc;
}

static int quick_check(struct sb_inv *db)
{
	return quick_check_one(db, NULL);
}

int sb_inv_quick_check(struct sb_inv *db, const char *const *tables)
{
	int rc = 0;

	if (!tables)
		return quick_check(db);
	for (size_t i = 0; !rc && tables[i]; i++) {
		for (const char *p = tables[i]; *p; p++)
			if (!(*p == '_' || (*p >= 'a' && *p <= 'z')))
				return sb_error_set(SB_EINTERNAL, "quick_check: "
						    "bad table name");
		rc = quick_check_one(db, tables[i]);
	}
	return rc;
}

/* The migration's own transaction, also for read-only users. */
static int migration_begin(struct sb_inv *db)
{
	bool ro = db->readonly;
	int rc;

	db->readonly = false;
	rc = sb_inv_begin(db);
	db->readonly = ro;
	return rc;
}

static int migrate(struct sb_inv *db)
{
	int have = sb_inv_schema_version(db);
	int latest = sb_inv_migrations[sb_inv_nmigrations - 1].version;

	if (have < 0)
		return sb_inv_sqlerr(db, "read the schema version");
	if (have > latest)
		return sb_error_set(SB_EUNSUPPORTED, "%s: schema version %d is newer "
				    "than this siteboot knows (%d); use the siteboot "
				    "that wrote it, or a newer one", db->path, have, latest);
	if (have == latest)
		return 0;
	if (!db->conn_rw)
		return sb_error_set(SB_EUNSUPPORTED, "%s: schema version %d needs "
				    "migrating to %d, and the file is not writable; "
				    "run siteboot as its owner once", db->path, have,
				    latest);
	for (size_t i = 0; i < sb_inv_nmigrations; i++) {
		const struct sb_inv_migration *m = &sb_inv_migrations[i];
		char ver[64];
		int rc;

		if (m->version <= have)
			continue;
		if ((rc = migration_begin(db)))
			return rc;
		/* another process may have migrated while we waited */
		if (sb_inv_schema_version(db) >= m->version) {
			sb_inv_rollback(db);
			continue;
		}
		snprintf(ver, sizeof(ver), "PRAGMA user_version = %d", m->version);
		if ((rc = sb_inv_exec(db, m->sql)) || (rc = sb_inv_exec(db, ver))) {
			sb_error_prefix("schema migration %d (%s): ", m->version, m->name);
			sb_inv_rollback(db);
			return rc;
		}
		if ((rc = sb_inv_commit(db)))
			return rc;
	}
	return 0;
}

/* Create the file 0600 (and its directory 0700) before SQLite does, so
 * the inventory is never readable by others, even for a moment. */
static int create_private(const char *path)
{
	char *dir = sb_strdup(path), *slash;
	int fd, rc = 0;

	if (!dir)
		return sb_error_set(SB_ENOMEM, "out of memory");
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		rc = sb_mkdir_p(dir, 0700);
	}
	free(dir);
	if (rc)
		return rc;
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return sb_error_set(SB_EIO, "%s: cannot create the inventory: %s; "
				    "choose another place with --db or $SITEBOOT_DB",
				    path, strerror(errno));
	close(fd);
	return 0;
}

int sb_inv_open(struct sb_inv **out, const char *path, unsigned flags)
{
	struct sb_inv *db = calloc(1, sizeof(*db));
	int rc = SB_ENOMEM, oflags;
	struct stat sb;

	*out = NULL;
	if (!db || !(db->path = sb_strdup(path)))
		goto fail;
	db->readonly = flags & SB_INV_READONLY;
	if (stat(path, &sb) != 0) {
		if (db->readonly) {
			rc = sb_error_set(SB_ENOTFOUND, "%s: no inventory here yet; "
					  "run 'siteboot discover' or 'siteboot inventory "
					  "import' first, or point --db at it", path);
			goto fail;
		}
		if ((rc = create_private(path)))
			goto fail;
	} else if (!S_ISREG(sb.st_mode)) {
		rc = sb_error_set(SB_EINPUT, "%s: not a regular file; point --db "
				  "at the inventory database", path);
		goto fail;
	}
	/* A read-only user still opens a writable file read-write: a file
	 * whose migration a crash interrupted (or an older schema) is
	 * migrated on the way, and WAL readers want the -shm file. The
	 * read-only flag keeps every writer of this API away. */
	db->conn_rw = !db->readonly || access(path, W_OK) == 0;
	oflags = db->conn_rw ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE :
			       SQLITE_OPEN_READONLY;
	if (sqlite3_open_v2(path, &db->db, oflags | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK) {
		rc = sb_inv_sqlerr(db, "open");
		goto fail;
	}
	sqlite3_extended_result_codes(db->db, 1);
	sqlite3_busy_timeout(db->db, 30000);
	/* WAL: readers never block the writer; FULL: a commit is on disk
	 * when it returns, which checkpoints rely on. */
	if (db->conn_rw && (rc = sb_inv_exec(db, "PRAGMA journal_mode = WAL")))
		goto damaged;
	/* reads through a memory map: verify and quick_check read every
	 * page, and copying them through read() doubles their cost */
	if ((rc = sb_inv_exec(db, "PRAGMA synchronous = FULL; "
				  "PRAGMA foreign_keys = ON; "
				  "PRAGMA mmap_size = 4294967296")))
		goto damaged;
	if (!(flags & SB_INV_NOCHECK) && (rc = quick_check(db)))
		goto fail;
	if ((rc = migrate(db)))
		goto fail;
	*out = db;
	return 0;
damaged:
	if (rc == SB_ETAMPER || (sqlite3_errcode(db->db) & 0xff) == SQLITE_NOTADB)
		rc = sb_error_set(SB_ETAMPER, "%s: not an inventory database, or "
				  "damaged (%s); restore it from a copy, or move it "
				  "aside and run discovery again", path,
				  sqlite3_errmsg(db->db));
fail:
	sb_inv_close(db);
	return rc;
}

void sb_inv_close(struct sb_inv *db)
{
	if (!db)
		return;
	if (db->depth > 0)
		sb_inv_rollback(db);
	sqlite3_finalize(db->ins_ledger);
	sqlite3_finalize(db->last_ledger);
	for (size_t i = 0; i < sizeof(db->rec) / sizeof(db->rec[0]); i++)
		sqlite3_finalize(db->rec[i]);
	sqlite3_close(db->db);
	free(db->path);
	free(db);
}

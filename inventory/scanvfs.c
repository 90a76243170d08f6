/* A read-ahead VFS for the connections that scan the ledger.
 *
 * SQLite reads a database page with one pread() of the page size, and on
 * this kind of VM a system call costs about as much as the page's
 * hashing: a million-event ledger is ~90,000 of them. mmap is no way out
 * (each page fault costs more still, docs/decisions.md). So the scanning
 * connections open the file through this thin layer over the default
 * VFS: a read of the main database file is served from a window of
 * WINDOW bytes read with one pread(), refilled when a read falls outside
 * it. Everything else (the WAL, the shared memory, locks) goes straight
 * to the default VFS.
 *
 * Why a window of the file is as good as reading each page when asked:
 * SQLite reads a page from the database file only when no WAL frame of
 * its snapshot holds it, and no checkpoint writes such a page while the
 * read transaction lasts (the checkpointer waits for the readers it would
 * disturb); the same guarantee lets SQLite read through its own memory
 * map. A window only lives inside one transaction: any lock or
 * shared-memory lock change drops it, and so does any write. */
#include "inventory/inv_priv.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define WINDOW (512 * 1024)	/* a multiple of every page size; fits in L2 */
#define NWIN 4			/* the leaves being read, the tree above them */

struct window {
	unsigned char *buf;
	sqlite3_int64 off;
	int len;		/* 0: holds nothing to find */
	int refs;		/* pages SQLite holds through xFetch */
	unsigned used;		/* when last found, for the choice of a victim */
};

struct scan_file {
	sqlite3_file base;
	sqlite3_file *real;	/* the default VFS's file, after this struct */
	bool main_db;
	unsigned clock;
	struct window w[NWIN];
};

#define REAL(f) (((struct scan_file *)(void *)(f))->real)

/* Nothing read so far can be found again; pages SQLite still holds stay
 * where they are until it lets them go. */
static void drop(sqlite3_file *f)
{
	struct scan_file *p = (struct scan_file *)(void *)f;

	for (int i = 0; i < NWIN; i++)
		p->w[i].len = 0;
}

static int s_close(sqlite3_file *f)
{
	struct scan_file *p = (struct scan_file *)(void *)f;
	int rc = p->real->pMethods ? p->real->pMethods->xClose(p->real) : SQLITE_OK;

	for (int i = 0; i < NWIN; i++) {
		free(p->w[i].buf);
		p->w[i].buf = NULL;
		p->w[i].len = 0;
	}
	return rc;
}

/* The window that holds [off, off+amt), read into the least recently
 * used one that SQLite holds no page of; NULL when none can (then the
 * read goes through as asked). */
static struct window *window_for(struct scan_file *p, sqlite3_int64 off, int amt)
{
	sqlite3_int64 start = off - off % WINDOW, size;
	struct window *v = NULL;
	int n;

	if (!p->main_db || amt <= 0)
		return NULL;
	for (int i = 0; i < NWIN; i++) {
		struct window *w = &p->w[i];
		if (w->len && off >= w->off && off + amt <= w->off + w->len) {
			w->used = ++p->clock;
			return w;
		}
		if (!w->refs && (!v || w->used < v->used))
			v = &p->w[i];
	}
	if (!v || amt > WINDOW || off + amt > start + WINDOW)
		return NULL;
	if (p->real->pMethods->xFileSize(p->real, &size) != SQLITE_OK ||
	    off + amt > size)
		return NULL;
	n = size - start < WINDOW ? (int)(size - start) : WINDOW;
	v->len = 0;
	if (!v->buf && !(v->buf = malloc(WINDOW)))
		return NULL;
	if (p->real->pMethods->xRead(p->real, v->buf, n, start) != SQLITE_OK)
		return NULL;
	v->off = start;
	v->len = n;
	v->used = ++p->clock;
	return v;
}

static int s_read(sqlite3_file *f, void *buf, int amt, sqlite3_int64 off)
{
	struct scan_file *p = (struct scan_file *)(void *)f;
	struct window *w = window_for(p, off, amt);

	if (w) {
		memcpy(buf, w->buf + (off - w->off), (size_t)amt);
		return SQLITE_OK;
	}
	return p->real->pMethods->xRead(p->real, buf, amt, off);
}

static int s_write(sqlite3_file *f, const void *buf, int amt, sqlite3_int64 off)
{
	drop(f);
	return REAL(f)->pMethods->xWrite(REAL(f), buf, amt, off);
}

static int s_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	drop(f);
	return REAL(f)->pMethods->xTruncate(REAL(f), size);
}

static int s_sync(sqlite3_file *f, int flags)
{
	return REAL(f)->pMethods->xSync(REAL(f), flags);
}

static int s_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int s_lock(sqlite3_file *f, int level)
{
	drop(f);
	return REAL(f)->pMethods->xLock(REAL(f), level);
}

static int s_unlock(sqlite3_file *f, int level)
{
	drop(f);
	return REAL(f)->pMethods->xUnlock(REAL(f), level);
}

static int s_check_reserved(sqlite3_file *f, int *out)
{
	return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int s_file_control(sqlite3_file *f, int op, void *arg)
{
	/* the memory map is this layer's windows (s_fetch), not the default
	 * VFS's mmap of the file */
	if (op == SQLITE_FCNTL_MMAP_SIZE)
		return SQLITE_OK;
	drop(f);
	return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int s_sector_size(sqlite3_file *f)
{
	return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int s_device_chars(sqlite3_file *f)
{
	return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

static int s_shm_map(sqlite3_file *f, int pg, int pgsz, int extend,
		     void volatile **out)
{
	return REAL(f)->pMethods->xShmMap(REAL(f), pg, pgsz, extend, out);
}

static int s_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
	drop(f);
	return REAL(f)->pMethods->xShmLock(REAL(f), offset, n, flags);
}

static void s_shm_barrier(sqlite3_file *f)
{
	REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int s_shm_unmap(sqlite3_file *f, int del)
{
	drop(f);
	return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}

/* With PRAGMA mmap_size, SQLite asks for pages in place instead of
 * copies: a pointer into a window, which then stays until the page is
 * let go (xUnfetch). Nothing of the default VFS's own memory map. */
static int s_fetch(sqlite3_file *f, sqlite3_int64 off, int amt, void **pp)
{
	struct scan_file *p = (struct scan_file *)(void *)f;
	struct window *w = window_for(p, off, amt);

	*pp = NULL;
	if (w) {
		w->refs++;
		*pp = w->buf + (off - w->off);
	}
	return SQLITE_OK;
}

static int s_unfetch(sqlite3_file *f, sqlite3_int64 off, void *page)
{
	struct scan_file *p = (struct scan_file *)(void *)f;
	unsigned char *at = page;

	(void)off;
	if (!page) {		/* "forget every mapping" */
		drop(f);
		return SQLITE_OK;
	}
	for (int i = 0; i < NWIN; i++)
		if (p->w[i].buf && at >= p->w[i].buf && at < p->w[i].buf + WINDOW &&
		    p->w[i].refs > 0) {
			p->w[i].refs--;
			break;
		}
	return SQLITE_OK;
}

static const sqlite3_io_methods scan_io = {
	.iVersion = 3,
	.xClose = s_close,
	.xRead = s_read,
	.xWrite = s_write,
	.xTruncate = s_truncate,
	.xSync = s_sync,
	.xFileSize = s_file_size,
	.xLock = s_lock,
	.xUnlock = s_unlock,
	.xCheckReservedLock = s_check_reserved,
	.xFileControl = s_file_control,
	.xSectorSize = s_sector_size,
	.xDeviceCharacteristics = s_device_chars,
	.xShmMap = s_shm_map,
	.xShmLock = s_shm_lock,
	.xShmBarrier = s_shm_barrier,
	.xShmUnmap = s_shm_unmap,
	.xFetch = s_fetch,
	.xUnfetch = s_unfetch,
};

static sqlite3_vfs scan_vfs;

#define BASE ((sqlite3_vfs *)scan_vfs.pAppData)

static int v_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f,
		  int flags, int *out_flags)
{
	struct scan_file *p = (struct scan_file *)(void *)f;
	int rc;

	(void)vfs;
	memset(p, 0, sizeof(*p));
	p->real = (sqlite3_file *)(void *)(p + 1);
	rc = BASE->xOpen(BASE, name, p->real, flags, out_flags);
	/* methods of version 3 underneath, or this file is not ours to wrap:
	 * SQLite calls xClose only when pMethods is set */
	if (p->real->pMethods && p->real->pMethods->iVersion < 3) {
		p->real->pMethods->xClose(p->real);
		return SQLITE_CANTOPEN;
	}
	if (p->real->pMethods)
		p->base.pMethods = &scan_io;
	p->main_db = (flags & SQLITE_OPEN_MAIN_DB) != 0;
	return rc;
}

static int v_delete(sqlite3_vfs *vfs, const char *name, int sync)
{
	(void)vfs;
	return BASE->xDelete(BASE, name, sync);
}

static int v_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
	(void)vfs;
	return BASE->xAccess(BASE, name, flags, out);
}

static int v_full_path(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
	(void)vfs;
	return BASE->xFullPathname(BASE, name, n, out);
}

static void *v_dlopen(sqlite3_vfs *vfs, const char *name)
{
	(void)vfs;
	return BASE->xDlOpen(BASE, name);
}

static void v_dlerror(sqlite3_vfs *vfs, int n, char *msg)
{
	(void)vfs;
	BASE->xDlError(BASE, n, msg);
}

static void (*v_dlsym(sqlite3_vfs *vfs, void *h, const char *sym))(void)
{
	(void)vfs;
	return BASE->xDlSym(BASE, h, sym);
}

static void v_dlclose(sqlite3_vfs *vfs, void *h)
{
	(void)vfs;
	BASE->xDlClose(BASE, h);
}

static int v_randomness(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return BASE->xRandomness(BASE, n, out);
}

static int v_sleep(sqlite3_vfs *vfs, int us)
{
	(void)vfs;
	return BASE->xSleep(BASE, us);
}

static int v_current_time(sqlite3_vfs *vfs, double *t)
{
	(void)vfs;
	return BASE->xCurrentTime(BASE, t);
}

static int v_last_error(sqlite3_vfs *vfs, int n, char *msg)
{
	(void)vfs;
	return BASE->xGetLastError(BASE, n, msg);
}

static int v_current_time64(sqlite3_vfs *vfs, sqlite3_int64 *t)
{
	(void)vfs;
	return BASE->xCurrentTimeInt64(BASE, t);
}

static pthread_once_t once = PTHREAD_ONCE_INIT;
static bool registered;

static void scan_register(void)
{
	sqlite3_vfs *base = sqlite3_vfs_find(NULL);

	if (!base || base->iVersion < 2 || !base->xCurrentTimeInt64)
		return;
	scan_vfs = (sqlite3_vfs){
		.iVersion = 2,
		.szOsFile = (int)sizeof(struct scan_file) + base->szOsFile,
		.mxPathname = base->mxPathname,
		.zName = "siteboot-scan",
		.pAppData = base,
		.xOpen = v_open,
		.xDelete = v_delete,
		.xAccess = v_access,
		.xFullPathname = v_full_path,
		.xDlOpen = v_dlopen,
		.xDlError = v_dlerror,
		.xDlSym = v_dlsym,
		.xDlClose = v_dlclose,
		.xRandomness = v_randomness,
		.xSleep = v_sleep,
		.xCurrentTime = v_current_time,
		.xGetLastError = v_last_error,
		.xCurrentTimeInt64 = v_current_time64,
	};
	registered = sqlite3_vfs_register(&scan_vfs, 0) == SQLITE_OK;
}

const char *sb_inv_scan_vfs(void)
{
	pthread_once(&once, scan_register);
	return registered ? scan_vfs.zName : NULL;
}

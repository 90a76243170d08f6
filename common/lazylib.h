/* siteboot: the heavy libraries, loaded on first use.
 *
 * libvirt, libcurl, libssl, libssh, libfreeipmi, libmicrohttpd and
 * libarchive pull in some sixty shared objects; a process that maps them
 * all pays 30-40 ms of relocations and page faults before main(). Most
 * commands (the inventory, the BOM, reconcile, plan) never call them, so
 * siteboot is not linked against them: common/lazylib.c defines each
 * function we call, with the library header's own prototype, and forwards
 * it through an address that dlopen/dlsym resolve on the first call into
 * that library. Callers include the library's header and call it as usual.
 *
 * Loading is thread-safe (a mutex per library, then an acquire/release
 * flag), happens once per process, resolves every function of the library
 * at once, and runs the library's global initialisation (curl_global_init)
 * before the first call returns. The libraries are never unloaded.
 *
 * When a library cannot be loaded or lacks a function, the first call into
 * it writes one line to stderr naming the shared object and the Debian
 * package to install, and ends the process with exit status 2, as the
 * dynamic linker would have refused to start it (see docs/decisions.md).
 * Code that wants to handle that case as an error calls sb_lazylib_load()
 * first.
 */
#ifndef SB_COMMON_LAZYLIB_H
#define SB_COMMON_LAZYLIB_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

enum sb_lib {
	SB_LIB_VIRT,
	SB_LIB_CURL,
	SB_LIB_SSL,
	SB_LIB_SSH,
	SB_LIB_IPMI,
	SB_LIB_MHD,
	SB_LIB_ARCHIVE,
	SB_LIB_COUNT
};

/* One library loaded on demand. The tables in lazylib.c fill the first
 * six fields; the rest is the loader's state (zero to start). Exposed so
 * that tests can build a table of their own. */
struct sb_lazylib {
	const char *soname;		/* "libcurl.so.4" */
	const char *package;		/* Debian package: "libcurl4" */
	const char *use;		/* what siteboot needs it for */
	const char *const *symbols;	/* the functions, NULL-terminated */
	void **addr;			/* one slot per symbol */
	void (*init)(struct sb_lazylib *lib);	/* once, after resolving */

	pthread_mutex_t lock;
	atomic_int state;		/* 0 not tried, 1 loaded, -1 failed */
	void *handle;
	char err[SB_ERROR_MAX];		/* why it failed, one line */
};

#define SB_LAZYLIB_INIT(so, pkg, why, syms, slots, initfn) \
	{ .soname = (so), .package = (pkg), .use = (why), .symbols = (syms), \
	  .addr = (slots), .init = (initfn), .lock = PTHREAD_MUTEX_INITIALIZER }

/* Load LIB and resolve all its functions, once. Returns 0, or SB_ENOLIB
 * with a message naming the shared object and the Debian package. Safe
 * to call from any number of threads at once; later calls are cheap. */
int sb_lazylib_load(enum sb_lib lib);

/* True when LIB is loaded in this process (never loads it). */
bool sb_lazylib_loaded(enum sb_lib lib);

/* The table entry of LIB (soname, package, use), for `--version -v`. */
const struct sb_lazylib *sb_lazylib_get(enum sb_lib lib);

/* The address of the data object NAME of LIB (freeipmi's fiid templates
 * are data, not functions), loading LIB first; a library that cannot be
 * loaded or lacks NAME ends the process as a call into it would. */
void *sb_lazylib_data(enum sb_lib lib, const char *name);

/* The generic loader behind both: load L once (thread-safe). */
int sb_lazylib_open(struct sb_lazylib *l);

/* Symbol I of L, loading L first; on failure, the one-line message and
 * exit status 2 (used by the forwarding functions, which cannot return
 * an SB_E* code through the library's own signature). */
void *sb_lazylib_sym(struct sb_lazylib *l, size_t i);

#endif

/* siteboot: a bounded worker pool for fan-out over many targets.
 *
 * sb_pool_run() calls work(i) for every i in [0, n) on at most `parallel`
 * threads and returns when all are done. After each item, done(i) is
 * called with the pool's lock held, in completion order, so results can
 * be streamed to the user as they arrive without interleaving. One slow
 * item only ever occupies one thread. */
#ifndef SB_COMMON_POOL_H
#define SB_COMMON_POOL_H

#include <stddef.h>

typedef void (*sb_pool_work_fn)(size_t i, void *ctx);
typedef void (*sb_pool_done_fn)(size_t i, void *ctx);

/* Stack size for worker threads: fan-out workers do network I/O, not
 * deep recursion. Only touched pages cost memory; sanitizers need more. */
#if defined(__SANITIZE_ADDRESS__)
#define SB_POOL_STACK (4u * 1024u * 1024u)
#else
#define SB_POOL_STACK (1024u * 1024u)
#endif

int sb_pool_run(size_t n, unsigned parallel, sb_pool_work_fn work,
		sb_pool_done_fn done, void *ctx);

/* Ask running pools to hand out no further items (from a signal handler
 * too): items not yet started are skipped and not reported. */
void sb_pool_cancel(void);
int sb_pool_canceled(void);

#endif

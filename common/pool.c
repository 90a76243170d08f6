#include "common/pool.h"
#include "common/error.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

static volatile sig_atomic_t pool_cancel;

struct pool {
	pthread_mutex_t lock;
	size_t next, n;
	sb_pool_work_fn work;
	sb_pool_done_fn done;
	void *ctx;
};

void sb_pool_cancel(void)
{
	pool_cancel = 1;
}

int sb_pool_canceled(void)
{
	return pool_cancel != 0;
}

static void *worker(void *arg)
{
	struct pool *p = arg;

	for (;;) {
		size_t i;

		pthread_mutex_lock(&p->lock);
		if (p->next >= p->n || pool_cancel) {
			pthread_mutex_unlock(&p->lock);
			return NULL;
		}
		i = p->next++;
		pthread_mutex_unlock(&p->lock);

		p->work(i, p->ctx);

		if (p->done) {
			pthread_mutex_lock(&p->lock);
			p->done(i, p->ctx);
			pthread_mutex_unlock(&p->lock);
		}
	}
}

int sb_pool_run(size_t n, unsigned parallel, sb_pool_work_fn work,
		sb_pool_done_fn done, void *ctx)
{
	struct pool p = { .next = 0, .n = n, .work = work, .done = done,
			  .ctx = ctx };
	pthread_attr_t attr;
	pthread_t *tids = NULL;
	size_t nthreads, started = 0;
	int rc = 0;

	if (n == 0)
		return 0;
	if (parallel == 0)
		parallel = 1;
	nthreads = parallel < n ? parallel : n;
	if (nthreads == 1) {
		/* No threads for serial work: simpler to debug and profile. */
		pthread_mutex_init(&p.lock, NULL);
		worker(&p);
		pthread_mutex_destroy(&p.lock);
		return 0;
	}
	tids = calloc(nthreads, sizeof(*tids));
	if (!tids)
		return sb_error_set(SB_ENOMEM, "out of memory");
	pthread_mutex_init(&p.lock, NULL);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, SB_POOL_STACK);
	for (; started < nthreads; started++) {
		if (pthread_create(&tids[started], &attr, worker, &p) != 0)
			break;
	}
	pthread_attr_destroy(&attr);
	if (started == 0) {
		/* Could not start any thread: run everything here. */
		worker(&p);
	}
	for (size_t i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	pthread_mutex_destroy(&p.lock);
	free(tids);
	return rc;
}

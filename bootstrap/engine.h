/* siteboot: the checklist engine. It runs (or resumes) a plan: one thread
 * per host, at most `parallel` steps executing at once, every state change
 * committed to the run store before the engine goes on, and a ledger event
 * per step result. Module code: it reports through callbacks and never
 * prints. Private to bootstrap/. */
#ifndef SB_BOOTSTRAP_ENGINE_H
#define SB_BOOTSTRAP_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bootstrap/checklist.h"
#include "bootstrap/runstore.h"

struct sb_oob_creds;

enum sb_engine_ev {
	SB_EV_RUN,		/* the run starts (or resumes) */
	SB_EV_STEP_START,	/* a step starts on a host */
	SB_EV_STEP_END,		/* a step reached a final state */
	SB_EV_RETRY,		/* an attempt failed; another follows */
	SB_EV_HOST_END,		/* a host has no more steps */
	SB_EV_WARN,		/* something the user must see (--attest all) */
};

struct sb_engine_event {
	enum sb_engine_ev kind;
	const char *run_id;
	const char *host;	/* NULL for run events */
	const char *step;
	size_t pos, total;	/* the step's place among the host's steps */
	enum sb_step_state state;
	const char *message;	/* the error, the note, or NULL */
	uint64_t elapsed_ms;	/* of the step (or the run) */
	unsigned attempt;
	bool earlier;		/* finished before this invocation */
	const char *log;	/* the step's log */
};

struct sb_engine_opts {
	unsigned parallel;	/* steps executing at once; 0: 4 */
	bool new_run;		/* never resume */
	bool rerun_inflight;	/* run again a step that was in flight and
				 * has no check */
	const char *identity;	/* SSH key file, or NULL */
	const char *runs_dir;	/* where run directories go */
	const char *started_by;
	const struct sb_oob_creds *creds;
	const char *bmc_ca_file;	/* extra CAs for Redfish BMCs, or NULL */
	const char *selection;	/* --only/--from/--hosts, canonical */
	/* --attest STEP=NAME and all=NAME */
	const char *const *attest;
	size_t nattest;
	/* Ask a person to confirm (a terminal); NULL when nobody can. Returns
	 * 0 and *name (malloc'd), or an SB_E* (refused: SB_ECANCELED). */
	int (*attest_ask)(void *ctx, const char *host, const char *step,
			  const char *text, char **name);
	/* Events, serialised. */
	void (*event)(void *ctx, const struct sb_engine_event *ev);
	void *ctx;
};

struct sb_engine_host {
	char *name;
	enum sb_step_state state;	/* DONE (all ok), FAILED, BLOCKED */
	size_t ok, total;
	char *failed_step;	/* the first failed step, or NULL */
	char *error;
	char *log;
};

struct sb_engine_result {
	char run_id[64];
	char run_dir[1024];
	bool resumed;
	bool ok;
	size_t nran, nalready, nearlier, nfailed, nblocked;
	struct sb_engine_host *hosts;
	size_t nhosts;
	uint64_t elapsed_ms;
};
void sb_engine_result_release(struct sb_engine_result *r);

/* Run or resume. Returns 0 when the run was carried out (look at
 * out->ok), or an SB_E* when it could not be (database, lock held by
 * another run, run directory). */
int sb_engine_run(struct sb_engine_result *out, const struct sb_plan *p,
		  struct sb_runstore *rs, const struct sb_engine_opts *o);

/* Stop starting new steps (from a signal handler too): steps in flight
 * finish, the others stay pending for the next run. */
void sb_engine_cancel(void);

#endif

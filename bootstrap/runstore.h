/* siteboot: the run state of checklist runs, in the inventory database
 * (tables runs, run_steps and ssh_host_keys; docs/runs.md). Every change
 * is committed before the engine goes on, so that a run killed at any
 * point resumes from what the database says. Private to bootstrap/.
 *
 * One store may be used from several threads: calls are serialised. */
#ifndef SB_BOOTSTRAP_RUNSTORE_H
#define SB_BOOTSTRAP_RUNSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct sb_runstore;

int sb_runstore_open(struct sb_runstore **out, const char *db_path);
void sb_runstore_close(struct sb_runstore *rs);

struct sb_run_row {
	char id[64];
	char checklist[128];	/* name */
	char checklist_path[1024];
	char checklist_sha256[65];
	char site[128];
	char bom_path[1024];
	char bom_sha256[65];
	char selection[512];	/* --only/--from/--hosts, canonical */
	char started_by[128];
	char dir[1024];
	char state[16];		/* running, ok, failed */
	int64_t started_at, finished_at;	/* ms since the epoch, 0 */
};

/* The newest run of the same checklist, BOM and selection, whatever its
 * state (SB_ENOTFOUND when none). */
int sb_runstore_find_resumable(struct sb_runstore *rs, struct sb_run_row *out,
			       const char *checklist_sha256,
			       const char *bom_sha256, const char *selection);
int sb_runstore_run_create(struct sb_runstore *rs, const struct sb_run_row *r);
int sb_runstore_run_finish(struct sb_runstore *rs, const char *id,
			   const char *state);
/* A run by id or unique id prefix. */
int sb_runstore_run_get(struct sb_runstore *rs, const char *id,
			struct sb_run_row *out);
/* Runs, newest first (at most `limit`). Caller frees *out. */
int sb_runstore_run_list(struct sb_runstore *rs, struct sb_run_row **out,
			 size_t *n, size_t limit);

/* States of a step on a host. */
enum sb_step_state {
	SB_ST_PENDING,
	SB_ST_RUNNING,	/* started, not finished: in flight */
	SB_ST_DONE,	/* ran and succeeded */
	SB_ST_ALREADY,	/* its check found it done */
	SB_ST_FAILED,
	SB_ST_BLOCKED,	/* not run: a need failed or the host/site stopped */
};
const char *sb_step_state_name(enum sb_step_state s);
int sb_step_state_parse(const char *s);
static inline bool sb_step_state_final(enum sb_step_state s)
{
	return s >= SB_ST_DONE;
}
static inline bool sb_step_state_ok(enum sb_step_state s)
{
	return s == SB_ST_DONE || s == SB_ST_ALREADY;
}

struct sb_step_row {
	char host[64];
	char step[64];
	unsigned seq;		/* position in the host's order */
	enum sb_step_state state;
	unsigned attempts;
	int64_t started_at, finished_at;
	int exit_status;	/* -1 when none */
	char output_sha256[65];	/* of stdout and stderr, "" when none */
	char *stdout_text;	/* capped; owned; NULL when none */
	char *error;		/* owned; NULL when none */
	char log[1024];		/* the step's log file */
};
void sb_step_row_release(struct sb_step_row *r);

/* Insert a pending row unless one exists. */
int sb_runstore_step_add(struct sb_runstore *rs, const char *run,
			 const char *host, const char *step, unsigned seq);
int sb_runstore_step_get(struct sb_runstore *rs, const char *run,
			 const char *host, const char *step,
			 struct sb_step_row *out);
/* Write every field of the row. */
int sb_runstore_step_put(struct sb_runstore *rs, const char *run,
			 const struct sb_step_row *r);
/* The rows of a run in host, seq order. Caller releases each and frees. */
int sb_runstore_step_list(struct sb_runstore *rs, const char *run,
			  struct sb_step_row **out, size_t *n);
/* The newest finished-ok row of a step on a host over every run of that
 * checklist name on that site (for plans and for step outputs); with
 * `ran`, only rows where the step itself ran (not found done by its
 * check). */
int sb_runstore_step_last_ok(struct sb_runstore *rs, const char *checklist,
			     const char *site, const char *host,
			     const char *step, bool ran, struct sb_step_row *out,
			     char run_id[64]);
/* A transaction around several calls (and ledger events), so that a
 * crash keeps all or none. Other threads' calls wait until it ends. */
int sb_runstore_begin(struct sb_runstore *rs);
int sb_runstore_commit(struct sb_runstore *rs);
void sb_runstore_rollback(struct sb_runstore *rs);

/* SSH host keys pinned per node ("SHA256:..."). get: SB_ENOTFOUND when
 * none is pinned. */
int sb_runstore_hostkey_get(struct sb_runstore *rs, const char *node,
			    char fp[128], char endpoint[128]);
int sb_runstore_hostkey_pin(struct sb_runstore *rs, const char *node,
			    const char *endpoint, const char *fp,
			    const char *source);
int sb_runstore_hostkey_forget(struct sb_runstore *rs, const char *node);

/* Append a ledger event (kind, payload) for a step result or an
 * attestation; `actor` is the operator's name. */
int sb_runstore_ledger(struct sb_runstore *rs, const char *actor,
		       const char *kind, json_t *payload);

#endif

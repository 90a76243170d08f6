/* siteboot: checklists (docs/checklists.md) and the plan built from one.
 *
 * A checklist is data: a list of steps, each with the hosts it applies to,
 * the steps it needs, an executor action to run, an optional check (is it
 * already done?) and verify (did it work?), a timeout, retries and what a
 * failure stops. sb_checklist_load() parses and validates it completely,
 * every problem with FILE:LINE:COL, including template syntax, unknown
 * variables and dependency cycles (named). sb_plan_build() applies it to a
 * site: steps x hosts in the order they run, every template rendered
 * except step outputs, so that an unknown or empty value is an error
 * before anything is done. Private to bootstrap/. */
#ifndef SB_BOOTSTRAP_CHECKLIST_H
#define SB_BOOTSTRAP_CHECKLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bom/bom.h"
#include "common/arena.h"
#include "common/diag.h"

#define SB_CHECKLIST_SCHEMA_VERSION 1

enum sb_exec_kind {
	SB_EXEC_SSH,
	SB_EXEC_LOCAL,
	SB_EXEC_VIRT,
	SB_EXEC_BMC,
	SB_EXEC_ATTEST,
	SB_EXEC_SERVE,		/* the engine's media server (site steps) */
};
const char *sb_exec_kind_name(enum sb_exec_kind k);

/* What an ssh action does. */
enum sb_ssh_op { SB_SSH_COMMAND, SB_SSH_UPLOAD, SB_SSH_WAIT };

/* One executor action (run, check or verify). Text fields are templates
 * (see sb_tmpl_*) until a plan renders them. */
struct sb_action {
	enum sb_exec_kind kind;
	unsigned line, col;
	/* ssh and local */
	enum sb_ssh_op ssh_op;
	const char *command;	/* SB_SSH_COMMAND, local */
	bool pty;		/* ssh: request a terminal */
	const char *upload_from;	/* SB_SSH_UPLOAD: local file */
	const char *upload_to;	/* remote path */
	unsigned upload_mode;	/* 0644 unless given */
	uint64_t wait_ms;	/* SB_SSH_WAIT: how long to keep trying */
	bool new_host_key;	/* SB_SSH_WAIT: the host was reinstalled: replace
				 * its pinned key with the one it answers with
				 * (recorded in the ledger) */
	/* virt */
	const char *virt_uri;	/* NULL: qemu:///system */
	const char *virt_op;	/* define start shutdown destroy undefine
				 * attach-iso wait state */
	const char *virt_domain;
	const char *virt_state;	/* wait/state: running, shut-off, absent */
	const char *virt_iso;
	unsigned virt_vcpus;	/* 0: from the BOM or 2 */
	uint64_t virt_memory;	/* bytes, 0: from the BOM or 2 GiB */
	uint64_t virt_disk;	/* bytes, 0: no disk */
	/* bmc */
	const char *bmc_op;	/* power, boot, media */
	const char *bmc_value;	/* on/off/cycle/reset/soft, pxe/disk/cd/bios,
				 * insert/eject */
	bool bmc_persistent, bmc_uefi;
	const char *bmc_image;	/* media insert */
	const char *bmc_slot;	/* media: cd, usb, a device Id, or NULL */
	/* attest */
	const char *text;
	/* serve: the media server the engine runs until the run ends */
	const char *serve_dir;		/* template: the folder served */
	const char *serve_listen;	/* template, or NULL: this appliance's
					 * address inside the BOM's bmc network */
	unsigned serve_port;		/* default 8080; 0: any free port */
	uint64_t serve_for_ms;		/* at most this long (default 2h) */
};

enum sb_on_failure { SB_FAIL_STOP_HOST, SB_FAIL_STOP_SITE, SB_FAIL_CONTINUE };
const char *sb_on_failure_name(enum sb_on_failure f);

/* Which hosts a step applies to. */
struct sb_hostsel {
	bool site;		/* once per site, on the appliance */
	bool all;		/* every node */
	const char *const *roles;
	size_t nroles;
	const char *const *nodes;	/* names and ranges */
	size_t nnodes;
	const char *bmc;	/* only nodes whose BMC is "redfish", "ipmi"
				 * or "none" (no bmc: in the BOM), or NULL */
};

/* "redfish", "ipmi" or "none": the kind of a node's BMC by its URL. */
const char *sb_node_bmc_kind(const struct sb_bom_node *n);

struct sb_step {
	const char *id;
	const char *title;
	unsigned line, col;
	struct sb_hostsel hosts;
	const char *const *needs;
	size_t nneeds;
	size_t *need_idx;	/* indexes into steps[] */
	struct sb_action run;
	struct sb_action *check;	/* or NULL */
	struct sb_action *verify;	/* or NULL */
	uint64_t timeout_ms;
	unsigned retries;
	uint64_t backoff_ms;
	enum sb_on_failure on_failure;
	bool idempotent;	/* safe to run again when it was in flight */
};

struct sb_checklist {
	struct sb_arena arena;
	const char *path;	/* as given, or "builtin:TIER" */
	char sha256[65];	/* of the file's bytes */
	unsigned schema_version;
	const char *name;
	const char *tier;	/* or NULL */
	const char *description;
	struct sb_step *steps;	/* in file order */
	size_t nsteps;
	size_t *order;		/* a topological order of steps[] */
};

/* Load and validate. Problems go to `diags`; returns 0 (warnings
 * allowed), SB_EINPUT when there are errors (*out NULL), or another
 * SB_E* on an operational failure. */
int sb_checklist_load(struct sb_checklist **out, const char *path,
		      struct sb_diags *diags);
int sb_checklist_load_buf(struct sb_checklist **out, const char *path,
			  const char *buf, size_t len,
			  struct sb_diags *diags);
void sb_checklist_free(struct sb_checklist *c);

/* The built-in checklist of a tier (bootstrap/checklists/TIER.yaml), or
 * NULL. */
const char *sb_checklist_builtin(const char *tier);
/* Load TIER (a built-in) or FILE. */
int sb_checklist_open(struct sb_checklist **out, const char *tier_or_file,
		      struct sb_diags *diags);

/* Index of a step by id, or -1. */
long sb_checklist_step(const struct sb_checklist *c, const char *id);
/* Is step `anc` reachable from step `s` through needs (s needs anc,
 * directly or not)? */
bool sb_checklist_depends(const struct sb_checklist *c, size_t s, size_t anc);

/* ---- the template language ------------------------------------------- */

/* Values for rendering. Step outputs come from a callback, so that a plan
 * can render them as placeholders and a run from recorded results. */
struct sb_tmpl_env {
	const struct sb_site *site;
	const struct sb_bom_node *node;	/* NULL in a site step */
	const char *run_id;	/* NULL: "RUN" */
	const char *run_dir;
	/* steps.ID.FIELD (FIELD: stdout, stderr, exit_status): 0 and *out
	 * (malloc'd) or an SB_E* with a message. NULL: placeholders. */
	int (*step_value)(void *ctx, const char *step, const char *field,
			  char **out);
	void *ctx;
};

/* Check a template's syntax and variable names without values. `step`
 * is the index of the step it belongs to (for steps.ID: ID must be one
 * the step needs), `site_step` whether that step runs once per site.
 * Problems go to diags at (line, col). */
void sb_tmpl_check(const struct sb_checklist *c, size_t step, bool site_step,
		   const char *tmpl, const char *file, unsigned line,
		   unsigned col, struct sb_diags *diags);

/* Render. Returns 0 and *out (malloc'd), or SB_EINPUT with a message
 * naming the variable and why it has no value. */
int sb_tmpl_render(char **out, const char *tmpl,
		   const struct sb_tmpl_env *env);

/* POSIX shell single-quoting of s into a fresh string. */
char *sb_shell_quote(const char *s);

/* ---- plans ------------------------------------------------------------ */

/* One step on one host, rendered. Step outputs stay as templates; the
 * run renders them again right before executing. */
struct sb_plan_item {
	size_t step;		/* index into checklist->steps */
	size_t host;		/* index into plan->hosts */
};

struct sb_plan_host {
	const char *name;	/* node name, or "site" */
	const struct sb_bom_node *node;	/* NULL for the site */
	size_t *items;		/* indexes into plan->items, in run order */
	size_t nitems;
};

struct sb_plan {
	const struct sb_checklist *cl;
	const struct sb_site *site;
	struct sb_plan_host *hosts;	/* "site" first when it has steps */
	size_t nhosts;
	struct sb_plan_item *items;
	size_t nitems;
};

/* Restrictions from the command line (any may be NULL). */
struct sb_plan_filter {
	const char *only;	/* this step alone */
	const char *from;	/* this step and those that come after it */
	const char *const *hosts;	/* node names and ranges */
	size_t nhosts;
};

/* Build the plan and render every template with placeholders for step
 * outputs, so that missing values fail now. Problems go to diags (with
 * the checklist's positions); returns SB_EINPUT when there are any. */
int sb_plan_build(struct sb_plan **out, const struct sb_checklist *c,
		  const struct sb_site *s, const struct sb_plan_filter *f,
		  struct sb_diags *diags);
void sb_plan_free(struct sb_plan *p);
/* Does step `step` run on host `host`? Index into plan->items or -1. */
long sb_plan_find(const struct sb_plan *p, size_t host, size_t step);
/* A one-line summary of an action for plans and logs ("ssh: echo ..."),
 * rendered with env (NULL: as written). Caller frees. */
char *sb_action_describe(const struct sb_action *a,
			 const struct sb_tmpl_env *env);

#endif

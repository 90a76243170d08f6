/* siteboot: the checklist executors (ssh, local, virt, bmc), as a const
 * table each, and the SSH client they share with `lab`. Private to
 * bootstrap/. The engine (engine.c) renders an action's templates, then
 * hands it to its executor with the host's context.
 *
 * Return codes of exec(): 0 the action ran and succeeded; SB_EFAILED it
 * ran and failed (exit status in the result); SB_ETIMEOUT the timeout
 * passed (the remote or local command was killed); SB_ECONNECT the host
 * could not be reached or the connection was lost; SB_ESECURITY a host
 * key changed (never retried); other SB_E* for other failures. The
 * thread's error message says what happened, naming host and step. */
#ifndef SB_BOOTSTRAP_EXEC_H
#define SB_BOOTSTRAP_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bootstrap/checklist.h"

#define SB_EXEC_OUT_CAP (64u * 1024u)	/* kept per stream */

struct sb_exec_result {
	int exit_status;	/* -1: none (not run, killed, lost) */
	char *out;		/* stdout, NUL-terminated, capped */
	size_t out_len;
	char *err;		/* stderr, capped */
	size_t err_len;
	uint64_t out_total, err_total;	/* bytes seen, beyond the cap too */
	bool killed;		/* the timeout killed it */
};
void sb_exec_result_release(struct sb_exec_result *r);

struct sb_runstore;
struct sb_ssh;
struct sb_oob_creds;

/* Per host, owned by the engine's thread for that host. */
struct sb_exec_host {
	const char *name;	/* node name, or "site" */
	const struct sb_bom_node *node;	/* NULL for the site */
	const struct sb_site *site;
	const char *identity;	/* SSH private key file, or NULL: agent and
				 * ~/.ssh defaults */
	struct sb_runstore *rs;	/* host key pins */
	const struct sb_oob_creds *creds;	/* BMC credentials, or NULL */
	struct sb_ssh *ssh;	/* the host's session, opened on first use */
	int log_fd;		/* the step's log, -1: none */
	const char *actor;	/* who runs it, for ledger events */
	const char *step;	/* the step executing now, for ledger events */
	const char *run_id;
	const char *bmc_ca_file;	/* extra CAs for Redfish BMCs, or NULL */
};
void sb_exec_host_close(struct sb_exec_host *h);

/* Purpose of an action: a check or verify of bmc/virt compares states
 * instead of changing them. */
enum sb_exec_mode { SB_MODE_RUN, SB_MODE_CHECK };

struct sb_executor {
	const char *name;
	int (*exec)(struct sb_exec_host *h, const struct sb_action *a,
		    enum sb_exec_mode mode, uint64_t timeout_ms,
		    struct sb_exec_result *res);
};

extern const struct sb_executor sb_exec_ssh;
extern const struct sb_executor sb_exec_local;
extern const struct sb_executor sb_exec_virt;
extern const struct sb_executor sb_exec_bmc;
const struct sb_executor *sb_executor_for(enum sb_exec_kind k);
/* Close the libvirt connections the virt executor keeps for a run. */
void sb_exec_virt_release(void);

/* Write to the step's log (no-op when fd < 0). */
void sb_exec_log(int fd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---- the SSH client (ssh.c, libssh) ------------------------------------- */

struct sb_ssh_target {
	const char *node;	/* for messages and pins */
	const char *host;
	unsigned port;
	const char *user;
	const char *identity;	/* private key file, or NULL */
	const char *pinned;	/* expected "SHA256:..." fingerprint, or NULL */
	uint32_t connect_timeout_ms;
};

/* Connect and authenticate. The server's host key fingerprint goes to
 * fp (always, when the key exchange got that far); a pinned key that
 * differs is SB_ESECURITY with both fingerprints. */
int sb_ssh_connect(struct sb_ssh **out, const struct sb_ssh_target *t,
		   char fp[128]);
/* Run a command; output capped at SB_EXEC_OUT_CAP per stream. At the
 * timeout the channel is closed (the remote side is killed by the
 * wrapper the ssh executor puts around the command). */
int sb_ssh_exec(struct sb_ssh *s, const char *cmd, bool pty,
		uint64_t timeout_ms, int log_fd, struct sb_exec_result *res);
/* Upload over SFTP into `remote` (via a temporary name), then check the
 * SHA-256 on the host before renaming it into place. */
int sb_ssh_upload(struct sb_ssh *s, const char *local, const char *remote,
		  unsigned mode, uint64_t timeout_ms, int log_fd);
void sb_ssh_close(struct sb_ssh *s);
/* The "host:port" a session talks to, for messages. */
const char *sb_ssh_peer(const struct sb_ssh *s);

#endif

/* siteboot: the lab, a virtual site on this machine (`siteboot lab
 * up|down|status`, the integration tests, the benchmarks, `make demo`).
 * Private to bootstrap/.
 *
 * The lab reads a BOM and starts, per node, real independent peers that
 * play its hardware: an OpenIPMI ipmi_sim for an ipmi:// BMC, siteboot's
 * Redfish emulator (the hidden command `siteboot lab-redfish-bmc`) for a
 * redfish:// BMC, and an OpenSSH sshd for the host itself. It then writes a
 * copy of the BOM whose endpoints point at them (sb_bom_emit with
 * overrides). Everything listens on 127.0.0.0/8 (or inside network
 * namespaces the lab made), and everything the lab started is stopped by
 * PID by `lab down`.
 *
 * State directory (--dir, else $SITEBOOT_LAB_DIR, else /var/lib/siteboot/lab):
 *   lab.json          {"site": LAB_BOM_PATH, "source": ORIGINAL_BOM,
 *                      "credentials": CREDENTIALS_FILE,
 *                      "bmcs": [URL, ...],
 *                      "hosts": [{"node", "host", "port", "user",
 *                                 "host_key"}, ...],
 *                      "ssh_key": APPLIANCE_PRIVATE_KEY,
 *                      "procs": [{"pid", "kind", "node", "listen"}, ...]}
 *   site.yaml         the lab BOM
 *   credentials.yaml  mode 0600: the lab BMCs' user and password under
 *                     the credential name "lab"
 *   ipmi/NODE/  redfish/NODE/  ssh/NODE/   each part's own files
 *
 * The Redfish emulator's command line (a contract between the lab core and
 * lab_redfish.c):
 *   siteboot lab-redfish-bmc --listen 127.0.0.1:PORT --mockup DIR
 *            --user USER --password-file FILE [--node NODE.json]
 *            [--tls-cert PEM --tls-key PEM] [--state-dir DIR]
 * runs in the foreground until SIGTERM. NODE.json is one element of
 * `siteboot bom show --json`'s "nodes": the emulator makes the mockup's
 * serials, part numbers and firmware versions the BOM's expected ones. */
#ifndef SB_BOOTSTRAP_LAB_H
#define SB_BOOTSTRAP_LAB_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>

#include "bom/bom.h"

struct sb_lab_proc {
	pid_t pid;
	char kind[16];		/* "ipmi_sim", "redfish", "sshd" */
	char node[64];
	char listen[96];	/* "127.0.1.3:623", "127.0.0.1:40022" */
};

struct sb_lab_host {
	char node[64];
	char host[64];
	unsigned port;
	char user[32];
	char host_key[128];	/* "SHA256:..." fingerprint of its host key */
};

struct sb_lab {
	char dir[4096];
	const struct sb_site *site;	/* the source BOM */
	struct sb_lab_proc *procs;
	size_t nprocs, procs_cap;
	struct sb_bom_override *ov;	/* one per node, in BOM order */
	struct sb_lab_host *hosts;
	size_t nhosts;
	char ssh_key[4096];	/* the appliance's private key for lab hosts */
	/* The lab credential "lab" (credentials.yaml, mode 0600): one user
	 * and a generated password shared by every simulated BMC. Secret:
	 * never log or print bmc_password. */
	char bmc_user[32];
	char bmc_password[64];
	char **strs;		/* strings the overrides point at (sb_lab_str) */
	size_t nstrs;
};

/* Keep a copy of `s` for as long as the lab lives (for lab->ov fields);
 * NULL when out of memory. */
const char *sb_lab_str(struct sb_lab *lab, const char *s);

/* ---- the lab core (lab.c), used by cmd_lab.c ----------------------- */

/* The state directory: `opt` (--dir), else $SITEBOOT_LAB_DIR, else
 * /var/lib/siteboot/lab. */
const char *sb_lab_dir(const char *opt);

struct sb_lab_up_opts {
	const char *site;	/* BOM path; NULL: the installed edge example */
	const char *dir;	/* NULL: sb_lab_dir(NULL) */
	bool no_ssh;		/* BMCs only, no SSH lab hosts */
	bool netns;		/* SSH hosts in network namespaces (root) */
};
/* Start a lab from a BOM. On success *state is lab.json's content. On
 * failure everything it started is stopped again and the state removed. */
int sb_lab_up(const struct sb_lab_up_opts *o, json_t **state);
/* Stop every process of the lab in `dir` (by PID, only if it is still
 * the process the lab started) and remove its state. *stopped counts
 * the processes that were running. SB_ENOTFOUND when no lab is there. */
int sb_lab_down(const char *dir, unsigned *stopped);
/* lab.json of the lab in `dir`, each proc with "alive"; *dead counts the
 * processes that are gone. SB_ENOTFOUND when no lab is there. */
int sb_lab_status(const char *dir, json_t **state, unsigned *dead);

/* Start a lab process in its own session, stdin from /dev/null, stdout
 * and stderr appended to `log`, and record it (sb_lab_add_proc). */
int sb_lab_spawn(struct sb_lab *lab, char *const argv[], const char *log,
		 const char *kind, const char *node, const char *listen,
		 pid_t *pid);

/* `lab up` was asked to stop (SIGINT, SIGTERM, SIGHUP): sb_lab_interrupt
 * is async-signal-safe; sb_lab_check_interrupt answers SB_ECANCELED once it
 * was called, and the parts call it before each start and while they wait,
 * so sb_lab_up's failure path stops what was already started. */
void sb_lab_interrupt(void);
int sb_lab_check_interrupt(void);

/* Record a started process (so that `lab down` and a failed `lab up` stop
 * it). Writes the pid list to disk at once: a crash never orphans one. */
int sb_lab_add_proc(struct sb_lab *lab, pid_t pid, const char *kind,
		    const char *node, const char *listen);

/* The parts. Each starts its processes for every node of lab->site,
 * records them, and fills its fields of lab->ov[i] (BMC URL, credential,
 * management address, SSH port and user). */
int sb_lab_ipmi_up(struct sb_lab *lab);
int sb_lab_redfish_up(struct sb_lab *lab);
/* SSH hosts: one sshd per node and per VM of the BOM, on loopback ports,
 * or when `netns` (root only) each in its own network namespace with its
 * own address. Fills lab->hosts and lab->ssh_key. */
int sb_lab_ssh_up(struct sb_lab *lab, bool netns);
/* Undo what the parts set up beyond processes (namespaces, bridges). */
void sb_lab_ssh_teardown(const char *dir);

#endif

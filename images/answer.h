/* siteboot: the answer media of the Proxmox VE automated installer.
 *
 * From the BOM, one answer.toml per node (the installer's answer file,
 * TOML, keys in the snake_case that installers from PVE 8.2 on accept),
 * checked against our own schema of the keys and values the installer
 * knows (it refuses unknown keys), and written onto a small ISO 9660
 * image with a Joliet tree labelled "proxmox-ais", where the installer's
 * partition mode looks for it (/dev/disk/by-label, upper or lower case).
 *
 * The root password arrives as a crypt(3) hash from a secret file and is
 * never printed; the SSH key is the appliance's public key. */
#ifndef SB_IMAGES_ANSWER_H
#define SB_IMAGES_ANSWER_H

#include <stdbool.h>
#include <stddef.h>

#include "bom/bom.h"
#include "common/diag.h"
#include "common/str.h"

#define SB_ANSWER_LABEL "PROXMOX-AIS"
#define SB_ANSWER_FILE "answer.toml"

struct sb_answer_opts {
	const char *domain;		/* DNS domain for the FQDN; NULL: SITE-ID.lan */
	const char *keyboard;		/* default "en-us" */
	const char *root_password_hash;	/* crypt(3) "$6$..." / "$y$..." (secret) */
	const char *const *ssh_keys;	/* public keys, one line each */
	size_t nssh_keys;
	const char *filesystem;		/* NULL: zfs */
	const char *zfs_raid;		/* NULL: raid1 for 2 OS drives, raid0 for 1 */
	bool redact;			/* write "<secret>" for the password hash */
};

/* The answer.toml of one node, as text (the caller frees *out). The OS
 * drives are the node's drive lines with use: os, selected by serial;
 * the network is the node's management address, with the mgmt network's
 * gateway and first DNS server, bound to its NIC by MAC. What the BOM
 * lacks is SB_EINPUT naming the node, the key and the fix. */
int sb_answer_toml(char **out, const struct sb_site *s, const struct sb_bom_node *n,
		   const struct sb_answer_opts *o);

/* Check an answer.toml against our schema: known sections and keys only,
 * value types and enumerations (keyboard layouts, filesystems, RAID
 * levels), exactly one of root_password / root_password_hashed, network
 * keys that fit the source. Every problem goes to `d` as
 * NAME:LINE:COL; returns SB_EINPUT when there is any. */
int sb_answer_validate(const char *text, size_t len, const char *name, struct sb_diags *d);

/* Write an ISO 9660 image (with Joliet, label SB_ANSWER_LABEL) holding
 * /answer.toml, to `path` via a temporary file renamed into place. */
int sb_answer_iso_write(const char *path, const char *toml, size_t len);

#endif

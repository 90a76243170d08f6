/* siteboot image answer-iso: the Proxmox VE answer media of one node. */
#include "bom/bom.h"
#include "bootstrap/cli.h"
#include "bootstrap/cmd_image.h"
#include "common/error.h"
#include "common/file.h"
#include "common/json.h"
#include "common/str.h"
#include "images/answer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { O_SITE, O_NODE, O_OUTPUT, O_PRINT, O_HASH, O_KEY, O_DOMAIN, O_KEYBOARD, O_FS, O_RAID };

const struct sb_opt sb_image_answer_opts[] = {
	[O_SITE] = { "site", 0, SB_OPT_ARG, "FILE", "answer-iso: the site BOM" },
	[O_NODE] = { "node", 0, SB_OPT_ARG, "NAME", "answer-iso: the node to install" },
	[O_OUTPUT] = { "output", 'o', SB_OPT_ARG, "FILE.iso", "answer-iso: where to write the image" },
	[O_PRINT] = { "print", 0, SB_OPT_NONE, NULL,
		      "answer-iso: print the answer.toml (password hash hidden)" },
	[O_HASH] = { "root-password-hash", 0, SB_OPT_ARG, "FILE",
		     "answer-iso: file holding root's crypt(3) password hash, mode 0600 "
		     "(default $SITEBOOT_ETC/root-password.hash, /etc/siteboot)" },
	[O_KEY] = { "ssh-key", 0, SB_OPT_ARG, "FILE",
		    "answer-iso: a public key for root's authorized_keys (repeatable; default "
		    "the running checklist's key, $SITEBOOT_SSH_IDENTITY.pub, else "
		    "~/.ssh/id_ed25519.pub)" },
	[O_DOMAIN] = { "domain", 0, SB_OPT_ARG, "DOMAIN",
		       "answer-iso: DNS domain of the node's FQDN (default SITE-ID.lan)" },
	[O_KEYBOARD] = { "keyboard", 0, SB_OPT_ARG, "LAYOUT", "answer-iso: keyboard layout (default en-us)" },
	[O_FS] = { "filesystem", 0, SB_OPT_ARG, "FS", "answer-iso: ext4, xfs, zfs (default) or btrfs" },
	[O_RAID] = { "zfs-raid", 0, SB_OPT_ARG, "LEVEL",
		     "answer-iso: ZFS RAID level (default raid1 for two OS drives, raid0 for one)" },
	{ NULL, 0, SB_OPT_NONE, NULL, NULL },
};

static int read_key(char **out, const char *path)
{
	size_t len;
	int rc = sb_file_read(out, &len, path, 16 * 1024);

	if (rc)
		return rc;
	sb_trim(*out);
	if (strstr(*out, "PRIVATE KEY"))
		return sb_error_set(SB_EINPUT, "%s: this is a private key; give the .pub file", path);
	if (strchr(*out, '\n') || (strncmp(*out, "ssh-", 4) != 0 && strncmp(*out, "ecdsa-", 6) != 0))
		return sb_error_set(SB_EINPUT, "%s: not one OpenSSH public key line "
				    "(ssh-ed25519 AAAA... comment)", path);
	return 0;
}

int sb_image_answer_iso(struct sb_cli *cli, int argc, char **argv)
{
	const char *site = NULL, *node = NULL, *output = NULL, *hash_file = NULL, *arg;
	const char *keyfiles[8];
	char *keys[8] = { 0 }, *hash = NULL, *toml = NULL, *shown = NULL, defkey[4096];
	size_t nkeys = 0, hl = 0;
	struct sb_answer_opts o = { 0 };
	struct sb_optparse op;
	struct sb_site *s = NULL;
	struct sb_diags d;
	bool print = false;
	int k, rc = 0, ex = SB_EXIT_OK;

	sb_diags_init(&d);
	sb_optparse_init(&op, argc, argv);	/* argv[0] is the verb */
	while ((k = sb_optparse_next(&op, cli, sb_image_answer_opts, &arg)) != -2) {
		switch (k) {
		case -3:
			return SB_EXIT_USAGE;
		case -1:
			return sb_cli_usage_error(cli, "unexpected argument '%s'", arg);
		case O_SITE: site = arg; break;
		case O_NODE: node = arg; break;
		case O_OUTPUT: output = arg; break;
		case O_PRINT: print = true; break;
		case O_HASH: hash_file = arg; break;
		case O_KEY:
			if (nkeys == 8)
				return sb_cli_usage_error(cli, "at most 8 --ssh-key");
			keyfiles[nkeys++] = arg;
			break;
		case O_DOMAIN: o.domain = arg; break;
		case O_KEYBOARD: o.keyboard = arg; break;
		case O_FS: o.filesystem = arg; break;
		case O_RAID: o.zfs_raid = arg; break;
		}
	}
	if (!site || !node)
		return sb_cli_usage_error(cli, "answer-iso needs --site FILE and --node NAME");
	if (!output && !print)
		return sb_cli_usage_error(cli, "say where: --output FILE.iso (or --print to show it)");
	if (nkeys == 0) {
		/* the key the run logs in with (siteboot run -i), else the
		 * appliance user's own */
		const char *id = getenv("SITEBOOT_SSH_IDENTITY");
		const char *home = getenv("HOME");
		snprintf(defkey, sizeof(defkey), "%s.pub", id ? id : "");
		if (!id || !*id || access(defkey, R_OK) != 0)
			snprintf(defkey, sizeof(defkey), "%s/.ssh/id_ed25519.pub", home ? home : "/root");
		keyfiles[nkeys++] = defkey;
	}
	char defhash[4200];
	if (!hash_file) {
		snprintf(defhash, sizeof(defhash), "%s/root-password.hash", sb_appliance_etc());
		hash_file = defhash;
	}
	/* the secret: private file, read, wiped after use */
	if ((rc = sb_file_check_private(hash_file)) != 0 ||
	    (rc = sb_file_read(&hash, &hl, hash_file, 4096)) != 0)
		goto fail;
	sb_trim(hash);
	o.root_password_hash = hash;
	for (size_t i = 0; i < nkeys; i++)
		if ((rc = read_key(&keys[i], keyfiles[i])) != 0)
			goto fail;
	o.ssh_keys = (const char *const *)keys;
	o.nssh_keys = nkeys;
	if ((rc = sb_bom_load(&s, site, &d)) != 0) {
		sb_cli_diags_print(cli, &d);
		goto fail;
	}
	const struct sb_bom_node *n = sb_bom_node_find(s, node);
	if (!n) {
		ex = sb_cli_usage_error(cli, "no node '%s' in %s", node, site);
		goto out;
	}
	if ((rc = sb_answer_toml(&toml, s, n, &o)) != 0)
		goto fail;
	sb_diags_release(&d);
	sb_diags_init(&d);
	/* our schema, on the very bytes that go onto the medium */
	if (sb_answer_validate(toml, strlen(toml), "answer.toml", &d) != 0) {
		sb_cli_diags_print(cli, &d);
		rc = sb_error_set(SB_EINPUT, "the answer.toml made for %s does not pass the schema "
				  "(above): fix the BOM or the options", node);
		goto fail;
	}
	if (output && (rc = sb_answer_iso_write(output, toml, strlen(toml))) != 0)
		goto fail;
	if (print) {
		o.redact = true;
		if ((rc = sb_answer_toml(&shown, s, n, &o)) != 0)
			goto fail;
		fputs(shown, stdout);
	}
	if (cli->json && !print) {
		rc = sb_cli_json_out(cli, json_pack("{s:s, s:s, s:s, s:s, s:s}", "node", node, "site", s->id,
						    "output", output, "label", SB_ANSWER_LABEL,
						    "file", SB_ANSWER_FILE));
		if (rc)
			goto fail;
	} else if (output && !print && cli->verbosity >= 0) {
		printf("%s: answer media for %s (ISO 9660, label %s, /%s)\n", output, node,
		       SB_ANSWER_LABEL, SB_ANSWER_FILE);
	}
	goto out;
fail:
	ex = sb_cli_fail(cli, rc);
out:
	sb_free_secret(hash);
	if (toml)
		sb_freezero(toml, strlen(toml));
	free(shown);
	for (size_t i = 0; i < nkeys; i++)
		free(keys[i]);
	sb_bom_free(s);
	sb_diags_release(&d);
	return ex;
}

/* siteboot image VERB: install media. One line per verb below. */
#include "bootstrap/cli.h"
#include "bootstrap/cmd_image.h"
#include "common/str.h"

#include <string.h>

struct image_verb {
	const char *name;
	int (*run)(struct sb_cli *cli, int argc, char **argv);
};

static const struct image_verb image_verbs[] = {
	{ "answer-iso", sb_image_answer_iso },
	{ "serve", sb_image_serve },
	{ "verify", sb_image_verify_cmd },
	{ "write", sb_image_write_cmd },
	{ "build", sb_image_build_cmd },
	{ NULL, NULL },
};

static const char *const image_verb_names[] = { "answer-iso", "serve", "verify", "write", "build", NULL };

/* The command's option list for help, completion and the man page: every
 * verb's options, each verb's table kept beside its code. The table is
 * filled before main() runs, since the descriptor is a constant. */
static struct sb_opt image_all_opts[64];

__attribute__((constructor)) static void image_opts_join(void)
{
	const struct sb_opt *const tables[] = { sb_image_answer_opts, sb_image_serve_opts,
					       sb_image_media_opts };
	size_t n = 0;

	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
		for (size_t i = 0; tables[t][i].name && n + 1 < sizeof(image_all_opts) / sizeof(image_all_opts[0]); i++)
			image_all_opts[n++] = tables[t][i];
}

static int run_image(struct sb_cli *cli, int argc, char **argv)
{
	if (argc < 2 || argv[1][0] == '-')
		return sb_cli_usage_error(cli, "say which: answer-iso, serve, verify, write or build");
	for (size_t i = 0; image_verbs[i].name; i++)
		if (strcmp(argv[1], image_verbs[i].name) == 0)
			return image_verbs[i].run(cli, argc - 1, argv + 1);
	const char *best = sb_did_you_mean(argv[1], image_verb_names);
	if (best)
		return sb_cli_usage_error(cli, "unknown verb '%s'; did you mean '%s'?", argv[1], best);
	return sb_cli_usage_error(cli, "unknown verb '%s'", argv[1]);
}

const struct sb_cmd sb_cmd_image = {
	.name = "image",
	.run = run_image,
	.summary = "install media: verify an image, write it to a USB stick, a node's answer ISO, serving media to BMCs, the appliance",
	.usage = "siteboot image verify FILE... [--sha256 HEX | --catalog FILE [--entry NAME[@VERSION]]]\n"
		 "siteboot image verify --list [--catalog FILE]\n"
		 "siteboot image write ISO DEVICE [--force]\n"
		 "siteboot image answer-iso --site FILE --node NAME (--output FILE.iso | --print) "
		 "[--root-password-hash FILE] [--ssh-key FILE]... [--domain D] [--keyboard L] "
		 "[--filesystem FS] [--zfs-raid LEVEL]\n"
		 "siteboot image serve --dir DIR --listen ADDR [--port N] (--allow CIDR... | --site FILE) "
		 "[--for DURATION] [--log FILE] [--port-file FILE]\n"
		 "siteboot image build [--source DIR] [--out DIR]",
	.description =
		"'image verify' checks an install image (a Proxmox VE ISO, a Debian image) "
		"before it is used, so that a corrupted or swapped download is caught at the "
		"site. By default it looks the file up by name in the image catalog "
		"(catalog.yaml in the installed data directory, or --catalog FILE; docs/images.md "
		"describes the format) and compares its SHA-256 (and SHA-512 and size where the "
		"catalog has them) with the published ones; a file whose name is not listed is "
		"still recognised by its bytes. --sha256 HEX compares with one checksum instead. "
		"The verdicts are ok, CORRUPTED, WRONG IMAGE (the bytes of another entry), UNKNOWN "
		"and MISMATCH; each is recorded in the inventory ledger as image.verified or "
		"image.rejected. Exit 0 when every FILE is ok, 1 when any is not, 2 for a bad "
		"catalog or bad arguments.\n\n"
		"'image write' copies ISO onto DEVICE, flushes it, and reads it back past the page "
		"cache to compare SHA-256 sums; progress shows on a terminal. It refuses a device "
		"that holds a mounted file system and the device this system booted from, always; "
		"and anything that is not a removable block device (a fixed disk, a loop device, a "
		"plain file) unless --force. The write is recorded as image.written. Exit 0 when "
		"the read-back matches, 1 when it does not or the device failed, 2 when refused.\n\n"
		"'image build' runs images/build.sh from the siteboot source tree (--source DIR, "
		"default the current directory): the same steps as 'make image', for use where "
		"siteboot is installed. It needs root, the image tools ('make image-deps') and the "
		"Debian mirror; docs/appliance.md explains the result.\n\n"
		"'image answer-iso' writes the answer media of the Proxmox VE automated installer "
		"for one node: an answer.toml made from the BOM (FQDN, keyboard, country, timezone, "
		"mailto, root's password hash from a private file, root's SSH keys, the management "
		"address with the mgmt network's gateway and DNS bound to the NIC by MAC, ZFS on the "
		"node's OS drives selected by serial), checked against siteboot's schema of the keys "
		"the installer accepts, on a small ISO 9660 image (Joliet) labelled PROXMOX-AIS, "
		"where the installer's partition mode finds it. --print shows the answer.toml with "
		"the password hash hidden. See docs/proxmox.md.\n\n"
		"'image serve' serves the files of DIR over HTTP (GET and HEAD, single byte ranges, "
		"as BMCs fetch virtual media) from the appliance's address, only to clients in the "
		"--allow networks (or the BOM's BMC network with --site), only for --for (default "
		"2h), and logs every request and every refused client. It runs in the foreground "
		"until then or SIGTERM.",
	.verbs = image_verb_names,
	.opts = image_all_opts,	/* every verb's options, joined above */
	.example = "siteboot image verify proxmox-ve_8.2-2.iso\n"
		   "siteboot image write siteboot-0.1.0-amd64.iso /dev/sdb\n"
		   "siteboot image answer-iso --site site.yaml --node edge-n01 "
		   "--root-password-hash /etc/siteboot/root-password.hash -o edge-n01-answer.iso\n"
		   "siteboot image build --source ~/siteboot --out /srv/images",
	.flags = SB_CMD_DB,
};

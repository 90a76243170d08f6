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
	{ NULL, NULL },
};

static const char *const image_verb_names[] = { "answer-iso", "serve", NULL };

static int run_image(struct sb_cli *cli, int argc, char **argv)
{
	if (argc < 2 || argv[1][0] == '-')
		return sb_cli_usage_error(cli, "say which: answer-iso or serve");
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
	.summary = "install media: a node's Proxmox VE answer ISO, and serving media to BMCs",
	.usage = "siteboot image answer-iso --site FILE --node NAME (--output FILE.iso | --print) "
		 "[--root-password-hash FILE] [--ssh-key FILE]... [--domain D] [--keyboard L] "
		 "[--filesystem FS] [--zfs-raid LEVEL]\n"
		 "siteboot image serve --dir DIR --listen ADDR [--port N] (--allow CIDR... | --site FILE) "
		 "[--for DURATION] [--log FILE] [--port-file FILE]",
	.description =
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
	.opts = sb_image_answer_opts,	/* serve's options are listed in docs/proxmox.md */
	.example = "siteboot image answer-iso --site site.yaml --node edge-n01 "
		   "--root-password-hash /etc/siteboot/root-password.hash -o edge-n01-answer.iso",
};

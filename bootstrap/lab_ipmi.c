/* The lab's IPMI BMCs: one OpenIPMI ipmi_sim per ipmi:// node of the
 * BOM (see ../shared/LAB-FACTS.md for what ipmi_sim needs).
 *
 * Each BMC listens on its own loopback address (127.A.B.N, one random
 * /16 per lab, so that labs of several engineers do not meet) on a UDP
 * port the kernel found free there. Its files live in DIR/ipmi/NODE/:
 *   lan.conf    the LAN channel, the user (mode 0600: it holds the lab
 *               password, which ipmi_sim needs in clear), the chassis
 *               control program
 *   bmc.emu     the management controller: Get Device ID values from the
 *               BOM (maker's IANA number, BMC firmware major.minor), FRU
 *   fru.bin     the FRU image: chassis, board and product areas carrying
 *               the BOM's expected serials and part numbers
 *   power, boot the chassis state, kept by DIR/ipmi/chassis.sh
 *   state/      ipmi_sim's own persistent state
 *   ipmi_sim.log its output */
#include "bootstrap/lab.h"
#include "common/error.h"
#include "common/file.h"
#include "common/log.h"
#include "common/str.h"
#include "common/time.h"
#include "firmware/bmc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LAB_IPMI_READY_MS 10000

/* The chassis control program ipmi_sim runs for power and boot: called
 * as `chassis.sh STATEDIR get NAME...` (prints NAME:VALUE lines) or
 * `chassis.sh STATEDIR set NAME VALUE...`. Shell built-ins only: ipmi_sim
 * runs it for every power query. */
static const char chassis_sh[] =
	"#!/bin/sh\n"
	"# siteboot lab: chassis control for one ipmi_sim (power, boot device)\n"
	"d=$1; op=$2; shift 2\n"
	"val() { v=$2; [ -r \"$d/$1\" ] && read -r v < \"$d/$1\"; echo \"$1:$v\"; }\n"
	"case $op in\n"
	"get)\n"
	"  for n; do case $n in\n"
	"    power) val power 0 ;;\n"
	"    boot) val boot none ;;\n"
	"    *) echo \"$n:0\" ;;\n"
	"  esac; done ;;\n"
	"set)\n"
	"  while [ $# -ge 2 ]; do case $1 in\n"
	"    power) echo \"$2\" > \"$d/power\" ;;\n"
	"    boot) echo \"$2\" > \"$d/boot\" ;;\n"
	"    shutdown) echo 0 > \"$d/power\" ;;\n"
	"    reset) echo \"$2\" > \"$d/reset\" ;;\n"
	"  esac; shift 2; done ;;\n"
	"esac\n"
	"exit 0\n";

/* A UDP port free on `addr` now (the kernel's choice), or 0. */
static unsigned free_udp_port(const char *addr)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	unsigned port = 0;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return 0;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	if (inet_pton(AF_INET, addr, &sa.sin_addr) == 1 &&
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
		port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

/* BMC firmware "7.00.30.00" -> major 7, minor 0x00 (BCD): what Get
 * Device ID can carry. */
static void fw_rev(const struct sb_bom_node *n, unsigned *major,
		   unsigned *minor)
{
	const char *v = NULL;
	unsigned long ma, mi = 0;
	char *end;

	*major = 1;
	*minor = 0;
	for (size_t i = 0; i < n->nfirmware; i++)
		if (n->firmware[i].name && sb_strcaseeq(n->firmware[i].name, "BMC"))
			v = n->firmware[i].version ? n->firmware[i].version :
				n->firmware[i].min_version;
	if (!v)
		return;
	ma = strtoul(v, &end, 10);
	if (end == v || ma > 127)
		return;
	if (*end == '.' && end[1] >= '0' && end[1] <= '9') {
		mi = (unsigned long)(end[1] - '0');
		if (end[2] >= '0' && end[2] <= '9')
			mi = mi * 16 + (unsigned long)(end[2] - '0');
	}
	*major = (unsigned)ma;
	*minor = (unsigned)mi;
}

/* At most 63 bytes per FRU field: longer BOM text is cut. */
static const char *fru_text(char *buf, size_t size, const char *s)
{
	if (!s)
		return NULL;
	sb_strlcpy(buf, s, size < 64 ? size : 64);
	return buf;
}

static int write_fru(const struct sb_bom_node *n, const char *path,
		     size_t *size)
{
	struct sb_ipmi_fru f;
	const struct sb_bom_chassis *c = &n->chassis;
	const struct sb_bom_line *board = NULL;
	char t[10][64];
	unsigned char *img = NULL;
	size_t len = 0;
	int rc;

	for (size_t i = 0; i < n->nlines; i++)
		if (n->lines[i].cls == SB_HW_BOARD)
			board = &n->lines[i];
	memset(&f, 0, sizeof(f));
	f.chassis_type = 0x17;	/* rack mount chassis */
	f.chassis_part = fru_text(t[0], 64, c->part_number);
	f.chassis_serial = fru_text(t[1], 64, c->serial);
	/* A BOM that lists the board gives its serial and part number;
	 * otherwise the board carries the chassis's (as many vendors'
	 * FRUs do). */
	f.board_mfr = fru_text(t[2], 64, board && board->manufacturer ?
			       board->manufacturer : c->manufacturer);
	f.board_name = fru_text(t[3], 64, board && board->model ?
				board->model : c->model);
	f.board_serial = fru_text(t[4], 64, board && board->nserials ?
				  board->serials[0] : c->serial);
	f.board_part = fru_text(t[5], 64, board && board->part_number ?
				board->part_number : c->part_number);
	f.product_mfr = fru_text(t[6], 64, c->manufacturer);
	f.product_name = fru_text(t[7], 64, c->model);
	f.product_part = fru_text(t[8], 64, c->part_number);
	f.product_serial = c->serial ? t[1] : NULL;
	f.product_asset = fru_text(t[9], 64, n->name);
	rc = sb_bmc_ipmi_fru_build(&img, &len, &f);
	if (rc)
		return sb_error_prefix("lab: node %s: ", n->name);
	rc = sb_file_write_atomic(path, img, len, 0644);
	free(img);
	*size = len;
	return rc;
}

static int write_text(const char *path, const char *text, mode_t mode)
{
	return sb_file_write_atomic(path, text, strlen(text), mode);
}

static int node_files(struct sb_lab *lab, const struct sb_bom_node *n,
		      const char *ndir, const char *addr, unsigned port)
{
	struct sb_buf b = SB_BUF_INIT(1u << 16);
	char path[PATH_MAX], fru[PATH_MAX], guid[33], ts[32];
	unsigned char g[16];
	unsigned major, minor;
	uint32_t iana;
	size_t frusize = 0;
	int rc;

	if ((rc = sb_mkdir_p(ndir, 0700)))
		return rc;
	snprintf(path, sizeof(path), "%s/state", ndir);
	if ((rc = sb_mkdir_p(path, 0700)))
		return rc;
	snprintf(fru, sizeof(fru), "%s/fru.bin", ndir);
	if ((rc = write_fru(n, fru, &frusize)))
		return rc;
	snprintf(path, sizeof(path), "%s/power", ndir);
	if ((rc = write_text(path, "1\n", 0644)))
		return rc;
	snprintf(path, sizeof(path), "%s/boot", ndir);
	if ((rc = write_text(path, "none\n", 0644)))
		return rc;

	if (getrandom(g, sizeof(g), 0) != (ssize_t)sizeof(g))
		return sb_error_set(SB_EIO, "lab: getrandom failed");
	sb_hex(guid, g, sizeof(g));
	rc = sb_buf_printf(&b,
			   "# siteboot lab: ipmi_sim LAN configuration for %s (secret: mode 0600)\n"
			   "name \"%s\"\n"
			   "set_working_mc 0x20\n"
			   "  startlan 1\n"
			   "    addr %s %u\n"
			   "    priv_limit admin\n"
			   "    allowed_auths_callback md5\n"
			   "    allowed_auths_user md5\n"
			   "    allowed_auths_operator md5\n"
			   "    allowed_auths_admin md5\n"
			   "    guid %s\n"
			   "  endlan\n"
			   "  chassis_control \"%s/ipmi/chassis.sh %s\"\n"
			   "  user 2 true \"%s\" \"%s\" admin 10 md5\n",
			   n->name, n->name, addr, port, guid, lab->dir, ndir,
			   lab->bmc_user, lab->bmc_password);
	snprintf(path, sizeof(path), "%s/lan.conf", ndir);
	if (!rc)
		rc = sb_file_write_atomic(path, b.data, b.len, 0600);
	sb_buf_release_secret(&b);
	if (rc)
		return rc;

	{
		/* the SEL's time stamps: now, little-endian */
		uint32_t t = (uint32_t)time(NULL);
		snprintf(ts, sizeof(ts), "0x%02x 0x%02x 0x%02x 0x%02x", t & 0xff,
			 (t >> 8) & 0xff, (t >> 16) & 0xff, (t >> 24) & 0xff);
	}
	fw_rev(n, &major, &minor);
	iana = sb_bmc_ipmi_vendor_iana(n->chassis.manufacturer);
	sb_buf_init(&b, 1u << 16);
	rc = sb_buf_printf(&b,
			   "# siteboot lab: the BMC of %s\n"
			   "mc_setbmc 0x20\n"
			   "mc_add 0x20 0 no-device-sdrs 0x01 0x%02x 0x%02x 0x9f 0x%06x 0x0100\n"
			   "sel_enable 0x20 1000 0x0a\n"
			   /* two events, as a freshly racked server has them:
			    * power unit "power off" then system "boot"
			    * (ipmi_sim stamps them with its own clock) */
			   "sel_add 0x20 0x02 %s 0x20 0x00 0x04 0x09 0x01 0x6f 0x00 0xff 0xff\n"
			   "sel_add 0x20 0x02 %s 0x20 0x00 0x04 0x12 0x02 0x6f 0x01 0xff 0xff\n"
			   "mc_add_fru_data 0x20 0 %zu file 0 \"%s\"\n"
			   "mc_enable 0x20\n",
			   n->name, major, minor, (unsigned)iana, ts, ts, frusize, fru);
	snprintf(path, sizeof(path), "%s/bmc.emu", ndir);
	if (!rc)
		rc = sb_file_write_atomic(path, b.data, b.len, 0644);
	sb_buf_release(&b);
	return rc;
}

/* A /16 of 127.0.0.0/8 for this lab, away from 127.0.0.x and 127.0.1.x
 * (hosts files, systemd-resolved). */
static int pick_net(unsigned *a, unsigned *bb)
{
	unsigned char r[2];

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		return sb_error_set(SB_EIO, "lab: getrandom failed");
	*a = 100u + r[0] % 150u;
	*bb = r[1];
	return 0;
}

/* Wait until every BMC answers an unauthenticated probe. */
static int wait_ready(struct sb_lab *lab, size_t first)
{
	struct sb_bmc_opts o;
	uint64_t deadline = sb_time_mono_ms() + LAB_IPMI_READY_MS;

	sb_bmc_opts_default(&o);
	o.timeout_ms = 300;
	o.retries = 1;
	for (size_t i = first; i < lab->nprocs; i++) {
		struct sb_bmc_url u;
		char url[160];
		int rc;

		if (strcmp(lab->procs[i].kind, "ipmi_sim") != 0)
			continue;
		snprintf(url, sizeof(url), "ipmi://%s", lab->procs[i].listen);
		if ((rc = sb_bmc_url_parse(&u, url)))
			return rc;
		for (;;) {
			rc = sb_bmc_ipmi_driver.probe(&u, &o, NULL);
			if (rc == 0)
				break;
			if ((rc = sb_lab_check_interrupt()))
				return rc;
			if (sb_time_mono_ms() > deadline)
				return sb_error_set(SB_ETIMEOUT,
						    "lab: the ipmi_sim of node %s (%s) does not answer after %d ms; see %s/ipmi/%s/ipmi_sim.log",
						    lab->procs[i].node, lab->procs[i].listen,
						    LAB_IPMI_READY_MS, lab->dir, lab->procs[i].node);
			if (waitpid(lab->procs[i].pid, NULL, WNOHANG) != 0)
				return sb_error_set(SB_EIO,
						    "lab: the ipmi_sim of node %s exited; see %s/ipmi/%s/ipmi_sim.log",
						    lab->procs[i].node, lab->dir, lab->procs[i].node);
		}
	}
	sb_error_clear();
	return 0;
}

int sb_lab_ipmi_up(struct sb_lab *lab)
{
	const struct sb_site *s = lab->site;
	char idir[PATH_MAX], path[PATH_MAX];
	unsigned na = 0, nb = 0, k = 0;
	size_t first = lab->nprocs;
	int rc;

	snprintf(idir, sizeof(idir), "%s/ipmi", lab->dir);
	if ((rc = sb_mkdir_p(idir, 0700)))
		return rc;
	snprintf(path, sizeof(path), "%s/chassis.sh", idir);
	if ((rc = write_text(path, chassis_sh, 0700)))
		return rc;
	if ((rc = pick_net(&na, &nb)))
		return rc;
	for (size_t i = 0; i < s->nnodes; i++) {
		const struct sb_bom_node *n = &s->nodes[i];
		char ndir[PATH_MAX], addr[32], listen[64], url[256], log[PATH_MAX],
			lan[PATH_MAX], emu[PATH_MAX], state[PATH_MAX];
		unsigned port;
		char *argv[10];

		if (!n->bmc_url || !sb_startswith(n->bmc_url, "ipmi://"))
			continue;
		k++;
		/* 250 BMCs per /24, then the next one */
		snprintf(addr, sizeof(addr), "127.%u.%u.%u", na,
			 (nb + (k - 1) / 250) % 256, 1 + (k - 1) % 250);
		port = free_udp_port(addr);
		if (!port)
			return sb_error_set(SB_EIO,
					    "lab: no free UDP port on %s for node %s",
					    addr, n->name);
		snprintf(ndir, sizeof(ndir), "%s/%s", idir, n->name);
		if ((rc = node_files(lab, n, ndir, addr, port)))
			return rc;
		snprintf(listen, sizeof(listen), "%s:%u", addr, port);
		snprintf(log, sizeof(log), "%s/ipmi_sim.log", ndir);
		snprintf(lan, sizeof(lan), "%s/lan.conf", ndir);
		snprintf(emu, sizeof(emu), "%s/bmc.emu", ndir);
		snprintf(state, sizeof(state), "%s/state", ndir);
		argv[0] = (char *)"ipmi_sim";
		argv[1] = (char *)"-c";
		argv[2] = lan;
		argv[3] = (char *)"-f";
		argv[4] = emu;
		argv[5] = (char *)"-s";
		argv[6] = state;
		argv[7] = (char *)"-n";
		argv[8] = NULL;
		if ((rc = sb_lab_spawn(lab, argv, log, "ipmi_sim", n->name, listen,
				       NULL)))
			return rc;
		snprintf(url, sizeof(url), "ipmi://%s@%s", lab->bmc_user, listen);
		lab->ov[i].bmc_url = sb_lab_str(lab, url);
		lab->ov[i].credential = "lab";
		if (!lab->ov[i].bmc_url)
			return sb_error_set(SB_ENOMEM, "out of memory");
	}
	return wait_ready(lab, first);
}

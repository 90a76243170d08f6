/* The lab's SSH hosts (bootstrap/lab.h): one OpenSSH sshd per BOM node and
 * per VM of a node (vms: in the BOM, hosts of their own for checklists),
 * each with its own host key, configuration and address (127.0.3.N on a
 * port of its own), the appliance's key authorised.
 *
 * As root, each host is a copy-on-write view of this machine, as a small
 * container would be: its sshd runs in a mount namespace of its own where
 * the trees a recipe writes (/etc /opt /usr /var/lib /var/tmp /var/log /srv
 * /home) are overlays whose upper layers live in the host's directory, and
 * /root is an empty tmpfs (so no ~/.bashrc, pyenv and the like, runs for
 * each command). The appliance logs in as root, as it does on a real node,
 * and a recipe's `mkdir /opt/besu`, `useradd`, `tar -C /opt` or
 * `systemctl daemon-reload` changes only that host. /tmp, /run and the lab
 * directory stay shared (tests keep the stand-ins' state there).
 *
 * Where mount namespaces are not available (a container without
 * CAP_SYS_ADMIN), the hosts log in a dedicated system user (SB_LAB_USER)
 * whose shell is /bin/sh and whose home has no start-up files; recipes that
 * need root fail there, with a warning at `lab up`. Not as root, sshd runs as
 * the calling user, who is the only one it can log in. */
#include "bootstrap/lab.h"
#include "common/error.h"
#include "common/file.h"
#include "common/str.h"
#include "common/log.h"
#include "common/time.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libssh/libssh.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define SB_LAB_USER "sblab"
#define SB_LAB_HOME "/var/lib/siteboot-lab-home"
#define SSHD "/usr/sbin/sshd"

static int write_text(const char *path, const char *text, mode_t mode)
{
	return sb_file_write_atomic(path, text, strlen(text), mode);
}

/* An ed25519 key pair: PATH (OpenSSH private key format) and PATH.pub. */
static int keygen(const char *path, const char *comment, char fp[128])
{
	ssh_key key = NULL;
	char *b64 = NULL, pub[4200];
	unsigned char *hash = NULL;
	size_t hlen = 0;
	int rc = 0;

	if (ssh_pki_generate(SSH_KEYTYPE_ED25519, 0, &key) != SSH_OK ||
	    ssh_pki_export_privkey_file(key, NULL, NULL, NULL, path) != SSH_OK ||
	    ssh_pki_export_pubkey_base64(key, &b64) != SSH_OK) {
		rc = sb_error_set(SB_EIO, "lab: cannot generate the SSH key %s", path);
		goto out;
	}
	chmod(path, 0600);
	snprintf(pub, sizeof(pub), "ssh-ed25519 %s %s\n", b64, comment);
	char pubpath[4200];
	snprintf(pubpath, sizeof(pubpath), "%s.pub", path);
	if ((rc = write_text(pubpath, pub, 0644)))
		goto out;
	if (fp) {
		char *s = NULL;
		if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &hlen) == 0 &&
		    (s = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hlen)))
			sb_strlcpy(fp, s, 128);
		ssh_string_free_char(s);
	}
out:
	ssh_clean_pubkey_hash(&hash);
	ssh_string_free_char(b64);
	ssh_key_free(key);
	return rc;
}

static int run_quiet(const char *const argv[])
{
	pid_t pid = fork();
	int st = 0;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open("/dev/null", O_RDWR);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The login user of the lab hosts: as root the dedicated user (created
 * once), otherwise the caller. */
static int lab_user(char user[32])
{
	struct passwd *pw;

	if (geteuid() != 0) {
		pw = getpwuid(geteuid());
		if (!pw)
			return sb_error_set(SB_EINTERNAL, "lab: who am I? (uid %d has no passwd entry)",
					    (int)geteuid());
		sb_strlcpy(user, pw->pw_name, 32);
		return 0;
	}
	if (!getpwnam(SB_LAB_USER)) {
		const char *const argv[] = { "/usr/sbin/useradd", "--system", "--no-create-home",
				 "--home-dir", SB_LAB_HOME, "--shell", "/bin/sh",
				 "--comment", "siteboot lab hosts", SB_LAB_USER, NULL };
		if (run_quiet(argv) != 0 && !getpwnam(SB_LAB_USER))
			return sb_error_set(SB_EIO, "lab: cannot create the lab hosts' user %s with useradd",
					    SB_LAB_USER);
		/* useradd locks the account ("!"), and sshd without PAM
		 * refuses even a key for a locked account: no password at
		 * all ("*") is what we want */
		const char *const unlock[] = { "/usr/sbin/usermod", "-p", "*", SB_LAB_USER, NULL };
		if (run_quiet(unlock) != 0)
			return sb_error_set(SB_EIO, "lab: cannot unlock the lab hosts' user %s with usermod",
					    SB_LAB_USER);
	}
	pw = getpwnam(SB_LAB_USER);
	if (!pw)
		return sb_error_set(SB_EIO, "lab: user %s is missing", SB_LAB_USER);
	/* a home without start-up files, writable by the user (Ansible
	 * keeps its temporary files there) */
	if (mkdir(SB_LAB_HOME, 0755) != 0 && errno != EEXIST)
		return sb_error_set(SB_EIO, "lab: cannot create %s: %s", SB_LAB_HOME, strerror(errno));
	if (chown(SB_LAB_HOME, pw->pw_uid, pw->pw_gid) != 0)
		return sb_error_set(SB_EIO, "lab: cannot chown %s: %s", SB_LAB_HOME, strerror(errno));
	sb_strlcpy(user, SB_LAB_USER, 32);
	return 0;
}

/* The trees each root lab host sees as its own (see the top of the file). */
static const char *const host_trees[] = { "/etc", "/opt", "/usr", "/var/lib", "/var/tmp",
					  "/var/log", "/srv", "/home", NULL };

/* Run by `unshare --mount --propagation private`: the host's overlays,
 * then sshd in their namespace. $1 = the host's layer directory, $2 = its
 * sshd_config, the rest = the trees. */
static const char host_script[] =
	"set -e; fs=$1; cfg=$2; shift 2\n"
	"for t in \"$@\"; do\n"
	"  n=$(printf %s \"$t\" | tr / _)\n"
	"  mkdir -p \"$fs/$n/up\" \"$fs/$n/work\"\n"
	"  mount -t overlay \"sblab$n\" -o \"lowerdir=$t,upperdir=$fs/$n/up,workdir=$fs/$n/work\" \"$t\"\n"
	"done\n"
	"mount -t tmpfs -o mode=0700 sblab_root /root\n"
	"exec " SSHD " -D -e -f \"$cfg\"\n";

/* Can this machine give each host its own mount namespace with overlays? */
static bool namespaces_work(const char *dir)
{
	char probe[4300], script[8800];
	snprintf(probe, sizeof(probe), "%s/.nsprobe", dir);
	snprintf(script, sizeof(script),
		 "mkdir -p '%s/l' '%s/u' '%s/w' && mount -t overlay sblab_probe "
		 "-o 'lowerdir=%s/l,upperdir=%s/u,workdir=%s/w' '%s/l'",
		 probe, probe, probe, probe, probe, probe, probe);
	const char *const argv[] = { "/usr/bin/unshare", "--mount", "--propagation", "private",
				     "/bin/sh", "-c", script, NULL };
	bool ok = geteuid() == 0 && access(argv[0], X_OK) == 0 && !strchr(dir, '\'') &&
		  run_quiet(argv) == 0;
	const char *const rm[] = { "/bin/rm", "-rf", probe, NULL };
	run_quiet(rm);
	return ok;
}

/* A name under /run/siteboot-lab for a lab directory: its path's FNV-1a. */
static const char *lab_layers_id(const char *dir)
{
	static char id[24];
	char real[4096];
	uint64_t h = 1469598103934665603ULL;
	if (!realpath(dir, real))
		sb_strlcpy(real, dir, sizeof(real));
	for (const unsigned char *p = (const unsigned char *)real; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	snprintf(id, sizeof(id), "%016llx", (unsigned long long)h);
	return id;
}

/* Is path inside one of the host trees (an overlay's upper layer may not
 * live inside its own lower layer)? */
static bool in_host_tree(const char *path)
{
	for (const char *const *t = host_trees; *t; t++) {
		size_t n = strlen(*t);
		if (strncmp(path, *t, n) == 0 && (path[n] == '/' || !path[n]))
			return true;
	}
	return false;
}

/* A TCP port on addr that nothing listens on now. */
static unsigned free_port(const char *addr)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	unsigned port = 0;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return 0;
	inet_pton(AF_INET, addr, &sa.sin_addr);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
		port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

static bool accepting(const char *addr, unsigned port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool ok;

	if (fd < 0)
		return false;
	inet_pton(AF_INET, addr, &sa.sin_addr);
	ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

int sb_lab_ssh_up(struct sb_lab *lab, bool netns)
{
	const struct sb_site *s = lab->site;
	char user[32], dir[4200], path[4300], keypath[4300];
	struct sb_buf cfg = SB_BUF_INIT(64 * 1024);
	int rc;

	/* SITEBOOT_LAB_HOST_ENV="NAME=VALUE ...": more environment for every
	 * command on the hosts (tests put stand-ins for pvecm, ceph, besu on
	 * PATH this way, docs/lab.md); each host also gets SB_LAB_NODE */
	const char *host_env = getenv("SITEBOOT_LAB_HOST_ENV");
	if (host_env && (strpbrk(host_env, "\n\r\"'\\#") || !strchr(host_env, '=')))
		return sb_error_set(SB_EINPUT, "lab: SITEBOOT_LAB_HOST_ENV must be NAME=VALUE pairs "
				    "separated by spaces, without quotes or new lines");
	if (host_env && !*host_env)
		host_env = NULL;
	if (netns)
		return sb_error_set(SB_EUNSUPPORTED, "lab: SSH hosts in network namespaces are not built yet; leave out --netns (the hosts listen on loopback addresses)");
	if (access(SSHD, X_OK) != 0)
		return sb_error_set(SB_ENOTFOUND, "lab: %s is missing; install openssh-server (make deps)", SSHD);
	snprintf(dir, sizeof(dir), "%s/ssh", lab->dir);
	if ((rc = sb_mkdir_p(dir, 0755)))
		return rc;
	/* the hosts' overlay layers: in the lab directory, unless that lies in
	 * a tree the hosts overlay; then under /run, removed by `lab down` */
	char layers[4200];
	bool ns = namespaces_work(dir);
	if (in_host_tree(lab->dir))
		snprintf(layers, sizeof(layers), "/run/siteboot-lab/%s", lab_layers_id(lab->dir));
	else
		snprintf(layers, sizeof(layers), "%s", dir);
	if (ns) {
		sb_strlcpy(user, "root", sizeof(user));
	} else {
		if (geteuid() == 0)
			sb_warn("lab: this machine cannot give the lab hosts mount namespaces "
				    "(unshare --mount with overlayfs failed): they log in as %s, "
				    "and recipe steps that need root will fail", SB_LAB_USER);
		if ((rc = lab_user(user)))
			return rc;
	}
	if (geteuid() == 0 && mkdir("/run/sshd", 0755) != 0 && errno != EEXIST)
		return sb_error_set(SB_EIO, "lab: cannot create /run/sshd: %s", strerror(errno));
	/* the appliance's key, authorised on every host */
	snprintf(keypath, sizeof(keypath), "%s/id_ed25519", dir);
	if (access(keypath, R_OK) != 0 && (rc = keygen(keypath, "siteboot-appliance", NULL)))
		return rc;
	char *pub = NULL;
	size_t publen = 0;
	snprintf(path, sizeof(path), "%s.pub", keypath);
	if ((rc = sb_file_read(&pub, &publen, path, 16384)))
		return rc;
	sb_strlcpy(lab->ssh_key, keypath, sizeof(lab->ssh_key));
	free(lab->hosts);
	/* a host per node and per VM of the BOM (lab->ov holds both) */
	size_t nh = sb_bom_nhosts(s);
	lab->hosts = calloc(nh + 1, sizeof(*lab->hosts));
	lab->nhosts = 0;
	if (!lab->hosts) {
		free(pub);
		return sb_error_set(SB_ENOMEM, "out of memory");
	}
	pid_t *pids = calloc(nh + 1, sizeof(*pids));
	if (!pids) {
		free(pub);
		return sb_error_set(SB_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < nh; i++) {
		const char *node = sb_bom_host(s, i)->name;
		struct sb_lab_host *h = &lab->hosts[i];
		char ndir[4400], addr[32], listen[96], cfgpath[4500], log[4500];
		snprintf(ndir, sizeof(ndir), "%s/%s", dir, node);
		if ((rc = sb_mkdir_p(ndir, 0755)))
			goto out;
		if (i >= 250) {
			rc = sb_error_set(SB_EUNSUPPORTED, "lab: at most 250 SSH hosts");
			goto out;
		}
		snprintf(addr, sizeof(addr), "127.0.3.%zu", i + 1);
		unsigned port = free_port(addr);
		if (!port) {
			rc = sb_error_set(SB_EIO, "lab: no free TCP port on %s", addr);
			goto out;
		}
		snprintf(path, sizeof(path), "%s/ssh_host_ed25519_key", ndir);
		unlink(path);
		if ((rc = keygen(path, node, h->host_key)))
			goto out;
		snprintf(path, sizeof(path), "%s/authorized_keys", ndir);
		if ((rc = write_text(path, pub, 0644)))
			goto out;
		sb_buf_reset(&cfg);
		sb_buf_printf(&cfg,
			      "# siteboot lab host %s (written by siteboot lab up)\n"
			      "ListenAddress %s:%u\n"
			      "HostKey %s/ssh_host_ed25519_key\n"
			      "PidFile %s/sshd.pid\n"
			      "AuthorizedKeysFile none\n"
			      "AuthorizedKeysCommand /bin/cat %s/authorized_keys\n"
			      "AuthorizedKeysCommandUser root\n"
			      "AllowUsers %s\n"
			      "UsePAM no\nStrictModes no\nPasswordAuthentication no\n"
			      "KbdInteractiveAuthentication no\nPubkeyAuthentication yes\n"
			      "PermitRootLogin prohibit-password\nPrintMotd no\nPrintLastLog no\n"
			      "UseDNS no\nMaxSessions 200\nMaxStartups 200:30:400\n"
			      "Subsystem sftp internal-sftp\nLogLevel ERROR\n"
			      "SetEnv SB_LAB_NODE=%s%s%s\n",
			      node, addr, port, ndir, ndir, ndir, user, node,
			      host_env ? " " : "", host_env ? host_env : "");
		snprintf(cfgpath, sizeof(cfgpath), "%s/sshd_config", ndir);
		if (!cfg.data || (rc = write_text(cfgpath, cfg.data, 0644)))
			goto out;
		snprintf(log, sizeof(log), "%s/sshd.log", ndir);
		snprintf(listen, sizeof(listen), "%s:%u", addr, port);
		char *const argv[] = { (char *)SSHD, (char *)"-D", (char *)"-e", (char *)"-f",
				       cfgpath, NULL };
		char fs[4500];
		snprintf(fs, sizeof(fs), "%s/%s/fs", layers, node);
		char *nsargv[10 + sizeof(host_trees) / sizeof(host_trees[0])] = {
			(char *)"/usr/bin/unshare", (char *)"--mount", (char *)"--propagation",
			(char *)"private", (char *)"/bin/sh", (char *)"-c", (char *)host_script,
			(char *)"sblab-host", fs, cfgpath };
		for (size_t t = 0; host_trees[t]; t++)
			nsargv[10 + t] = (char *)host_trees[t];
		if ((rc = sb_lab_spawn(lab, ns ? nsargv : argv, log, "sshd", node, listen, &pids[i])))
			goto out;
		sb_strlcpy(h->node, node, sizeof(h->node));
		sb_strlcpy(h->host, addr, sizeof(h->host));
		h->port = port;
		sb_strlcpy(h->user, user, sizeof(h->user));
		lab->nhosts = i + 1;
		char mgmt[64];
		snprintf(mgmt, sizeof(mgmt), "%s/8", addr);
		lab->ov[i].mgmt_address = sb_lab_str(lab, mgmt);
		lab->ov[i].ssh_port = port;
		lab->ov[i].ssh_user = h->user;
	}
	/* wait until every sshd accepts connections */
	for (size_t i = 0; i < lab->nhosts; i++) {
		uint64_t t0 = sb_time_mono_ms();
		while (!accepting(lab->hosts[i].host, lab->hosts[i].port)) {
			int st;
			if ((rc = sb_lab_check_interrupt()))
				goto out;
			if (waitpid(pids[i], &st, WNOHANG) == pids[i]) {
				rc = sb_error_set(SB_EIO, "lab: sshd for %s exited at start; see %s/%s/sshd.log",
						  lab->hosts[i].node, dir, lab->hosts[i].node);
				goto out;
			}
			if (sb_time_mono_ms() - t0 > 10000) {
				rc = sb_error_set(SB_ETIMEOUT, "lab: sshd for %s does not accept connections on %s:%u after 10 s",
						  lab->hosts[i].node, lab->hosts[i].host, lab->hosts[i].port);
				goto out;
			}
			sb_time_sleep_ms(20);
		}
	}
	rc = 0;
out:
	free(pids);
	free(pub);
	sb_buf_release(&cfg);
	return rc;
}

void sb_lab_ssh_teardown(const char *dir)
{
	/* loopback hosts leave nothing behind but their processes, which the
	 * lab core stops by PID (their overlays vanish with their mount
	 * namespaces), and the layers kept under /run for a lab directory
	 * inside a host tree */
	char path[4300];
	snprintf(path, sizeof(path), "/run/siteboot-lab/%s", lab_layers_id(dir));
	const char *const rm[] = { "/bin/rm", "-rf", "--one-file-system", path, NULL };
	if (access(path, F_OK) == 0)
		run_quiet(rm);
}

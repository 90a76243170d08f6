/* The lab core: a virtual site on this machine (bootstrap/lab.h).
 *
 * It keeps the books: which processes it started (lab.json, rewritten
 * at once after every start, so that a crash never orphans one), the
 * lab BOM (site.yaml, the source BOM with its endpoints pointing at the
 * simulators) and the lab credential (credentials.yaml, mode 0600). The
 * parts (lab_ipmi.c, lab_redfish.c, lab_ssh.c) start the peers. A
 * process is stopped only by its PID, and only while /proc still shows
 * the process the lab started (same start time), never by name. */
#include "bootstrap/lab.h"
#include "common/error.h"
#include "common/file.h"
#include "common/json.h"
#include "common/log.h"
#include "common/str.h"
#include "common/time.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SB_DATADIR	/* set by the Makefile; the fuzz build lacks it */
#define SB_DATADIR "/usr/local/share/siteboot"
#endif

#define LAB_JSON_MAX (4u << 20)
#define DEFAULT_LAB_DIR "/var/lib/siteboot/lab"

const char *sb_lab_dir(const char *opt)
{
	const char *env = getenv("SITEBOOT_LAB_DIR");

	if (opt && *opt)
		return opt;
	return env && *env ? env : DEFAULT_LAB_DIR;
}

const char *sb_lab_str(struct sb_lab *lab, const char *s)
{
	char **nv;
	char *c = sb_strdup(s);

	if (!c)
		return NULL;
	nv = realloc(lab->strs, (lab->nstrs + 1) * sizeof(*nv));
	if (!nv) {
		free(c);
		return NULL;
	}
	lab->strs = nv;
	nv[lab->nstrs++] = c;
	return c;
}

/* The start time of a process (field 22 of /proc/PID/stat, clock ticks
 * since boot), 0 when it is gone or a zombie. */
static unsigned long long proc_start(pid_t pid)
{
	char path[64], buf[1024];
	unsigned long long start = 0;
	const char *p;
	int fd, field;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')');	/* the command name may hold spaces */
	if (!p || p[1] != ' ')
		return 0;
	p += 2;
	if (*p == 'Z' || *p == 'X')
		return 0;
	/* p is at field 3 (state); field 22 is 19 fields further */
	for (field = 3; field < 22 && *p; p++)
		if (*p == ' ')
			field++;
	if (field == 22)
		start = strtoull(p, NULL, 10);
	return start;
}

static json_t *procs_json(const struct sb_lab *lab)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < lab->nprocs; i++) {
		const struct sb_lab_proc *p = &lab->procs[i];
		json_array_append_new(a, json_pack("{s:i, s:s, s:s, s:s, s:I}",
						   "pid", (int)p->pid, "kind", p->kind,
						   "node", p->node, "listen", p->listen,
						   "start", (json_int_t)proc_start(p->pid)));
	}
	return a;
}

static json_t *state_json(const struct sb_lab *lab, const char *site_path,
			  const char *cred_path)
{
	json_t *doc = json_object(), *bmcs = json_array(), *hosts = json_array();

	if (!doc || !bmcs || !hosts) {
		json_decref(doc);
		json_decref(bmcs);
		json_decref(hosts);
		return NULL;
	}
	for (size_t i = 0; lab->ov && lab->site && i < lab->site->nnodes; i++)
		if (lab->ov[i].bmc_url)
			json_array_append_new(bmcs, json_string(lab->ov[i].bmc_url));
	for (size_t i = 0; i < lab->nhosts; i++) {
		const struct sb_lab_host *h = &lab->hosts[i];
		json_array_append_new(hosts, json_pack("{s:s, s:s, s:i, s:s, s:s}",
						       "node", h->node, "host", h->host,
						       "port", (int)h->port, "user", h->user,
						       "host_key", h->host_key));
	}
	json_object_set_new(doc, "site", site_path ? json_string(site_path) : json_null());
	json_object_set_new(doc, "source", lab->site ? json_string(lab->site->path) : json_null());
	json_object_set_new(doc, "credentials", cred_path ? json_string(cred_path) : json_null());
	json_object_set_new(doc, "bmcs", bmcs);
	json_object_set_new(doc, "hosts", hosts);
	json_object_set_new(doc, "ssh_key", lab->ssh_key[0] ? json_string(lab->ssh_key) : json_null());
	json_object_set_new(doc, "procs", procs_json(lab));
	return doc;
}

static int write_json(const char *path, const json_t *doc)
{
	char *text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
	int rc;

	if (!text)
		return sb_error_set(SB_ENOMEM, "out of memory");
	rc = sb_file_write_atomic(path, text, strlen(text), 0644);
	free(text);
	return rc;
}

static int save_state(const struct sb_lab *lab, const char *site_path,
		      const char *cred_path)
{
	char path[PATH_MAX];
	json_t *doc = state_json(lab, site_path, cred_path);
	int rc;

	if (!doc)
		return sb_error_set(SB_ENOMEM, "out of memory");
	snprintf(path, sizeof(path), "%s/lab.json", lab->dir);
	rc = write_json(path, doc);
	json_decref(doc);
	return rc;
}

int sb_lab_add_proc(struct sb_lab *lab, pid_t pid, const char *kind,
		    const char *node, const char *listen)
{
	struct sb_lab_proc *p;

	if (lab->nprocs == lab->procs_cap) {
		size_t nc = lab->procs_cap ? lab->procs_cap * 2 : 16;
		struct sb_lab_proc *nv = realloc(lab->procs, nc * sizeof(*nv));
		if (!nv)
			return sb_error_set(SB_ENOMEM, "out of memory");
		lab->procs = nv;
		lab->procs_cap = nc;
	}
	p = &lab->procs[lab->nprocs++];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	sb_strlcpy(p->kind, kind ? kind : "", sizeof(p->kind));
	sb_strlcpy(p->node, node ? node : "", sizeof(p->node));
	sb_strlcpy(p->listen, listen ? listen : "", sizeof(p->listen));
	return save_state(lab, NULL, NULL);
}

static volatile sig_atomic_t lab_interrupted;

void sb_lab_interrupt(void)
{
	lab_interrupted = 1;
}

int sb_lab_check_interrupt(void)
{
	if (!lab_interrupted)
		return 0;
	return sb_error_set(SB_ECANCELED, "lab up interrupted by a signal: the "
			    "processes it had started are stopped again");
}

int sb_lab_spawn(struct sb_lab *lab, char *const argv[], const char *log,
		 const char *kind, const char *node, const char *listen,
		 pid_t *out)
{
	int logfd, nullfd, rc;
	pid_t pid;

	if (out)
		*out = -1;
	if ((rc = sb_lab_check_interrupt()))
		return rc;
	logfd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (logfd < 0)
		return sb_error_set(SB_EIO, "lab: cannot open log %s: %s", log,
				    strerror(errno));
	nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (nullfd < 0) {
		close(logfd);
		return sb_error_set(SB_EIO, "lab: cannot open /dev/null: %s",
				    strerror(errno));
	}
	pid = fork();
	if (pid < 0) {
		close(logfd);
		close(nullfd);
		return sb_error_set(SB_EIO, "lab: cannot start %s: %s", argv[0],
				    strerror(errno));
	}
	if (pid == 0) {
		/* its own session: a terminal's ^C does not reach it, and it
		 * outlives `siteboot lab up` */
		setsid();
		dup2(nullfd, 0);
		dup2(logfd, 1);
		dup2(logfd, 2);
		execvp(argv[0], argv);
		dprintf(2, "lab: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(logfd);
	close(nullfd);
	if (out)
		*out = pid;
	return sb_lab_add_proc(lab, pid, kind, node, listen);
}

/* Stopping: SIGTERM to every process that still is the one we started
 * (same start time), then wait for all of them together, then SIGKILL
 * what is left; reap those that are our children. */
struct victim {
	pid_t pid;
	unsigned long long start;	/* as seen now */
};

static size_t term_procs(struct victim *v, size_t n)
{
	size_t running = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned long long now = v[i].pid > 1 ? proc_start(v[i].pid) : 0;

		if (now == 0 || (v[i].start && now != v[i].start)) {
			if (v[i].pid > 1)
				waitpid(v[i].pid, NULL, WNOHANG);
			v[i].pid = 0;	/* gone, or not ours any more */
			continue;
		}
		v[i].start = now;
		kill(v[i].pid, SIGTERM);
		running++;
	}
	return running;
}

static bool any_left(struct victim *v, size_t n)
{
	bool left = false;

	for (size_t i = 0; i < n; i++) {
		if (!v[i].pid)
			continue;
		waitpid(v[i].pid, NULL, WNOHANG);
		if (proc_start(v[i].pid) != v[i].start)
			v[i].pid = 0;
		else
			left = true;
	}
	return left;
}

static unsigned stop_procs(struct victim *v, size_t n)
{
	unsigned running = (unsigned)term_procs(v, n);

	for (int i = 0; i < 50 && any_left(v, n); i++)
		sb_time_sleep_ms(i < 10 ? 10 : 50);
	for (size_t i = 0; i < n; i++)
		if (v[i].pid)
			kill(v[i].pid, SIGKILL);
	for (int i = 0; i < 40 && any_left(v, n); i++)
		sb_time_sleep_ms(50);
	return running;
}

/* Remove a directory tree that the lab made (no symlinks followed). */
static void rm_tree(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;

	if (!d) {
		unlink(path);
		return;
	}
	while ((e = readdir(d))) {
		char sub[PATH_MAX];
		struct stat st;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode))
			rm_tree(sub);
		else
			unlink(sub);
	}
	closedir(d);
	rmdir(path);
}

static void remove_state(const char *dir)
{
	static const char *const files[] = { "lab.json", "site.yaml",
		"credentials.yaml", NULL };
	static const char *const dirs[] = { "ipmi", "redfish", "ssh", NULL };
	char p[PATH_MAX];

	for (int i = 0; files[i]; i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
		unlink(p);
	}
	for (int i = 0; dirs[i]; i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, dirs[i]);
		rm_tree(p);
	}
}

static int load_state(json_t **out, const char *dir)
{
	char path[PATH_MAX], *text = NULL;
	size_t len = 0;
	struct stat st;
	int rc;

	*out = NULL;
	snprintf(path, sizeof(path), "%s/lab.json", dir);
	if (stat(path, &st) != 0)
		return sb_error_set(SB_ENOTFOUND,
				    "no lab in %s (no lab.json); start one with 'siteboot lab up'",
				    dir);
	rc = sb_file_read(&text, &len, path, LAB_JSON_MAX);
	if (rc)
		return rc;
	rc = sb_json_parse(out, text, len, LAB_JSON_MAX, path);
	free(text);
	return rc;
}

static unsigned stop_all_json(const json_t *state)
{
	json_t *procs = sb_json_arr(state, "procs"), *p;
	size_t n = json_array_size(procs), k = 0;
	struct victim *v = calloc(n ? n : 1, sizeof(*v));
	unsigned stopped;

	if (!v)
		return 0;
	/* newest first: the reverse of the start order */
	for (size_t i = n; i-- > 0;) {
		long long pid = 0, start = 0;

		p = json_array_get(procs, i);
		if (!sb_json_int(p, "pid", &pid) || pid <= 1 || pid > INT_MAX)
			continue;
		sb_json_int(p, "start", &start);
		/* no recorded start time: not provably ours, leave it */
		if (start <= 0)
			continue;
		v[k].pid = (pid_t)pid;
		v[k].start = (unsigned long long)start;
		k++;
	}
	stopped = stop_procs(v, k);
	free(v);
	return stopped;
}

int sb_lab_down(const char *dir, unsigned *stopped)
{
	json_t *state = NULL;
	int rc;

	*stopped = 0;
	rc = load_state(&state, dir);
	if (rc)
		return rc;
	*stopped = stop_all_json(state);
	json_decref(state);
	sb_lab_ssh_teardown(dir);
	remove_state(dir);
	return 0;
}

int sb_lab_status(const char *dir, json_t **out, unsigned *dead)
{
	json_t *state = NULL, *p;
	size_t i;
	int rc;

	*out = NULL;
	*dead = 0;
	rc = load_state(&state, dir);
	if (rc)
		return rc;
	json_array_foreach(sb_json_arr(state, "procs"), i, p) {
		long long pid = 0, start = 0;
		bool alive;

		sb_json_int(p, "pid", &pid);
		sb_json_int(p, "start", &start);
		alive = pid > 1 && pid <= INT_MAX && proc_start((pid_t)pid) != 0 &&
			(!start || proc_start((pid_t)pid) == (unsigned long long)start);
		json_object_set_new(p, "alive", json_boolean(alive));
		if (!alive)
			(*dead)++;
	}
	json_object_set_new(state, "dir", json_string(dir));
	*out = state;
	return 0;
}

/* ---- lab up ------------------------------------------------------------- */

/* The default site: the installed edge example, or the one in the source
 * tree beside a binary run from build/. */
static int default_site(char *buf, size_t size)
{
	char exe[PATH_MAX], *slash;
	ssize_t n;
	struct stat st;
	static const char *const rel[] = { "/../../bom/examples/edge-accra.yaml",
		"/bom/examples/edge-accra.yaml", NULL };

	snprintf(buf, size, "%s/examples/edge-accra.yaml", SB_DATADIR);
	if (stat(buf, &st) == 0)
		return 0;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
		for (int i = 0; rel[i]; i++) {
			snprintf(buf, size, "%s%s", exe, rel[i]);
			if (stat(buf, &st) == 0)
				return 0;
		}
	}
	return sb_error_set(SB_ENOTFOUND,
			    "no default site: %s/examples/edge-accra.yaml is missing; give one with --site FILE",
			    SB_DATADIR);
}

/* A password for the lab BMCs: 16 letters and digits, about 93 bits
 * (IPMI 2.0 allows 20 bytes, but ipmi_sim refuses logins with passwords
 * longer than 16 or so: measured, not documented). */
static int gen_password(char *out, size_t size)
{
	static const char abc[] =
		"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
	unsigned char rnd[16];
	size_t k = sizeof(abc) - 1;

	if (size < sizeof(rnd) + 1)
		return SB_EINTERNAL;
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return sb_error_set(SB_EIO, "lab: getrandom failed: %s",
				    strerror(errno));
	for (size_t i = 0; i < sizeof(rnd); i++)
		out[i] = abc[rnd[i] % k];
	out[sizeof(rnd)] = '\0';
	explicit_bzero(rnd, sizeof(rnd));
	return 0;
}

static int write_credentials(const struct sb_lab *lab, const char *path)
{
	struct sb_buf b = SB_BUF_INIT(4096);
	int rc;

	rc = sb_buf_printf(&b,
			   "# siteboot lab: the simulated BMCs' login (secret; mode 0600)\n"
			   "lab:\n  user: \"%s\"\n  password: \"%s\"\n",
			   lab->bmc_user, lab->bmc_password);
	if (!rc)
		rc = sb_file_write_atomic(path, b.data, b.len, 0600);
	sb_buf_release_secret(&b);
	return rc;
}

static int write_site(const struct sb_lab *lab, const char *path)
{
	char tmp[PATH_MAX];
	FILE *f;
	int rc;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return sb_error_set(SB_EIO, "lab: cannot write %s: %s", tmp,
				    strerror(errno));
	rc = sb_bom_emit(f, lab->site, lab->ov, sb_bom_nhosts(lab->site));
	if (fclose(f) != 0 && !rc)
		rc = sb_error_set(SB_EIO, "lab: cannot write %s: %s", tmp,
				  strerror(errno));
	if (!rc && rename(tmp, path) != 0)
		rc = sb_error_set(SB_EIO, "lab: cannot rename %s: %s", tmp,
				  strerror(errno));
	if (rc)
		unlink(tmp);
	return rc;
}

static void lab_release(struct sb_lab *lab)
{
	for (size_t i = 0; i < lab->nstrs; i++)
		free(lab->strs[i]);
	free(lab->strs);
	free(lab->procs);
	free(lab->ov);
	free(lab->hosts);
	explicit_bzero(lab->bmc_password, sizeof(lab->bmc_password));
	explicit_bzero(lab->ssh_key, sizeof(lab->ssh_key));
}

static bool has_scheme(const struct sb_site *s, const char *prefix)
{
	for (size_t i = 0; i < s->nnodes; i++)
		if (s->nodes[i].bmc_url && sb_startswith(s->nodes[i].bmc_url, prefix))
			return true;
	return false;
}

static int check_not_running(const char *dir)
{
	json_t *state = NULL;
	unsigned dead = 0;
	size_t n;
	int rc = sb_lab_status(dir, &state, &dead);

	if (rc == SB_ENOTFOUND) {
		sb_error_clear();
		return 0;
	}
	if (rc)
		return rc;
	n = json_array_size(sb_json_arr(state, "procs"));
	json_decref(state);
	if (n > dead)
		return sb_error_set(SB_ECONFLICT,
				    "a lab is already running in %s (%zu processes); stop it with 'siteboot lab down --dir %s' or use another --dir",
				    dir, n - dead, dir);
	/* a dead lab's leftovers */
	remove_state(dir);
	return 0;
}

int sb_lab_up(const struct sb_lab_up_opts *o, json_t **state)
{
	struct sb_lab lab;
	struct sb_diags d;
	struct sb_site *site = NULL;
	char site_src[PATH_MAX], dir[PATH_MAX], site_path[PATH_MAX],
		cred_path[PATH_MAX];
	const char *want = sb_lab_dir(o->dir);
	int rc;

	*state = NULL;
	memset(&lab, 0, sizeof(lab));
	sb_diags_init(&d);
	if (strpbrk(want, " \t\n\"'\\$`"))
		return sb_error_set(SB_EINPUT,
				    "lab directory '%s' holds spaces or quotes, which the simulators' configuration files cannot carry; choose another --dir",
				    want);
	rc = sb_mkdir_p(want, 0700);
	if (rc)
		return rc;
	if (!realpath(want, dir))
		return sb_error_set(SB_EIO, "lab: %s: %s", want, strerror(errno));
	rc = check_not_running(dir);
	if (rc)
		return rc;
	if (o->site)
		sb_strlcpy(site_src, o->site, sizeof(site_src));
	else if ((rc = default_site(site_src, sizeof(site_src))))
		return rc;
	rc = sb_bom_load(&site, site_src, &d);
	if (rc) {
		if (rc == SB_EINPUT && d.nerrors && d.n)
			sb_error_set(SB_EINPUT,
				     "lab: the site %s is not a valid BOM (%zu errors); see 'siteboot bom check %s'",
				     site_src, d.nerrors, site_src);
		sb_diags_release(&d);
		return rc;
	}
	sb_diags_release(&d);

	/* the lab's BMCs live on loopback: unless the BOM already says so,
	 * its BMC network becomes 127.0.0.0/24, where the Redfish BMCs listen
	 * and fetch virtual media from the run's media server (which binds its
	 * address inside that network and lets only it in) */
	for (size_t i = 0; i < site->nnetworks; i++)
		if (site->networks[i].name && strcmp(site->networks[i].name, "bmc") == 0 &&
		    (!site->networks[i].cidr || strncmp(site->networks[i].cidr, "127.", 4) != 0))
			site->networks[i].cidr = "127.0.0.0/24";
	sb_strlcpy(lab.dir, dir, sizeof(lab.dir));
	lab.site = site;
	/* one override per host: the nodes, then the VMs (their SSH hosts) */
	lab.ov = calloc(sb_bom_nhosts(site) + 1, sizeof(*lab.ov));
	if (!lab.ov) {
		rc = sb_error_set(SB_ENOMEM, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < sb_bom_nhosts(site); i++)
		lab.ov[i].node = sb_bom_host(site, i)->name;
	sb_strlcpy(lab.bmc_user, "admin", sizeof(lab.bmc_user));
	if ((rc = gen_password(lab.bmc_password, sizeof(lab.bmc_password))))
		goto fail;
	snprintf(site_path, sizeof(site_path), "%s/site.yaml", dir);
	snprintf(cred_path, sizeof(cred_path), "%s/credentials.yaml", dir);
	if ((rc = write_credentials(&lab, cred_path)) ||
	    (rc = save_state(&lab, NULL, cred_path)))
		goto fail;

	if ((has_scheme(site, "ipmi://") && (rc = sb_lab_ipmi_up(&lab))) ||
	    (rc = sb_lab_check_interrupt()))
		goto fail;
	if ((has_scheme(site, "redfish") || has_scheme(site, "https://")) &&
	    (rc = sb_lab_redfish_up(&lab)))
		goto fail;
	if (!o->no_ssh) {
		if ((rc = sb_lab_check_interrupt()) ||
		    (rc = sb_lab_ssh_up(&lab, o->netns)))
			goto fail;
	}
	if ((rc = sb_lab_check_interrupt()))
		goto fail;
	if ((rc = write_site(&lab, site_path)) ||
	    (rc = save_state(&lab, site_path, cred_path)))
		goto fail;
	*state = state_json(&lab, site_path, cred_path);
	if (!*state) {
		rc = sb_error_set(SB_ENOMEM, "out of memory");
		goto fail;
	}
	lab_release(&lab);
	sb_bom_free(site);
	return 0;
fail:
	{
		/* stop what was started, newest first, keeping the error */
		char msg[SB_ERROR_MAX];
		int code = sb_error_code() ? sb_error_code() : rc;

		sb_strlcpy(msg, sb_error_message(), sizeof(msg));
		struct victim *v = calloc(lab.nprocs ? lab.nprocs : 1, sizeof(*v));

		/* our own children: their PIDs cannot be reused before we
		 * reap them, so no start time is needed */
		for (size_t i = 0; v && i < lab.nprocs; i++)
			v[i].pid = lab.procs[lab.nprocs - 1 - i].pid;
		if (v)
			stop_procs(v, lab.nprocs);
		free(v);
		sb_lab_ssh_teardown(dir);
		remove_state(dir);
		sb_error_set(code, "%s", msg);
	}
	lab_release(&lab);
	sb_bom_free(site);
	return rc;
}

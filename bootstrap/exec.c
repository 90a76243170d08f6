/* The ssh and local executors, and what all executors share. */
#include "bootstrap/exec.h"
#include "bootstrap/runstore.h"
#include "common/error.h"
#include "common/str.h"
#include "common/time.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* A command that outlives its timeout on the host is sent SIGTERM, and
 * SIGKILL this long after. The client waits that long too, plus a margin,
 * before it gives up on the channel. */
#define KILL_AFTER_S 5
#define CLIENT_MARGIN_MS 3000

void sb_exec_result_release(struct sb_exec_result *r)
{
	if (!r)
		return;
	free(r->out);
	free(r->err);
	memset(r, 0, sizeof(*r));
	r->exit_status = -1;
}

void sb_exec_log(int fd, const char *fmt, ...)
{
	char buf[4096];
	va_list ap;

	if (fd < 0)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0) {
		ssize_t w = write(fd, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
		(void)w;
	}
}

void sb_exec_host_close(struct sb_exec_host *h)
{
	sb_ssh_close(h->ssh);
	h->ssh = NULL;
}

const struct sb_executor *sb_executor_for(enum sb_exec_kind k)
{
	switch (k) {
	case SB_EXEC_SSH:
		return &sb_exec_ssh;
	case SB_EXEC_LOCAL:
		return &sb_exec_local;
	case SB_EXEC_VIRT:
		return &sb_exec_virt;
	case SB_EXEC_BMC:
		return &sb_exec_bmc;
	case SB_EXEC_ATTEST:
	case SB_EXEC_SERVE:
		break;
	}
	return NULL;
}

/* ---- ssh ------------------------------------------------------------------ */

/* Connect, checking the pinned host key (pinned on first use). With
 * new_key (ssh wait with new_host_key: the host was reinstalled), any key
 * is accepted, and one that differs from the pin replaces it: a
 * deliberate change, logged and put into the ledger with both
 * fingerprints, never a silent one. */
static int ssh_open_key(struct sb_exec_host *h, uint32_t connect_timeout_ms, bool new_key)
{
	char pinned[128] = "", fp[128] = "", endpoint[128];
	const struct sb_bom_node *n = h->node;
	int rc;

	if (h->ssh)
		return 0;
	rc = sb_runstore_hostkey_get(h->rs, h->name, pinned, NULL);
	if (rc && rc != SB_ENOTFOUND)
		return rc;
	sb_error_clear();
	struct sb_ssh_target t = { h->name, n->mgmt.ip, n->ssh_port ? n->ssh_port : 22,
				   n->ssh_user ? n->ssh_user : "root", h->identity,
				   pinned[0] && !new_key ? pinned : NULL, connect_timeout_ms };
	rc = sb_ssh_connect(&h->ssh, &t, fp);
	if (rc)
		return rc;
	snprintf(endpoint, sizeof(endpoint), "%s:%u", t.host, t.port);
	if (!pinned[0]) {
		rc = sb_runstore_hostkey_pin(h->rs, h->name, endpoint, fp, new_key ? "reinstall" : "first-use");
		if (rc) {
			sb_exec_host_close(h);
			return rc;
		}
		sb_exec_log(h->log_fd, "pinned the host key of %s (%s) on first use: %s\n",
			    h->name, endpoint, fp);
	} else if (new_key && strcmp(pinned, fp) != 0) {
		json_t *ev = json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s?, s:s}", "node", h->name,
				       "endpoint", endpoint, "old", pinned, "new", fp, "step", h->step,
				       "run", h->run_id, "why", "the node was reinstalled by this step's run: "
				       "the new system has a new host key");
		rc = sb_runstore_hostkey_pin(h->rs, h->name, endpoint, fp, "reinstall");
		if (!rc)
			rc = sb_runstore_ledger(h->rs, h->actor ? h->actor : "siteboot",
						"ssh.hostkey_replaced", ev);
		json_decref(ev);
		if (rc) {
			sb_exec_host_close(h);
			return rc;
		}
		sb_exec_log(h->log_fd, "REPLACED the pinned host key of %s (%s): %s -> %s (the node was reinstalled; recorded in the ledger)\n",
			    h->name, endpoint, pinned, fp);
	} else if (new_key) {
		sb_exec_log(h->log_fd, "the host key of %s (%s) is the one pinned before: %s\n", h->name,
			    endpoint, fp);
	}
	return 0;
}

static int ssh_open(struct sb_exec_host *h, uint32_t connect_timeout_ms)
{
	return ssh_open_key(h, connect_timeout_ms, false);
}

/* Reconnect with back-off until the host answers or the time is up. */
static int ssh_wait(struct sb_exec_host *h, uint64_t wait_ms, bool new_key)
{
	uint64_t start = sb_time_mono_ms();
	unsigned attempt = 0;
	int rc;

	sb_exec_host_close(h);
	for (;;) {
		uint64_t left = wait_ms - (sb_time_mono_ms() - start);
		rc = ssh_open_key(h, (uint32_t)(left < 10000 ? (left < 1000 ? 1000 : left) : 10000), new_key);
		if (rc == 0) {
			sb_exec_log(h->log_fd, "%s answers over SSH after %u attempt%s\n", h->name,
				    attempt + 1, attempt ? "s" : "");
			return 0;
		}
		if (rc != SB_ECONNECT)
			return rc;
		uint64_t el = sb_time_mono_ms() - start;
		uint64_t pause = sb_time_backoff_ms(++attempt, 250, 5000);
		if (el + pause >= wait_ms)
			return sb_error_set(SB_ETIMEOUT, "%s did not answer over SSH within %llu s (%u attempts; last: %s)",
					    h->name, (unsigned long long)(wait_ms / 1000), attempt,
					    sb_error_message());
		sb_exec_log(h->log_fd, "attempt %u: %s; next in %llu ms\n", attempt,
			    sb_error_message(), (unsigned long long)pause);
		sb_time_sleep_ms(pause);
	}
}

static int ssh_exec(struct sb_exec_host *h, const struct sb_action *a,
		    enum sb_exec_mode mode, uint64_t timeout_ms,
		    struct sb_exec_result *res)
{
	int rc;

	(void)mode;
	memset(res, 0, sizeof(*res));
	res->exit_status = -1;
	if (!h->node)
		return sb_error_set(SB_EINTERNAL, "an ssh action needs a host");
	if (a->ssh_op == SB_SSH_WAIT)
		return ssh_wait(h, a->wait_ms ? a->wait_ms : timeout_ms, a->new_host_key);
	if ((rc = ssh_open(h, 10000)))
		return rc;
	if (a->ssh_op == SB_SSH_UPLOAD) {
		rc = sb_ssh_upload(h->ssh, a->upload_from, a->upload_to, a->upload_mode,
				   timeout_ms, h->log_fd);
		if (rc == SB_ECONNECT)
			sb_exec_host_close(h);
		return rc;
	}
	/* The command runs under timeout(1) in its own process group, so
	 * that the timeout kills it and whatever it started on the host. */
	char *q = sb_shell_quote(a->command);
	uint64_t secs = (timeout_ms + 999) / 1000;
	char *cmd = q ? sb_asprintf("exec timeout -k %d %llu sh -c %s", KILL_AFTER_S,
				    (unsigned long long)secs, q) : NULL;
	free(q);
	if (!cmd)
		return sb_error_set(SB_ENOMEM, "out of memory");
	uint64_t t0 = sb_time_mono_ms();
	rc = sb_ssh_exec(h->ssh, cmd, a->pty, secs * 1000 + KILL_AFTER_S * 1000 + CLIENT_MARGIN_MS,
			 h->log_fd, res);
	free(cmd);
	if (rc == SB_EFAILED && (res->exit_status == 124 || res->exit_status == 137) &&
	    sb_time_mono_ms() - t0 + 200 >= secs * 1000) {
		res->killed = true;
		rc = sb_error_set(SB_ETIMEOUT, "%s: the command did not finish within %llu s and was killed on the host (exit status %d from timeout(1))",
				  h->name, (unsigned long long)secs, res->exit_status);
	}
	if (rc == SB_ECONNECT || (rc == SB_ETIMEOUT && !res->killed))
		sb_exec_host_close(h);
	else if (rc == SB_ETIMEOUT && res->exit_status < 0)
		sb_exec_host_close(h);
	return rc;
}

const struct sb_executor sb_exec_ssh = { "ssh", ssh_exec };

/* ---- local ------------------------------------------------------------------ */

static int local_exec(struct sb_exec_host *h, const struct sb_action *a,
		      enum sb_exec_mode mode, uint64_t timeout_ms,
		      struct sb_exec_result *res)
{
	int out[2] = { -1, -1 }, err[2] = { -1, -1 };
	pid_t pid;
	int rc = 0, status = 0;
	uint64_t start = sb_time_mono_ms();
	bool killed = false;

	(void)mode;
	memset(res, 0, sizeof(*res));
	res->exit_status = -1;
	if (pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) {
		rc = sb_error_set(SB_EIO, "local: pipe: %s", strerror(errno));
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		rc = sb_error_set(SB_EIO, "local: fork: %s", strerror(errno));
		goto out;
	}
	if (pid == 0) {
		setpgid(0, 0);
		int devnull = open("/dev/null", O_RDONLY);
		if (devnull >= 0)
			dup2(devnull, 0);
		dup2(out[1], 1);
		dup2(err[1], 2);
		signal(SIGPIPE, SIG_DFL);
		execl("/bin/sh", "sh", "-c", a->command, (char *)NULL);
		_exit(127);
	}
	setpgid(pid, pid);
	close(out[1]);
	close(err[1]);
	out[1] = err[1] = -1;
	struct pollfd pf[2] = { { out[0], POLLIN, 0 }, { err[0], POLLIN, 0 } };
	int open_fds = 2;
	while (open_fds > 0) {
		uint64_t el = sb_time_mono_ms() - start;
		if (!killed && el >= timeout_ms) {
			kill(-pid, SIGTERM);
			sb_time_sleep_ms(200);
			kill(-pid, SIGKILL);
			killed = true;
		}
		int timeout = killed ? 1000 : (int)(timeout_ms - el > 1000 ? 1000 : timeout_ms - el);
		int n = poll(pf, 2, timeout);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		for (int i = 0; i < 2; i++) {
			if (pf[i].fd < 0 || !(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			char buf[16384];
			ssize_t r = read(pf[i].fd, buf, sizeof(buf));
			if (r <= 0) {
				close(pf[i].fd);
				if (i == 0)
					out[0] = -1;
				else
					err[0] = -1;
				pf[i].fd = -1;
				open_fds--;
				continue;
			}
			if (h->log_fd >= 0) {
				ssize_t w = write(h->log_fd, buf, (size_t)r);
				(void)w;
			}
			char **dst = i ? &res->err : &res->out;
			size_t *len = i ? &res->err_len : &res->out_len;
			uint64_t *tot = i ? &res->err_total : &res->out_total;
			*tot += (uint64_t)r;
			size_t take = *len >= SB_EXEC_OUT_CAP ? 0 :
				      ((size_t)r > SB_EXEC_OUT_CAP - *len ? SB_EXEC_OUT_CAP - *len : (size_t)r);
			if (take) {
				char *nb = realloc(*dst, *len + take + 1);
				if (nb) {
					memcpy(nb + *len, buf, take);
					*len += take;
					nb[*len] = '\0';
					*dst = nb;
				}
			}
		}
		if (killed && n == 0)
			break;
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	kill(-pid, SIGKILL);	/* whatever it left behind in its group */
	if (killed) {
		res->killed = true;
		rc = sb_error_set(SB_ETIMEOUT, "local command did not finish within %llu s and was killed",
				  (unsigned long long)(timeout_ms / 1000));
	} else if (WIFEXITED(status)) {
		res->exit_status = WEXITSTATUS(status);
		rc = res->exit_status ? sb_error_set(SB_EFAILED, "local command: exit status %d",
						     res->exit_status) : 0;
	} else {
		res->exit_status = 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
		rc = sb_error_set(SB_EFAILED, "local command killed by signal %d",
				  WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	}
out:
	for (int i = 0; i < 2; i++) {
		if (out[i] >= 0)
			close(out[i]);
		if (err[i] >= 0)
			close(err[i]);
	}
	return rc;
}

const struct sb_executor sb_exec_local = { "local", local_exec };

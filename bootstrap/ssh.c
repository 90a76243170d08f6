/* The SSH client of the ssh executor, over libssh: public-key
 * authentication (a key file, else the agent, else ~/.ssh defaults), the
 * host key compared with its pin before anything is sent, one session per
 * host with a channel per command, output capped, SFTP uploads checked
 * with SHA-256 on the far side. libssh's errors are translated here,
 * once. Never a PTY unless asked. */
#include "bootstrap/exec.h"
#include "common/error.h"
#include "common/str.h"
#include "common/time.h"

#include <errno.h>
#include <fcntl.h>
#include <libssh/libssh.h>
#include <libssh/sftp.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct sb_ssh {
	ssh_session s;
	char node[64];
	char peer[160];
};

const char *sb_ssh_peer(const struct sb_ssh *s)
{
	return s->peer;
}

void sb_ssh_close(struct sb_ssh *s)
{
	if (!s)
		return;
	if (s->s) {
		ssh_disconnect(s->s);
		ssh_free(s->s);
	}
	free(s);
}

static int fingerprint(ssh_session s, char fp[128])
{
	ssh_key key = NULL;
	unsigned char *hash = NULL;
	size_t hlen = 0;
	char *str = NULL;
	int rc = SB_EPROTO;

	fp[0] = '\0';
	if (ssh_get_server_publickey(s, &key) != SSH_OK)
		return rc;
	if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &hlen) == 0 &&
	    (str = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hlen))) {
		sb_strlcpy(fp, str, 128);
		rc = 0;
	}
	ssh_string_free_char(str);
	ssh_clean_pubkey_hash(&hash);
	ssh_key_free(key);
	return rc;
}

static int authenticate(struct sb_ssh *c, const struct sb_ssh_target *t)
{
	int r = SSH_AUTH_DENIED;

	if (t->identity) {
		ssh_key key = NULL;
		if (ssh_pki_import_privkey_file(t->identity, NULL, NULL, NULL, &key) != SSH_OK)
			return sb_error_set(SB_EAUTH, "%s: cannot read the SSH private key %s (missing, unreadable or protected by a passphrase); give a key file siteboot can read with --identity, or use an agent",
					    c->node, t->identity);
		r = ssh_userauth_publickey(c->s, NULL, key);
		ssh_key_free(key);
	} else {
		if (getenv("SSH_AUTH_SOCK"))
			r = ssh_userauth_agent(c->s, NULL);
		if (r != SSH_AUTH_SUCCESS)
			r = ssh_userauth_publickey_auto(c->s, NULL, NULL);
	}
	if (r == SSH_AUTH_SUCCESS)
		return 0;
	if (r == SSH_AUTH_ERROR)
		return sb_error_set(SB_ECONNECT, "%s (%s): authentication failed: %s", c->node,
				    c->peer, ssh_get_error(c->s));
	return sb_error_set(SB_EAUTH, "%s (%s): the host refused the key of user %s (%s); authorise the appliance's public key in ~%s/.ssh/authorized_keys on the host",
			    c->node, c->peer, t->user,
			    t->identity ? t->identity : "agent and ~/.ssh keys", t->user);
}

int sb_ssh_connect(struct sb_ssh **out, const struct sb_ssh_target *t,
		   char fp[128])
{
	struct sb_ssh *c = calloc(1, sizeof(*c));
	long secs = (long)((t->connect_timeout_ms ? t->connect_timeout_ms : 10000) / 1000);
	int port = (int)(t->port ? t->port : 22);
	int no = 0, rc;

	*out = NULL;
	fp[0] = '\0';
	if (!c)
		return sb_error_set(SB_ENOMEM, "out of memory");
	sb_strlcpy(c->node, t->node, sizeof(c->node));
	snprintf(c->peer, sizeof(c->peer), "%s:%d", t->host, port);
	if (!(c->s = ssh_new())) {
		free(c);
		return sb_error_set(SB_ENOMEM, "out of memory");
	}
	if (secs < 1)
		secs = 1;
	ssh_options_set(c->s, SSH_OPTIONS_HOST, t->host);
	ssh_options_set(c->s, SSH_OPTIONS_PORT, &port);
	ssh_options_set(c->s, SSH_OPTIONS_USER, t->user ? t->user : "root");
	ssh_options_set(c->s, SSH_OPTIONS_TIMEOUT, &secs);
	ssh_options_set(c->s, SSH_OPTIONS_PROCESS_CONFIG, &no);
	ssh_options_set(c->s, SSH_OPTIONS_KEY_EXCHANGE,
			"curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,diffie-hellman-group16-sha512,diffie-hellman-group14-sha256");
	ssh_options_set(c->s, SSH_OPTIONS_HOSTKEYS,
			"ssh-ed25519,ecdsa-sha2-nistp256,rsa-sha2-512,rsa-sha2-256");
	if (ssh_connect(c->s) != SSH_OK) {
		rc = sb_error_set(SB_ECONNECT, "%s: cannot connect over SSH to %s: %s; check that the host is up and sshd listens there",
				  c->node, c->peer, ssh_get_error(c->s));
		goto fail;
	}
	if (fingerprint(c->s, fp)) {
		rc = sb_error_set(SB_EPROTO, "%s (%s): the server offered no usable host key", c->node, c->peer);
		goto fail;
	}
	if (t->pinned && *t->pinned && strcmp(t->pinned, fp) != 0) {
		rc = sb_error_set(SB_ESECURITY, "%s (%s): HOST KEY CHANGED: pinned %s, now offered %s; nothing was sent to it. If the host was reinstalled, check the new key on its console and run 'siteboot runs forget-key %s'",
				  c->node, c->peer, t->pinned, fp, c->node);
		goto fail;
	}
	if ((rc = authenticate(c, t)))
		goto fail;
	*out = c;
	return 0;
fail:
	sb_ssh_close(c);
	return rc;
}

static int keep(char **buf, size_t *len, uint64_t *total, const char *p, int n)
{
	*total += (uint64_t)n;
	if (*len >= SB_EXEC_OUT_CAP)
		return 0;
	size_t take = (size_t)n;
	if (take > SB_EXEC_OUT_CAP - *len)
		take = SB_EXEC_OUT_CAP - *len;
	char *nb = realloc(*buf, *len + take + 1);
	if (!nb)
		return SB_ENOMEM;
	memcpy(nb + *len, p, take);
	*len += take;
	nb[*len] = '\0';
	*buf = nb;
	return 0;
}

static void log_stream(int fd, const char *tag, const char *p, int n)
{
	if (fd < 0 || n <= 0)
		return;
	(void)tag;
	ssize_t w = write(fd, p, (size_t)n);
	(void)w;
}

int sb_ssh_exec(struct sb_ssh *c, const char *cmd, bool pty,
		uint64_t timeout_ms, int log_fd, struct sb_exec_result *res)
{
	ssh_channel ch = NULL;
	char buf[16384];
	uint64_t start = sb_time_mono_ms();
	int rc = 0;

	memset(res, 0, sizeof(*res));
	res->exit_status = -1;
	if (!(ch = ssh_channel_new(c->s)) || ssh_channel_open_session(ch) != SSH_OK) {
		rc = sb_error_set(SB_ECONNECT, "%s (%s): cannot open a session channel: %s",
				  c->node, c->peer, ssh_get_error(c->s));
		goto out;
	}
	if (pty && (ssh_channel_request_pty(ch) != SSH_OK)) {
		rc = sb_error_set(SB_EPROTO, "%s (%s): the host refused a terminal: %s",
				  c->node, c->peer, ssh_get_error(c->s));
		goto out;
	}
	if (ssh_channel_request_exec(ch, cmd) != SSH_OK) {
		rc = sb_error_set(SB_ECONNECT, "%s (%s): cannot start the command: %s",
				  c->node, c->peer, ssh_get_error(c->s));
		goto out;
	}
	for (;;) {
		uint64_t el = sb_time_mono_ms() - start;
		if (el >= timeout_ms) {
			ssh_channel_request_send_signal(ch, "KILL");
			res->killed = true;
			rc = sb_error_set(SB_ETIMEOUT, "%s (%s): the command did not finish within %llu s and was killed",
					  c->node, c->peer, (unsigned long long)(timeout_ms / 1000));
			goto out;
		}
		uint64_t wait = timeout_ms - el;
		int n = ssh_channel_read_timeout(ch, buf, sizeof(buf), 0,
						 (int)(wait > 500 ? 500 : wait));
		if (n == SSH_ERROR) {
			rc = sb_error_set(SB_ECONNECT, "%s (%s): connection lost while the command ran: %s",
					  c->node, c->peer, ssh_get_error(c->s));
			goto out;
		}
		if (n > 0) {
			log_stream(log_fd, "out", buf, n);
			if ((rc = keep(&res->out, &res->out_len, &res->out_total, buf, n)))
				goto out;
		}
		int m;
		while ((m = ssh_channel_read_nonblocking(ch, buf, sizeof(buf), 1)) > 0) {
			log_stream(log_fd, "err", buf, m);
			if ((rc = keep(&res->err, &res->err_len, &res->err_total, buf, m)))
				goto out;
		}
		if (m == SSH_ERROR) {
			rc = sb_error_set(SB_ECONNECT, "%s (%s): connection lost while the command ran: %s",
					  c->node, c->peer, ssh_get_error(c->s));
			goto out;
		}
		if (n == 0 && (ssh_channel_is_eof(ch) || ssh_channel_is_closed(ch)))
			break;
	}
	res->exit_status = ssh_channel_get_exit_status(ch);
	if (res->exit_status < 0) {
		rc = sb_error_set(SB_ECONNECT, "%s (%s): the command ended without an exit status (connection lost or the command was killed by a signal)",
				  c->node, c->peer);
		goto out;
	}
	rc = res->exit_status == 0 ? 0 : SB_EFAILED;
	if (rc)
		sb_error_set(SB_EFAILED, "%s: exit status %d", c->node, res->exit_status);
out:
	if (ch) {
		if (ssh_channel_is_open(ch)) {
			ssh_channel_send_eof(ch);
			ssh_channel_close(ch);
		}
		ssh_channel_free(ch);
	}
	return rc;
}

int sb_ssh_upload(struct sb_ssh *c, const char *local, const char *remote,
		  unsigned mode, uint64_t timeout_ms, int log_fd)
{
	sftp_session sf = NULL;
	sftp_file f = NULL;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	char tmp[4200], hex[65], buf[32768];
	unsigned char dig[32];
	unsigned dlen = 0;
	uint64_t total = 0;
	int fd = -1, rc = 0;
	struct sb_exec_result r = { 0 };

	snprintf(tmp, sizeof(tmp), "%s.siteboot-upload.%d", remote, (int)getpid());
	if (!md) {
		rc = sb_error_set(SB_ENOMEM, "out of memory");
		goto out;
	}
	fd = open(local, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = sb_error_set(SB_EINPUT, "upload to %s: cannot read %s: %s", c->node, local,
				  strerror(errno));
		goto out;
	}
	if (!(sf = sftp_new(c->s)) || sftp_init(sf) != SSH_OK) {
		rc = sb_error_set(SB_ECONNECT, "%s (%s): cannot start SFTP: %s", c->node, c->peer,
				  ssh_get_error(c->s));
		goto out;
	}
	f = sftp_open(sf, tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (!f) {
		rc = sb_error_set(SB_EIO, "%s (%s): cannot create %s over SFTP: %s (SFTP error %d)",
				  c->node, c->peer, tmp, ssh_get_error(c->s), sftp_get_error(sf));
		goto out;
	}
	EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = sb_error_set(SB_EIO, "upload: reading %s: %s", local, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		EVP_DigestUpdate(md, buf, (size_t)n);
		if (sftp_write(f, buf, (size_t)n) != n) {
			rc = sb_error_set(SB_ECONNECT, "%s (%s): writing %s over SFTP failed: %s",
					  c->node, c->peer, tmp, ssh_get_error(c->s));
			goto out;
		}
		total += (uint64_t)n;
	}
	EVP_DigestFinal_ex(md, dig, &dlen);
	sb_hex(hex, dig, 32);
	if (sftp_close(f) != SSH_OK) {
		f = NULL;
		rc = sb_error_set(SB_EIO, "%s (%s): closing %s over SFTP failed: %s", c->node,
				  c->peer, tmp, ssh_get_error(c->s));
		goto out;
	}
	f = NULL;
	sb_exec_log(log_fd, "uploaded %llu bytes of %s to %s:%s, sha256 %s\n",
		    (unsigned long long)total, local, c->node, tmp, hex);
	/* what arrived, checked on the far side, then moved into place */
	char *qt = sb_shell_quote(tmp), *qr = sb_shell_quote(remote);
	char *cmd = qt && qr ? sb_asprintf("sha256sum -- %s", qt) : NULL;
	rc = cmd ? sb_ssh_exec(c, cmd, false, timeout_ms, -1, &r) : SB_ENOMEM;
	free(cmd);
	if (rc == 0 && (r.out_len < 64 || strncmp(r.out, hex, 64) != 0)) {
		rc = sb_error_set(SB_ETAMPER, "%s: upload of %s to %s arrived damaged: sha256 sent %s, on the host %.64s; the temporary copy was removed",
				  c->node, local, remote, hex, r.out ? r.out : "(none)");
		sb_exec_result_release(&r);
		cmd = sb_asprintf("rm -f -- %s", qt);
		if (cmd)
			sb_ssh_exec(c, cmd, false, timeout_ms, -1, &r);
		free(cmd);
	} else if (rc == 0) {
		sb_exec_result_release(&r);
		cmd = sb_asprintf("chmod %04o %s && mv -f -- %s %s", mode, qt, qt, qr);
		rc = cmd ? sb_ssh_exec(c, cmd, false, timeout_ms, log_fd, &r) : SB_ENOMEM;
		if (rc == SB_EFAILED)
			rc = sb_error_set(SB_EIO, "%s: cannot move the upload into place at %s: %s",
					  c->node, remote, r.err ? r.err : "");
		free(cmd);
	} else if (rc == SB_EFAILED) {
		rc = sb_error_set(SB_EIO, "%s: cannot check the upload's SHA-256 (is sha256sum installed?): %s",
				  c->node, r.err ? r.err : "");
	}
	free(qt);
	free(qr);
	sb_exec_result_release(&r);
	if (rc == 0)
		sb_exec_log(log_fd, "sha256 verified on %s; moved into place as %s (mode %04o)\n",
			    c->node, remote, mode);
out:
	if (f)
		sftp_close(f);
	if (sf)
		sftp_free(sf);
	if (fd >= 0)
		close(fd);
	EVP_MD_CTX_free(md);
	return rc;
}

/* siteboot lab-redfish-bmc: the lab's simulated Redfish BMC, an HTTP(S)
 * server (libmicrohttpd) in front of the emulator in rfemu.c. Hidden: the
 * lab starts it (contract in bootstrap/lab.h), and so do the tests. */
#include "bootstrap/bom_json.h"
#include "bootstrap/cli.h"
#include "bootstrap/lab.h"
#include "bootstrap/rfemu.h"
#include "common/error.h"
#include "common/file.h"
#include "common/json.h"
#include "common/log.h"
#include "common/str.h"
#include "common/time.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_REQ_BODY (1024 * 1024)
#define LAB_REDFISH_READY_MS 15000

#ifndef SB_DATADIR	/* set by the Makefile; the fuzz build lacks it */
#define SB_DATADIR "/usr/local/share/siteboot"
#endif

/* ---- a self-signed certificate, offline, with libcrypto ---------------- */

static int add_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ex;
	int ok;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	ex = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!ex)
		return -1;
	ok = X509_add_ext(x, ex, -1);
	X509_EXTENSION_free(ex);
	return ok ? 0 : -1;
}

static int bio_text(char **out, size_t *len, BIO *b)
{
	char *p;
	long n = BIO_get_mem_data(b, &p);

	if (n <= 0)
		return -1;
	*out = sb_strndup(p, (size_t)n);
	*len = (size_t)n;
	return *out ? 0 : -1;
}

int sb_rfemu_tls_selfsigned(const char *cert_path, const char *key_path, char *fp,
			    size_t fpsize)
{
	EVP_PKEY *pkey = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_NAME *name;
	BIO *kb = BIO_new(BIO_s_mem()), *cb = BIO_new(BIO_s_mem());
	unsigned char serial[16], md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char *ktext = NULL, *ctext = NULL;
	size_t klen = 0, clen = 0;
	BIGNUM *bn = NULL;
	int rc = SB_EINTERNAL;

	if (!pkey || !x || !kb || !cb)
		goto out;
	if (RAND_bytes(serial, sizeof(serial)) != 1)
		goto out;
	serial[0] &= 0x7f;	/* a positive serial */
	bn = BN_bin2bn(serial, sizeof(serial), NULL);
	if (!bn || !BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)))
		goto out;
	X509_set_version(x, 2);
	X509_gmtime_adj(X509_getm_notBefore(x), -24L * 3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 10L * 365 * 24 * 3600);
	X509_set_pubkey(x, pkey);
	name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
				   (const unsigned char *)"siteboot lab", -1, -1, 0);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
				   (const unsigned char *)"siteboot lab BMC", -1, -1, 0);
	X509_set_issuer_name(x, name);
	if (add_ext(x, NID_basic_constraints, "critical,CA:TRUE") ||
	    add_ext(x, NID_key_usage, "critical,digitalSignature,keyCertSign") ||
	    add_ext(x, NID_ext_key_usage, "serverAuth") ||
	    add_ext(x, NID_subject_key_identifier, "hash") ||
	    add_ext(x, NID_subject_alt_name, "IP:127.0.0.1,IP:::1,DNS:localhost"))
		goto out;
	if (!X509_sign(x, pkey, EVP_sha256()))
		goto out;
	if (!PEM_write_bio_PrivateKey(kb, pkey, NULL, NULL, 0, NULL, NULL) ||
	    !PEM_write_bio_X509(cb, x) || bio_text(&ktext, &klen, kb) ||
	    bio_text(&ctext, &clen, cb))
		goto out;
	rc = sb_file_write_atomic(key_path, ktext, klen, 0600);
	if (!rc)
		rc = sb_file_write_atomic(cert_path, ctext, clen, 0644);
	if (rc)
		goto done;
	if (fp && fpsize > 2 * 32) {
		X509_digest(x, EVP_sha256(), md, &mdlen);
		sb_hex(fp, md, mdlen);
	}
	rc = 0;
	goto done;
out:
	rc = sb_error_set(SB_EINTERNAL, "cannot make a self-signed certificate for %s "
			  "with libcrypto", cert_path);
done:
	if (ktext)
		sb_freezero(ktext, klen);
	free(ctext);
	BN_free(bn);
	BIO_free(kb);
	BIO_free(cb);
	X509_free(x);
	EVP_PKEY_free(pkey);
	return rc;
}

/* ---- the HTTP side ---------------------------------------------------- */

struct conn {
	struct sb_buf body;
	bool too_big;
};

struct query_acc {
	struct sb_buf q;
};

static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind, const char *key,
			       const char *value)
{
	struct sb_buf *q = cls;

	(void)kind;
	if (q->len)
		sb_buf_puts(q, "&");
	sb_buf_puts(q, key);
	if (value) {
		sb_buf_puts(q, "=");
		sb_buf_puts(q, value);
	}
	return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version,
				  const char *upload, size_t *upload_size, void **con_cls)
{
	struct sb_rfemu *e = cls;
	struct conn *cn = *con_cls;
	struct sb_rfemu_req req = { 0 };
	struct sb_rfemu_resp resp;
	struct sb_buf q = SB_BUF_INIT(8192);
	struct MHD_Response *mr;
	enum MHD_Result ret;

	(void)version;
	if (!cn) {
		cn = calloc(1, sizeof(*cn));
		if (!cn)
			return MHD_NO;
		sb_buf_init(&cn->body, MAX_REQ_BODY);
		*con_cls = cn;
		return MHD_YES;
	}
	if (*upload_size) {
		if (!cn->too_big && sb_buf_append(&cn->body, upload, *upload_size))
			cn->too_big = true;
		*upload_size = 0;
		return MHD_YES;
	}
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, add_arg, &q);
	req.method = method;
	req.path = url;
	req.query = q.len ? q.data : NULL;
	req.authorization = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
	req.auth_token = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Auth-Token");
	req.if_match = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-Match");
	req.if_none_match = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-None-Match");
	req.body = cn->body.data;
	req.body_len = cn->body.len;
	if (cn->too_big) {
		static const char big[] = "{\"error\":{\"code\":\"Base.1.15.GeneralError\","
					  "\"message\":\"request body too large\"}}";
		memset(&resp, 0, sizeof(resp));
		resp.status = 413;
		resp.body = sb_strdup(big);
		resp.body_len = sizeof(big) - 1;
	} else {
		sb_rfemu_handle(e, &req, &resp);
	}
	sb_error_clear();
	sb_debug("lab-redfish-bmc: %s %s -> %d", method, url, resp.status);
	mr = MHD_create_response_from_buffer(resp.body_len, resp.body ? resp.body : (char *)"",
					     MHD_RESPMEM_MUST_COPY);
	if (!mr) {
		sb_rfemu_resp_release(&resp);
		sb_buf_release(&q);
		return MHD_NO;
	}
	if (resp.body)
		MHD_add_response_header(mr, "Content-Type", "application/json; charset=utf-8");
	MHD_add_response_header(mr, "Cache-Control", "no-cache");
	for (size_t i = 0; i < resp.nhdr; i++)
		if (resp.hdr_name[i] && resp.hdr_value[i])
			MHD_add_response_header(mr, resp.hdr_name[i], resp.hdr_value[i]);
	ret = MHD_queue_response(c, (unsigned)resp.status, mr);
	MHD_destroy_response(mr);
	sb_rfemu_resp_release(&resp);
	sb_buf_release(&q);
	return ret;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct conn *cn = *con_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (!cn)
		return;
	sb_buf_release_secret(&cn->body);	/* may hold a password */
	free(cn);
	*con_cls = NULL;
}

/* "127.0.0.1:PORT" or "[::1]:PORT", loopback only (the lab's rule). */
static int parse_listen(struct sockaddr_storage *ss, socklen_t *sl, const char *s)
{
	char host[64];
	const char *colon = strrchr(s, ':');
	long long port;

	if (!colon || (size_t)(colon - s) >= sizeof(host))
		goto bad;
	snprintf(host, sizeof(host), "%.*s", (int)(colon - s), s);
	if (sb_parse_ll(&port, colon + 1, 0, 65535, "--listen port"))
		return SB_EUSAGE;
	memset(ss, 0, sizeof(*ss));
	if (host[0] == '[') {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
		size_t hl = strlen(host);
		if (hl < 3 || host[hl - 1] != ']')
			goto bad;
		host[hl - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, &a6->sin6_addr) != 1 ||
		    !IN6_IS_ADDR_LOOPBACK(&a6->sin6_addr))
			goto bad;
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		*sl = sizeof(*a6);
		return 0;
	}
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	if (inet_pton(AF_INET, host, &a4->sin_addr) != 1 ||
	    (ntohl(a4->sin_addr.s_addr) >> 24) != 127)
		goto bad;
	a4->sin_family = AF_INET;
	a4->sin_port = htons((uint16_t)port);
	*sl = sizeof(*a4);
	return 0;
bad:
	return sb_error_set(SB_EUSAGE, "--listen %s: give a loopback address and port, "
			    "such as 127.0.0.1:8443 or [::1]:8443 (0 picks a free port)", s);
}

static const struct sb_opt rf_opts[] = {
	{ "listen", 0, SB_OPT_ARG, "ADDR:PORT", "where to listen: 127.0.0.1:PORT or [::1]:PORT (port 0: any free one)" },
	{ "mockup", 0, SB_OPT_ARG, "DIR", "the DMTF mockup tree to serve" },
	{ "user", 0, SB_OPT_ARG, "USER", "the BMC's user name" },
	{ "password-file", 0, SB_OPT_ARG, "FILE", "a file holding the BMC's password" },
	{ "node", 0, SB_OPT_ARG, "NODE.json", "a node of `bom show --json`: serve its expected hardware" },
	{ "tls-cert", 0, SB_OPT_ARG, "PEM", "serve HTTPS with this certificate (made, self-signed, when it and the key are missing)" },
	{ "tls-key", 0, SB_OPT_ARG, "PEM", "the certificate's private key" },
	{ "state-dir", 0, SB_OPT_ARG, "DIR", "keep power, boot and media state here; the bound address goes to DIR/listen" },
	{ "task-ms", 0, SB_OPT_ARG, "MS", "how long a graceful shutdown or restart task runs (default 1000)" },
	{ NULL, 0, SB_OPT_NONE, NULL, NULL },
};

enum { O_LISTEN, O_MOCKUP, O_USER, O_PWFILE, O_NODE, O_CERT, O_KEY, O_STATE, O_TASKMS };

static int read_text(char **out, size_t *len, const char *path, const char *what)
{
	int rc = sb_file_read(out, len, path, 1u << 20);

	if (rc)
		sb_error_prefix("%s: ", what);
	return rc;
}

static int run_server(struct sb_cli *cli, const char *const *o, unsigned task_ms)
{
	struct sb_rfemu *e = NULL;
	struct MHD_Daemon *d = NULL;
	struct sockaddr_storage ss;
	socklen_t sl;
	char *pw = NULL, *cert = NULL, *key = NULL, *nodetext = NULL;
	size_t pwlen = 0, len = 0;
	json_t *node = NULL;
	sigset_t sigs;
	int rc, sig;
	unsigned port;
	char addr[96];

	rc = parse_listen(&ss, &sl, o[O_LISTEN]);
	if (rc)
		return sb_cli_fail(cli, rc);
	rc = read_text(&pw, &pwlen, o[O_PWFILE], "--password-file");
	if (rc)
		goto fail;
	while (pwlen && (pw[pwlen - 1] == '\n' || pw[pwlen - 1] == '\r'))
		pw[--pwlen] = '\0';
	if (!pwlen) {
		rc = sb_error_set(SB_EINPUT, "--password-file %s is empty; write the "
				  "BMC's password into it", o[O_PWFILE]);
		goto fail;
	}
	rc = sb_rfemu_load(&e, o[O_MOCKUP], o[O_USER], pw);
	if (rc)
		goto fail;
	sb_rfemu_set_task_ms(e, task_ms);
	sb_rfemu_set_fetch(e, true);	/* InsertMedia fetches, like a BMC */
	if (o[O_NODE]) {
		rc = read_text(&nodetext, &len, o[O_NODE], "--node");
		if (!rc)
			rc = sb_json_parse(&node, nodetext, len, 1u << 20, o[O_NODE]);
		if (!rc)
			rc = sb_rfemu_apply_node(e, node);
		if (rc)
			goto fail;
	}
	if (o[O_STATE]) {
		rc = sb_rfemu_set_state_dir(e, o[O_STATE]);
		if (rc)
			goto fail;
	}
	if (o[O_CERT]) {
		if (access(o[O_CERT], F_OK) != 0 && access(o[O_KEY], F_OK) != 0) {
			rc = sb_rfemu_tls_selfsigned(o[O_CERT], o[O_KEY], NULL, 0);
			if (rc)
				goto fail;
		}
		rc = read_text(&cert, &len, o[O_CERT], "--tls-cert");
		if (!rc)
			rc = read_text(&key, &len, o[O_KEY], "--tls-key");
		if (rc)
			goto fail;
		if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
			rc = sb_error_set(SB_EUNSUPPORTED, "this libmicrohttpd has no TLS; "
					  "install Debian's libmicrohttpd12 (built with GnuTLS)");
			goto fail;
		}
	}
	/* the server thread inherits this mask: signals come to sigwait */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG | MHD_USE_AUTO;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (cert)
		d = MHD_start_daemon(flags | MHD_USE_TLS, 0, NULL, NULL, on_request, e,
				     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				     MHD_OPTION_CONNECTION_TIMEOUT, 120u,
				     MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
				     MHD_OPTION_HTTPS_MEM_KEY, key,
				     MHD_OPTION_HTTPS_MEM_CERT, cert, MHD_OPTION_END);
	else
		d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, e,
				     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				     MHD_OPTION_CONNECTION_TIMEOUT, 120u,
				     MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
				     MHD_OPTION_END);
	if (!d) {
		rc = sb_error_set(SB_EIO, "cannot listen on %s: %s (is the port taken?)",
				  o[O_LISTEN], strerror(errno ? errno : EADDRINUSE));
		goto fail;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	port = info ? info->port : 0;
	char host[64];
	snprintf(host, sizeof(host), "%.*s", (int)(strrchr(o[O_LISTEN], ':') - o[O_LISTEN]),
		 o[O_LISTEN]);
	snprintf(addr, sizeof(addr), "%s:%u", host, port);
	if (o[O_STATE]) {
		char path[4096], line[128];
		snprintf(path, sizeof(path), "%s/listen", o[O_STATE]);
		snprintf(line, sizeof(line), "%s\n", addr);
		rc = sb_file_write_atomic(path, line, strlen(line), 0644);
		if (rc)
			goto fail;
	}
	printf("lab-redfish-bmc: serving %s on %s://%s\n", o[O_MOCKUP],
	       cert ? "https" : "http", addr);
	fflush(stdout);
	do {
		if (sigwait(&sigs, &sig) != 0)
			sig = SIGTERM;
	} while (sig == SIGHUP);
	rc = 0;
fail:
	if (d)
		MHD_stop_daemon(d);
	sb_rfemu_free(e);
	sb_free_secret(pw);
	if (key)
		sb_free_secret(key);
	free(cert);
	free(nodetext);
	json_decref(node);
	return rc ? sb_cli_fail(cli, rc) : SB_EXIT_OK;
}

static int cmd_lab_redfish_bmc(struct sb_cli *cli, int argc, char **argv)
{
	struct sb_optparse op;
	const char *o[9] = { 0 }, *arg;
	unsigned task_ms = SB_RFEMU_TASK_MS;
	int k;

	sb_optparse_init(&op, argc, argv);
	while ((k = sb_optparse_next(&op, cli, rf_opts, &arg)) != -2) {
		if (k == -3)
			return SB_EXIT_USAGE;
		if (k == -1)
			return sb_cli_usage_error(cli, "unexpected argument '%s'", arg);
		o[k] = arg;
	}
	if (!o[O_LISTEN] || !o[O_MOCKUP] || !o[O_USER] || !o[O_PWFILE])
		return sb_cli_usage_error(cli, "give --listen, --mockup, --user and "
					  "--password-file");
	if (!o[O_CERT] != !o[O_KEY])
		return sb_cli_usage_error(cli, "give --tls-cert and --tls-key together");
	if (o[O_TASKMS]) {
		long long ms;
		if (sb_parse_ll(&ms, o[O_TASKMS], 0, 600000, "--task-ms"))
			return sb_cli_fail(cli, SB_EUSAGE);
		task_ms = (unsigned)ms;
	}
	return run_server(cli, o, task_ms);
}

/* ---- the lab's part: one emulator per Redfish node ---------------------- */

/* The mockup the lab serves: $SITEBOOT_REDFISH_MOCKUP, the installed one,
 * or the source tree's beside a binary run from build/. */
static int lab_mockup(char *buf, size_t size)
{
	static const char *const rel[] = { "/../../tests/data/redfish/public-tower",
		"/tests/data/redfish/public-tower", NULL };
	const char *env = getenv("SITEBOOT_REDFISH_MOCKUP");
	char exe[PATH_MAX], probe[PATH_MAX + 16];
	struct stat st;
	ssize_t n;

	if (env && *env) {
		sb_strlcpy(buf, env, size);
		return 0;
	}
	snprintf(buf, size, "%s/redfish/public-tower", SB_DATADIR);
	snprintf(probe, sizeof(probe), "%s/index.json", buf);
	if (stat(probe, &st) == 0)
		return 0;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		*strrchr(exe, '/') = '\0';
		for (int i = 0; rel[i]; i++) {
			snprintf(buf, size, "%s%s", exe, rel[i]);
			snprintf(probe, sizeof(probe), "%s/index.json", buf);
			if (stat(probe, &st) == 0)
				return 0;
		}
	}
	return sb_error_set(SB_ENOTFOUND, "lab: no Redfish mockup: %s/redfish/public-tower is "
			    "missing; run 'make install' or set SITEBOOT_REDFISH_MOCKUP",
			    SB_DATADIR);
}

static bool is_redfish(const char *url)
{
	return url && (sb_startswith(url, "redfish://") || sb_startswith(url, "redfish+http://") ||
		       sb_startswith(url, "https://"));
}

/* Wait until every emulator started since proc `first` wrote its address,
 * then put the addresses into the procs and the overrides. */
static int lab_wait(struct sb_lab *lab, size_t first, const char *rdir)
{
	uint64_t end = sb_time_mono_ms() + LAB_REDFISH_READY_MS;

	for (size_t i = first; i < lab->nprocs; i++) {
		struct sb_lab_proc *p = &lab->procs[i];
		char path[PATH_MAX], url[256], *text = NULL;
		size_t len;
		size_t k;

		if (strcmp(p->kind, "redfish") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s/listen", rdir, p->node);
		while (access(path, R_OK) != 0) {
			int rc;
			if ((rc = sb_lab_check_interrupt()))
				return rc;
			if (waitpid(p->pid, NULL, WNOHANG) != 0)
				return sb_error_set(SB_EIO, "lab: the Redfish emulator of node %s "
						    "exited; see %s/%s/emulator.log", p->node, rdir,
						    p->node);
			if (sb_time_mono_ms() > end)
				return sb_error_set(SB_ETIMEOUT, "lab: the Redfish emulator of node "
						    "%s did not start in %d ms; see %s/%s/emulator.log",
						    p->node, LAB_REDFISH_READY_MS, rdir, p->node);
			sb_time_sleep_ms(20);
		}
		if (sb_file_read(&text, &len, path, 256))
			return sb_error_code();
		sb_trim(text);
		sb_strlcpy(p->listen, text, sizeof(p->listen));
		free(text);
		for (k = 0; k < lab->site->nnodes; k++)
			if (strcmp(lab->site->nodes[k].name, p->node) == 0)
				break;
		if (k == lab->site->nnodes)
			continue;
		snprintf(url, sizeof(url), "redfish://%s@%s", lab->bmc_user, p->listen);
		lab->ov[k].bmc_url = sb_lab_str(lab, url);
		lab->ov[k].credential = "lab";
		if (!lab->ov[k].bmc_url)
			return sb_error_set(SB_ENOMEM, "out of memory");
	}
	return 0;
}

int sb_lab_redfish_up(struct sb_lab *lab)
{
	const struct sb_site *s = lab->site;
	char rdir[PATH_MAX], cert[PATH_MAX], key[PATH_MAX], pwfile[PATH_MAX],
		fpfile[PATH_MAX], mockup[PATH_MAX], exe[PATH_MAX], fp[80];
	size_t first = lab->nprocs;
	ssize_t n;
	int rc;

	if ((rc = lab_mockup(mockup, sizeof(mockup))))
		return rc;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return sb_error_set(SB_EIO, "lab: cannot find the siteboot binary "
				    "(/proc/self/exe): %s", strerror(errno));
	exe[n] = '\0';
	snprintf(rdir, sizeof(rdir), "%s/redfish", lab->dir);
	if ((rc = sb_mkdir_p(rdir, 0700)))
		return rc;
	/* one self-signed certificate per lab; clients trust it with
	 * --ca-file DIR/redfish/tls-cert.pem or --pin $(cat tls-cert.sha256) */
	snprintf(cert, sizeof(cert), "%s/tls-cert.pem", rdir);
	snprintf(key, sizeof(key), "%s/tls-key.pem", rdir);
	snprintf(fpfile, sizeof(fpfile), "%s/tls-cert.sha256", rdir);
	if ((rc = sb_rfemu_tls_selfsigned(cert, key, fp, sizeof(fp))))
		return rc;
	sb_strlcpy(fp + strlen(fp), "\n", sizeof(fp) - strlen(fp));
	snprintf(pwfile, sizeof(pwfile), "%s/password", rdir);
	if ((rc = sb_file_write_atomic(fpfile, fp, strlen(fp), 0644)) ||
	    (rc = sb_file_write_atomic(pwfile, lab->bmc_password, strlen(lab->bmc_password),
				       0600)))
		return rc;
	for (size_t i = 0; i < s->nnodes; i++) {
		const struct sb_bom_node *nd = &s->nodes[i];
		char ndir[PATH_MAX], nodefile[PATH_MAX], log[PATH_MAX], listen[PATH_MAX];
		json_t *nj;
		char *text;

		if (!is_redfish(nd->bmc_url))
			continue;
		snprintf(ndir, sizeof(ndir), "%s/%s", rdir, nd->name);
		snprintf(nodefile, sizeof(nodefile), "%s/node.json", ndir);
		snprintf(log, sizeof(log), "%s/emulator.log", ndir);
		snprintf(listen, sizeof(listen), "%s/listen", ndir);
		if ((rc = sb_mkdir_p(ndir, 0700)))
			return rc;
		unlink(listen);
		nj = sb_cli_bom_node_json(nd);
		text = nj ? json_dumps(nj, JSON_INDENT(1)) : NULL;
		json_decref(nj);
		if (!text)
			return sb_error_set(SB_ENOMEM, "out of memory");
		rc = sb_file_write_atomic(nodefile, text, strlen(text), 0644);
		free(text);
		if (rc)
			return rc;
		char *argv[] = { exe, (char *)"lab-redfish-bmc", (char *)"--listen",
			(char *)"127.0.0.1:0", (char *)"--mockup", mockup, (char *)"--user",
			lab->bmc_user, (char *)"--password-file", pwfile, (char *)"--node",
			nodefile, (char *)"--tls-cert", cert, (char *)"--tls-key", key,
			(char *)"--state-dir", ndir, NULL };
		if ((rc = sb_lab_spawn(lab, argv, log, "redfish", nd->name, "127.0.0.1:0",
				       NULL)))
			return rc;
	}
	return lab_wait(lab, first, rdir);
}

const struct sb_cmd sb_cmd_lab_redfish_bmc = {
	.name = "lab-redfish-bmc",
	.run = cmd_lab_redfish_bmc,
	.summary = "the lab's simulated Redfish BMC (started by siteboot lab)",
	.usage = "siteboot lab-redfish-bmc --listen 127.0.0.1:PORT --mockup DIR --user USER\n"
		 "    --password-file FILE [--node NODE.json] [--tls-cert PEM --tls-key PEM]\n"
		 "    [--state-dir DIR] [--task-ms MS]",
	.description =
		"Serves a DMTF Redfish mockup tree as a BMC would, with state: sessions "
		"(X-Auth-Token) and basic authentication, 401 without either except on "
		"/redfish and the service root; ComputerSystem.Reset changing PowerState "
		"(GracefulShutdown and GracefulRestart run as tasks: 202 and a task "
		"monitor); boot override PATCH with ETag and If-Match (412 on a stale "
		"tag); VirtualMedia InsertMedia and EjectMedia; $expand.\n\n"
		"With --node, the mockup's serials, part numbers, models and firmware "
		"versions become the BOM node's expected ones. With --tls-cert and "
		"--tls-key it speaks HTTPS; when both files are missing it first makes a "
		"self-signed pair there (offline, with libcrypto). It runs in the "
		"foreground until SIGTERM or SIGINT. See docs/lab.md.",
	.opts = rf_opts,
	.example = "siteboot lab-redfish-bmc --listen 127.0.0.1:0 \\\n"
		   "    --mockup /usr/local/share/siteboot/redfish/public-tower \\\n"
		   "    --user admin --password-file pw --state-dir /tmp/bmc1",
	.flags = SB_CMD_HIDDEN,
};

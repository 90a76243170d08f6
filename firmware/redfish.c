/* The Redfish driver: libcurl (one multi handle per BMC, keep-alive,
 * parallel GETs) and jansson. See docs/bmc.md, "Redfish".
 *
 * - Sessions: POST to the service's Sessions collection (found through the
 *   root's links), X-Auth-Token on every request, DELETE on close; HTTP
 *   basic authentication when the service has no session support.
 * - Nothing below the service root is a hard-coded path: the system, its
 *   manager, the virtual media, the reset action's target all come from
 *   links in the replies.
 * - TLS is verified by default. With a pin (opts->pin_sha256) the leaf
 *   certificate's SHA-256 must match, checked inside the handshake by an
 *   OpenSSL verify callback, so nothing (no password) is sent to a peer
 *   that fails it; the CA chain and host name are then not consulted
 *   (BMC certificates are self-signed with arbitrary names, which is why
 *   people pin them). opts->insecure skips verification and says so on
 *   stderr. The fingerprint seen is always recorded for the caller
 *   (sb_bmc_info.cert_sha256, sb_bmc_tls_fingerprint()).
 * - Vendor differences come from the quirk table (redfish_quirks.c). */
#include "firmware/bmc.h"
#include "firmware/redfish_int.h"
#include "common/error.h"
#include "common/json.h"
#include "common/log.h"
#include "common/str.h"
#include "common/time.h"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define RF_PAR 6		/* parallel requests (connections) per BMC */
#define RF_TASK_MS 300000	/* longest wait for a task monitor */
#define RF_ETAG_RETRIES 3	/* PATCH attempts when the ETag goes stale */
#define RF_TOKEN_MAX 512

struct rf_tls {
	char pin[65];		/* expected leaf SHA-256, lower-case hex, or "" */
	char seen[65];		/* leaf SHA-256 of the last full handshake */
	bool record_only;	/* accept any certificate (fingerprint query) */
	bool mismatch;		/* the pin did not match */
};

struct rf_req {
	CURL *h;
	struct sb_buf body;
	long status;
	CURLcode cc;
	char err[CURL_ERROR_SIZE];
	char etag[256];
	char location[SB_RF_PATH_MAX];
	char token[RF_TOKEN_MAX];
	unsigned retry_after;
	struct curl_slist *hdrs;
	size_t idx;		/* which path of a batch */
	unsigned attempt;
	bool done;
};

struct rf {
	struct sb_bmc hdr;	/* first: the generic layer's view */
	char name[300];		/* host:port for messages */
	char base[320];		/* scheme://host:port */
	bool tls;
	uint32_t timeout_ms;
	unsigned retries;
	bool insecure;
	char ca_file[1024];
	struct rf_tls t;
	CURLM *multi;
	struct rf_req req[RF_PAR];
	char user[128];
	char *password;
	bool basic;
	char token[RF_TOKEN_MAX];
	char session[SB_RF_PATH_MAX];
	json_t *root;
	const struct sb_rf_quirks *q;
	char system[SB_RF_PATH_MAX];	/* found lazily */
	json_t *sys;			/* the system's last GET */
	char sys_etag[256];
};

/* A reply for the callers of rf_call(). */
struct rf_resp {
	long status;
	json_t *doc;
	char etag[256];
	char location[SB_RF_PATH_MAX];
	unsigned retry_after;
};

static void resp_release(struct rf_resp *r)
{
	json_decref(r->doc);
	memset(r, 0, sizeof(*r));
}

/* ---- set-up ---------------------------------------------------------------- */

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void curl_init(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static int parse_pin(char out[65], const char *pin)
{
	size_t n = 0;

	if (sb_startswith(pin, "sha256:") || sb_startswith(pin, "SHA256:"))
		pin += 7;
	for (const char *p = pin; *p; p++) {
		char c = *p;

		if (c == ':')
			continue;
		if (c >= 'A' && c <= 'F')
			c = (char)(c - 'A' + 'a');
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) || n >= 64)
			return sb_error_set(SB_EINPUT,
					    "certificate pin '%.80s' is not a SHA-256 fingerprint: give 64 hex digits (colons allowed)",
					    pin);
		out[n++] = c;
	}
	out[n] = '\0';
	if (n != 64)
		return sb_error_set(SB_EINPUT,
				    "certificate pin has %zu hex digits; a SHA-256 fingerprint has 64",
				    n);
	return 0;
}

static void slist_free_wiped(struct curl_slist *l);

static void rf_free(struct rf *b)
{
	if (!b)
		return;
	for (int i = 0; i < RF_PAR; i++) {
		if (b->req[i].h)
			curl_easy_cleanup(b->req[i].h);
		slist_free_wiped(b->req[i].hdrs);
		sb_buf_release(&b->req[i].body);
		explicit_bzero(b->req[i].token, sizeof(b->req[i].token));
	}
	if (b->multi)
		curl_multi_cleanup(b->multi);
	json_decref(b->root);
	json_decref(b->sys);
	sb_free_secret(b->password);
	explicit_bzero(b->token, sizeof(b->token));
	free(b);
}

static int rf_new(struct rf **out, const struct sb_bmc_url *url,
		  const struct sb_bmc_opts *opts)
{
	struct rf *b;
	int rc;

	*out = NULL;
	pthread_once(&curl_once, curl_init);
	if (curl_init_rc != CURLE_OK)
		return sb_error_set(SB_EINTERNAL, "libcurl failed to initialise: %s",
				    curl_easy_strerror(curl_init_rc));
	b = calloc(1, sizeof(*b));
	if (!b)
		return sb_error_set(SB_ENOMEM, "out of memory");
	sb_bmc_url_hostport(b->name, sizeof(b->name), url);
	b->tls = url->tls;
	snprintf(b->base, sizeof(b->base), "%s://%s", url->tls ? "https" : "http",
		 b->name);
	b->timeout_ms = opts->timeout_ms ? opts->timeout_ms : 5000;
	b->retries = opts->retries;
	b->insecure = opts->insecure;
	if (opts->ca_file)
		sb_strlcpy(b->ca_file, opts->ca_file, sizeof(b->ca_file));
	if (opts->pin_sha256 && *opts->pin_sha256 &&
	    (rc = parse_pin(b->t.pin, opts->pin_sha256))) {
		free(b);
		return rc;
	}
	b->multi = curl_multi_init();
	if (!b->multi) {
		free(b);
		return sb_error_set(SB_ENOMEM, "out of memory (curl)");
	}
	curl_multi_setopt(b->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)RF_PAR);
	curl_multi_setopt(b->multi, CURLMOPT_MAXCONNECTS, (long)RF_PAR);
	for (int i = 0; i < RF_PAR; i++) {
		sb_buf_init(&b->req[i].body, SB_RF_BODY_MAX);
		b->req[i].h = curl_easy_init();
		if (!b->req[i].h) {
			rf_free(b);
			return sb_error_set(SB_ENOMEM, "out of memory (curl)");
		}
	}
	b->q = &sb_rf_quirk_table[0];
	/* opts->quirks is shared with the IPMI driver: a name that is not a
	 * row of ours (an IPMI set such as "ipmi_sim") means "detect". */
	if (opts->quirks && sb_bmc_redfish_quirks_known(opts->quirks))
		sb_rf_quirks_by_name(&b->q, opts->quirks);
	else if (opts->quirks)
		sb_debug("bmc %s: quirk set '%s' is not a Redfish one: detecting",
			 b->name, opts->quirks);
	*out = b;
	return 0;
}

/* ---- TLS: the leaf fingerprint, checked inside the handshake ---------------- */

static int verify_cb(X509_STORE_CTX *x, void *arg)
{
	struct rf_tls *t = arg;
	X509 *leaf = X509_STORE_CTX_get0_cert(x);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned len = 0;

	if (!leaf || !X509_digest(leaf, EVP_sha256(), md, &len) || len != 32) {
		X509_STORE_CTX_set_error(x, X509_V_ERR_UNSPECIFIED);
		return 0;
	}
	sb_hex(t->seen, md, 32);
	if (t->record_only)
		return 1;
	if (t->pin[0]) {
		if (strcmp(t->pin, t->seen) == 0)
			return 1;
		t->mismatch = true;
		X509_STORE_CTX_set_error(x, X509_V_ERR_CERT_REJECTED);
		return 0;
	}
	return X509_verify_cert(x);
}

static CURLcode ssl_ctx_cb(CURL *h, void *sslctx, void *arg)
{
	(void)h;
	SSL_CTX_set_cert_verify_callback((SSL_CTX *)sslctx, verify_cb, arg);
	return CURLE_OK;
}

/* ---- requests ---------------------------------------------------------------- */

static size_t write_cb(char *p, size_t size, size_t n, void *arg)
{
	struct rf_req *r = arg;

	return sb_buf_append(&r->body, p, size * n) == 0 ? size * n : 0;
}

static void header_value(char *dst, size_t size, const char *v, size_t n)
{
	while (n && (*v == ' ' || *v == '\t'))
		v++, n--;
	while (n && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' '))
		n--;
	if (n < size) {
		memcpy(dst, v, n);
		dst[n] = '\0';
	}
}

static size_t header_cb(char *p, size_t size, size_t n, void *arg)
{
	struct rf_req *r = arg;
	size_t len = size * n;
	static const struct { const char *name; size_t off, size; } hs[] = {
		{ "etag:", offsetof(struct rf_req, etag), sizeof(((struct rf_req *)0)->etag) },
		{ "location:", offsetof(struct rf_req, location), sizeof(((struct rf_req *)0)->location) },
		{ "x-auth-token:", offsetof(struct rf_req, token), sizeof(((struct rf_req *)0)->token) },
	};

	for (size_t i = 0; i < sizeof(hs) / sizeof(hs[0]); i++) {
		size_t hl = strlen(hs[i].name);
		if (len > hl && strncasecmp(p, hs[i].name, hl) == 0)
			header_value((char *)r + hs[i].off, hs[i].size, p + hl,
				     len - hl);
	}
	if (len > 12 && strncasecmp(p, "retry-after:", 12) == 0) {
		char v[16] = "";
		long long s;

		header_value(v, sizeof(v), p + 12, len - 12);
		if (sb_parse_ll(&s, v, 0, 600, "Retry-After") == 0)
			r->retry_after = (unsigned)s;
		else
			sb_error_clear();
	}
	return len;
}

static void slist_free_wiped(struct curl_slist *l)
{
	for (struct curl_slist *s = l; s; s = s->next)
		explicit_bzero(s->data, strlen(s->data));
	curl_slist_free_all(l);
}

/* A path from a Location header: ours only, as a path. */
static bool norm_location(char *out, size_t size, const char *loc)
{
	if (sb_startswith(loc, "http://") || sb_startswith(loc, "https://")) {
		const char *p = strchr(loc + 8, '/');
		if (!p)
			return false;
		loc = p;
	}
	if (!sb_rf_path_ok(loc))
		return false;
	sb_strlcpy(out, loc, size);
	return true;
}

static int rf_prepare(struct rf *b, struct rf_req *r, const char *method,
		      const char *path, const char *body, const char *if_match)
{
	CURL *h = r->h;
	char url[sizeof(b->base) + SB_RF_PATH_MAX];
	char line[RF_TOKEN_MAX + 64];
	struct curl_slist *l = NULL, *n;

	slist_free_wiped(r->hdrs);
	r->hdrs = NULL;
	sb_buf_reset(&r->body);
	r->status = 0;
	r->cc = CURLE_OK;
	r->err[0] = r->etag[0] = r->location[0] = '\0';
	explicit_bzero(r->token, sizeof(r->token));
	r->retry_after = 0;
	r->done = false;
	snprintf(url, sizeof(url), "%s%s", b->base, path);

	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)b->timeout_ms);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)b->timeout_ms);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "siteboot/" SB_VERSION);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, r->err);
	curl_easy_setopt(h, CURLOPT_PRIVATE, r);
	if (b->tls) {
		bool pinned = b->t.pin[0] != '\0';
		bool verify = !b->insecure && !b->t.record_only;

		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, verify ? 1L : 0L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST,
				 verify && !pinned ? 2L : 0L);
		curl_easy_setopt(h, CURLOPT_SSL_CTX_FUNCTION, ssl_ctx_cb);
		curl_easy_setopt(h, CURLOPT_SSL_CTX_DATA, &b->t);
		if (b->ca_file[0])
			curl_easy_setopt(h, CURLOPT_CAINFO, b->ca_file);
	}
	if (strcmp(method, "GET") != 0)
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	if (body) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	} else if (strcmp(method, "POST") == 0) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, 0L);
	}
	if (b->basic && b->password) {
		curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(h, CURLOPT_USERNAME, b->user);
		curl_easy_setopt(h, CURLOPT_PASSWORD, b->password);
	}

#define ADD(s) do { if (!(n = curl_slist_append(l, (s)))) goto nomem; l = n; } while (0)
	ADD("Accept: application/json");
	ADD("OData-Version: 4.0");
	ADD("Expect:");
	if (body)
		ADD("Content-Type: application/json; charset=utf-8");
	if (if_match && *if_match) {
		snprintf(line, sizeof(line), "If-Match: %s", if_match);
		ADD(line);
	}
	if (b->token[0]) {
		snprintf(line, sizeof(line), "X-Auth-Token: %s", b->token);
		ADD(line);
		explicit_bzero(line, sizeof(line));
	}
#undef ADD
	r->hdrs = l;
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, l);
	return 0;
nomem:
	explicit_bzero(line, sizeof(line));
	slist_free_wiped(l);
	return sb_error_set(SB_ENOMEM, "out of memory");
}

/* Drive the multi handle until `want` transfers have finished (0: all). */
static void rf_pump(struct rf *b, size_t *active)
{
	int running = 0;
	CURLMsg *msg;
	int left;

	curl_multi_perform(b->multi, &running);
	while ((msg = curl_multi_info_read(b->multi, &left))) {
		struct rf_req *r = NULL;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&r);
		r->cc = msg->data.result;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE,
				  &r->status);
		curl_multi_remove_handle(b->multi, msg->easy_handle);
		r->done = true;
		(*active)--;
	}
	if (*active)
		curl_multi_poll(b->multi, NULL, 0, 200, NULL);
}

static void rf_run1(struct rf *b, struct rf_req *r)
{
	size_t active = 1;

	curl_multi_add_handle(b->multi, r->h);
	while (active)
		rf_pump(b, &active);
}

static bool transient(int code)
{
	return code == SB_ECONNECT || code == SB_ETIMEOUT;
}

/* Turn a finished transfer into 0 (2xx) or an error that names the BMC,
 * the request and what to do. *doc gets the parsed body when it is
 * JSON (also for errors, to read Redfish's message). */
static int rf_result(struct rf *b, struct rf_req *r, const char *method,
		     const char *path, json_t **doc)
{
	const char *msg = NULL;
	int code;

	*doc = NULL;
	if (r->cc != CURLE_OK) {
		const char *why = r->err[0] ? r->err : curl_easy_strerror(r->cc);

		if (b->tls && b->t.mismatch)
			return sb_error_set(SB_ESECURITY,
					    "bmc %s: its TLS certificate (SHA-256 %s) does not match the pinned %s: the certificate was replaced or someone is in the way; if the BMC was re-keyed, check it and pin the new one",
					    b->name, b->t.seen, b->t.pin);
		switch (r->cc) {
		case CURLE_COULDNT_RESOLVE_HOST:
			return sb_error_set(SB_ECONNECT, "bmc %s: cannot resolve the host name: %s",
					    b->name, why);
		case CURLE_COULDNT_CONNECT:
			return sb_error_set(SB_ECONNECT, "bmc %s: cannot connect (%s): is the BMC up and the port right?",
					    b->name, why);
		case CURLE_OPERATION_TIMEDOUT:
			return sb_error_set(SB_ETIMEOUT, "bmc %s: %s %s: no answer within %u ms",
					    b->name, method, path, b->timeout_ms);
		case CURLE_PEER_FAILED_VERIFICATION:
		case CURLE_SSL_CACERT_BADFILE:
		case CURLE_SSL_CERTPROBLEM:
			if (b->t.seen[0])
				return sb_error_set(SB_ESECURITY,
						    "bmc %s: TLS certificate not trusted (%s); its SHA-256 is %s: if that is the BMC's own certificate, pin it with --pin %s",
						    b->name, why, b->t.seen, b->t.seen);
			return sb_error_set(SB_ESECURITY, "bmc %s: TLS certificate not trusted (%s)",
					    b->name, why);
		case CURLE_SSL_CONNECT_ERROR:
			if (b->t.seen[0] && !b->t.record_only && !b->insecure)
				return sb_error_set(SB_ESECURITY,
						    "bmc %s: TLS handshake refused (%s); the certificate's SHA-256 is %s: if that is the BMC's own, pin it with --pin %s",
						    b->name, why, b->t.seen, b->t.seen);
			return sb_error_set(SB_ECONNECT, "bmc %s: TLS handshake failed (%s): does it speak HTTPS on this port? (redfish+http:// for plain HTTP)",
					    b->name, why);
		case CURLE_WRITE_ERROR:
			return sb_error_set(SB_EPROTO, "bmc %s: %s %s: reply larger than %u MiB",
					    b->name, method, path, SB_RF_BODY_MAX >> 20);
		case CURLE_GOT_NOTHING:
		case CURLE_RECV_ERROR:
		case CURLE_SEND_ERROR:
			return sb_error_set(SB_ECONNECT, "bmc %s: %s %s: connection dropped (%s)",
					    b->name, method, path, why);
		default:
			return sb_error_set(SB_EPROTO, "bmc %s: %s %s: %s", b->name,
					    method, path, why);
		}
	}
	if (r->body.len) {
		if (sb_json_parse(doc, r->body.data, r->body.len, SB_RF_BODY_MAX,
				  "reply") != 0) {
			*doc = NULL;
			/* an action's 2xx with a body that is not JSON (some
			 * BMCs answer text) still succeeded; a GET did not */
			if (r->status >= 200 && r->status < 300 &&
			    strcmp(method, "GET") == 0)
				return sb_error_prefix("bmc %s: %s %s: ", b->name,
						       method, path);
			sb_error_clear();
		}
	}
	if (r->status >= 200 && r->status < 300)
		return 0;
	msg = sb_rf_error_text(*doc);
	switch (r->status) {
	case 401:
		code = SB_EAUTH;
		return sb_error_set(code, "bmc %s: authentication failed for user '%s' (HTTP 401): wrong user or password, or the account is locked",
				    b->name, b->user);
	case 403:
		return sb_error_set(SB_EAUTH, "bmc %s: %s %s: user '%s' is not allowed to do this (HTTP 403)%s%.200s",
				    b->name, method, path, b->user, msg ? ": " : "",
				    msg ? msg : "");
	case 404:
		code = SB_ENOTFOUND;
		break;
	case 405:
	case 501:
		code = SB_EUNSUPPORTED;
		break;
	case 409:
	case 412:
	case 428:
		code = SB_ECONFLICT;
		break;
	case 503:
		code = SB_ETIMEOUT;
		break;
	default:
		code = SB_EPROTO;
	}
	return sb_error_set(code, "bmc %s: %s %s: HTTP %ld%s%.300s", b->name,
			    method, path, r->status, msg ? ": " : "",
			    msg ? msg : "");
}

/* One request, with retries of what is safe to retry: a connection that
 * never opened, a GET that timed out, and a "busy" answer the quirk table
 * names. On 0 (2xx) resp holds the reply; on an error resp still holds
 * the status and body. */
static int rf_call(struct rf *b, const char *method, const char *path,
		   const char *body, const char *if_match, struct rf_resp *resp)
{
	struct rf_req *r = &b->req[0];
	unsigned attempt = 0, busy = 0;
	int rc;

	memset(resp, 0, sizeof(*resp));
	for (;;) {
		json_t *doc = NULL;

		if ((rc = rf_prepare(b, r, method, path, body, if_match)))
			return rc;
		rf_run1(b, r);
		rc = rf_result(b, r, method, path, &doc);
		resp_release(resp);
		resp->status = r->status;
		resp->doc = doc;
		sb_strlcpy(resp->etag, r->etag, sizeof(resp->etag));
		sb_strlcpy(resp->location, r->location, sizeof(resp->location));
		resp->retry_after = r->retry_after;
		if (rc == 0)
			return 0;
		if (b->q->busy_message && busy < b->q->busy_retries &&
		    r->status >= 400 && sb_rf_error_id(doc) &&
		    strstr(sb_rf_error_id(doc), b->q->busy_message)) {
			busy++;
			sb_info("bmc %s: busy (%s), retry %u of %u in %u ms", b->name,
				b->q->busy_message, busy, b->q->busy_retries,
				b->q->busy_wait_ms);
			sb_time_sleep_ms(b->q->busy_wait_ms);
			continue;
		}
		if (attempt < b->retries &&
		    (r->cc == CURLE_COULDNT_CONNECT ||
		     (strcmp(method, "GET") == 0 &&
		      (transient(rc) || r->status == 503)))) {
			attempt++;
			sb_time_sleep_ms(sb_time_backoff_ms(attempt, 100, 2000));
			continue;
		}
		return rc;
	}
}

static int rf_get(struct rf *b, const char *path, struct rf_resp *resp)
{
	int rc = rf_call(b, "GET", path, NULL, NULL, resp);

	if (rc == 0 && !json_is_object(resp->doc)) {
		resp_release(resp);
		return sb_error_set(SB_EPROTO, "bmc %s: GET %s: the reply is not a JSON object",
				    b->name, path);
	}
	return rc;
}

/* ---- parallel GETs for the walk: a window of RF_PAR transfers ---------------- */

static int rf_fetch(void *ctx, const char *const *paths, size_t n,
		    struct sb_rf_doc *out)
{
	struct rf *b = ctx;
	bool busy[RF_PAR] = { false };
	size_t next = 0, active = 0;
	int fatal = 0;
	char fatal_msg[SB_ERROR_MAX] = "";

	for (;;) {
		for (int i = 0; i < RF_PAR && next < n && !fatal; i++) {
			struct rf_req *r = &b->req[i];

			if (busy[i])
				continue;
			if (rf_prepare(b, r, "GET", paths[next], NULL, NULL)) {
				fatal = SB_ENOMEM;
				break;
			}
			sb_debug("bmc %s: GET %s", b->name, paths[next]);
			r->idx = next++;
			r->attempt = 0;
			busy[i] = true;
			curl_multi_add_handle(b->multi, r->h);
			active++;
		}
		if (!active)
			break;
		rf_pump(b, &active);
		for (int i = 0; i < RF_PAR; i++) {
			struct rf_req *r = &b->req[i];
			json_t *doc = NULL;
			size_t idx = r->idx;
			int rc;

			if (!busy[i] || !r->done)
				continue;
			busy[i] = false;
			rc = rf_result(b, r, "GET", paths[idx], &doc);
			if (rc == 0 && json_is_object(doc)) {
				out[idx].doc = doc;
				if (sb_buf_detach(&out[idx].raw, &r->body) == 0)
					out[idx].len = strlen(out[idx].raw);
				sb_buf_init(&r->body, SB_RF_BODY_MAX);
				continue;
			}
			json_decref(doc);
			if (rc && transient(rc) && r->attempt < b->retries && !fatal) {
				unsigned a = r->attempt + 1;

				sb_time_sleep_ms(sb_time_backoff_ms(a, 100, 2000));
				if (rf_prepare(b, r, "GET", paths[idx], NULL, NULL)) {
					fatal = SB_ENOMEM;
					continue;
				}
				r->idx = idx;
				r->attempt = a;
				busy[i] = true;
				curl_multi_add_handle(b->multi, r->h);
				active++;
			} else if (rc && (rc == SB_EAUTH || rc == SB_ESECURITY ||
					  transient(rc))) {
				if (!fatal) {
					fatal = rc;
					sb_strlcpy(fatal_msg, sb_error_message(),
						   sizeof(fatal_msg));
				}
			} else if (rc) {
				/* one unreadable resource: the walk goes on */
				sb_debug("%s", sb_error_message());
			}
		}
	}
	if (fatal)
		return sb_error_set(fatal, "%s", fatal_msg[0] ? fatal_msg :
				    "out of memory");
	sb_error_clear();
	return 0;
}

/* ---- session ------------------------------------------------------------------ */

static const char *link_of(const json_t *d, const char *key)
{
	return sb_json_str(sb_json_obj(d, key), "@odata.id");
}

static int rf_get_root(struct rf *b)
{
	struct rf_resp resp;
	int rc = rf_get(b, "/redfish/v1/", &resp);

	if (rc)
		return rc;
	if (!sb_json_str(resp.doc, "RedfishVersion") &&
	    !link_of(resp.doc, "Systems")) {
		resp_release(&resp);
		return sb_error_set(SB_EPROTO,
				    "bmc %s: /redfish/v1/ does not look like a Redfish service root (no RedfishVersion, no Systems)",
				    b->name);
	}
	json_decref(b->root);
	b->root = resp.doc;
	resp.doc = NULL;
	return 0;
}

static int rf_login(struct rf *b)
{
	const char *sessions = sb_json_str(sb_json_obj(sb_json_obj(b->root, "Links"),
						       "Sessions"), "@odata.id");
	struct rf_resp resp;
	json_t *cred;
	char *body;
	int rc;

	if (!sessions && link_of(b->root, "SessionService")) {
		if (rf_get(b, link_of(b->root, "SessionService"), &resp) == 0) {
			const char *s = link_of(resp.doc, "Sessions");
			if (s && sb_rf_path_ok(s))
				sb_strlcpy(b->session, s, sizeof(b->session));
			resp_release(&resp);
		}
		sessions = b->session[0] ? b->session : NULL;
	}
	if (sessions && sb_rf_path_ok(sessions)) {
		char spath[SB_RF_PATH_MAX];

		sb_strlcpy(spath, sessions, sizeof(spath));
		b->session[0] = '\0';
		cred = json_pack("{s:s, s:s}", "UserName", b->user, "Password",
				 b->password);
		body = cred ? json_dumps(cred, JSON_COMPACT) : NULL;
		if (cred) {
			/* wipe jansson's copy of the password too */
			json_t *pw = json_object_get(cred, "Password");
			const char *s = json_string_value(pw);
			if (s)
				explicit_bzero((char *)s, strlen(s));
			json_decref(cred);
		}
		if (!body)
			return sb_error_set(SB_ENOMEM, "out of memory");
		rc = rf_call(b, "POST", spath, body, NULL, &resp);
		sb_free_secret(body);
		if (rc == 0 && b->req[0].token[0]) {
			const char *id = sb_json_str(resp.doc, "@odata.id");

			sb_strlcpy(b->token, b->req[0].token, sizeof(b->token));
			explicit_bzero(b->req[0].token, sizeof(b->req[0].token));
			if (!norm_location(b->session, sizeof(b->session),
					   resp.location) &&
			    id && sb_rf_path_ok(id))
				sb_strlcpy(b->session, id, sizeof(b->session));
			resp_release(&resp);
			sb_debug("bmc %s: logged in as '%s' (session)", b->name,
				 b->user);
			return 0;
		}
		resp_release(&resp);
		if (rc == SB_EAUTH || rc == SB_ESECURITY || rc == SB_ECONNECT ||
		    rc == SB_ETIMEOUT)
			return rc;
		sb_debug("bmc %s: no session (%s); trying basic authentication",
			 b->name, rc ? sb_error_message() : "no X-Auth-Token");
	}
	/* HTTP basic authentication: check it on the Systems collection. */
	b->basic = true;
	rc = rf_get(b, link_of(b->root, "Systems") ? link_of(b->root, "Systems") :
		    "/redfish/v1/Systems", &resp);
	resp_release(&resp);
	return rc;
}

static void rf_logout(struct rf *b)
{
	struct rf_resp resp;

	if (b->token[0] && b->session[0]) {
		if (rf_call(b, "DELETE", b->session, NULL, NULL, &resp))
			sb_debug("bmc %s: logout: %s", b->name, sb_error_message());
		resp_release(&resp);
	}
	explicit_bzero(b->token, sizeof(b->token));
}

static void warn_transport(const struct rf *b)
{
	if (!b->tls)
		sb_warn("bmc %s: Redfish over plain HTTP (redfish+http://): the password and session token cross the network in clear text; for labs only",
			b->name);
	else if (b->insecure)
		sb_warn("bmc %s: WARNING: TLS certificate verification is OFF (--insecure): anyone on the network path can pose as this BMC and take its password; pin its certificate with --pin instead",
			b->name);
}

static int rf_open(struct sb_bmc **out, const struct sb_bmc_url *url,
		   const struct sb_bmc_creds *creds,
		   const struct sb_bmc_opts *opts)
{
	struct rf *b = NULL;
	const char *user = creds && creds->user && *creds->user ? creds->user :
			   url->user;
	int rc;

	*out = NULL;
	if ((rc = rf_new(&b, url, opts)))
		return rc;
	warn_transport(b);
	if (!user || !*user) {
		rc = sb_error_set(SB_EAUTH, "bmc %s: no user name: put it in the URL (redfish://USER@host), SITEBOOT_BMC_USER or the credentials file",
				  b->name);
		goto fail;
	}
	if (!creds || !creds->password) {
		rc = sb_error_set(SB_EAUTH, "bmc %s: no password for user '%s': set SITEBOOT_BMC_PASSWORD or give --credentials FILE",
				  b->name, user);
		goto fail;
	}
	sb_strlcpy(b->user, user, sizeof(b->user));
	b->password = sb_strdup(creds->password);
	if (!b->password) {
		rc = sb_error_set(SB_ENOMEM, "out of memory");
		goto fail;
	}
	if ((rc = rf_get_root(b)))
		goto fail;
	if (!opts->quirks || !sb_bmc_redfish_quirks_known(opts->quirks))
		b->q = sb_rf_quirks_detect(b->root);
	if ((rc = rf_login(b)))
		goto fail;
	sb_debug("bmc %s: quirks '%s'", b->name, b->q->name);
	*out = &b->hdr;
	return 0;
fail:
	rf_free(b);
	return rc;
}

static void rf_close(struct sb_bmc *h)
{
	struct rf *b = (struct rf *)h;

	if (!b)
		return;
	rf_logout(b);
	rf_free(b);
}

/* ---- the system ------------------------------------------------------------------ */

/* GET the (first) ComputerSystem, keeping its ETag for a later PATCH. */
static int rf_system(struct rf *b, const json_t **sys)
{
	struct rf_resp resp;
	int rc;

	if (!b->system[0]) {
		const char *coll = link_of(b->root, "Systems");
		json_t *m;

		if (!coll)
			return sb_error_set(SB_EUNSUPPORTED, "bmc %s: the service root has no Systems", b->name);
		if ((rc = rf_get(b, coll, &resp)))
			return rc;
		m = json_array_get(sb_json_arr(resp.doc, "Members"), 0);
		if (!sb_rf_path_ok(sb_json_str(m, "@odata.id"))) {
			resp_release(&resp);
			return sb_error_set(SB_ENOTFOUND, "bmc %s: %s lists no computer system", b->name, coll);
		}
		sb_strlcpy(b->system, sb_json_str(m, "@odata.id"), sizeof(b->system));
		resp_release(&resp);
	}
	if ((rc = rf_get(b, b->system, &resp)))
		return rc;
	json_decref(b->sys);
	b->sys = resp.doc;
	sb_strlcpy(b->sys_etag, resp.etag, sizeof(b->sys_etag));
	if (!b->sys_etag[0] && b->q->etag_from_body &&
	    sb_json_str(b->sys, "@odata.etag"))
		sb_strlcpy(b->sys_etag, sb_json_str(b->sys, "@odata.etag"),
			   sizeof(b->sys_etag));
	*sys = b->sys;
	return 0;
}

static int rf_power_get(struct sb_bmc *h, enum sb_power_state *out)
{
	struct rf *b = (struct rf *)h;
	const json_t *sys;
	int rc = rf_system(b, &sys);

	if (rc)
		return rc;
	*out = sb_rf_power_state(sb_json_str(sys, "PowerState"));
	return 0;
}

/* Wait on a task monitor (after 202) until the task ends. */
static int rf_task_wait(struct rf *b, const char *monitor)
{
	char path[SB_RF_PATH_MAX];
	uint64_t deadline = sb_time_mono_ms() + RF_TASK_MS;
	unsigned polls = 0;
	int rc;

	if (!norm_location(path, sizeof(path), monitor))
		return sb_error_set(SB_EPROTO, "bmc %s: accepted the request (202) but its task monitor '%.100s' is not a path on this service",
				    b->name, monitor);
	for (;;) {
		struct rf_resp resp;
		const char *state;
		unsigned wait;

		rc = rf_call(b, "GET", path, NULL, NULL, &resp);
		polls++;
		if (rc == SB_ENOTFOUND && polls > 0) {
			/* the monitor went away with the finished task */
			resp_release(&resp);
			sb_error_clear();
			return 0;
		}
		if (rc) {
			resp_release(&resp);
			return rc;
		}
		state = sb_json_str(resp.doc, "TaskState");
		if (resp.status != 202 &&
		    (!state || sb_streq(state, "Completed"))) {
			resp_release(&resp);
			return 0;
		}
		if (sb_streq(state, "Exception") || sb_streq(state, "Killed") ||
		    sb_streq(state, "Cancelled")) {
			const char *m = sb_json_str(json_array_get(sb_json_arr(resp.doc, "Messages"), 0), "Message");
			rc = sb_error_set(SB_EFAILED, "bmc %s: the task ended in state %s%s%.200s",
					  b->name, state, m ? ": " : "", m ? m : "");
			resp_release(&resp);
			return rc;
		}
		wait = resp.retry_after ? resp.retry_after * 1000 :
		       (unsigned)sb_time_backoff_ms(polls, 200, 2000);
		resp_release(&resp);
		if (sb_time_mono_ms() + wait > deadline)
			return sb_error_set(SB_ETIMEOUT, "bmc %s: the task at %s did not finish within %u s",
					    b->name, path, RF_TASK_MS / 1000);
		sb_time_sleep_ms(wait);
	}
}

/* POST an action; 200, 202 (a task: waited for) and 204 all succeed. */
static int rf_action(struct rf *b, const char *target, const char *body)
{
	struct rf_resp resp;
	int rc = rf_call(b, "POST", target, body, NULL, &resp);

	if (rc == 0 && resp.status == 202 && resp.location[0]) {
		char loc[SB_RF_PATH_MAX];

		sb_strlcpy(loc, resp.location, sizeof(loc));
		resp_release(&resp);
		return rf_task_wait(b, loc);
	}
	resp_release(&resp);
	return rc;
}

/* The allowed ResetType values: inline, or from the action's ActionInfo. */
static int reset_allowed(struct rf *b, const json_t *act, json_t **out)
{
	json_t *allowed = json_object_get(act, "ResetType@Redfish.AllowableValues");
	const char *info = sb_json_str(act, "@Redfish.ActionInfo");
	struct rf_resp resp;
	json_t *p;
	size_t i;

	*out = NULL;
	if (json_is_array(allowed)) {
		*out = json_incref(allowed);
		return 0;
	}
	if (!info || !sb_rf_path_ok(info))
		return 0;
	if (rf_get(b, info, &resp)) {
		sb_error_clear();
		return 0;	/* tolerate: assume every value */
	}
	json_array_foreach(sb_json_arr(resp.doc, "Parameters"), i, p)
		if (sb_streq(sb_json_str(p, "Name"), "ResetType") &&
		    sb_json_arr(p, "AllowableValues"))
			*out = json_incref(sb_json_arr(p, "AllowableValues"));
	resp_release(&resp);
	return 0;
}

static int rf_reset(struct rf *b, const char *target, const char *type)
{
	char body[96];

	snprintf(body, sizeof(body), "{\"ResetType\":\"%s\"}", type);
	sb_debug("bmc %s: ComputerSystem.Reset %s", b->name, type);
	return rf_action(b, target, body);
}

static int rf_power_set(struct sb_bmc *h, enum sb_power_action a)
{
	struct rf *b = (struct rf *)h;
	const json_t *sys;
	json_t *act, *allowed = NULL;
	const char *target, *type;
	enum sb_power_state now;
	int rc = rf_system(b, &sys);

	if (rc)
		return rc;
	now = sb_rf_power_state(sb_json_str(sys, "PowerState"));
	/* Already there: many BMCs answer an error to On when on. */
	if ((a == SB_POWER_ACT_ON && now == SB_POWER_ON) ||
	    ((a == SB_POWER_ACT_OFF || a == SB_POWER_ACT_SOFT) &&
	     now == SB_POWER_OFF))
		return 0;
	act = sb_json_obj(sb_json_obj(sys, "Actions"), "#ComputerSystem.Reset");
	target = sb_json_str(act, "target");
	if (!target || !sb_rf_path_ok(target))
		return sb_error_set(SB_EUNSUPPORTED, "bmc %s: the system offers no ComputerSystem.Reset action",
				    b->name);
	{
		char tgt[SB_RF_PATH_MAX];

		sb_strlcpy(tgt, target, sizeof(tgt));
		reset_allowed(b, act, &allowed);
		type = sb_rf_reset_type(a, allowed);
		if (!type && a == SB_POWER_ACT_CYCLE &&
		    sb_rf_reset_allowed(allowed, "ForceOff") &&
		    sb_rf_reset_allowed(allowed, "On")) {
			/* no PowerCycle: off, wait for off, on */
			json_decref(allowed);
			if (now != SB_POWER_OFF) {
				uint64_t deadline = sb_time_mono_ms() + 60000;
				unsigned n = 0;

				if ((rc = rf_reset(b, tgt, "ForceOff")))
					return rc;
				do {
					sb_time_sleep_ms(sb_time_backoff_ms(++n, 100, 1000));
					if ((rc = rf_power_get(h, &now)))
						return rc;
				} while (now != SB_POWER_OFF && sb_time_mono_ms() < deadline);
				if (now != SB_POWER_OFF)
					return sb_error_set(SB_ETIMEOUT, "bmc %s: power cycle: the system did not reach off within 60 s",
							    b->name);
			}
			return rf_reset(b, tgt, "On");
		}
		if (!type) {
			char *list = allowed ? json_dumps(allowed, JSON_COMPACT) : NULL;

			rc = sb_error_set(SB_EUNSUPPORTED, "bmc %s: 'power %s' is not among the reset types this BMC allows (%.200s)",
					  b->name, sb_power_action_name(a), list ? list : "?");
			free(list);
			json_decref(allowed);
			return rc;
		}
		json_decref(allowed);
		return rf_reset(b, tgt, type);
	}
}

/* ---- boot override ------------------------------------------------------------------ */

static int rf_boot_get(struct sb_bmc *h, struct sb_boot *out)
{
	struct rf *b = (struct rf *)h;
	const json_t *sys;
	int rc = rf_system(b, &sys);

	if (rc)
		return rc;
	rc = sb_rf_boot_parse(out, sb_json_obj(sys, "Boot"));
	return rc ? sb_error_prefix("bmc %s: ", b->name) : 0;
}

static int rf_boot_set(struct sb_bmc *h, const struct sb_boot *bt)
{
	struct rf *b = (struct rf *)h;
	const json_t *sys = b->sys;
	const char *target = sb_rf_boot_target(bt->device);
	int rc = 0;

	/* Use the ETag of the system as last read (If-Match: change what we
	 * saw); on 412 someone changed it meanwhile: read it again, retry. */
	if (!sys && (rc = rf_system(b, &sys)))
		return rc;
	for (unsigned attempt = 1;; attempt++) {
		const json_t *boot = sb_json_obj(sys, "Boot");
		json_t *allowed = json_object_get(boot, "BootSourceOverrideTarget@Redfish.AllowableValues");
		json_t *patch, *bo;
		struct rf_resp resp;
		char *body;

		if (!boot)
			return sb_error_set(SB_EUNSUPPORTED, "bmc %s: the system has no Boot property: no boot override",
					    b->name);
		if (bt->device != SB_BOOT_NONE && !sb_rf_reset_allowed(allowed, target))
			return sb_error_set(SB_EUNSUPPORTED, "bmc %s: boot device %s (%s) is not among the targets this BMC allows",
					    b->name, sb_boot_device_name(bt->device), target);
		patch = json_object();
		bo = json_object();
		if (!patch || !bo || json_object_set_new(patch, "Boot", bo) ||
		    json_object_set_new(bo, "BootSourceOverrideTarget", json_string(target)) ||
		    json_object_set_new(bo, "BootSourceOverrideEnabled",
					json_string(bt->device == SB_BOOT_NONE ? "Disabled" :
						    bt->persistent ? "Continuous" : "Once")) ||
		    (json_object_get(boot, "BootSourceOverrideMode") &&
		     json_object_set_new(bo, "BootSourceOverrideMode",
					 json_string(bt->uefi ? "UEFI" : "Legacy")))) {
			json_decref(patch);
			return sb_error_set(SB_ENOMEM, "out of memory");
		}
		body = json_dumps(patch, JSON_COMPACT);
		json_decref(patch);
		if (!body)
			return sb_error_set(SB_ENOMEM, "out of memory");
		rc = rf_call(b, "PATCH", b->system, body, b->sys_etag, &resp);
		free(body);
		resp_release(&resp);
		if (rc == 0) {
			/* what we read is stale now */
			json_decref(b->sys);
			b->sys = NULL;
			return 0;
		}
		if (rc != SB_ECONFLICT || attempt >= RF_ETAG_RETRIES)
			return rc;
		sb_info("bmc %s: ETag stale or required (HTTP %ld): reading the system again (attempt %u)",
			b->name, b->req[0].status, attempt + 1);
		if ((rc = rf_system(b, &sys)))
			return rc;
		if (!b->sys_etag[0] && sb_json_str(sys, "@odata.etag"))
			sb_strlcpy(b->sys_etag, sb_json_str(sys, "@odata.etag"),
				   sizeof(b->sys_etag));
	}
}

/* ---- virtual media ------------------------------------------------------------------ */

/* One VirtualMedia member as read. */
struct rf_vm {
	char path[SB_RF_PATH_MAX];
	json_t *doc;
};

static void vms_free(struct rf_vm *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		json_decref(v[i].doc);
	free(v);
}

/* The path of the VirtualMedia collection: the system's if it has one,
 * else its manager's. */
static int rf_media_coll(struct rf *b, char *coll_out, size_t size)
{
	const json_t *sys;
	const char *coll = NULL;
	struct rf_resp mresp;
	int rc;

	if ((rc = rf_system(b, &sys)))
		return rc;
	coll = link_of(sys, "VirtualMedia");
	memset(&mresp, 0, sizeof(mresp));
	if (!coll) {
		json_t *mb = json_array_get(sb_json_arr(sb_json_obj(sys, "Links"), "ManagedBy"), 0);
		const char *mgr = sb_json_str(mb, "@odata.id");

		if (!mgr) {
			/* no link from the system: the first manager */
			if (link_of(b->root, "Managers") &&
			    rf_get(b, link_of(b->root, "Managers"), &mresp) == 0) {
				mgr = sb_json_str(json_array_get(sb_json_arr(mresp.doc, "Members"), 0), "@odata.id");
			}
		}
		if (mgr && sb_rf_path_ok(mgr)) {
			char mp[SB_RF_PATH_MAX];

			sb_strlcpy(mp, mgr, sizeof(mp));
			resp_release(&mresp);
			if ((rc = rf_get(b, mp, &mresp)))
				return rc;
			coll = link_of(mresp.doc, "VirtualMedia");
		}
	}
	if (!coll || !sb_rf_path_ok(coll)) {
		resp_release(&mresp);
		return sb_error_set(SB_EUNSUPPORTED, "bmc %s: neither the system nor its manager offers VirtualMedia",
				    b->name);
	}
	sb_strlcpy(coll_out, coll, size);
	resp_release(&mresp);
	return 0;
}

/* Every VirtualMedia member, in the collection's order. */
static int rf_media_all(struct rf *b, struct rf_vm **out, size_t *n)
{
	char coll[SB_RF_PATH_MAX];
	struct rf_resp resp;
	struct rf_vm *v = NULL;
	size_t i, k = 0;
	json_t *m, *members;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = rf_media_coll(b, coll, sizeof(coll))) || (rc = rf_get(b, coll, &resp)))
		return rc;
	members = sb_json_arr(resp.doc, "Members");
	v = calloc(json_array_size(members) + 1, sizeof(*v));
	if (!v) {
		resp_release(&resp);
		return sb_error_set(SB_ENOMEM, "out of memory");
	}
	json_array_foreach(members, i, m) {
		const char *id = sb_json_str(m, "@odata.id");
		struct rf_resp d;

		if (!sb_rf_path_ok(id))
			continue;
		if (rf_get(b, id, &d)) {
			sb_error_clear();
			continue;
		}
		sb_strlcpy(v[k].path, id, sizeof(v[k].path));
		v[k++].doc = d.doc;
	}
	resp_release(&resp);
	*out = v;
	*n = k;
	return 0;
}

/* What a member plays: its MediaTypes, the vendor's CD Ids, or, with no
 * MediaTypes at all, what its Id says. */
static unsigned vm_kinds(const struct rf *b, const json_t *doc, char *types, size_t tsize)
{
	const char *id = sb_json_str(doc, "Id");
	json_t *arr = sb_json_arr(doc, "MediaTypes"), *t;
	unsigned kinds = 0;
	size_t k, off = 0;

	if (types && tsize)
		types[0] = '\0';
	json_array_foreach(arr, k, t) {
		kinds |= sb_media_type_kinds(json_string_value(t));
		if (types && json_is_string(t) && off < tsize)
			off += (size_t)snprintf(types + off, tsize - off, "%s%s", k ? "," : "",
						json_string_value(t));
	}
	if (sb_rf_list_has(b->q->media_cd_ids, id))
		kinds |= SB_MEDIA_CD;
	if (!arr && id) {
		if (strcasestr(id, "CD") || strcasestr(id, "DVD"))
			kinds |= SB_MEDIA_CD;
		if (strcasestr(id, "USB") || strcasestr(id, "Floppy") || strcasestr(id, "Removable"))
			kinds |= SB_MEDIA_USB;
	}
	return kinds;
}

static bool vm_inserted(const json_t *doc)
{
	const json_t *ins = json_object_get(doc, "Inserted");
	const char *img = sb_json_str(doc, "Image");

	return json_is_true(ins) || (!ins && img && *img);
}

static int rf_media_list(struct sb_bmc *h, struct sb_media_slot **out, size_t *n)
{
	struct rf *b = (struct rf *)h;
	struct rf_vm *v;
	struct sb_media_slot *s;
	size_t nv;
	int rc = rf_media_all(b, &v, &nv);

	*out = NULL;
	*n = 0;
	if (rc)
		return rc;
	s = calloc(nv + 1, sizeof(*s));
	if (!s) {
		vms_free(v, nv);
		return sb_error_set(SB_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < nv; i++) {
		char types[128];
		const char *img = sb_json_str(v[i].doc, "Image");

		s[i].kinds = vm_kinds(b, v[i].doc, types, sizeof(types));
		s[i].id = sb_strdup(sb_json_str(v[i].doc, "Id") ? sb_json_str(v[i].doc, "Id") : "");
		s[i].path = sb_strdup(v[i].path);
		s[i].types = sb_strdup(types);
		s[i].inserted = vm_inserted(v[i].doc);
		s[i].image = img && *img ? sb_strdup(img) : NULL;
		if (!s[i].id || !s[i].path || !s[i].types || (img && *img && !s[i].image)) {
			sb_media_slots_free(s, nv);
			vms_free(v, nv);
			return sb_error_set(SB_ENOMEM, "out of memory");
		}
	}
	vms_free(v, nv);
	*out = s;
	*n = nv;
	return 0;
}

/* The member a slot choice names: its path and JSON (the caller frees). */
static int rf_media_find(struct rf *b, const char *slot, char *path, size_t size, json_t **doc)
{
	struct sb_media_slot *s = NULL;
	size_t n = 0;
	long i;
	int rc = rf_media_list(&b->hdr, &s, &n);
	struct rf_resp d;

	*doc = NULL;
	if (rc)
		return rc;
	i = sb_media_slot_pick(s, n, slot, b->name);
	if (i < 0) {
		sb_media_slots_free(s, n);
		return SB_EUNSUPPORTED;
	}
	sb_strlcpy(path, s[i].path, size);
	sb_media_slots_free(s, n);
	if ((rc = rf_get(b, path, &d)))
		return rc;
	*doc = d.doc;
	return 0;
}

static const char *media_action(const json_t *vm, const char *name)
{
	const char *t = sb_json_str(sb_json_obj(sb_json_obj(vm, "Actions"), name), "target");

	return t && sb_rf_path_ok(t) ? t : NULL;
}

static int rf_media_check(struct rf *b, const char *path, const char *image)
{
	struct rf_resp resp;
	json_t *ins;
	const char *img;
	int rc = rf_get(b, path, &resp);

	if (rc)
		return rc;
	ins = json_object_get(resp.doc, "Inserted");
	img = sb_json_str(resp.doc, "Image");
	if (image ? (json_is_false(ins) || !sb_streq(img, image)) :
		    (json_is_true(ins) || (!ins && img && *img)))
		rc = sb_error_set(SB_EPROTO, "bmc %s: accepted the virtual media %s but %s reads back %s",
				  b->name, image ? "insert" : "eject", path,
				  json_is_true(ins) ? "inserted" : "not inserted");
	resp_release(&resp);
	return rc;
}

/* Eject the member at path (vm is its JSON, consumed). */
static int rf_media_eject_at(struct rf *b, const char *path, json_t *vm)
{
	const char *act;
	int rc;

	if (!vm_inserted(vm)) {
		json_decref(vm);
		return 0;
	}
	act = media_action(vm, "#VirtualMedia.EjectMedia");
	if (act) {
		char tgt[SB_RF_PATH_MAX];

		sb_strlcpy(tgt, act, sizeof(tgt));
		json_decref(vm);
		rc = rf_action(b, tgt, b->q->eject_body);
	} else {
		struct rf_resp resp;

		json_decref(vm);
		rc = rf_call(b, "PATCH", path, "{\"Image\":null,\"Inserted\":false}",
			     NULL, &resp);
		resp_release(&resp);
	}
	return rc ? rc : rf_media_check(b, path, NULL);
}

static int rf_media_eject(struct sb_bmc *h, const char *slot)
{
	struct rf *b = (struct rf *)h;
	char path[SB_RF_PATH_MAX];
	json_t *vm;
	int rc;

	if (slot) {
		if ((rc = rf_media_find(b, slot, path, sizeof(path), &vm)))
			return rc;
		return rf_media_eject_at(b, path, vm);
	}
	/* every device holding media */
	struct rf_vm *v;
	size_t n;
	if ((rc = rf_media_all(b, &v, &n)))
		return rc;
	for (size_t i = 0; i < n && !rc; i++) {
		rc = rf_media_eject_at(b, v[i].path, v[i].doc);
		v[i].doc = NULL;
	}
	vms_free(v, n);
	return rc;
}

static int rf_media_insert(struct sb_bmc *h, const char *slot, const char *image_url)
{
	struct rf *b = (struct rf *)h;
	char path[SB_RF_PATH_MAX];
	json_t *vm, *req;
	const char *act;
	char *body;
	int rc = rf_media_find(b, slot, path, sizeof(path), &vm);

	if (rc)
		return rc;
	if (vm_inserted(vm) || (sb_json_str(vm, "Image") && *sb_json_str(vm, "Image"))) {
		if (sb_streq(sb_json_str(vm, "Image"), image_url) &&
		    !json_is_false(json_object_get(vm, "Inserted"))) {
			json_decref(vm);
			return 0;	/* already there */
		}
		/* real BMCs refuse an insert over another image */
		if ((rc = rf_media_eject_at(b, path, vm)))
			return rc;
		struct rf_resp d;
		if ((rc = rf_get(b, path, &d)))
			return rc;
		vm = d.doc;
	}
	req = json_pack("{s:s}", "Image", image_url);
	act = media_action(vm, "#VirtualMedia.InsertMedia");
	if (req && (!b->q->media_image_only || !act) &&
	    (json_object_set_new(req, "Inserted", json_true()) ||
	     (act && json_object_set_new(req, "WriteProtected", json_true())))) {
		json_decref(req);
		req = NULL;
	}
	body = req ? json_dumps(req, JSON_COMPACT) : NULL;
	json_decref(req);
	if (!body) {
		json_decref(vm);
		return sb_error_set(SB_ENOMEM, "out of memory");
	}
	if (act) {
		char tgt[SB_RF_PATH_MAX];

		sb_strlcpy(tgt, act, sizeof(tgt));
		json_decref(vm);
		rc = rf_action(b, tgt, body);
	} else {
		struct rf_resp resp;

		/* before VirtualMedia 1.2 there was no action: PATCH it */
		json_decref(vm);
		rc = rf_call(b, "PATCH", path, body, NULL, &resp);
		resp_release(&resp);
	}
	free(body);
	return rc ? rc : rf_media_check(b, path, image_url);
}

/* ---- inventory ----------------------------------------------------------------------- */

static int rf_walk(struct rf *b, struct sb_hw_inventory *inv, bool hw, bool fw)
{
	struct sb_rf_walk_opts o = { hw, fw, sb_rf_root_can_expand(b->root), 0 };
	struct sb_rf_walk_stats st;
	int rc;

	if (!inv->protocol && !(inv->protocol = sb_strdup("redfish")))
		return sb_error_set(SB_ENOMEM, "out of memory");
	if (!inv->target &&
	    !(inv->target = sb_asprintf("%s://%s", b->tls ? "redfish" : "redfish+http", b->name)))
		return sb_error_set(SB_ENOMEM, "out of memory");
	rc = sb_rf_walk(&o, b->root, rf_fetch, b, inv, &st);
	sb_debug("bmc %s: %zu resources in %zu rounds (%zu unreadable)%s",
		 b->name, st.fetched, st.rounds, st.missing,
		 o.expand ? ", with $expand" : "");
	return rc;
}

static int rf_inventory_read(struct sb_bmc *h, struct sb_hw_inventory *inv)
{
	return rf_walk((struct rf *)h, inv, true, false);
}

static int rf_firmware_read(struct sb_bmc *h, struct sb_hw_inventory *inv)
{
	return rf_walk((struct rf *)h, inv, false, true);
}

/* ---- identity, probe, findings ---------------------------------------------------------- */

static int root_info(const struct rf *b, struct sb_bmc_info *out)
{
	const json_t *r = b->root;
	const char *vendor = sb_json_str(r, "Vendor");
	const char *key;
	json_t *v;

	if (!vendor)
		json_object_foreach(sb_json_obj(r, "Oem"), key, v) {
			(void)v;
			vendor = key;
			break;
		}
	out->vendor = sb_strdup(vendor);
	out->product = sb_strdup(sb_json_str(r, "Product"));
	out->system_guid = sb_strdup(sb_json_str(r, "UUID"));
	out->protocol_version = sb_asprintf("Redfish %s",
					    sb_json_str(r, "RedfishVersion") ?
					    sb_json_str(r, "RedfishVersion") : "?");
	if (b->tls && b->t.seen[0])
		out->cert_sha256 = sb_strdup(b->t.seen);
	if (!out->protocol_version)
		return sb_error_set(SB_ENOMEM, "out of memory");
	return 0;
}

static int rf_info(struct sb_bmc *h, struct sb_bmc_info *out)
{
	struct rf *b = (struct rf *)h;
	const json_t *sys;
	const char *mgrs = link_of(b->root, "Managers");
	struct rf_resp resp;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = root_info(b, out)))
		return rc;
	if (rf_system(b, &sys) == 0) {
		if (!out->vendor)
			out->vendor = sb_strdup(sb_json_str(sys, "Manufacturer"));
		if (!out->product)
			out->product = sb_strdup(sb_json_str(sys, "Model"));
		if (sb_json_str(sys, "UUID")) {
			free(out->system_guid);
			out->system_guid = sb_strdup(sb_json_str(sys, "UUID"));
		}
	}
	if (mgrs && rf_get(b, mgrs, &resp) == 0) {
		const char *m = sb_json_str(json_array_get(sb_json_arr(resp.doc, "Members"), 0), "@odata.id");
		char mp[SB_RF_PATH_MAX] = "";

		if (sb_rf_path_ok(m))
			sb_strlcpy(mp, m, sizeof(mp));
		resp_release(&resp);
		if (mp[0] && rf_get(b, mp, &resp) == 0) {
			out->firmware_version = sb_strdup(sb_json_str(resp.doc, "FirmwareVersion"));
			resp_release(&resp);
		}
	}
	sb_error_clear();
	return 0;
}

static int rf_probe(const struct sb_bmc_url *url, const struct sb_bmc_opts *opts,
		    struct sb_bmc_info *info)
{
	struct rf *b;
	int rc;

	memset(info, 0, sizeof(*info));
	if ((rc = rf_new(&b, url, opts)))
		return rc;
	/* Unauthenticated and nothing secret sent: without a pin, take any
	 * certificate and report its fingerprint (for --pin), so that a
	 * sweep finds self-signed BMCs too. */
	if (!b->t.pin[0])
		b->t.record_only = true;
	if ((rc = rf_get_root(b)) == 0)
		rc = root_info(b, info);
	if (rc)
		sb_bmc_info_release(info);
	rf_free(b);
	return rc;
}

static int add_finding(struct sb_bmc_finding **v, size_t *n, const char *id,
		       const char *sev, const char *text)
{
	struct sb_bmc_finding *p = realloc(*v, (*n + 1) * sizeof(*p));

	if (!p)
		return sb_error_set(SB_ENOMEM, "out of memory");
	*v = p;
	p[*n].id = sb_strdup(id);
	p[*n].severity = sb_strdup(sev);
	p[*n].text = sb_strdup(text);
	(*n)++;
	if (!p[*n - 1].id || !p[*n - 1].severity || !p[*n - 1].text)
		return sb_error_set(SB_ENOMEM, "out of memory");
	return 0;
}

static int rf_security_scan(const struct sb_bmc_url *url,
			    const struct sb_bmc_creds *creds,
			    const struct sb_bmc_opts *opts,
			    struct sb_bmc_finding **out, size_t *n)
{
	struct rf *b;
	struct rf_resp resp;
	int rc;

	(void)creds;
	memset(&resp, 0, sizeof(resp));
	*out = NULL;
	*n = 0;
	if (!url->tls &&
	    (rc = add_finding(out, n, "redfish-plain-http", "high",
			      "Redfish over plain HTTP: passwords and session tokens cross the network in clear text; enable HTTPS on the BMC and use redfish://")))
		goto fail;
	if (url->tls && opts->insecure &&
	    (rc = add_finding(out, n, "tls-insecure", "medium",
			      "the BMC's TLS certificate was not verified (--insecure): pin it with --pin")))
		goto fail;
	if ((rc = rf_new(&b, url, opts)))
		goto fail;
	if (!b->t.pin[0])
		b->t.record_only = true;	/* no credentials are sent */
	if (rf_get_root(b) == 0 && link_of(b->root, "Systems") &&
	    rf_call(b, "GET", link_of(b->root, "Systems"), NULL, NULL, &resp) == 0) {
		rc = add_finding(out, n, "redfish-no-auth", "critical",
				 "the BMC answers Redfish requests without credentials: anyone on its network can read and drive the server; enable authentication");
	}
	resp_release(&resp);
	rf_free(b);
	sb_error_clear();
	if (rc)
		goto fail;
	return 0;
fail:
	sb_bmc_findings_free(*out, *n);
	*out = NULL;
	*n = 0;
	return rc;
}

int sb_bmc_tls_fingerprint(char out[65], const char *url,
			   const struct sb_bmc_opts *opts)
{
	struct sb_bmc_url u;
	struct sb_bmc_opts def;
	struct rf *b;
	struct rf_resp resp;
	int rc;

	out[0] = '\0';
	if ((rc = sb_bmc_url_parse(&u, url)))
		return rc;
	if (u.proto != SB_PROTO_REDFISH || !u.tls)
		return sb_error_set(SB_EUSAGE, "%s: only redfish:// (HTTPS) BMCs have a certificate to pin", url);
	if (!opts) {
		sb_bmc_opts_default(&def);
		opts = &def;
	}
	if ((rc = rf_new(&b, &u, opts)))
		return rc;
	/* Accept whatever certificate comes, send nothing secret: a GET of
	 * the public service root. */
	b->t.record_only = true;
	b->t.pin[0] = '\0';
	rc = rf_call(b, "GET", "/redfish/v1/", NULL, NULL, &resp);
	resp_release(&resp);
	if (b->t.seen[0]) {
		sb_strlcpy(out, b->t.seen, 65);
		rc = 0;
		sb_error_clear();
	} else if (rc == 0) {
		rc = sb_error_set(SB_EPROTO, "bmc %s: no certificate seen (a resumed TLS session?)", b->name);
	}
	rf_free(b);
	return rc;
}

const struct sb_bmc_driver sb_bmc_redfish_driver = {
	.name = "redfish",
	.caps = SB_BMC_CAP_POWER | SB_BMC_CAP_BOOT | SB_BMC_CAP_INVENTORY |
		SB_BMC_CAP_FIRMWARE | SB_BMC_CAP_MEDIA,
	.probe = rf_probe,
	.open = rf_open,
	.info = rf_info,
	.power_get = rf_power_get,
	.power_set = rf_power_set,
	.boot_get = rf_boot_get,
	.boot_set = rf_boot_set,
	.inventory_read = rf_inventory_read,
	.firmware_read = rf_firmware_read,
	.media_list = rf_media_list,
	.media_insert = rf_media_insert,
	.media_eject = rf_media_eject,
	.sel_read = NULL,
	.security_scan = rf_security_scan,
	.close = rf_close,
};

/* The checklist engine (docs/runs.md).
 *
 * One thread per host of the plan (the site is a host too). A thread
 * walks its host's steps in order; before a step it waits, on one
 * condition variable, until the steps it needs are final (on the same
 * host, on the site, or for a site step on every host). Only executing a
 * step takes one of `parallel` slots, so that waiting never holds one and
 * the hosts cannot deadlock. Every state change is committed before the
 * engine acts on it: "running" before the action starts, the result
 * before the next step. A run killed at any point is resumed from the
 * rows: finished steps are kept, and a step found "running" is re-checked
 * with its check before anything is done again. */
#include "bootstrap/engine.h"
#include "bootstrap/exec.h"
#include "common/error.h"
#include "common/file.h"
#include "common/json.h"
#include "common/log.h"
#include "common/str.h"
#include "common/time.h"
#include "common/url.h"
#include "images/serve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static atomic_int canceled;

void sb_engine_cancel(void)
{
	atomic_store(&canceled, 1);
}

struct item_rt {
	enum sb_step_state state;
	bool earlier;		/* final before this invocation */
	bool inflight;		/* found running when the run resumed */
	bool refused;		/* in flight without a check: not run again,
				 * and still recorded as in flight */
	unsigned attempts;
	int exit_status;
	char *out, *err;	/* outputs (out also from the store) */
	char *error;
	char log[1024];
	int64_t started_at;
};

/* A media server a serve step started: it runs until the run ends. */
struct served {
	char file[256], client[64];
	unsigned requests;
	uint64_t bytes;
	unsigned status_last;
};
struct mediasrv {
	struct engine *e;
	char step[64];
	char url[200];
	char dir[1024];
	char cidr[64];
	struct sb_media_serve_opts o;
	const char *allow[1];
	struct sb_media_server *srv;
	FILE *log;			/* the step's server log */
	struct served *served;		/* per file and client */
	size_t nserved;
	unsigned refused;
	char refused_last[64];
};

struct engine {
	const struct sb_plan *p;
	const struct sb_checklist *cl;
	struct sb_runstore *rs;
	const struct sb_engine_opts *o;
	char run_id[64];
	char run_dir[1024];
	struct item_rt *items;
	pthread_mutex_t mu;	/* items' states, slots, stop flags */
	pthread_cond_t cv;
	pthread_mutex_t ev_mu;	/* events and the run log */
	pthread_mutex_t attest_mu;	/* one question at a time */
	unsigned slots;
	bool stop_site;
	char stop_reason[512];
	int run_log;
	uint64_t start_ms;
	pthread_mutex_t media_mu;
	struct mediasrv *media[8];
	size_t nmedia;
};

struct host_rt {
	struct engine *e;
	size_t h;
	pthread_t th;
	struct sb_exec_host xh;
	bool stopped;
	char stop_reason[512];
};

/* Wait on the engine's condition, waking now and then to notice a
 * cancellation from a signal handler (which cannot signal a condition). */
static void cv_wait(struct engine *e)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 200 * 1000 * 1000;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(&e->cv, &e->mu, &ts);
}

/* ---- events -------------------------------------------------------------- */

static void emit(struct engine *e, const struct sb_engine_event *ev)
{
	char ts[40];

	pthread_mutex_lock(&e->ev_mu);
	if (e->run_log >= 0 && ev->host) {
		sb_time_iso8601(ts, sizeof(ts), sb_time_now_ms());
		sb_exec_log(e->run_log, "%s %s %s %s%s%s\n", ts, ev->host, ev->step ? ev->step : "-",
			    ev->kind == SB_EV_STEP_START ? "start" :
			    ev->kind == SB_EV_RETRY ? "retry" :
			    ev->kind == SB_EV_HOST_END ? "host-end" :
			    sb_step_state_name(ev->state),
			    ev->message ? ": " : "", ev->message ? ev->message : "");
	}
	if (e->o->event)
		e->o->event(e->o->ctx, ev);
	pthread_mutex_unlock(&e->ev_mu);
}

/* ---- helpers ------------------------------------------------------------- */

static void set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = s ? strdup(s) : NULL;
}

/* The plan's host for a BOM node, or -1 when it has no steps here. */
static size_t plan_host_of(const struct sb_plan *p, const struct sb_bom_node *n)
{
	for (size_t h = 0; h < p->nhosts; h++)
		if (p->hosts[h].node == n)
			return h;
	return (size_t)-1;
}

static size_t site_host(const struct sb_plan *p)
{
	return p->nhosts && !p->hosts[0].node ? 0 : (size_t)-1;
}

static void digest(char out[65], const struct sb_exec_result *r)
{
	unsigned char md[32];
	unsigned len = 0;
	EVP_MD_CTX *c = EVP_MD_CTX_new();

	out[0] = '\0';
	if (!c)
		return;
	EVP_DigestInit_ex(c, EVP_sha256(), NULL);
	EVP_DigestUpdate(c, "stdout\n", 7);
	if (r->out)
		EVP_DigestUpdate(c, r->out, r->out_len);
	EVP_DigestUpdate(c, "\nstderr\n", 8);
	if (r->err)
		EVP_DigestUpdate(c, r->err, r->err_len);
	EVP_DigestFinal_ex(c, md, &len);
	EVP_MD_CTX_free(c);
	sb_hex(out, md, 32);
}

/* Persist an item's state. */
static int save(struct engine *e, size_t idx, const char *digest_hex)
{
	const struct sb_plan_item *it = &e->p->items[idx];
	struct item_rt *rt = &e->items[idx];
	struct sb_step_row row = { 0 };

	sb_strlcpy(row.host, e->p->hosts[it->host].name, sizeof(row.host));
	sb_strlcpy(row.step, e->cl->steps[it->step].id, sizeof(row.step));
	/* a step refused because it was in flight stays in flight on disk,
	 * so that only --rerun-inflight (or its check) settles it */
	row.state = rt->refused ? SB_ST_RUNNING : rt->state;
	row.attempts = rt->attempts;
	row.started_at = rt->started_at;
	row.finished_at = sb_step_state_final(rt->state) ? sb_time_now_ms() : 0;
	row.exit_status = rt->exit_status;
	if (digest_hex)
		sb_strlcpy(row.output_sha256, digest_hex, sizeof(row.output_sha256));
	row.stdout_text = rt->out;
	row.error = rt->error;
	sb_strlcpy(row.log, rt->log, sizeof(row.log));
	return sb_runstore_step_put(e->rs, e->run_id, &row);
}

/* ---- step outputs for templates ------------------------------------------ */

struct valctx {
	struct engine *e;
	size_t host;
};

static char *chomp_dup(const char *s)
{
	char *d = strdup(s ? s : "");
	size_t n = d ? strlen(d) : 0;

	while (n && (d[n - 1] == '\n' || d[n - 1] == '\r'))
		d[--n] = '\0';
	return d;
}

static int step_value(void *ctx, const char *step, const char *field, char **out)
{
	struct valctx *v = ctx;
	struct engine *e = v->e;
	long sid = sb_checklist_step(e->cl, step);
	size_t host = v->host;

	if (sid < 0)
		return sb_error_set(SB_EINPUT, "unknown step '%s'", step);
	if (e->cl->steps[sid].hosts.site) {
		host = site_host(e->p);
	}
	const char *hname = host == (size_t)-1 ? "site" : e->p->hosts[host].name;
	long idx = host == (size_t)-1 ? -1 : sb_plan_find(e->p, host, (size_t)sid);
	struct item_rt *rt = NULL;
	pthread_mutex_lock(&e->mu);
	if (idx >= 0 && sb_step_state_ok(e->items[idx].state))
		rt = &e->items[idx];
	if (rt && strcmp(field, "exit_status") == 0) {
		*out = sb_asprintf("%d", rt->exit_status < 0 ? 0 : rt->exit_status);
		pthread_mutex_unlock(&e->mu);
		return *out ? 0 : SB_ENOMEM;
	}
	if (rt && strcmp(field, "stderr") == 0) {
		*out = chomp_dup(rt->err);
		pthread_mutex_unlock(&e->mu);
		return *out ? 0 : SB_ENOMEM;
	}
	if (rt && rt->out && *rt->out) {
		*out = chomp_dup(rt->out);
		pthread_mutex_unlock(&e->mu);
		return *out ? 0 : SB_ENOMEM;
	}
	pthread_mutex_unlock(&e->mu);
	/* not run here: the last run that ran it on this host */
	struct sb_step_row row;
	if (strcmp(field, "stdout") == 0 &&
	    sb_runstore_step_last_ok(e->rs, e->cl->name, e->p->site->id, hname, step,
				     true, &row, NULL) == 0) {
		*out = chomp_dup(row.stdout_text);
		sb_step_row_release(&row);
		return *out ? 0 : SB_ENOMEM;
	}
	sb_error_clear();
	if (rt)	/* ran, printed nothing */
		return (*out = strdup("")) ? 0 : SB_ENOMEM;
	return sb_error_set(SB_EINPUT, "'steps.%s.%s' has no value on %s: step '%s' has not run there (its check found it done and printed nothing, or it was left out with --only/--from); make its check print the output, or run it",
			    step, field, hname, step);
}

/* ---- rendering an action ------------------------------------------------- */

struct rendered {
	struct sb_action a;
	char *f[10];
};

static void rendered_release(struct rendered *r)
{
	for (int i = 0; i < 10; i++)
		free(r->f[i]);
}

static int render_action(struct rendered *r, const struct sb_action *a,
			 struct engine *e, size_t host)
{
	struct valctx vc = { e, host };
	struct sb_tmpl_env env = { e->p->site, e->p->hosts[host].node, e->run_id,
				   e->run_dir, step_value, &vc };
	const char **fields[10];
	int rc = 0;

	memset(r, 0, sizeof(*r));
	r->a = *a;
	fields[0] = &r->a.command;
	fields[1] = &r->a.upload_from;
	fields[2] = &r->a.upload_to;
	fields[3] = &r->a.virt_uri;
	fields[4] = &r->a.virt_domain;
	fields[5] = &r->a.virt_iso;
	fields[6] = &r->a.bmc_image;
	fields[7] = &r->a.text;
	fields[8] = &r->a.serve_dir;
	fields[9] = &r->a.serve_listen;
	for (int i = 0; i < 10; i++) {
		if (!*fields[i])
			continue;
		if ((rc = sb_tmpl_render(&r->f[i], *fields[i], &env)))
			return rc;
		*fields[i] = r->f[i];
	}
	return 0;
}

/* ---- attest ---------------------------------------------------------------- */

static const char *attest_given(const struct sb_engine_opts *o, const char *step,
				bool *all)
{
	size_t n = strlen(step);

	for (size_t i = 0; i < o->nattest; i++)
		if (strncmp(o->attest[i], step, n) == 0 && o->attest[i][n] == '=') {
			*all = false;
			return o->attest[i] + n + 1;
		}
	for (size_t i = 0; i < o->nattest; i++)
		if (strncmp(o->attest[i], "all=", 4) == 0) {
			*all = true;
			return o->attest[i] + 4;
		}
	return NULL;
}

static int do_attest(struct host_rt *hr, const struct sb_step *s,
		     const struct sb_action *a, struct sb_exec_result *res)
{
	struct engine *e = hr->e;
	bool all = false;
	const char *given = attest_given(e->o, s->id, &all);
	char *name = NULL;
	const char *via;
	int rc;

	memset(res, 0, sizeof(*res));
	res->exit_status = -1;
	if (given) {
		name = strdup(given);
		via = all ? "--attest all" : "--attest";
		if (all) {
			char msg[1024];
			snprintf(msg, sizeof(msg), "step '%s' on %s CONFIRMED BY --attest all=%s, not by a person at a terminal: \"%s\"",
				 s->id, e->p->hosts[hr->h].name, given, a->text);
			struct sb_engine_event ev = { .kind = SB_EV_WARN, .run_id = e->run_id,
						      .host = e->p->hosts[hr->h].name,
						      .step = s->id, .message = msg };
			emit(e, &ev);
		}
	} else if (e->o->attest_ask) {
		pthread_mutex_lock(&e->attest_mu);
		rc = e->o->attest_ask(e->o->ctx, e->p->hosts[hr->h].name, s->id, a->text, &name);
		pthread_mutex_unlock(&e->attest_mu);
		if (rc)
			return rc;
		via = "terminal";
	} else {
		return sb_error_set(SB_EAUTH, "step '%s' is a manual confirmation (\"%s\") and no one is at a terminal to give it; run on a terminal, or pass --attest %s=YOUR-NAME (or --attest all=YOUR-NAME for every manual step of this run)",
				    s->id, a->text, s->id);
	}
	if (!name || !*name) {
		free(name);
		return sb_error_set(SB_EINPUT, "step '%s': a confirmation needs a name", s->id);
	}
	json_t *ev = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s?}",
			       "run", e->run_id, "checklist", e->cl->name,
			       "checklist_sha256", e->cl->sha256, "site", e->p->site->id,
			       "step", s->id, "host", e->p->hosts[hr->h].name,
			       "text", a->text, "confirmed_by", name, "via", via);
	rc = sb_runstore_ledger(e->rs, name, "attestation.given", ev);
	json_decref(ev);
	sb_exec_log(hr->xh.log_fd, "confirmed by %s (%s): %s\n", name, via, a->text);
	res->out = name;
	res->out_len = strlen(name);
	res->exit_status = 0;
	return rc;
}

/* ---- serve: the media server, for as long as the run ------------------------ */

/* Every request the server answers, into the run's log, and counted per
 * file and client for the ledger (BMCs read ISOs in many pieces: one
 * ledger event per file and client, at the end, not one per piece). */
static void media_note(void *ctx, const char *client, const char *method, const char *name,
		       unsigned status, uint64_t bytes, uint64_t size)
{
	struct mediasrv *m = ctx;
	struct engine *e = m->e;

	if (status == 0) {
		m->refused++;
		sb_strlcpy(m->refused_last, client, sizeof(m->refused_last));
		sb_exec_log(e->run_log, "media server: %s refused (not in the BMC network %s)\n",
			    client, m->cidr);
		return;
	}
	sb_exec_log(e->run_log, "media server: %s %s /%s %u, %llu bytes of %llu\n", client, method,
		    name, status, (unsigned long long)bytes, (unsigned long long)size);
	size_t i;
	for (i = 0; i < m->nserved; i++)
		if (strcmp(m->served[i].file, name) == 0 && strcmp(m->served[i].client, client) == 0)
			break;
	if (i == m->nserved) {
		struct served *v = realloc(m->served, (m->nserved + 1) * sizeof(*v));
		if (!v)
			return;
		m->served = v;
		memset(&v[i], 0, sizeof(v[i]));
		sb_strlcpy(v[i].file, name, sizeof(v[i].file));
		sb_strlcpy(v[i].client, client, sizeof(v[i].client));
		m->nserved++;
	}
	m->served[i].requests++;
	m->served[i].bytes += bytes;
	m->served[i].status_last = status;
}

/* This appliance's address inside the network `cidr` (the BMC network):
 * the server binds there, not on every address. */
static int local_addr_in(char *out, size_t size, const char *cidr)
{
	struct ifaddrs *ifs = NULL, *i;
	int rc = SB_ENOTFOUND;

	if (getifaddrs(&ifs) != 0)
		return sb_error_set(SB_EIO, "cannot list this appliance's addresses: %s", strerror(errno));
	for (i = ifs; i; i = i->ifa_next) {
		if (!i->ifa_addr || (i->ifa_addr->sa_family != AF_INET && i->ifa_addr->sa_family != AF_INET6))
			continue;
		if (!sb_cidr_contains(cidr, i->ifa_addr))
			continue;
		const void *a = i->ifa_addr->sa_family == AF_INET ?
			(const void *)&((struct sockaddr_in *)i->ifa_addr)->sin_addr :
			(const void *)&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
		if (inet_ntop(i->ifa_addr->sa_family, a, out, (socklen_t)size)) {
			rc = 0;
			break;
		}
	}
	freeifaddrs(ifs);
	if (rc)
		return sb_error_set(SB_ENOTFOUND, "no address of this appliance is inside the BMC network %s; connect the appliance to that network (or give the serve step listen: ADDRESS)",
				    cidr);
	return 0;
}

static int do_serve(struct host_rt *hr, const struct sb_step *s, const struct sb_action *a,
		    struct sb_exec_result *res)
{
	struct engine *e = hr->e;
	const struct sb_site *site = e->p->site;
	struct mediasrv *m = NULL;
	const char *cidr = NULL;
	char addr[INET6_ADDRSTRLEN + 1] = "", path[1300];
	unsigned port = 0;
	int rc = 0;

	memset(res, 0, sizeof(*res));
	res->exit_status = -1;
	pthread_mutex_lock(&e->media_mu);
	for (size_t i = 0; i < e->nmedia; i++)
		if (strcmp(e->media[i]->step, s->id) == 0) {
			/* a retry: it runs already */
			res->out = sb_strdup(e->media[i]->url);
			res->out_len = res->out ? strlen(res->out) : 0;
			res->exit_status = 0;
			pthread_mutex_unlock(&e->media_mu);
			return 0;
		}
	pthread_mutex_unlock(&e->media_mu);
	for (size_t i = 0; i < site->nnetworks; i++)
		if (sb_streq(site->networks[i].name, "bmc"))
			cidr = site->networks[i].cidr;
	if (!cidr)
		return sb_error_set(SB_EINPUT, "step '%s': the BOM has no networks: bmc: {cidr: ...}; the media server serves only the BMC network, so add it to the BOM",
				    s->id);
	if (a->serve_listen)
		sb_strlcpy(addr, a->serve_listen, sizeof(addr));
	else if ((rc = local_addr_in(addr, sizeof(addr), cidr)))
		return rc;
	m = calloc(1, sizeof(*m));
	if (!m)
		return sb_error_set(SB_ENOMEM, "out of memory");
	m->e = e;
	sb_strlcpy(m->step, s->id, sizeof(m->step));
	sb_strlcpy(m->dir, a->serve_dir, sizeof(m->dir));
	sb_strlcpy(m->cidr, cidr, sizeof(m->cidr));
	snprintf(path, sizeof(path), "%s/media-server.log", e->run_dir);
	m->log = fopen(path, "ae");
	m->allow[0] = m->cidr;
	m->o = (struct sb_media_serve_opts){ .dir = m->dir, .host = addr, .port = a->serve_port,
					     .allow = m->allow, .nallow = 1,
					     .duration_ms = a->serve_for_ms, .log = m->log,
					     .ctx = m, .on_request = media_note };
	rc = sb_media_server_start(&m->srv, &m->o, &port);
	m->o.host = NULL;	/* addr is on this stack */
	if (rc) {
		sb_error_prefix("step '%s': the media server: ", s->id);
		if (m->log)
			fclose(m->log);
		free(m);
		return rc;
	}
	snprintf(m->url, sizeof(m->url), strchr(addr, ':') ? "http://[%s]:%u" : "http://%s:%u", addr, port);
	pthread_mutex_lock(&e->media_mu);
	if (e->nmedia < sizeof(e->media) / sizeof(e->media[0])) {
		e->media[e->nmedia++] = m;
	} else {
		pthread_mutex_unlock(&e->media_mu);
		sb_media_server_stop(m->srv);
		if (m->log)
			fclose(m->log);
		free(m);
		return sb_error_set(SB_EINPUT, "step '%s': at most 8 media servers per run", s->id);
	}
	pthread_mutex_unlock(&e->media_mu);
	sb_exec_log(hr->xh.log_fd, "media server: serving %s at %s to the BMC network %s for at most %llu s (log: %s); it stops when the run ends\n",
		    m->dir, m->url, cidr, (unsigned long long)(a->serve_for_ms / 1000), path);
	sb_exec_log(e->run_log, "media server: %s serves %s at %s to %s\n", s->id, m->dir, m->url, cidr);
	json_t *ev = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I}", "run", e->run_id,
			       "site", site->id, "step", s->id, "dir", m->dir, "url", m->url,
			       "allow", cidr, "for_s", (json_int_t)(a->serve_for_ms / 1000));
	rc = sb_runstore_ledger(e->rs, e->o->started_by ? e->o->started_by : "siteboot",
				"image.serve_started", ev);
	json_decref(ev);
	res->out = sb_strdup(m->url);
	res->out_len = res->out ? strlen(res->out) : 0;
	res->exit_status = rc ? 1 : 0;
	return rc;
}

/* Stop every media server of the run (the run ended, failed or was
 * interrupted) and put what each served into the ledger. */
static void media_stop_all(struct engine *e)
{
	for (size_t i = 0; i < e->nmedia; i++) {
		struct mediasrv *m = e->media[i];
		const char *who = e->o->started_by ? e->o->started_by : "siteboot";
		sb_media_server_stop(m->srv);
		sb_exec_log(e->run_log, "media server: %s stopped (run ended); %zu file/client pair%s served, %u refused\n",
			    m->step, m->nserved, m->nserved == 1 ? "" : "s", m->refused);
		for (size_t k = 0; k < m->nserved; k++) {
			json_t *ev = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:I, s:i}", "run", e->run_id,
					       "step", m->step, "url", m->url, "file", m->served[k].file,
					       "client", m->served[k].client, "requests",
					       (int)m->served[k].requests, "bytes",
					       (json_int_t)m->served[k].bytes, "last_status",
					       (int)m->served[k].status_last);
			if (sb_runstore_ledger(e->rs, who, "image.served", ev))
				sb_error_clear();
			json_decref(ev);
		}
		if (m->refused) {
			json_t *ev = json_pack("{s:s, s:s, s:s, s:i, s:s}", "run", e->run_id, "step",
					       m->step, "allow", m->cidr, "refused", (int)m->refused,
					       "last_client", m->refused_last);
			if (sb_runstore_ledger(e->rs, who, "image.serve_refused", ev))
				sb_error_clear();
			json_decref(ev);
		}
		if (m->log)
			fclose(m->log);
		free(m->served);
		free(m);
	}
	e->nmedia = 0;
}

/* ---- one step on one host ------------------------------------------------ */

static bool permanent(int rc)
{
	return rc == SB_ESECURITY || rc == SB_EAUTH || rc == SB_EINPUT ||
	       rc == SB_EUNSUPPORTED || rc == SB_ENOMEM || rc == SB_ECANCELED ||
	       rc == SB_EINTERNAL;
}

static int exec_action(struct host_rt *hr, const struct sb_step *s,
		       const struct sb_action *tmpl, enum sb_exec_mode mode,
		       const char *what, struct sb_exec_result *res)
{
	struct rendered r;
	int rc;

	memset(res, 0, sizeof(*res));
	res->exit_status = -1;
	rc = render_action(&r, tmpl, hr->e, hr->h);
	if (rc) {
		sb_error_prefix("step '%s': ", s->id);
		rendered_release(&r);
		return rc == SB_EINPUT ? SB_EINPUT : rc;
	}
	char *desc = sb_action_describe(&r.a, NULL);
	hr->xh.step = s->id;
	sb_exec_log(hr->xh.log_fd, "== %s: %s\n", what, desc ? desc : "");
	free(desc);
	if (r.a.kind == SB_EXEC_ATTEST) {
		rc = do_attest(hr, s, &r.a, res);
	} else if (r.a.kind == SB_EXEC_SERVE) {
		rc = do_serve(hr, s, &r.a, res);
	} else {
		const struct sb_executor *x = sb_executor_for(r.a.kind);
		rc = x->exec(&hr->xh, &r.a, mode, s->timeout_ms, res);
	}
	sb_exec_log(hr->xh.log_fd, "== %s: %s%s%s\n", what,
		    rc == 0 ? "ok" : sb_error_name(rc), rc ? ": " : "",
		    rc ? sb_error_message() : "");
	rendered_release(&r);
	return rc;
}

static void open_log(struct host_rt *hr, size_t idx)
{
	struct engine *e = hr->e;
	struct item_rt *rt = &e->items[idx];
	const struct sb_step *s = &e->cl->steps[e->p->items[idx].step];
	char dir[1200];

	snprintf(dir, sizeof(dir), "%s/%s", e->run_dir, e->p->hosts[hr->h].name);
	sb_mkdir_p(dir, 0700);
	snprintf(rt->log, sizeof(rt->log), "%s/%s.log", dir, s->id);
	hr->xh.log_fd = open(rt->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	char ts[40];
	sb_time_iso8601(ts, sizeof(ts), sb_time_now_ms());
	sb_exec_log(hr->xh.log_fd, "---- %s run %s, step %s on %s\n", ts, e->run_id, s->id,
		    e->p->hosts[hr->h].name);
}

static void run_item(struct host_rt *hr, size_t idx, size_t pos, size_t total)
{
	struct engine *e = hr->e;
	struct item_rt *rt = &e->items[idx];
	const struct sb_step *s = &e->cl->steps[e->p->items[idx].step];
	const char *host = e->p->hosts[hr->h].name;
	struct sb_exec_result res = { 0 };
	char dig[65] = "";
	uint64_t t0 = sb_time_mono_ms();
	int rc = SB_EINTERNAL;
	enum sb_step_state final = SB_ST_FAILED;
	bool refused = false;

	sb_error_clear();
	open_log(hr, idx);
	struct sb_engine_event ev = { .kind = SB_EV_STEP_START, .run_id = e->run_id,
				      .host = host, .step = s->id, .pos = pos, .total = total,
				      .state = SB_ST_RUNNING, .log = rt->log };
	emit(e, &ev);
	for (unsigned attempt = 1; attempt <= s->retries + 1; attempt++) {
		sb_exec_result_release(&res);
		if (s->check) {
			rc = exec_action(hr, s, s->check, SB_MODE_CHECK, "check", &res);
			if (rc == 0) {
				final = SB_ST_ALREADY;
				break;
			}
			if (rc != SB_EFAILED && permanent(rc))
				break;
			if (rc == SB_ECONNECT && s->check->kind == SB_EXEC_SSH) {
				/* a host that does not answer (bare metal before
				 * its install) has not got the step's effect */
				sb_exec_log(hr->xh.log_fd, "== check: %s does not answer over SSH: taken as not done\n",
					    host);
				rc = SB_EFAILED;
			}
			if (rc != SB_EFAILED && rc != SB_ETIMEOUT) {
				/* could not even check: an attempt failed */
				goto failed_attempt;
			}
			sb_error_clear();
		} else if (rt->inflight && !s->idempotent && !e->o->rerun_inflight &&
			   s->run.kind != SB_EXEC_ATTEST && s->run.kind != SB_EXEC_SERVE) {
			rc = sb_error_set(SB_ECONFLICT, "step '%s' was in flight on %s when the run stopped, and it has no check to tell whether it finished; look at %s and the host, then re-run with --rerun-inflight to run it again (or give the step a check)",
					  s->id, host, rt->log);
			refused = true;
			break;
		}
		/* committed before the action starts: a kill from here on
		 * leaves "running", which the next run re-checks */
		pthread_mutex_lock(&e->mu);
		rt->state = SB_ST_RUNNING;
		rt->attempts++;
		rt->started_at = sb_time_now_ms();
		pthread_mutex_unlock(&e->mu);
		if ((rc = save(e, idx, NULL)))
			break;
		sb_exec_result_release(&res);
		rc = exec_action(hr, s, &s->run, SB_MODE_RUN, "run", &res);
		if (rc == 0 && s->verify) {
			struct sb_exec_result vr;
			rc = exec_action(hr, s, s->verify, SB_MODE_CHECK, "verify", &vr);
			if (rc && vr.err && *vr.err) {
				/* what the verifying command said is the reason */
				char m[SB_ERROR_MAX];
				snprintf(m, sizeof(m), "%s; stderr: %.300s", sb_error_message(), vr.err);
				for (char *q = m; *q; q++)
					if (*q == '\n')
						*q = ' ';
				sb_error_set(rc, "%s", m);
			}
			if (rc)
				sb_error_prefix("verification failed: ");
			sb_exec_result_release(&vr);
		}
		if (rc == 0) {
			final = SB_ST_DONE;
			break;
		}
		if (permanent(rc))
			break;
failed_attempt:
		if (attempt <= s->retries && !atomic_load(&canceled)) {
			uint64_t pause = sb_time_backoff_ms(attempt, s->backoff_ms, s->backoff_ms * 8);
			char msg[SB_ERROR_MAX + 64];
			snprintf(msg, sizeof(msg), "%s; retrying in %.1f s", sb_error_message(),
				 (double)pause / 1000.0);
			struct sb_engine_event rv = { .kind = SB_EV_RETRY, .run_id = e->run_id,
						      .host = host, .step = s->id, .pos = pos,
						      .total = total, .message = msg,
						      .attempt = attempt, .log = rt->log };
			emit(e, &rv);
			sb_exec_log(hr->xh.log_fd, "attempt %u failed: %s\n", attempt, msg);
			sb_time_sleep_ms(pause);
		}
	}
	digest(dig, &res);
	pthread_mutex_lock(&e->mu);
	rt->state = final;
	rt->refused = refused;
	rt->exit_status = res.exit_status;
	set_str(&rt->out, res.out);
	set_str(&rt->err, res.err);
	if (final == SB_ST_FAILED) {
		char msg[SB_ERROR_MAX + 256];
		const char *m = sb_error_message();
		if (res.exit_status > 0 && res.err && *res.err)
			snprintf(msg, sizeof(msg), "%s%s; stderr: %.200s", *m ? m : "failed",
				 res.killed ? "" : "", res.err);
		else
			snprintf(msg, sizeof(msg), "%s", *m ? m : "failed");
		for (char *q = msg; *q; q++)
			if (*q == '\n')
				*q = ' ';
		set_str(&rt->error, msg);
	} else {
		set_str(&rt->error, NULL);
	}
	pthread_mutex_unlock(&e->mu);
	/* the state and its ledger event in one transaction */
	int brc = sb_runstore_begin(e->rs);
	int src = brc ? brc : save(e, idx, dig);
	/* the ledger event: which host (by chassis serial), which step, which
	 * checklist version, output digest, who started the run */
	const struct sb_bom_node *node = e->p->hosts[hr->h].node;
	json_t *le = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?, s:s, s:s, s:i, s:i, s:s, s:s?, s:s?}",
			       "run", e->run_id, "site", e->p->site->id,
			       "checklist", e->cl->name, "checklist_sha256", e->cl->sha256,
			       "host", host, "chassis_serial", node ? node->chassis.serial : NULL,
			       "step", s->id, "result", sb_step_state_name(final),
			       "attempts", (int)rt->attempts, "exit_status", res.exit_status,
			       "output_sha256", dig, "error", rt->error,
			       "started_by", e->o->started_by);
	char kind[64];
	snprintf(kind, sizeof(kind), "checklist.step.%s", sb_step_state_name(final));
	int lrc = src ? 0 : sb_runstore_ledger(e->rs, e->o->started_by, kind, le);
	json_decref(le);
	if (!brc && !src && !lrc)
		lrc = sb_runstore_commit(e->rs);
	else if (!brc)
		sb_runstore_rollback(e->rs);
	if (src || lrc) {
		/* the state could not be recorded: stop this host rather than
		 * go on with a record that does not match */
		pthread_mutex_lock(&e->mu);
		rt->state = SB_ST_FAILED;
		set_str(&rt->error, sb_error_message());
		pthread_mutex_unlock(&e->mu);
	}
	sb_exec_log(hr->xh.log_fd, "---- %s after %.1f s\n", sb_step_state_name(rt->state),
		    (double)(sb_time_mono_ms() - t0) / 1000.0);
	if (hr->xh.log_fd >= 0)
		close(hr->xh.log_fd);
	hr->xh.log_fd = -1;
	struct sb_engine_event end = { .kind = SB_EV_STEP_END, .run_id = e->run_id,
				       .host = host, .step = s->id, .pos = pos, .total = total,
				       .state = rt->state, .message = rt->error,
				       .elapsed_ms = sb_time_mono_ms() - t0,
				       .attempt = rt->attempts, .log = rt->log };
	emit(e, &end);
	sb_exec_result_release(&res);
	if (rc == SB_ESECURITY || rc == SB_EAUTH)
		sb_exec_host_close(&hr->xh);
}

/* ---- the host thread -------------------------------------------------------- */

/* Wait until the needs of item idx are final. Returns NULL when all are
 * ok, else why the step cannot run (static storage per host). Called
 * with e->mu held. */
static const char *wait_needs(struct host_rt *hr, size_t idx, char *why, size_t wsize)
{
	struct engine *e = hr->e;
	const struct sb_plan *p = e->p;
	const struct sb_step *s = &e->cl->steps[p->items[idx].step];
	size_t site = site_host(p);

	for (size_t k = 0; k < s->nneeds; k++) {
		size_t n = s->need_idx[k];
		const struct sb_step *ns = &e->cl->steps[n];
		size_t hosts_from = hr->h, hosts_to = hr->h + 1;
		if (ns->hosts.site) {
			if (site == (size_t)-1)
				continue;	/* left out of this run */
			hosts_from = site;
			hosts_to = site + 1;
		} else if (!p->hosts[hr->h].node) {
			hosts_from = 0;
			hosts_to = p->nhosts;
		} else if (p->hosts[hr->h].node->parent && sb_plan_find(p, hr->h, n) < 0) {
			/* a VM waits for what it needs on the node that
			 * carries it (the VM defined and started there) */
			size_t ph = plan_host_of(p, p->hosts[hr->h].node->parent);
			if (ph == (size_t)-1)
				continue;
			hosts_from = ph;
			hosts_to = ph + 1;
		}
		for (size_t h = hosts_from; h < hosts_to; h++) {
			long j = sb_plan_find(p, h, n);
			if (j < 0)
				continue;	/* not on that host, or left out */
			while (!sb_step_state_final(e->items[j].state) &&
			       !atomic_load(&canceled))
				cv_wait(e);
			if (atomic_load(&canceled))
				return "canceled";
			if (!sb_step_state_ok(e->items[j].state)) {
				snprintf(why, wsize, "it needs '%s', which %s on %s", ns->id,
					 e->items[j].state == SB_ST_FAILED ? "failed" : "was not run",
					 p->hosts[h].name);
				return why;
			}
		}
	}
	return NULL;
}

static void *host_main(void *arg)
{
	struct host_rt *hr = arg;
	struct engine *e = hr->e;
	const struct sb_plan_host *ph = &e->p->hosts[hr->h];
	char why[600];

	for (size_t k = 0; k < ph->nitems; k++) {
		size_t idx = ph->items[k];
		struct item_rt *rt = &e->items[idx];
		const struct sb_step *s = &e->cl->steps[e->p->items[idx].step];
		struct sb_engine_event ev = { .kind = SB_EV_STEP_END, .run_id = e->run_id,
					      .host = ph->name, .step = s->id, .pos = k + 1,
					      .total = ph->nitems, .log = rt->log };

		pthread_mutex_lock(&e->mu);
		if (rt->earlier) {
			pthread_mutex_unlock(&e->mu);
			ev.state = rt->state;
			ev.earlier = true;
			emit(e, &ev);
			continue;
		}
		const char *blocked = NULL;
		if (atomic_load(&canceled)) {
			pthread_mutex_unlock(&e->mu);
			break;	/* stays pending (or running) for the next run */
		}
		if (hr->stopped)
			blocked = hr->stop_reason;
		else if (e->stop_site)
			blocked = e->stop_reason;
		else
			blocked = wait_needs(hr, idx, why, sizeof(why));
		if (blocked && strcmp(blocked, "canceled") == 0) {
			pthread_mutex_unlock(&e->mu);
			break;
		}
		if (blocked) {
			rt->state = SB_ST_BLOCKED;
			set_str(&rt->error, blocked);
			pthread_cond_broadcast(&e->cv);
			pthread_mutex_unlock(&e->mu);
			save(e, idx, NULL);
			ev.state = SB_ST_BLOCKED;
			ev.message = blocked;
			emit(e, &ev);
			continue;
		}
		while (e->slots == 0)
			cv_wait(e);
		e->slots--;
		pthread_mutex_unlock(&e->mu);

		run_item(hr, idx, k + 1, ph->nitems);

		pthread_mutex_lock(&e->mu);
		e->slots++;
		if (rt->state == SB_ST_FAILED && s->on_failure != SB_FAIL_CONTINUE) {
			if (s->on_failure == SB_FAIL_STOP_SITE && !e->stop_site) {
				e->stop_site = true;
				snprintf(e->stop_reason, sizeof(e->stop_reason),
					 "the site stopped: step '%s' failed on %s (on_failure: stop-site)",
					 s->id, ph->name);
			}
			hr->stopped = true;
			snprintf(hr->stop_reason, sizeof(hr->stop_reason),
				 "the host stopped after step '%s' failed", s->id);
		}
		pthread_cond_broadcast(&e->cv);
		pthread_mutex_unlock(&e->mu);
	}
	sb_exec_host_close(&hr->xh);
	struct sb_engine_event he = { .kind = SB_EV_HOST_END, .run_id = e->run_id,
				      .host = ph->name };
	emit(e, &he);
	return NULL;
}

/* ---- the run ------------------------------------------------------------------ */

static int make_run_id(char out[64])
{
	unsigned char r[3] = { 0 };
	char ts[40], hex[7];
	time_t now = time(NULL);
	struct tm tm;

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		return sb_error_set(SB_EIO, "getrandom: %s", strerror(errno));
	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y%m%d-%H%M%S", &tm);
	sb_hex(hex, r, 3);
	snprintf(out, 64, "%s-%s", ts, hex);
	return 0;
}

void sb_engine_result_release(struct sb_engine_result *r)
{
	for (size_t i = 0; r && i < r->nhosts; i++) {
		free(r->hosts[i].name);
		free(r->hosts[i].failed_step);
		free(r->hosts[i].error);
		free(r->hosts[i].log);
	}
	if (r) {
		free(r->hosts);
		r->hosts = NULL;
		r->nhosts = 0;
	}
}

static int lock_site(const char *runs_dir, const char *site, int *fd)
{
	char path[1200];

	snprintf(path, sizeof(path), "%s/.lock-%s", runs_dir, site);
	*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (*fd < 0)
		return sb_error_set(SB_EIO, "cannot create %s: %s", path, strerror(errno));
	if (flock(*fd, LOCK_EX | LOCK_NB) != 0) {
		close(*fd);
		*fd = -1;
		return sb_error_set(SB_ECONFLICT, "another 'siteboot run' is working on site %s (%s is locked); wait for it to finish",
				    site, path);
	}
	return 0;
}

int sb_engine_run(struct sb_engine_result *out, const struct sb_plan *p,
		  struct sb_runstore *rs, const struct sb_engine_opts *o)
{
	struct engine e = { 0 };
	struct sb_run_row run;
	struct host_rt *hrs = NULL;
	int lockfd = -1, rc;

	memset(out, 0, sizeof(*out));
	atomic_store(&canceled, 0);
	e.p = p;
	e.cl = p->cl;
	e.rs = rs;
	e.o = o;
	e.run_log = -1;
	e.slots = o->parallel ? o->parallel : 4;
	e.start_ms = sb_time_mono_ms();
	pthread_mutex_init(&e.mu, NULL);
	pthread_cond_init(&e.cv, NULL);
	pthread_mutex_init(&e.ev_mu, NULL);
	pthread_mutex_init(&e.attest_mu, NULL);
	pthread_mutex_init(&e.media_mu, NULL);
	if ((rc = sb_mkdir_p(o->runs_dir, 0700)) ||
	    (rc = lock_site(o->runs_dir, p->site->id, &lockfd)))
		goto out;
	e.items = calloc(p->nitems + 1, sizeof(*e.items));
	if (!e.items) {
		rc = sb_error_set(SB_ENOMEM, "out of memory");
		goto out;
	}
	/* resume the newest run of this checklist, BOM and selection unless
	 * it finished ok */
	rc = sb_runstore_find_resumable(rs, &run, e.cl->sha256, p->site->sha256,
					o->selection ? o->selection : "");
	if (rc && rc != SB_ENOTFOUND)
		goto out;
	if (rc == 0 && !o->new_run && strcmp(run.state, "ok") != 0) {
		out->resumed = true;
		sb_strlcpy(e.run_id, run.id, sizeof(e.run_id));
		sb_strlcpy(e.run_dir, run.dir, sizeof(e.run_dir));
		if ((rc = sb_runstore_run_finish(rs, e.run_id, "running")))
			goto out;
	} else {
		memset(&run, 0, sizeof(run));
		if ((rc = make_run_id(e.run_id)))
			goto out;
		snprintf(e.run_dir, sizeof(e.run_dir), "%s/%s", o->runs_dir, e.run_id);
		sb_strlcpy(run.id, e.run_id, sizeof(run.id));
		sb_strlcpy(run.checklist, e.cl->name, sizeof(run.checklist));
		sb_strlcpy(run.checklist_path, e.cl->path, sizeof(run.checklist_path));
		sb_strlcpy(run.checklist_sha256, e.cl->sha256, sizeof(run.checklist_sha256));
		sb_strlcpy(run.site, p->site->id, sizeof(run.site));
		sb_strlcpy(run.bom_path, p->site->path, sizeof(run.bom_path));
		sb_strlcpy(run.bom_sha256, p->site->sha256, sizeof(run.bom_sha256));
		sb_strlcpy(run.selection, o->selection ? o->selection : "", sizeof(run.selection));
		sb_strlcpy(run.started_by, o->started_by ? o->started_by : "", sizeof(run.started_by));
		sb_strlcpy(run.dir, e.run_dir, sizeof(run.dir));
		sb_strlcpy(run.state, "running", sizeof(run.state));
		run.started_at = sb_time_now_ms();
		if ((rc = sb_runstore_begin(rs)))
			goto out;
		rc = sb_runstore_run_create(rs, &run);
		for (size_t h = 0; !rc && h < p->nhosts; h++)
			for (size_t k = 0; !rc && k < p->hosts[h].nitems; k++)
				rc = sb_runstore_step_add(rs, e.run_id, p->hosts[h].name,
							  e.cl->steps[p->items[p->hosts[h].items[k]].step].id,
							  (unsigned)k);
		if (rc) {
			sb_runstore_rollback(rs);
			goto out;
		}
		if ((rc = sb_runstore_commit(rs)))
			goto out;
	}
	if ((rc = sb_mkdir_p(e.run_dir, 0700)))
		goto out;
	char lp[1200];
	snprintf(lp, sizeof(lp), "%s/run.log", e.run_dir);
	e.run_log = open(lp, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	/* the rows, as the last invocation left them */
	for (size_t i = 0; i < p->nitems; i++) {
		struct sb_step_row row;
		const struct sb_plan_item *it = &p->items[i];
		struct item_rt *rt = &e.items[i];
		rt->exit_status = -1;
		rc = sb_runstore_step_get(rs, e.run_id, p->hosts[it->host].name,
					  e.cl->steps[it->step].id, &row);
		if (rc == SB_ENOTFOUND) {
			rc = sb_runstore_step_add(rs, e.run_id, p->hosts[it->host].name,
						  e.cl->steps[it->step].id, 0);
			if (rc)
				goto out;
			continue;
		}
		if (rc)
			goto out;
		rt->attempts = row.attempts;
		rt->exit_status = row.exit_status;
		sb_strlcpy(rt->log, row.log, sizeof(rt->log));
		if (sb_step_state_ok(row.state) &&
		    e.cl->steps[it->step].run.kind == SB_EXEC_SERVE) {
			/* its server ended with the invocation that started it:
			 * start it again for the steps still to come */
			rt->state = SB_ST_PENDING;
		} else if (sb_step_state_ok(row.state)) {
			rt->state = row.state;
			rt->earlier = true;
			rt->out = row.stdout_text;
			row.stdout_text = NULL;
		} else {
			/* failed and blocked steps are tried again; a running
			 * one was in flight */
			rt->inflight = row.state == SB_ST_RUNNING;
			rt->state = SB_ST_PENDING;
		}
		sb_step_row_release(&row);
	}
	struct sb_engine_event rev = { .kind = SB_EV_RUN, .run_id = e.run_id,
				       .earlier = out->resumed, .total = p->nitems };
	emit(&e, &rev);
	/* the threads */
	hrs = calloc(p->nhosts + 1, sizeof(*hrs));
	if (!hrs) {
		rc = sb_error_set(SB_ENOMEM, "out of memory");
		goto out;
	}
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 2u * 1024u * 1024u);
	size_t started = 0;
	for (size_t h = 0; h < p->nhosts; h++) {
		hrs[h] = (struct host_rt){ .e = &e, .h = h };
		hrs[h].xh = (struct sb_exec_host){ .name = p->hosts[h].name,
						   .node = p->hosts[h].node, .site = p->site,
						   .identity = o->identity, .rs = rs,
						   .creds = o->creds, .ssh = NULL, .log_fd = -1,
						   .actor = o->started_by, .run_id = e.run_id,
						   .bmc_ca_file = o->bmc_ca_file };
		if (pthread_create(&hrs[h].th, &attr, host_main, &hrs[h]) != 0) {
			sb_engine_cancel();
			break;
		}
		started++;
	}
	pthread_attr_destroy(&attr);
	for (size_t h = 0; h < started; h++)
		pthread_join(hrs[h].th, NULL);
	/* the run ends here (done, failed or interrupted): so do its media
	 * servers; a killed process takes them along, as they are threads */
	media_stop_all(&e);
	sb_exec_virt_release();
	/* the summary */
	out->hosts = calloc(p->nhosts + 1, sizeof(*out->hosts));
	out->nhosts = out->hosts ? p->nhosts : 0;
	out->ok = !atomic_load(&canceled);
	for (size_t h = 0; h < out->nhosts; h++) {
		struct sb_engine_host *sh = &out->hosts[h];
		const struct sb_plan_host *ph = &p->hosts[h];
		sh->name = strdup(ph->name);
		sh->total = ph->nitems;
		sh->state = SB_ST_DONE;
		for (size_t k = 0; k < ph->nitems; k++) {
			struct item_rt *rt = &e.items[ph->items[k]];
			const struct sb_step *s = &e.cl->steps[p->items[ph->items[k]].step];
			if (sb_step_state_ok(rt->state)) {
				sh->ok++;
				if (rt->earlier)
					out->nearlier++;
				else if (rt->state == SB_ST_ALREADY)
					out->nalready++;
				else
					out->nran++;
				continue;
			}
			out->ok = false;
			if (rt->state == SB_ST_FAILED)
				out->nfailed++;
			else if (rt->state == SB_ST_BLOCKED)
				out->nblocked++;
			if (rt->state == SB_ST_FAILED && !sh->failed_step) {
				sh->state = SB_ST_FAILED;
				sh->failed_step = strdup(s->id);
				sh->error = sb_strdup(rt->error);
				sh->log = strdup(rt->log);
			} else if (sh->state == SB_ST_DONE) {
				sh->state = rt->state == SB_ST_BLOCKED ? SB_ST_BLOCKED : SB_ST_PENDING;
				if (!sh->error && rt->error)
					sh->error = strdup(rt->error);
			}
		}
	}
	sb_strlcpy(out->run_id, e.run_id, sizeof(out->run_id));
	sb_strlcpy(out->run_dir, e.run_dir, sizeof(out->run_dir));
	out->elapsed_ms = sb_time_mono_ms() - e.start_ms;
	rc = sb_runstore_run_finish(rs, e.run_id, atomic_load(&canceled) ? "running" :
				    out->ok ? "ok" : "failed");
out:
	for (size_t i = 0; e.items && i < p->nitems; i++) {
		free(e.items[i].out);
		free(e.items[i].err);
		free(e.items[i].error);
	}
	free(e.items);
	free(hrs);
	if (e.run_log >= 0)
		close(e.run_log);
	if (lockfd >= 0)
		close(lockfd);
	pthread_mutex_destroy(&e.mu);
	pthread_cond_destroy(&e.cv);
	pthread_mutex_destroy(&e.ev_mu);
	pthread_mutex_destroy(&e.attest_mu);
	media_stop_all(&e);
	pthread_mutex_destroy(&e.media_mu);
	return rc;
}

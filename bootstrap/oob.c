/* Targets, credentials and the fan-out behind discover, power, boot,
 * media and bmc info. */
#include "bootstrap/oob.h"
#include "common/error.h"
#include "common/file.h"
#include "common/pool.h"
#include "common/range.h"
#include "common/str.h"
#include "common/time.h"
#include "common/url.h"
#include "common/yaml.h"

#include <stdlib.h>
#include <string.h>

/* ---- targets ----------------------------------------------------------- */

static int target_push(struct sb_oob_targets *t, const char *name,
		       const char *node, const char *url,
		       const char *credential)
{
	struct sb_oob_target *x;

	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		struct sb_oob_target *v = realloc(t->v, cap * sizeof(*v));
		if (!v)
			return sb_error_set(SB_ENOMEM, "out of memory");
		t->v = v;
		t->cap = cap;
	}
	x = &t->v[t->n];
	memset(x, 0, sizeof(*x));
	x->name = sb_strdup(name);
	x->node = sb_strdup(node);
	x->url = sb_strdup(url);
	x->credential = sb_strdup(credential);
	if (!x->name || !x->url || (node && !x->node) ||
	    (credential && !x->credential)) {
		free(x->name);
		free(x->node);
		free(x->url);
		free(x->credential);
		return sb_error_set(SB_ENOMEM, "out of memory");
	}
	t->n++;
	return 0;
}

int sb_oob_targets_add_site(struct sb_oob_targets *t, const struct sb_site *s,
			    const char *const *patterns, size_t npatterns,
			    bool all)
{
	size_t *idx = NULL, n = 0;
	int rc;

	rc = sb_bom_select(&idx, &n, s, patterns, npatterns, all);
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++) {
		const struct sb_bom_node *node = &s->nodes[idx[i]];
		if (!node->bmc_url) {
			rc = sb_error_set(SB_EINPUT,
					  "%s:%u: node '%s' lists no BMC; add 'bmc: {url: ...}' to it or leave it out",
					  s->path, node->pos.line, node->name);
			break;
		}
		rc = target_push(t, node->name, node->name, node->bmc_url,
				 node->credential);
		if (rc)
			break;
	}
	free(idx);
	return rc;
}

int sb_oob_targets_add_urls(struct sb_oob_targets *t, const char *pattern)
{
	struct sb_strv v = { 0 };
	struct sb_bmc_url u;
	int rc;

	rc = sb_range_expand(&v, pattern, SB_RANGE_MAX);
	if (rc) {
		sb_error_prefix("--bmc: ");
		return rc;
	}
	for (size_t i = 0; i < v.n && rc == 0; i++) {
		/* the URL is not echoed: it might hold a password */
		rc = sb_bmc_url_parse(&u, v.v[i]);
		if (rc)
			sb_error_prefix("--bmc: ");
		else
			rc = target_push(t, v.v[i], NULL, v.v[i], NULL);
	}
	sb_strv_release(&v);
	return rc;
}

int sb_oob_targets_add_scan(struct sb_oob_targets *t, const char *pattern,
			    unsigned ipmi_port, unsigned rf_port, bool rf_http)
{
	struct sb_strv v = { 0 };
	char url[400];
	int rc;

	rc = sb_range_expand(&v, pattern, SB_RANGE_MAX);
	if (rc) {
		sb_error_prefix("--scan '%s': ", pattern);
		return rc;
	}
	for (size_t i = 0; i < v.n && rc == 0; i++) {
		const char *h = v.v[i];
		bool v6 = strchr(h, ':') != NULL;
		struct sb_bmc_url u;

		if (v6 && !sb_ip_valid(h)) {
			rc = sb_error_set(SB_EINPUT,
					  "--scan '%s': '%s' is not an address; give addresses or names without ports, e.g. 10.0.0.[1-254]",
					  pattern, h);
			break;
		}
		snprintf(url, sizeof(url), "ipmi://%s%s%s:%u", v6 ? "[" : "", h,
			 v6 ? "]" : "", ipmi_port);
		rc = sb_bmc_url_parse(&u, url);
		if (rc == 0)
			rc = target_push(t, url, NULL, url, NULL);
		if (rc)
			break;
		snprintf(url, sizeof(url), "%s://%s%s%s:%u",
			 rf_http ? "redfish+http" : "redfish", v6 ? "[" : "", h,
			 v6 ? "]" : "", rf_port);
		rc = sb_bmc_url_parse(&u, url);
		if (rc == 0)
			rc = target_push(t, url, NULL, url, NULL);
	}
	if (rc)
		sb_error_prefix("--scan: ");
	sb_strv_release(&v);
	return rc;
}

void sb_oob_targets_release(struct sb_oob_targets *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++) {
		free(t->v[i].name);
		free(t->v[i].node);
		free(t->v[i].url);
		free(t->v[i].credential);
	}
	free(t->v);
	memset(t, 0, sizeof(*t));
}

/* ---- credentials -------------------------------------------------------- */

/* Wipe a scalar that held a secret before its arena is freed. */
static void wipe_scalar(const struct sb_ynode *n)
{
	if (n && n->type == SB_YSCALAR && n->str)
		explicit_bzero((char *)n->str, n->len);
}

static void wipe_passwords(const struct sb_ynode *root)
{
	if (!root || root->type != SB_YMAP)
		return;
	for (size_t i = 0; i < root->n; i++)
		wipe_scalar(sb_ymap_get(root->pairs[i].val, "password"));
}

static const char *const cred_keys[] = { "user", "password", NULL };

static int parse_entries(struct sb_oob_creds *c, const char *file,
			 const struct sb_ynode *root, struct sb_diags *d)
{
	size_t before = d->nerrors;

	if (!root) {
		sb_diags_add(d, SB_DIAG_ERROR, file, 1, 1,
			     "write one entry per credential: NAME: {user: USER, password: PASSWORD}",
			     "the credentials file is empty");
		return SB_EINPUT;
	}
	if (root->type != SB_YMAP) {
		sb_diags_add(d, SB_DIAG_ERROR, file, root->line, root->col,
			     "write one entry per credential: NAME: {user: USER, password: PASSWORD}",
			     "the credentials file must be a mapping, not %s",
			     sb_ytype_name(root));
		return SB_EINPUT;
	}
	c->v = calloc(root->n ? root->n : 1, sizeof(*c->v));
	if (!c->v)
		return sb_error_set(SB_ENOMEM, "out of memory");
	for (size_t i = 0; i < root->n; i++) {
		const struct sb_ynode *k = root->pairs[i].key;
		const struct sb_ynode *v = root->pairs[i].val;
		const struct sb_ynode *user, *pw;

		if (v->type != SB_YMAP) {
			sb_diags_add(d, SB_DIAG_ERROR, file, v->line, v->col,
				     "write it as NAME: {user: USER, password: PASSWORD}",
				     "credential '%s' must be a mapping, not %s",
				     k->str, sb_ytype_name(v));
			continue;
		}
		for (size_t j = 0; j < v->n; j++) {
			const struct sb_ynode *kk = v->pairs[j].key;
			char hint[160];
			bool known = false;
			for (size_t q = 0; cred_keys[q]; q++)
				known |= strcmp(kk->str, cred_keys[q]) == 0;
			if (known)
				continue;
			sb_hint_choice(hint, sizeof(hint), kk->str, cred_keys,
				       "allowed keys:", true);
			sb_diags_add(d, SB_DIAG_ERROR, file, kk->line, kk->col,
				     hint, "credential '%s': unknown key '%s'",
				     k->str, kk->str);
		}
		user = sb_ymap_get(v, "user");
		pw = sb_ymap_get(v, "password");
		if (!user || user->type != SB_YSCALAR || !user->len) {
			sb_diags_add(d, SB_DIAG_ERROR, file, v->line, v->col,
				     "add 'user: NAME'",
				     "credential '%s' has no user", k->str);
			continue;
		}
		if (!pw || pw->type != SB_YSCALAR || !pw->len) {
			sb_diags_add(d, SB_DIAG_ERROR, file, v->line, v->col,
				     "add 'password: ...' (quote it if it has YAML characters)",
				     "credential '%s' has no password", k->str);
			continue;
		}
		c->v[c->n].name = sb_strndup(k->str, k->len);
		c->v[c->n].user = sb_strndup(user->str, user->len);
		c->v[c->n].password = sb_strndup(pw->str, pw->len);
		if (!c->v[c->n].name || !c->v[c->n].user ||
		    !c->v[c->n].password) {
			c->n++;
			return sb_error_set(SB_ENOMEM, "out of memory");
		}
		c->n++;
	}
	return d->nerrors > before ? SB_EINPUT : 0;
}

int sb_oob_creds_parse(struct sb_oob_creds *c, const char *file,
		       const char *buf, size_t len, struct sb_diags *diags)
{
	struct sb_ydoc *doc = NULL;
	int rc;

	rc = sb_yaml_load_buf(&doc, file, buf, len, &sb_ylimits_default, diags);
	if (rc)
		return rc;
	c->file = sb_strdup(file);
	rc = c->file ? parse_entries(c, file, doc->root, diags) :
		       sb_error_set(SB_ENOMEM, "out of memory");
	wipe_passwords(doc->root);
	sb_yaml_free(doc);
	if (rc == SB_EINPUT)
		sb_error_set(SB_EINPUT, "%s: not a usable credentials file",
			     file);
	return rc;
}

int sb_oob_creds_load(struct sb_oob_creds *c, const char *path,
		      struct sb_diags *diags)
{
	char *buf = NULL;
	size_t len = 0;
	int rc;

	rc = sb_file_check_private(path);
	if (rc)
		return rc;
	rc = sb_yaml_read_file(&buf, &len, path, &sb_ylimits_default, diags);
	if (rc)
		return rc;
	rc = sb_oob_creds_parse(c, path, buf, len, diags);
	sb_freezero(buf, len);
	return rc;
}

int sb_oob_creds_from_env(struct sb_oob_creds *c)
{
	const char *u = getenv("SITEBOOT_BMC_USER");
	const char *p = getenv("SITEBOOT_BMC_PASSWORD");

	if (u && *u) {
		c->env_user = sb_strdup(u);
		if (!c->env_user)
			return sb_error_set(SB_ENOMEM, "out of memory");
	}
	if (p && *p) {
		c->env_password = sb_strdup(p);
		if (!c->env_password)
			return sb_error_set(SB_ENOMEM, "out of memory");
	}
	return 0;
}

void sb_oob_creds_release(struct sb_oob_creds *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].name);
		free(c->v[i].user);
		sb_free_secret(c->v[i].password);
	}
	free(c->v);
	free(c->file);
	free(c->env_user);
	sb_free_secret(c->env_password);
	memset(c, 0, sizeof(*c));
}

static const struct sb_oob_cred *cred_find(const struct sb_oob_creds *c,
					   const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->v[i].name, name) == 0)
			return &c->v[i];
	return NULL;
}

static int creds_fill(struct sb_bmc_creds *out, const char *url_user,
		      const char *user, const char *password)
{
	out->user = sb_strdup(url_user && *url_user ? url_user : user);
	out->password = sb_strdup(password);
	if (!out->user || !out->password) {
		sb_bmc_creds_release(out);
		return sb_error_set(SB_ENOMEM, "out of memory");
	}
	return 0;
}

int sb_oob_creds_for(struct sb_bmc_creds *out, const struct sb_oob_creds *c,
		     const struct sb_oob_target *t, const char *fallback)
{
	struct sb_bmc_url u;
	const char *name = t->credential ? t->credential : fallback;
	const struct sb_oob_cred *e = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = sb_bmc_url_parse(&u, t->url);
	if (rc)
		return rc;
	if (c && c->file) {
		if (name)
			e = cred_find(c, name);
		else if (c->n == 1)
			e = &c->v[0];
		else
			e = cred_find(c, "default");
		if (e)
			return creds_fill(out, u.user, e->user, e->password);
		if (name && !(c->env_password))
			return sb_error_set(SB_EAUTH,
					    "credential '%s'%s%s is not in %s; add it there or set SITEBOOT_BMC_PASSWORD",
					    name,
					    t->credential && t->node ? " named by node " : "",
					    t->credential && t->node ? t->node : "",
					    c->file);
	}
	if (c && c->env_password) {
		if (!u.user[0] && !c->env_user)
			return sb_error_set(SB_EAUTH,
					    "no user to log in as; put it in the URL (ipmi://USER@host) or set SITEBOOT_BMC_USER");
		return creds_fill(out, u.user, c->env_user, c->env_password);
	}
	if (c && c->file)
		return sb_error_set(SB_EAUTH,
				    "%s has several credentials and none is named for this target; give --credential NAME",
				    c->file);
	return sb_error_set(SB_EAUTH,
			    "no credentials; give --credentials FILE (mode 0600) or set SITEBOOT_BMC_USER and SITEBOOT_BMC_PASSWORD");
}

/* ---- fan-out -------------------------------------------------------------- */

void sb_oob_request_init(struct sb_oob_request *r, enum sb_oob_op op)
{
	memset(r, 0, sizeof(*r));
	r->op = op;
	r->verify_timeout_ms = 30000;
	r->parallel = 64;
	r->security = true;
	sb_bmc_opts_default(&r->opts);
}

struct run {
	const struct sb_oob_targets *t;
	const struct sb_oob_request *req;
	struct sb_oob_result *res;
	size_t ndone;
};

static bool reached(int rc)
{
	/* the BMC answered: findings about it are worth having */
	return rc == 0 || rc == SB_EAUTH || rc == SB_ESECURITY ||
	       rc == SB_EUNSUPPORTED || rc == SB_EPROTO;
}

static void security(struct sb_oob_result *res, const struct sb_bmc_url *u,
		     const struct sb_bmc_creds *creds,
		     const struct sb_oob_request *req)
{
	const struct sb_bmc_driver *d = sb_bmc_driver_for(u);
	int rc;

	if (!d || !d->security_scan)
		return;
	sb_error_clear();
	rc = d->security_scan(u, creds, &req->opts, &res->findings,
			      &res->nfindings);
	if (rc) {
		res->security_error = sb_strdup(sb_error_message()[0] ?
						sb_error_message() :
						sb_error_name(rc));
		res->findings = NULL;
		res->nfindings = 0;
	}
}

/* Discover: identity, hardware, firmware; an absent capability leaves
 * its part empty with a warning instead of failing the target. */
static int do_discover(struct sb_oob_result *res, struct sb_bmc *b)
{
	int rc;

	rc = sb_bmc_info(b, &res->info);
	if (rc && rc != SB_EUNSUPPORTED)
		return rc;
	rc = sb_bmc_inventory_read(b, &res->inv);
	if (rc == SB_EUNSUPPORTED)
		res->warning = sb_strdup(sb_error_message());
	else if (rc)
		return rc;
	rc = sb_bmc_firmware_read(b, &res->inv);
	if (rc == SB_EUNSUPPORTED && !res->warning)
		res->warning = sb_strdup(sb_error_message());
	else if (rc && rc != SB_EUNSUPPORTED)
		return rc;
	if (!res->inv.vendor && res->info.vendor)
		res->inv.vendor = sb_strdup(res->info.vendor);
	if (!res->inv.product && res->info.product)
		res->inv.product = sb_strdup(res->info.product);
	if (!res->inv.system_guid && res->info.system_guid)
		res->inv.system_guid = sb_strdup(res->info.system_guid);
	/* the BMC's own version, unless the firmware inventory has it */
	bool have = false;
	for (size_t i = 0; i < res->inv.nfirmware; i++)
		have |= sb_streq(res->inv.firmware[i].version,
				 res->info.firmware_version);
	if (res->info.firmware_version && !have &&
	    !sb_hw_add_firmware(&res->inv, "BMC", res->info.firmware_version,
				res->protocol, "bmc-info"))
		return sb_error_set(SB_ENOMEM, "out of memory");
	return 0;
}

static int do_scan(struct sb_oob_result *res, const struct sb_bmc_url *u,
		   const struct sb_oob_request *req, struct sb_bmc_creds *cr)
{
	const struct sb_bmc_driver *d = sb_bmc_driver_for(u);
	const struct sb_oob_target *t = res->target;
	struct sb_bmc *b = NULL;
	int rc;

	if (!d)
		return SB_EUNSUPPORTED;
	if (!d->probe)
		return sb_error_set(SB_EUNSUPPORTED,
				    "the %s driver cannot probe", d->name);
	rc = d->probe(u, &req->opts, &res->info);
	if (rc)
		return rc;
	res->credentials = "untested";
	sb_error_clear();
	if (sb_oob_creds_for(cr, req->creds, t, req->credential) != 0)
		return 0;
	rc = sb_bmc_open(&b, t->url, cr, &req->opts);
	if (rc == 0) {
		res->credentials = "ok";
		if (!res->info.vendor)
			sb_bmc_info(b, &res->info);
		sb_bmc_close(b);
	} else {
		res->credentials = "failed";
		res->warning = sb_strdup(sb_error_message());
	}
	return 0;
}

static int do_target(struct sb_oob_result *res,
		     const struct sb_oob_request *req,
		     struct sb_bmc_creds *cr)
{
	const struct sb_oob_target *t = res->target;
	struct sb_bmc *b = NULL;
	int rc;

	rc = sb_oob_creds_for(cr, req->creds, t, req->credential);
	if (rc)
		return rc;
	rc = sb_bmc_open(&b, t->url, cr, &req->opts);
	if (rc)
		return rc;
	switch (req->op) {
	case SB_OOB_POWER_STATUS:
		rc = sb_bmc_power_get(b, &res->power);
		break;
	case SB_OOB_POWER:
		rc = sb_bmc_power_set_verified(b, req->power,
					       req->verify_timeout_ms,
					       &res->power);
		break;
	case SB_OOB_BOOT:
		rc = sb_bmc_boot_set(b, &req->boot);
		if (rc == 0)
			res->boot = req->boot;
		break;
	case SB_OOB_MEDIA_INSERT:
		rc = sb_bmc_media_insert(b, req->slot, req->image_url);
		if (rc == 0)
			rc = sb_bmc_media_list(b, &res->slots, &res->nslots);
		break;
	case SB_OOB_MEDIA_EJECT:
		rc = sb_bmc_media_eject(b, req->slot);
		if (rc == 0)
			rc = sb_bmc_media_list(b, &res->slots, &res->nslots);
		break;
	case SB_OOB_MEDIA_STATUS:
		rc = sb_bmc_media_list(b, &res->slots, &res->nslots);
		break;
	case SB_OOB_INFO:
		rc = sb_bmc_info(b, &res->info);
		break;
	case SB_OOB_DISCOVER:
		rc = do_discover(res, b);
		break;
	case SB_OOB_SCAN:
		rc = SB_EINTERNAL;
		break;
	}
	if (rc) {
		/* keep this message: closing may set another */
		char *msg = sb_strdup(sb_error_message());
		sb_bmc_close(b);
		sb_error_set(rc, "%s", msg ? msg : sb_error_name(rc));
		free(msg);
		return rc;
	}
	sb_bmc_close(b);
	return 0;
}

static void work(size_t i, void *ctx)
{
	struct run *r = ctx;
	const struct sb_oob_request *req = r->req;
	struct sb_oob_result *res = &r->res[i];
	struct sb_bmc_creds cr = { 0 };
	struct sb_bmc_url u;
	uint64_t start = sb_time_mono_ms();
	int rc;

	res->done = true;
	sb_error_clear();
	rc = sb_bmc_url_parse(&u, res->target->url);
	if (rc == 0) {
		res->protocol = u.proto == SB_PROTO_IPMI ? "ipmi" : "redfish";
		if (req->op == SB_OOB_SCAN)
			rc = do_scan(res, &u, req, &cr);
		else
			rc = do_target(res, req, &cr);
	}
	if (rc) {
		const char *m = sb_error_message();
		res->rc = rc;
		res->error = sb_strdup(m[0] ? m : sb_error_name(rc));
	}
	if ((req->op == SB_OOB_DISCOVER || req->op == SB_OOB_SCAN) &&
	    req->security && reached(rc)) {
		/* a wrong password does not stop a finding such as cipher 0 */
		if (!cr.password)
			sb_oob_creds_for(&cr, req->creds, res->target,
					 req->credential);
		security(res, &u, cr.password ? &cr : NULL, req);
	}
	sb_bmc_creds_release(&cr);
	if (req->op == SB_OOB_DISCOVER) {
		if (!res->inv.target)
			res->inv.target = sb_strdup(res->target->name);
		if (!res->inv.protocol && res->protocol)
			res->inv.protocol = sb_strdup(res->protocol);
	}
	res->elapsed_ms = sb_time_mono_ms() - start;
	res->time_ms = sb_time_now_ms();
}

static void done(size_t i, void *ctx)
{
	struct run *r = ctx;
	const struct sb_oob_request *req = r->req;
	struct sb_oob_result *res = &r->res[i];

	r->ndone++;
	if (req->op == SB_OOB_DISCOVER && res->rc == 0 && req->on_inventory) {
		int rc;
		sb_error_clear();
		rc = req->on_inventory(req->inventory_ctx, res->target,
				       &res->inv);
		if (rc) {
			res->rc = rc;
			res->error = sb_asprintf("recording failed: %s",
						 sb_error_message());
		}
	}
	if (req->on_result)
		req->on_result(res, r->ndone, r->t->n, req->ctx);
}

int sb_oob_run(struct sb_oob_result **out, const struct sb_oob_targets *t,
	       const struct sb_oob_request *req)
{
	struct run r = { .t = t, .req = req };
	int rc;

	*out = NULL;
	r.res = calloc(t->n ? t->n : 1, sizeof(*r.res));
	if (!r.res)
		return sb_error_set(SB_ENOMEM, "out of memory");
	for (size_t i = 0; i < t->n; i++) {
		r.res[i].target = &t->v[i];
		sb_hw_inventory_init(&r.res[i].inv);
	}
	rc = sb_pool_run(t->n, req->parallel ? req->parallel : 64, work, done,
			 &r);
	if (rc) {
		sb_oob_results_free(r.res, t->n);
		return rc;
	}
	*out = r.res;
	return 0;
}

void sb_oob_results_free(struct sb_oob_result *r, size_t n)
{
	if (!r)
		return;
	for (size_t i = 0; i < n; i++) {
		free(r[i].error);
		free(r[i].warning);
		free(r[i].security_error);
		sb_bmc_info_release(&r[i].info);
		sb_hw_inventory_release(&r[i].inv);
		sb_bmc_findings_free(r[i].findings, r[i].nfindings);
		sb_media_slots_free(r[i].slots, r[i].nslots);
	}
	free(r);
}

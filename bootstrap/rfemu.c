/* The lab's Redfish BMC emulator: the mockup tree and the state machine
 * behind the HTTP server (see rfemu.h). Single-threaded by design: the
 * server calls sb_rfemu_handle from one thread. */
#include "bootstrap/rfemu.h"
#include "common/error.h"
#include "common/file.h"
#include "common/json.h"
#include "common/log.h"
#include "common/str.h"
#include "common/time.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#define ROOT "/redfish/v1"
#define SESSIONS ROOT "/SessionService/Sessions"
#define TASKS ROOT "/TaskService/Tasks"
#define MONITORS ROOT "/TaskService/TaskMonitors"
#define MAX_SESSIONS 64
#define MAX_TASKS 256
#define MAX_BODY (1024 * 1024)
#define MAX_EXPAND_NODES 4000
#define MSG "Base.1.15."

struct rf_session {
	char id[33];
	char token[65];
};

struct rf_task {
	unsigned id;
	char system[512];
	char state[16];		/* PowerState when done */
	uint64_t due;
	bool done;
};

struct sb_rfemu {
	json_t *tree;		/* key -> resource */
	json_t *etags;		/* key -> ETag, a cache */
	json_t *dirty;		/* keys to persist */
	char user[64];
	char *password;
	struct rf_session sess[MAX_SESSIONS];
	size_t nsess;
	struct rf_task *tasks;
	size_t ntasks;
	unsigned next_task;
	unsigned task_ms;
	uint64_t (*now)(void);
	char *state_dir;
	size_t expanded;	/* nodes expanded in the current reply */
	bool fetch;		/* InsertMedia fetches the image */
	json_t *fetched;	/* media key -> {image, file, size, sha256} */
};

static void system_boots(struct sb_rfemu *e, const char *syskey, json_t *sys);

/* ---- small helpers ---------------------------------------------------- */

static const char *type_of(const json_t *res)
{
	const char *t = sb_json_str(res, "@odata.type");

	return t ? t : "";
}

static bool is_type(const json_t *res, const char *prefix)
{
	return sb_startswith(type_of(res), prefix);
}

/* The last segment of the key's parent: "Processors" for
 * /redfish/v1/Systems/1/Processors/CPU1. */
bool sb_rfemu_parent_is(const char *key, const char *name)
{
	const char *last = strrchr(key, '/');
	size_t n = strlen(name);

	if (!last || (size_t)(last - key) < n + 1)
		return false;
	return strncmp(last - n, name, n) == 0 && *(last - n - 1) == '/';
}

bool sb_rfemu_under(const char *key, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncmp(key, prefix, n) == 0 && (key[n] == '\0' || key[n] == '/');
}

static void touch(struct sb_rfemu *e, const char *key, bool persist)
{
	json_object_del(e->etags, key);
	if (persist)
		json_object_set_new(e->dirty, key, json_true());
}

json_t *sb_rfemu_obj_at(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	if (!json_is_object(v)) {
		v = json_object();
		json_object_set_new(o, k, v);
	}
	return v;
}

/* ---- loading ---------------------------------------------------------- */

static void ints_back(json_t *v)
{
	const char *k;
	json_t *c;
	size_t i;

	if (json_is_object(v)) {
		json_object_foreach(v, k, c) {
			double d = json_real_value(c);
			if (json_is_real(c) && d == (double)(long long)d && d > -9e18 && d < 9e18)
				json_object_set_new(v, k, json_integer((json_int_t)d));
			else
				ints_back(c);
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, c) {
			double d = json_real_value(c);
			if (json_is_real(c) && d == (double)(long long)d && d > -9e18 && d < 9e18)
				json_array_set_new(v, i, json_integer((json_int_t)d));
			else
				ints_back(c);
		}
	}
}

static int load_dir(struct sb_rfemu *e, const char *dir, const char *key,
		    unsigned depth)
{
	char path[4096], sub[4096];
	DIR *d;
	struct dirent *de;
	int rc = 0;

	if (depth > 32)
		return sb_error_set(SB_EINPUT, "mockup %s: folders nested too deep", dir);
	snprintf(path, sizeof(path), "%s/index.json", dir);
	if (access(path, R_OK) == 0) {
		char *buf = NULL;
		size_t len = 0;
		json_t *doc = NULL;
		rc = sb_file_read(&buf, &len, path, 8u << 20);
		if (!rc)
			rc = sb_json_parse(&doc, buf, len, 8u << 20, path);
		if (rc == SB_EPROTO && strstr(sb_error_message(), "too big integer")) {
			/* DMTF's mockups hold a few sizes beyond int64: read
			 * those files with numbers as reals, then turn the
			 * integral ones back into integers */
			json_error_t jerr;
			doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES |
					 JSON_DECODE_INT_AS_REAL, &jerr);
			if (doc) {
				ints_back(doc);
				sb_error_clear();
				rc = 0;
			}
		}
		free(buf);
		if (rc)
			return rc;
		if (!json_is_object(doc)) {
			json_decref(doc);
			return sb_error_set(SB_EINPUT, "%s: not a JSON object", path);
		}
		json_object_del(doc, "@odata.etag");
		/* a resource names itself by its path (one DMTF mockup drive
		 * names its neighbour; no BMC would) */
		const char *self = sb_json_str(doc, "@odata.id");
		char selfkey[2048];
		if (self && key[0] && (!sb_rfemu_path_key(selfkey, sizeof(selfkey), self) ||
				       strcmp(selfkey, key) != 0))
			json_object_set_new(doc, "@odata.id", json_string(key));
		/* Id and Name are required of every resource; a few DMTF
		 * mockup drives lack them, and clients (sushy) insist */
		const char *type = sb_json_str(doc, "@odata.type");
		const char *seg = strrchr(key, '/');
		if (type && seg && !sb_endswith(type, "Collection") &&
		    !json_object_get(doc, "Id"))
			json_object_set_new(doc, "Id", json_string(seg + 1));
		if (type && seg && !json_object_get(doc, "Name"))
			json_object_set_new(doc, "Name", json_string(seg + 1));
		json_object_set_new(e->tree, key[0] ? key : ROOT, doc);
	}
	d = opendir(dir);
	if (!d)
		return sb_error_set(SB_EINPUT, "mockup %s: %s; give --mockup a folder "
				    "holding index.json files", dir, strerror(errno));
	while (!rc && (de = readdir(d))) {
		struct stat st;
		if (de->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name);
		if (stat(sub, &st) != 0 || !S_ISDIR(st.st_mode))
			continue;
		char k[2048];
		snprintf(k, sizeof(k), "%s/%s", key[0] ? key : ROOT, de->d_name);
		rc = load_dir(e, sub, k, depth + 1);
	}
	closedir(d);
	return rc;
}

static void add_member(struct sb_rfemu *e, const char *coll, const char *key)
{
	json_t *c = json_object_get(e->tree, coll), *m;

	if (!c)
		return;
	m = json_object_get(c, "Members");
	if (!json_is_array(m)) {
		m = json_array();
		json_object_set_new(c, "Members", m);
	}
	json_array_append_new(m, json_pack("{s:s}", "@odata.id", key));
	json_object_set_new(c, "Members@odata.count", json_integer((json_int_t)json_array_size(m)));
	touch(e, coll, false);
}

static void del_member(struct sb_rfemu *e, const char *coll, const char *key)
{
	json_t *c = json_object_get(e->tree, coll);
	json_t *m = sb_json_arr(c, "Members");

	for (size_t i = 0; m && i < json_array_size(m); i++)
		if (sb_streq(sb_json_str(json_array_get(m, i), "@odata.id"), key)) {
			json_array_remove(m, i);
			break;
		}
	if (m)
		json_object_set_new(c, "Members@odata.count", json_integer((json_int_t)json_array_size(m)));
	touch(e, coll, false);
}

/* What a freshly racked lab BMC looks like: no sessions, nothing in the
 * virtual drives, the actions the mockups leave out, and only the
 * protocol features we implement. */
static void lab_setup(struct sb_rfemu *e)
{
	const char *key;
	json_t *res, *root = json_object_get(e->tree, ROOT);
	struct sb_strv drop = { 0 };

	if (root)
		json_object_set_new(root, "ProtocolFeaturesSupported",
				    json_pack("{s:{s:b, s:b, s:i, s:b, s:b}, s:b, s:b, s:b, s:b}",
					      "ExpandQuery", "ExpandAll", 1, "Levels", 1,
					      "MaxLevels", 6, "Links", 1, "NoLinks", 1,
					      "SelectQuery", 0, "FilterQuery", 0,
					      "OnlyMemberQuery", 0, "ExcerptQuery", 0));
	json_object_foreach(e->tree, key, res) {
		if (sb_rfemu_parent_is(key, "Sessions") && sb_rfemu_under(key, SESSIONS))
			sb_strv_push(&drop, key);
		if (is_type(res, "#Storage.")) {
			/* members of an inline array need a MemberId and their
			 * own @odata.id (sushy insists; DMTF's mockup omits them) */
			json_t *ctl = sb_json_arr(res, "StorageControllers");
			for (size_t i = 0; ctl && i < json_array_size(ctl); i++) {
				json_t *c = json_array_get(ctl, i);
				char id[2048], num[16];
				snprintf(num, sizeof(num), "%zu", i);
				snprintf(id, sizeof(id), "%s#/StorageControllers/%zu", key, i);
				if (json_is_object(c) && !json_object_get(c, "MemberId"))
					json_object_set_new(c, "MemberId", json_string(num));
				if (json_is_object(c) && !json_object_get(c, "@odata.id"))
					json_object_set_new(c, "@odata.id", json_string(id));
			}
		}
		if (is_type(res, "#VirtualMedia.")) {
			char t[2048];
			json_object_set_new(res, "Inserted", json_false());
			json_object_set_new(res, "Image", json_null());
			json_object_set_new(res, "ImageName", json_null());
			json_object_set_new(res, "WriteProtected", json_true());
			json_object_set_new(res, "ConnectedVia", json_string("NotConnected"));
			json_t *acts = sb_rfemu_obj_at(res, "Actions");
			snprintf(t, sizeof(t), "%s/Actions/VirtualMedia.InsertMedia", key);
			json_object_set_new(acts, "#VirtualMedia.InsertMedia",
					    json_pack("{s:s}", "target", t));
			snprintf(t, sizeof(t), "%s/Actions/VirtualMedia.EjectMedia", key);
			json_object_set_new(acts, "#VirtualMedia.EjectMedia",
					    json_pack("{s:s}", "target", t));
		}
	}
	for (size_t i = 0; i < drop.n; i++) {
		json_object_del(e->tree, drop.v[i]);
		del_member(e, SESSIONS, drop.v[i]);
	}
	sb_strv_release(&drop);
	if (!json_object_get(e->tree, TASKS) && json_object_get(e->tree, ROOT "/TaskService"))
		json_object_set_new(e->tree, TASKS,
				    json_pack("{s:s, s:s, s:s, s:[], s:i}", "@odata.type",
					      "#TaskCollection.TaskCollection", "@odata.id", TASKS,
					      "Name", "Tasks", "Members", "Members@odata.count", 0));
}

static uint64_t mono_ms(void)
{
	return sb_time_mono_ms();
}

int sb_rfemu_load(struct sb_rfemu **out, const char *dir, const char *user,
		  const char *password)
{
	struct sb_rfemu *e = calloc(1, sizeof(*e));
	int rc;

	if (!e)
		return sb_error_set(SB_ENOMEM, "out of memory");
	e->tree = json_object();
	e->etags = json_object();
	e->dirty = json_object();
	e->fetched = json_object();
	e->password = sb_strdup(password);
	e->task_ms = SB_RFEMU_TASK_MS;
	e->now = mono_ms;
	e->next_task = 1;
	sb_strlcpy(e->user, user, sizeof(e->user));
	if (!e->tree || !e->etags || !e->dirty || !e->fetched || !e->password) {
		sb_rfemu_free(e);
		return sb_error_set(SB_ENOMEM, "out of memory");
	}
	rc = load_dir(e, dir, "", 0);
	if (!rc && !is_type(json_object_get(e->tree, ROOT), "#ServiceRoot."))
		rc = sb_error_set(SB_EINPUT, "mockup %s: no service root (a ServiceRoot index.json) at "
				  "its top; give --mockup the folder that holds the service root", dir);
	if (rc) {
		sb_rfemu_free(e);
		return rc;
	}
	lab_setup(e);
	*out = e;
	return 0;
}

void sb_rfemu_free(struct sb_rfemu *e)
{
	if (!e)
		return;
	json_decref(e->tree);
	json_decref(e->etags);
	json_decref(e->dirty);
	json_decref(e->fetched);
	sb_free_secret(e->password);
	explicit_bzero(e->sess, sizeof(e->sess));
	free(e->tasks);
	free(e->state_dir);
	free(e);
}

void sb_rfemu_set_fetch(struct sb_rfemu *e, bool on)
{
	e->fetch = on;
}

void sb_rfemu_set_task_ms(struct sb_rfemu *e, unsigned ms)
{
	e->task_ms = ms;
}

void sb_rfemu_set_clock(struct sb_rfemu *e, uint64_t (*now_ms)(void))
{
	e->now = now_ms ? now_ms : mono_ms;
}

json_t *sb_rfemu_get(struct sb_rfemu *e, const char *key)
{
	return json_object_get(e->tree, key);
}

json_t *sb_rfemu_tree(struct sb_rfemu *e)
{
	return e->tree;
}

void sb_rfemu_changed(struct sb_rfemu *e)
{
	json_object_clear(e->etags);
}

bool sb_rfemu_path_key(char *out, size_t size, const char *path)
{
	size_t o = 0;

	if (!path || path[0] != '/' || size < 2)
		return false;
	for (const char *p = path; *p && *p != '?' && *p != '#'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '\\')
			return false;
		if (*p == '/' && o > 0 && out[o - 1] == '/')
			continue;
		if (o + 1 >= size)
			return false;
		out[o++] = *p;
	}
	out[o] = '\0';
	if (sb_endswith(out, "/index.json")) {
		o -= strlen("/index.json");
		out[o] = '\0';
	}
	while (o > 1 && out[o - 1] == '/')
		out[--o] = '\0';
	if (strstr(out, "/../") || strstr(out, "/./") || sb_endswith(out, "/..") ||
	    sb_endswith(out, "/."))
		return false;
	return strcmp(out, "/redfish") == 0 || sb_startswith(out, "/redfish/");
}

/* ---- state on disk ---------------------------------------------------- */

static void save_state(struct sb_rfemu *e)
{
	char path[4096];
	const char *key;
	json_t *v, *doc;
	char *text;

	if (!e->state_dir)
		return;
	doc = json_object();
	json_object_foreach(e->dirty, key, v) {
		json_t *res = json_object_get(e->tree, key);
		if (res)
			json_object_set(doc, key, res);
	}
	text = json_dumps(doc, JSON_INDENT(1) | JSON_SORT_KEYS);
	json_decref(doc);
	snprintf(path, sizeof(path), "%s/state.json", e->state_dir);
	if (!text || sb_file_write_atomic(path, text, strlen(text), 0600))
		sb_warn("lab-redfish-bmc: cannot save state to %s: %s", path,
			sb_error_message());
	free(text);
}

int sb_rfemu_set_state_dir(struct sb_rfemu *e, const char *dir)
{
	char path[4096];
	char *buf = NULL;
	size_t len;
	json_t *doc = NULL, *res;
	const char *key;
	int rc;

	free(e->state_dir);
	e->state_dir = sb_strdup(dir);
	if (!e->state_dir)
		return sb_error_set(SB_ENOMEM, "out of memory");
	rc = sb_mkdir_p(dir, 0700);
	if (rc)
		return rc;
	snprintf(path, sizeof(path), "%s/media.json", dir);
	if (access(path, F_OK) == 0) {
		rc = sb_file_read(&buf, &len, path, 1u << 20);
		if (!rc)
			rc = sb_json_parse(&doc, buf, len, 1u << 20, path);
		free(buf);
		buf = NULL;
		if (rc)
			return rc;
		if (json_is_object(doc))
			json_object_update(e->fetched, doc);
		json_decref(doc);
		doc = NULL;
	}
	snprintf(path, sizeof(path), "%s/state.json", dir);
	if (access(path, F_OK) != 0)
		return 0;
	rc = sb_file_read(&buf, &len, path, 64u << 20);
	if (!rc)
		rc = sb_json_parse(&doc, buf, len, 64u << 20, path);
	free(buf);
	if (rc)
		return rc;
	json_object_foreach(doc, key, res) {
		if (json_is_object(res) && json_object_get(e->tree, key)) {
			json_object_set(e->tree, key, res);
			touch(e, key, true);
		}
	}
	json_decref(doc);
	return 0;
}

/* ---- replies ---------------------------------------------------------- */

static void add_header(struct sb_rfemu_resp *r, const char *name, const char *value)
{
	if (r->nhdr >= SB_RFEMU_HDR_MAX)
		return;
	r->hdr_name[r->nhdr] = sb_strdup(name);
	r->hdr_value[r->nhdr] = sb_strdup(value);
	r->nhdr++;
}

static void reply_json(struct sb_rfemu_resp *r, int status, json_t *doc)
{
	r->status = status;
	if (doc) {
		r->body = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
		r->body_len = r->body ? strlen(r->body) : 0;
		json_decref(doc);
	}
}

static void reply_error(struct sb_rfemu_resp *r, int status, const char *id,
			const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void reply_error(struct sb_rfemu_resp *r, int status, const char *id,
			const char *fmt, ...)
{
	char msg[1024], mid[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(mid, sizeof(mid), MSG "%s", id);
	reply_json(r, status,
		   json_pack("{s:{s:s, s:s, s:[{s:s, s:s, s:s, s:s}]}}", "error",
			     "code", status >= 500 ? MSG "InternalError" : MSG "GeneralError",
			     "message", msg, "@Message.ExtendedInfo", "MessageId", mid,
			     "Message", msg, "Severity", status >= 500 ? "Critical" : "Warning",
			     "Resolution", "See the message."));
}

void sb_rfemu_resp_release(struct sb_rfemu_resp *r)
{
	free(r->body);
	for (size_t i = 0; i < r->nhdr; i++) {
		free(r->hdr_name[i]);
		sb_free_secret(r->hdr_value[i]);	/* X-Auth-Token */
	}
	memset(r, 0, sizeof(*r));
}

const char *sb_rfemu_resp_header(const struct sb_rfemu_resp *r, const char *name)
{
	for (size_t i = 0; i < r->nhdr; i++)
		if (sb_strcaseeq(r->hdr_name[i], name))
			return r->hdr_value[i];
	return NULL;
}

/* A strong ETag from the resource's content: it changes exactly when the
 * resource does. */
static const char *etag_of(struct sb_rfemu *e, const char *key)
{
	const char *t = sb_json_str(e->etags, key);
	json_t *res = json_object_get(e->tree, key);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char hex[2 * EVP_MAX_MD_SIZE + 1], tag[48];
	char *canon = NULL;

	if (t || !res)
		return t;
	if (sb_json_canonical(&canon, res))
		return NULL;
	EVP_Digest(canon, strlen(canon), md, &mdlen, EVP_sha256(), NULL);
	free(canon);
	sb_hex(hex, md, 12);
	snprintf(tag, sizeof(tag), "\"%s\"", hex);
	json_object_set_new(e->etags, key, json_string(tag));
	return sb_json_str(e->etags, key);
}

/* Does an If-Match / If-None-Match list name this tag? Weak and strong
 * forms compare alike (sushy and some BMCs add or drop "W/"). */
static bool tag_listed(const char *list, const char *tag)
{
	const char *p = list;

	if (!tag)
		return false;
	if (tag[0] == 'W' && tag[1] == '/')
		tag += 2;
	while (*p) {
		while (*p == ' ' || *p == ',')
			p++;
		if (*p == '*')
			return true;
		if (p[0] == 'W' && p[1] == '/')
			p += 2;
		size_t n = strcspn(p, ",");
		size_t tn = strlen(tag);
		size_t m = n;
		while (m > 0 && p[m - 1] == ' ')
			m--;
		if (m == tn && strncmp(p, tag, tn) == 0)
			return true;
		p += n;
	}
	return false;
}

static const char *allow_of(const char *key, const json_t *res)
{
	if (strcmp(key, SESSIONS) == 0)
		return "GET, HEAD, POST";
	if (sb_rfemu_under(key, SESSIONS))
		return "GET, HEAD, DELETE";
	if (is_type(res, "#ComputerSystem.") || is_type(res, "#VirtualMedia."))
		return "GET, HEAD, PATCH";
	return "GET, HEAD";
}

/* ---- $expand ---------------------------------------------------------- */

enum { EXP_SUB = 1, EXP_LINKS = 2 };

static json_t *expand(struct sb_rfemu *e, json_t *v, int levels, int mode,
		      bool in_links, bool top)
{
	if (json_is_object(v)) {
		const char *k;
		json_t *c, *out;
		if (!top && levels > 0 && json_object_size(v) == 1 &&
		    (mode & (in_links ? EXP_LINKS : EXP_SUB)) &&
		    e->expanded < MAX_EXPAND_NODES) {
			const char *ref = sb_json_str(v, "@odata.id");
			char key[2048];
			json_t *res = NULL;
			if (ref && sb_rfemu_path_key(key, sizeof(key), ref) &&
			    !strchr(ref, '#'))
				res = json_object_get(e->tree, key);
			if (res) {
				e->expanded++;
				return expand(e, res, levels - 1, mode, false, true);
			}
		}
		out = json_object();
		json_object_foreach(v, k, c)
			json_object_set_new(out, k, expand(e, c, levels, mode,
							   in_links || strcmp(k, "Links") == 0,
							   false));
		return out;
	}
	if (json_is_array(v)) {
		json_t *out = json_array();
		size_t i;
		json_t *c;
		json_array_foreach(v, i, c)
			json_array_append_new(out, expand(e, c, levels, mode, in_links, false));
		return out;
	}
	return json_incref(v);
}

/* Parse "$expand=.($levels=2)" and refuse query options we do not
 * implement, as a service must (501). Returns 0 or an HTTP status. */
static int parse_query(const char *q, int *mode, int *levels, char *bad, size_t badsize)
{
	char buf[1024];
	char *save = NULL;

	*mode = 0;
	*levels = 1;
	if (!q || !*q)
		return 0;
	sb_strlcpy(buf, q, sizeof(buf));
	for (char *t = strtok_r(buf, "&", &save); t; t = strtok_r(NULL, "&", &save)) {
		char *v = strchr(t, '=');
		if (v)
			*v++ = '\0';
		if (strcmp(t, "$expand") == 0 && v) {
			if (*v == '*')
				*mode = EXP_SUB | EXP_LINKS;
			else if (*v == '.')
				*mode = EXP_SUB;
			else if (*v == '~')
				*mode = EXP_LINKS;
			else {
				snprintf(bad, badsize, "$expand=%s", v);
				return 400;
			}
			const char *l = strstr(v, "$levels=");
			if (l) {
				long long n;
				char num[16];
				sb_strlcpy(num, l + 8, sizeof(num));
				num[strcspn(num, ")")] = '\0';
				if (sb_parse_ll(&n, num, 1, 6, "$levels")) {
					snprintf(bad, badsize, "$levels=%s", num);
					return 400;
				}
				*levels = (int)n;
			}
		} else if (t[0] == '$' || strcmp(t, "only") == 0 || strcmp(t, "excerpt") == 0) {
			snprintf(bad, badsize, "%s", t);
			return 501;
		}
	}
	return 0;
}

static void do_get(struct sb_rfemu *e, const char *key, const struct sb_rfemu_req *req,
		   struct sb_rfemu_resp *r)
{
	json_t *res = json_object_get(e->tree, key), *doc;
	const char *tag;
	char bad[256] = "";
	int mode, levels, st;

	if (!res) {
		reply_error(r, 404, "ResourceNotFound", "no resource at %s", key);
		return;
	}
	st = parse_query(req->query, &mode, &levels, bad, sizeof(bad));
	if (st) {
		reply_error(r, st, st == 501 ? "QueryNotSupported" : "QueryParameterValueFormatError",
			    "query option %s is not supported here", bad);
		return;
	}
	tag = etag_of(e, key);
	if (tag) {
		add_header(r, "ETag", tag);
		if (req->if_none_match && tag_listed(req->if_none_match, tag)) {
			r->status = 304;
			return;
		}
	}
	add_header(r, "Allow", allow_of(key, res));
	e->expanded = 0;
	if (mode)
		doc = expand(e, res, levels, mode, false, true);
	else
		doc = json_copy(res);
	if (doc && tag)
		json_object_set_new(doc, "@odata.etag", json_string(tag));
	reply_json(r, 200, doc);
}

/* ---- authentication and sessions ------------------------------------- */

static bool secret_eq(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char d = (unsigned char)(la != lb);

	for (size_t i = 0; i < la; i++)
		d |= (unsigned char)(a[i] ^ b[i % (lb ? lb : 1)]);
	return d == 0 && lb > 0;
}

static int b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Decode base64 into out (NUL-terminated); false on bad input. */
static bool b64decode(char *out, size_t size, const char *in)
{
	size_t o = 0;
	unsigned acc = 0;
	int bits = 0;

	for (; *in && *in != '='; in++) {
		int v = b64val((unsigned char)*in);
		if (v < 0)
			return false;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o + 1 >= size)
				return false;
			out[o++] = (char)((acc >> bits) & 0xff);
		}
	}
	out[o] = '\0';
	return memchr(out, '\0', o) == NULL;
}

static bool check_basic(struct sb_rfemu *e, const char *hdr)
{
	char dec[512], *colon;
	bool ok;

	if (!hdr || strncasecmp(hdr, "Basic ", 6) != 0)
		return false;
	hdr += 6;
	while (*hdr == ' ')
		hdr++;
	if (!b64decode(dec, sizeof(dec), hdr))
		return false;
	colon = strchr(dec, ':');
	if (!colon) {
		explicit_bzero(dec, sizeof(dec));
		return false;
	}
	*colon = '\0';
	ok = secret_eq(dec, e->user) & secret_eq(colon + 1, e->password);
	explicit_bzero(dec, sizeof(dec));
	return ok;
}

static struct rf_session *find_token(struct sb_rfemu *e, const char *token)
{
	for (size_t i = 0; token && i < e->nsess; i++)
		if (secret_eq(token, e->sess[i].token))
			return &e->sess[i];
	return NULL;
}

static void random_hex(char *out, size_t nbytes)
{
	unsigned char b[64];

	if (nbytes > sizeof(b))
		nbytes = sizeof(b);
	if (getrandom(b, nbytes, 0) != (ssize_t)nbytes) {
		/* never expected on Linux; keep going with something unique */
		for (size_t i = 0; i < nbytes; i++)
			b[i] = (unsigned char)(rand() & 0xff);
	}
	sb_hex(out, b, nbytes);
	explicit_bzero(b, sizeof(b));
}

static void session_drop(struct sb_rfemu *e, size_t i)
{
	char key[256];

	snprintf(key, sizeof(key), SESSIONS "/%s", e->sess[i].id);
	json_object_del(e->tree, key);
	json_object_del(e->etags, key);
	del_member(e, SESSIONS, key);
	explicit_bzero(&e->sess[i], sizeof(e->sess[i]));
	memmove(&e->sess[i], &e->sess[i + 1], (e->nsess - i - 1) * sizeof(e->sess[0]));
	e->nsess--;
}

static json_t *parse_body(const struct sb_rfemu_req *req, struct sb_rfemu_resp *r,
			  bool empty_ok)
{
	json_t *doc = NULL;

	if (!req->body || req->body_len == 0) {
		if (empty_ok)
			return json_object();
		reply_error(r, 400, "MalformedJSON", "the request needs a JSON body");
		return NULL;
	}
	if (sb_json_parse(&doc, req->body, req->body_len, MAX_BODY, "request body")) {
		reply_error(r, 400, "MalformedJSON", "%s", sb_error_message());
		sb_error_clear();
		return NULL;
	}
	if (!json_is_object(doc)) {
		json_decref(doc);
		reply_error(r, 400, "MalformedJSON", "the request body must be a JSON object");
		return NULL;
	}
	return doc;
}

static void do_login(struct sb_rfemu *e, const struct sb_rfemu_req *req,
		     struct sb_rfemu_resp *r)
{
	json_t *body = parse_body(req, r, false), *res;
	const char *u, *p;
	struct rf_session *s;
	char key[256];

	if (!body)
		return;
	u = sb_json_str(body, "UserName");
	p = sb_json_str(body, "Password");
	if (!u || !p) {
		reply_error(r, 400, "PropertyMissing",
			    "a session needs the properties UserName and Password");
		goto out;
	}
	if (!(secret_eq(u, e->user) & secret_eq(p, e->password))) {
		reply_error(r, 401, "ResourceAtUriUnauthorized",
			    "wrong user name or password");
		goto out;
	}
	if (e->nsess == MAX_SESSIONS)
		session_drop(e, 0);	/* the oldest goes, as on many BMCs */
	s = &e->sess[e->nsess++];
	random_hex(s->id, 8);
	random_hex(s->token, 32);
	snprintf(key, sizeof(key), SESSIONS "/%s", s->id);
	res = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "@odata.type",
			"#Session.v1_7_0.Session", "@odata.id", key, "Id", s->id,
			"Name", "User Session", "UserName", e->user,
			"SessionType", "Redfish");
	json_object_set_new(e->tree, key, res);
	add_member(e, SESSIONS, key);
	add_header(r, "X-Auth-Token", s->token);
	add_header(r, "Location", key);
	reply_json(r, 201, json_copy(res));
out:
	json_decref(body);
}

static void do_logout(struct sb_rfemu *e, const char *key, struct sb_rfemu_resp *r)
{
	for (size_t i = 0; i < e->nsess; i++) {
		char k[256];
		snprintf(k, sizeof(k), SESSIONS "/%s", e->sess[i].id);
		if (strcmp(k, key) == 0) {
			session_drop(e, i);
			r->status = 204;
			return;
		}
	}
	reply_error(r, 404, "ResourceNotFound", "no session at %s", key);
}

/* ---- tasks ------------------------------------------------------------ */

static void run_due_tasks(struct sb_rfemu *e)
{
	uint64_t now = e->now();

	for (size_t i = 0; i < e->ntasks; i++) {
		struct rf_task *t = &e->tasks[i];
		char key[256], when[40];
		json_t *sys, *task;
		if (t->done || t->due > now)
			continue;
		t->done = true;
		sys = json_object_get(e->tree, t->system);
		if (sys) {
			json_object_set_new(sys, "PowerState", json_string(t->state));
			touch(e, t->system, true);
			if (strcmp(t->state, "On") == 0)
				system_boots(e, t->system, sys);
		}
		snprintf(key, sizeof(key), TASKS "/%u", t->id);
		task = json_object_get(e->tree, key);
		if (task) {
			sb_time_iso8601(when, sizeof(when), sb_time_now_ms());
			json_object_set_new(task, "TaskState", json_string("Completed"));
			json_object_set_new(task, "PercentComplete", json_integer(100));
			json_object_set_new(task, "EndTime", json_string(when));
			json_object_set_new(task, "Messages",
					    json_pack("[{s:s, s:s, s:s}]", "MessageId",
						      MSG "Success", "Message",
						      "Successfully Completed Request",
						      "Severity", "OK"));
			touch(e, key, false);
		}
	}
	if (e->state_dir && e->ntasks)
		save_state(e);
}

static void start_task(struct sb_rfemu *e, const char *syskey, const char *target,
		       const char *state, const struct sb_rfemu_req *req,
		       struct sb_rfemu_resp *r)
{
	struct rf_task *t;
	char key[256], mon[256], when[40];
	json_t *task;

	if (e->ntasks == MAX_TASKS) {
		/* forget the oldest finished one */
		size_t i;
		for (i = 0; i < e->ntasks && !e->tasks[i].done; i++)
			;
		if (i == e->ntasks) {
			reply_error(r, 503, "ServiceTemporarilyUnavailable",
				    "too many running tasks; retry later");
			return;
		}
		snprintf(key, sizeof(key), TASKS "/%u", e->tasks[i].id);
		json_object_del(e->tree, key);
		del_member(e, TASKS, key);
		memmove(&e->tasks[i], &e->tasks[i + 1], (e->ntasks - i - 1) * sizeof(*t));
		e->ntasks--;
	}
	if (!e->tasks) {
		e->tasks = calloc(MAX_TASKS, sizeof(*t));
		if (!e->tasks) {
			reply_error(r, 500, "InternalError", "out of memory");
			return;
		}
	}
	t = &e->tasks[e->ntasks++];
	memset(t, 0, sizeof(*t));
	t->id = e->next_task++;
	sb_strlcpy(t->system, syskey, sizeof(t->system));
	sb_strlcpy(t->state, state, sizeof(t->state));
	t->due = e->now() + e->task_ms;
	snprintf(key, sizeof(key), TASKS "/%u", t->id);
	snprintf(mon, sizeof(mon), MONITORS "/%u", t->id);
	sb_time_iso8601(when, sizeof(when), sb_time_now_ms());
	task = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:{s:s, s:s, s:s%}, s:[]}",
			 "@odata.type", "#Task.v1_7_0.Task", "@odata.id", key,
			 "Id", key + strlen(TASKS) + 1, "Name", "Reset task",
			 "TaskState", "Running", "TaskStatus", "OK", "StartTime", when,
			 "PercentComplete", 0, "TaskMonitor", mon,
			 "Payload", "HttpOperation", "POST", "TargetUri", target,
			 "JsonBody", req->body ? req->body : "", req->body ? req->body_len : 0,
			 "Messages");
	json_object_set_new(e->tree, key, task);
	add_member(e, TASKS, key);
	add_header(r, "Location", mon);
	add_header(r, "Retry-After", "1");
	reply_json(r, 202, json_copy(task));
}

static void do_monitor(struct sb_rfemu *e, const char *key, struct sb_rfemu_resp *r)
{
	long long id;
	char tkey[256];

	if (sb_parse_ll(&id, key + strlen(MONITORS) + 1, 1, 1LL << 31, "task")) {
		sb_error_clear();
		reply_error(r, 404, "ResourceNotFound", "no task monitor at %s", key);
		return;
	}
	for (size_t i = 0; i < e->ntasks; i++) {
		if (e->tasks[i].id != (unsigned)id)
			continue;
		snprintf(tkey, sizeof(tkey), TASKS "/%u", e->tasks[i].id);
		json_t *task = json_object_get(e->tree, tkey);
		if (!e->tasks[i].done) {
			add_header(r, "Location", key);
			add_header(r, "Retry-After", "1");
			reply_json(r, 202, task ? json_copy(task) : NULL);
		} else {
			reply_json(r, 200, task ? json_copy(task) : NULL);
		}
		return;
	}
	reply_error(r, 404, "ResourceNotFound", "no task monitor at %s", key);
}

/* ---- actions ---------------------------------------------------------- */

static bool in_list(const json_t *arr, const char *s)
{
	size_t i;
	json_t *v;

	json_array_foreach(arr, i, v)
		if (sb_streq(json_string_value(v), s))
			return true;
	return false;
}

static void list_text(char *buf, size_t size, const json_t *arr)
{
	size_t i, off = 0;
	json_t *v;

	buf[0] = '\0';
	json_array_foreach(arr, i, v)
		if (json_is_string(v) && off < size)
			off += (size_t)snprintf(buf + off, size - off, "%s%s", i ? ", " : "",
						json_string_value(v));
}

static void do_reset(struct sb_rfemu *e, const char *key, json_t *sys, const char *target,
		     const struct sb_rfemu_req *req, struct sb_rfemu_resp *r)
{
	static const char *const all[] = { "On", "ForceOff", "GracefulShutdown",
		"GracefulRestart", "ForceRestart", "Nmi", "ForceOn", "PushPowerButton",
		"PowerCycle", "FullPowerCycle", NULL };
	json_t *body = parse_body(req, r, false), *allowed, *tmp = NULL;
	const char *type, *cur, *next;
	char list[512];

	if (!body)
		return;
	allowed = sb_json_arr(sb_json_obj(sb_json_obj(sys, "Actions"), "#ComputerSystem.Reset"),
			      "ResetType@Redfish.AllowableValues");
	if (!allowed) {
		tmp = json_array();
		for (size_t i = 0; all[i]; i++)
			json_array_append_new(tmp, json_string(all[i]));
		allowed = tmp;
	}
	list_text(list, sizeof(list), allowed);
	if (!json_object_get(body, "ResetType")) {
		reply_error(r, 400, "ActionParameterMissing",
			    "ComputerSystem.Reset needs ResetType, one of: %s", list);
		goto out;
	}
	type = sb_json_str(body, "ResetType");
	if (!type) {
		reply_error(r, 400, "ActionParameterValueTypeError",
			    "ResetType must be a string, one of: %s", list);
		goto out;
	}
	if (!in_list(allowed, type)) {
		reply_error(r, 400, "ActionParameterValueNotInList",
			    "ResetType '%.64s' is not allowed here; allowed: %s", type, list);
		goto out;
	}
	cur = sb_json_str(sys, "PowerState");
	cur = cur ? cur : "Off";
	if (strcmp(type, "GracefulShutdown") == 0 || strcmp(type, "GracefulRestart") == 0) {
		/* an operating system takes a while: a task */
		next = type[8] == 'S' ? "Off" : "On";
		if (strcmp(cur, "Off") == 0 && type[8] == 'S') {
			r->status = 204;
			goto out;
		}
		start_task(e, key, target, next, req, r);
		goto out;
	}
	if (strcmp(type, "ForceOff") == 0)
		next = "Off";
	else if (strcmp(type, "PushPowerButton") == 0)
		next = strcmp(cur, "Off") == 0 ? "On" : "Off";
	else if (strcmp(type, "Nmi") == 0 || strcmp(type, "Pause") == 0 ||
		 strcmp(type, "Suspend") == 0)
		next = cur;
	else
		next = "On";	/* On, ForceOn, ForceRestart, PowerCycle, ... */
	bool boots = strcmp(next, "On") == 0 &&
		     (strcmp(cur, "Off") == 0 || strcmp(type, "ForceRestart") == 0 ||
		      strcmp(type, "PowerCycle") == 0 || strcmp(type, "FullPowerCycle") == 0);
	json_object_set_new(sys, "PowerState", json_string(next));
	touch(e, key, true);
	if (boots)
		system_boots(e, key, sys);
	save_state(e);
	r->status = 204;
out:
	json_decref(tmp);
	json_decref(body);
}

static bool image_url_ok(const char *s)
{
	static const char *const schemes[] = { "http://", "https://", "nfs://",
		"cifs://", "smb://", "ftp://", "sftp://", "tftp://", NULL };

	for (size_t i = 0; schemes[i]; i++)
		if (strncasecmp(s, schemes[i], strlen(schemes[i])) == 0 &&
		    s[strlen(schemes[i])] != '\0')
			return true;
	return false;
}

static void save_fetched(struct sb_rfemu *e)
{
	char path[4096];
	char *text;

	if (!e->state_dir)
		return;
	text = json_dumps(e->fetched, JSON_INDENT(1) | JSON_SORT_KEYS);
	snprintf(path, sizeof(path), "%s/media.json", e->state_dir);
	if (!text || sb_file_write_atomic(path, text, strlen(text), 0600))
		sb_warn("lab-redfish-bmc: cannot save %s: %s", path, sb_error_message());
	free(text);
}

/* Fetch an image for the media at key, as a BMC does before it reports it
 * inserted; false (and the error reply) when it cannot. */
static bool fetch_media(struct sb_rfemu *e, const char *key, const json_t *vm,
			const char *image, struct sb_rfemu_resp *r)
{
	struct sb_rfemu_fetched f;
	char dir[4096], file[4200];
	const char *id = sb_json_str(vm, "Id");
	int rc;

	if (!e->fetch)
		return true;
	rc = 0;
	if (e->state_dir) {
		snprintf(dir, sizeof(dir), "%s/media", e->state_dir);
		snprintf(file, sizeof(file), "%s/%s.img", dir,
			 id && *id && *id != '.' && !strchr(id, '/') ? id : "media");
		rc = sb_mkdir_p(dir, 0700);
	}
	if (!rc)
		rc = sb_rfemu_fetch(image, e->state_dir ? file : NULL, 16ULL << 30, &f);
	if (rc) {
		sb_info("lab-redfish-bmc: InsertMedia %s: %s", key, sb_error_message());
		reply_error(r, 400, "CouldNotEstablishConnection", "the BMC could not fetch the image: %s",
			    sb_error_message());
		sb_error_clear();
		return false;
	}
	sb_info("lab-redfish-bmc: fetched %s for %s: %llu bytes, sha256 %s%s", image, key,
		(unsigned long long)f.size, f.sha256, f.ranged ? " (ranged read answered 206)" : "");
	json_object_set_new(e->fetched, key, json_pack("{s:s, s:s?, s:I, s:s, s:b}", "image", image,
						       "file", e->state_dir ? file : NULL, "size", (json_int_t)f.size,
						       "sha256", f.sha256, "ranged", f.ranged));
	save_fetched(e);
	return true;
}

static void forget_media(struct sb_rfemu *e, const char *key)
{
	const char *file = sb_json_str(json_object_get(e->fetched, key), "file");

	if (!json_object_get(e->fetched, key))
		return;
	if (file)
		unlink(file);
	json_object_del(e->fetched, key);
	save_fetched(e);
}

/* A system comes up: when its boot override says Cd, "boot the
 * installer" (the lab's stand-in, rfemu_media.c), write what happened to
 * install.json, and clear a one-time override as BMCs do. */
static void system_boots(struct sb_rfemu *e, const char *syskey, json_t *sys)
{
	json_t *boot = sb_json_obj(sys, "Boot"), *res, *st;
	const char *en = sb_json_str(boot, "BootSourceOverrideEnabled");
	struct sb_rfemu_boot_media m = { 0 };
	const char *key;

	if (!e->fetch || !boot || !sb_streq(sb_json_str(boot, "BootSourceOverrideTarget"), "Cd") ||
	    !(sb_streq(en, "Once") || sb_streq(en, "Continuous")))
		return;
	json_object_foreach(e->tree, key, res) {
		json_t *f = json_object_get(e->fetched, key), *t;
		size_t i;
		bool cd = false, usb = false;
		if (!is_type(res, "#VirtualMedia.") || !json_is_true(json_object_get(res, "Inserted")) || !f)
			continue;
		json_array_foreach(sb_json_arr(res, "MediaTypes"), i, t) {
			const char *ty = json_string_value(t);
			cd |= sb_streq(ty, "CD") || sb_streq(ty, "DVD");
			usb |= sb_streq(ty, "USBStick") || sb_streq(ty, "Floppy") || sb_streq(ty, "Removable");
		}
		long long size = 0;
		sb_json_int(f, "size", &size);
		if (cd && !m.cd_file) {
			m.cd_image = sb_json_str(f, "image");
			m.cd_file = sb_json_str(f, "file");
			m.cd_sha256 = sb_json_str(f, "sha256");
			m.cd_size = (uint64_t)size;
		} else if (usb && !m.usb_file) {
			m.usb_image = sb_json_str(f, "image");
			m.usb_file = sb_json_str(f, "file");
			m.usb_sha256 = sb_json_str(f, "sha256");
			m.usb_size = (uint64_t)size;
		}
	}
	st = sb_rfemu_install(&m);
	if (st && e->state_dir) {
		char path[4096];
		char *text = json_dumps(st, JSON_INDENT(1) | JSON_SORT_KEYS);
		snprintf(path, sizeof(path), "%s/install.json", e->state_dir);
		if (!text || sb_file_write_atomic(path, text, strlen(text), 0644))
			sb_warn("lab-redfish-bmc: cannot write %s: %s", path, sb_error_message());
		free(text);
	}
	sb_info("lab-redfish-bmc: %s booted from the virtual CD: %s%s", syskey,
		json_is_true(json_object_get(st, "ok")) ? "installed for " : "the install failed: ",
		json_is_true(json_object_get(st, "ok")) ? sb_json_str(st, "fqdn") :
							  sb_json_str(st, "error"));
	json_decref(st);
	if (sb_streq(en, "Once"))
		json_object_set_new(boot, "BootSourceOverrideEnabled", json_string("Disabled"));
	touch(e, syskey, true);
}

static void media_insert(struct sb_rfemu *e, const char *key, json_t *vm,
			 const char *image, bool inserted, bool wp,
			 const char *proto)
{
	const char *base = strrchr(image, '/');

	json_object_set_new(vm, "Image", json_string(image));
	json_object_set_new(vm, "ImageName", json_string(base && base[1] ? base + 1 : image));
	json_object_set_new(vm, "Inserted", json_boolean(inserted));
	json_object_set_new(vm, "WriteProtected", json_boolean(wp));
	json_object_set_new(vm, "ConnectedVia", json_string("URI"));
	if (proto)
		json_object_set_new(vm, "TransferProtocolType", json_string(proto));
	touch(e, key, true);
	save_state(e);
}

static void media_eject(struct sb_rfemu *e, const char *key, json_t *vm)
{
	forget_media(e, key);
	json_object_set_new(vm, "Image", json_null());
	json_object_set_new(vm, "ImageName", json_null());
	json_object_set_new(vm, "Inserted", json_false());
	json_object_set_new(vm, "ConnectedVia", json_string("NotConnected"));
	json_object_del(vm, "TransferProtocolType");
	touch(e, key, true);
	save_state(e);
}

/* Check InsertMedia's (or a media PATCH's) optional fields. */
static bool media_args(const json_t *body, struct sb_rfemu_resp *r, bool *inserted,
		       bool *wp, const char **proto)
{
	static const char *const known[] = { "Image", "Inserted", "WriteProtected",
		"TransferProtocolType", "TransferMethod", "UserName", "Password",
		NULL };
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)body, k, v) {
		size_t i;
		for (i = 0; known[i] && strcmp(known[i], k); i++)
			;
		if (!known[i]) {
			reply_error(r, 400, "ActionParameterUnknown",
				    "unknown parameter '%.64s'", k);
			return false;
		}
	}
	v = json_object_get(body, "Inserted");
	if (v && !json_is_boolean(v)) {
		reply_error(r, 400, "ActionParameterValueTypeError", "Inserted must be true or false");
		return false;
	}
	*inserted = v ? json_is_true(v) : true;
	v = json_object_get(body, "WriteProtected");
	if (v && !json_is_boolean(v)) {
		reply_error(r, 400, "ActionParameterValueTypeError",
			    "WriteProtected must be true or false");
		return false;
	}
	*wp = v ? json_is_true(v) : true;
	v = json_object_get(body, "TransferProtocolType");
	if (v && !json_is_string(v)) {
		reply_error(r, 400, "ActionParameterValueTypeError",
			    "TransferProtocolType must be a string");
		return false;
	}
	*proto = v ? json_string_value(v) : NULL;
	return true;
}

static void do_insert(struct sb_rfemu *e, const char *key, json_t *vm,
		      const struct sb_rfemu_req *req, struct sb_rfemu_resp *r)
{
	json_t *body = parse_body(req, r, false);
	const char *image, *proto;
	bool inserted, wp;

	if (!body)
		return;
	if (!media_args(body, r, &inserted, &wp, &proto))
		goto out;
	image = sb_json_str(body, "Image");
	if (!image) {
		reply_error(r, 400, "ActionParameterMissing", "InsertMedia needs Image, a URL");
		goto out;
	}
	if (!image_url_ok(image)) {
		reply_error(r, 400, "ActionParameterValueFormatError",
			    "Image '%.128s' is not a URL this BMC can fetch "
			    "(http, https, nfs, cifs, smb, ftp, sftp, tftp)", image);
		goto out;
	}
	if (json_is_true(json_object_get(vm, "Inserted"))) {
		reply_error(r, 409, "ResourceInUse",
			    "%s already holds %s; eject it first", key,
			    sb_json_str(vm, "Image") ? sb_json_str(vm, "Image") : "an image");
		goto out;
	}
	if (inserted && !fetch_media(e, key, vm, image, r))
		goto out;
	media_insert(e, key, vm, image, inserted, wp, proto);
	r->status = 204;
out:
	json_decref(body);
}

static void do_action(struct sb_rfemu *e, const char *key, const struct sb_rfemu_req *req,
		      struct sb_rfemu_resp *r)
{
	const char *a = strstr(key, "/Actions/");
	char rkey[2048];
	json_t *res;

	sb_strlcpy(rkey, key, sizeof(rkey));
	rkey[a - key] = '\0';
	a += strlen("/Actions/");
	res = json_object_get(e->tree, rkey);
	if (!res) {
		reply_error(r, 404, "ResourceNotFound", "no resource at %s", rkey);
		return;
	}
	if (strcmp(a, "ComputerSystem.Reset") == 0 && is_type(res, "#ComputerSystem."))
		do_reset(e, rkey, res, key, req, r);
	else if (strcmp(a, "VirtualMedia.InsertMedia") == 0 && is_type(res, "#VirtualMedia."))
		do_insert(e, rkey, res, req, r);
	else if (strcmp(a, "VirtualMedia.EjectMedia") == 0 && is_type(res, "#VirtualMedia.")) {
		json_t *body = parse_body(req, r, true);
		if (body) {
			media_eject(e, rkey, res);
			r->status = 204;
		}
		json_decref(body);
	} else if (strcmp(a, "Manager.Reset") == 0 && is_type(res, "#Manager.")) {
		r->status = 204;	/* the emulator "reboots" at once */
	} else {
		reply_error(r, 501, "ActionNotSupported",
			    "the lab emulator does not implement action %s on %s", a, rkey);
	}
}

/* ---- PATCH ------------------------------------------------------------ */

static const char *boot_enum_bad(const char *k, const json_t *v, const json_t *boot,
				 char *list, size_t lsize)
{
	static const char *const enabled[] = { "Disabled", "Once", "Continuous", NULL };
	static const char *const modes[] = { "UEFI", "Legacy", NULL };
	const char *const *set = NULL;
	const char *s = json_string_value(v);

	list[0] = '\0';
	if (strcmp(k, "BootSourceOverrideTarget") == 0) {
		const json_t *allowed = sb_json_arr(boot,
			"BootSourceOverrideTarget@Redfish.AllowableValues");
		if (!s)
			return "PropertyValueTypeError";
		if (allowed) {
			list_text(list, lsize, allowed);
			return in_list(allowed, s) ? NULL : "PropertyValueNotInList";
		}
		return NULL;
	}
	if (strcmp(k, "BootSourceOverrideEnabled") == 0)
		set = enabled;
	else if (strcmp(k, "BootSourceOverrideMode") == 0)
		set = modes;
	else if (strcmp(k, "UefiTargetBootSourceOverride") == 0)
		return s ? NULL : "PropertyValueTypeError";
	else
		return "PropertyUnknown";
	if (!s)
		return "PropertyValueTypeError";
	size_t off = 0;
	bool ok = false;
	for (size_t i = 0; set[i]; i++) {
		off += (size_t)snprintf(list + off, lsize - off, "%s%s", i ? ", " : "", set[i]);
		ok |= strcmp(set[i], s) == 0;
	}
	return ok ? NULL : "PropertyValueNotInList";
}

static void patch_system(struct sb_rfemu *e, const char *key, json_t *sys, json_t *body,
			 struct sb_rfemu_resp *r)
{
	static const char *const writable[] = { "Boot", "AssetTag", "IndicatorLED",
		"LocationIndicatorActive", NULL };
	const char *k, *bk;
	json_t *v, *bv, *boot = sb_json_obj(sys, "Boot");
	char list[512];

	json_object_foreach(body, k, v) {
		size_t i;
		for (i = 0; writable[i] && strcmp(writable[i], k); i++)
			;
		if (!writable[i]) {
			bool exists = json_object_get(sys, k) != NULL;
			reply_error(r, 400, exists ? "PropertyNotWritable" : "PropertyUnknown",
				    "property '%.64s' %s", k,
				    exists ? "is read-only" : "is not known here");
			return;
		}
		if (strcmp(k, "Boot") == 0) {
			if (!json_is_object(v) || !boot) {
				reply_error(r, 400, "PropertyValueTypeError", "Boot must be an object");
				return;
			}
			json_object_foreach(v, bk, bv) {
				const char *bad = boot_enum_bad(bk, bv, boot, list, sizeof(list));
				if (bad) {
					if (strcmp(bad, "PropertyUnknown") == 0)
						reply_error(r, 400, bad, "Boot property '%.64s' is not "
							    "writable here", bk);
					else
						reply_error(r, 400, bad, "Boot.%s: value not allowed%s%s",
							    bk, list[0] ? "; allowed: " : "", list);
					return;
				}
			}
		} else if (strcmp(k, "LocationIndicatorActive") == 0 ? !json_is_boolean(v)
								     : !json_is_string(v)) {
			reply_error(r, 400, "PropertyValueTypeError", "%s: wrong type", k);
			return;
		}
	}
	json_object_foreach(body, k, v) {
		if (strcmp(k, "Boot") == 0)
			json_object_update(boot, v);
		else
			json_object_set(sys, k, v);
	}
	touch(e, key, true);
	save_state(e);
}

static void patch_media(struct sb_rfemu *e, const char *key, json_t *vm, json_t *body,
			struct sb_rfemu_resp *r)
{
	bool inserted, wp;
	const char *proto;
	json_t *img = json_object_get(body, "Image");

	if (!media_args(body, r, &inserted, &wp, &proto))
		return;
	if (img && !json_is_null(img) && !(json_is_string(img) &&
					    image_url_ok(json_string_value(img)))) {
		reply_error(r, 400, "PropertyValueFormatError", "Image must be a URL or null");
		return;
	}
	if ((img && json_is_null(img)) ||
	    json_is_false(json_object_get(body, "Inserted")))
		media_eject(e, key, vm);
	else if (img) {
		if (json_is_true(json_object_get(vm, "Inserted")))
			forget_media(e, key);
		if (inserted && !fetch_media(e, key, vm, json_string_value(img), r))
			return;
		media_insert(e, key, vm, json_string_value(img), inserted, wp, proto);
	} else
		reply_error(r, 400, "PropertyMissing", "give Image (a URL) or Inserted false");
}

static void do_patch(struct sb_rfemu *e, const char *key, const struct sb_rfemu_req *req,
		     struct sb_rfemu_resp *r)
{
	json_t *res = json_object_get(e->tree, key), *body;
	const char *tag;

	if (!res) {
		reply_error(r, 404, "ResourceNotFound", "no resource at %s", key);
		return;
	}
	if (!is_type(res, "#ComputerSystem.") && !is_type(res, "#VirtualMedia.")) {
		add_header(r, "Allow", allow_of(key, res));
		reply_error(r, 405, "OperationNotAllowed",
			    "the lab emulator does not change %s", key);
		return;
	}
	tag = etag_of(e, key);
	if (req->if_match && !tag_listed(req->if_match, tag)) {
		add_header(r, "ETag", tag);
		reply_error(r, 412, "PreconditionFailed",
			    "If-Match %.80s does not match the current ETag %s of %s; "
			    "GET it again and retry", req->if_match, tag, key);
		return;
	}
	body = parse_body(req, r, false);
	if (!body)
		return;
	if (is_type(res, "#ComputerSystem."))
		patch_system(e, key, res, body, r);
	else
		patch_media(e, key, res, body, r);
	json_decref(body);
	if (r->status)
		return;	/* an error */
	tag = etag_of(e, key);
	add_header(r, "ETag", tag);
	json_t *doc = json_copy(res);
	json_object_set_new(doc, "@odata.etag", json_string(tag));
	reply_json(r, 200, doc);
}

/* ---- dispatch --------------------------------------------------------- */

static json_t *odata_doc(struct sb_rfemu *e)
{
	json_t *root = json_object_get(e->tree, ROOT), *v, *vals = json_array();
	const char *k;

	json_object_foreach(root, k, v) {
		const char *id = sb_json_str(v, "@odata.id");
		if (id && k[0] != '@')
			json_array_append_new(vals, json_pack("{s:s, s:s, s:s}", "name", k,
							      "kind", "Singleton", "url", id));
	}
	return json_pack("{s:s, s:o}", "@odata.context", ROOT "/$metadata", "value", vals);
}

void sb_rfemu_handle(struct sb_rfemu *e, const struct sb_rfemu_req *req,
		     struct sb_rfemu_resp *r)
{
	char key[2048];
	const char *m = req->method ? req->method : "GET";
	bool get = strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0;

	memset(r, 0, sizeof(*r));
	add_header(r, "OData-Version", "4.0");
	run_due_tasks(e);
	if (!sb_rfemu_path_key(key, sizeof(key), req->path)) {
		reply_error(r, 404, "ResourceNotFound", "no resource at that path");
		return;
	}
	if (strcmp(key, "/redfish") == 0 && get) {
		reply_json(r, 200, json_pack("{s:s}", "v1", ROOT "/"));
		return;
	}
	if (strcmp(key, ROOT) == 0 && get) {
		do_get(e, key, req, r);
		return;
	}
	if (strcmp(key, ROOT "/odata") == 0 && get) {
		reply_json(r, 200, odata_doc(e));
		return;
	}
	if (strcmp(key, SESSIONS) == 0 && strcmp(m, "POST") == 0) {
		do_login(e, req, r);
		return;
	}
	if (!find_token(e, req->auth_token) && !check_basic(e, req->authorization)) {
		add_header(r, "WWW-Authenticate", "Basic realm=\"siteboot lab BMC\"");
		reply_error(r, 401, "NoValidSession",
			    "%s needs authentication: an X-Auth-Token from a session, "
			    "or HTTP basic authentication", key);
		return;
	}
	if (get) {
		if (sb_rfemu_under(key, MONITORS) && strcmp(key, MONITORS) != 0)
			do_monitor(e, key, r);
		else
			do_get(e, key, req, r);
	} else if (strcmp(m, "PATCH") == 0) {
		do_patch(e, key, req, r);
	} else if (strcmp(m, "POST") == 0 && strstr(key, "/Actions/")) {
		do_action(e, key, req, r);
	} else if (strcmp(m, "DELETE") == 0 && sb_rfemu_under(key, SESSIONS) &&
		   strcmp(key, SESSIONS) != 0) {
		do_logout(e, key, r);
	} else {
		json_t *res = json_object_get(e->tree, key);
		if (!res) {
			reply_error(r, 404, "ResourceNotFound", "no resource at %s", key);
			return;
		}
		add_header(r, "Allow", allow_of(key, res));
		reply_error(r, 405, "OperationNotAllowed", "%s is not allowed on %s", m, key);
	}
}

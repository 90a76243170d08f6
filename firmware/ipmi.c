/* The IPMI 2.0 (RMCP+, "lanplus") driver, through libfreeipmi.
 *
 * Sessions use cipher suite 17 (HMAC-SHA256, AES-CBC-128) and fall back
 * to 3 (HMAC-SHA1, AES-CBC-128); suite 0 (no authentication at all) and
 * IPMI 1.5 are never offered: a BMC that has nothing better is refused.
 * Commands go through ipmi_cmd_raw() with byte layouts from the IPMI 2.0
 * specification, so that every reply is checked here, by length, before
 * a byte of it is used. FreeIPMI's error numbers are translated into
 * SB_E* codes in one place (ipmi_fail). */
#include "firmware/bmc.h"
#include "common/error.h"
#include "common/lazylib.h"
#include "common/log.h"
#include "common/str.h"

#include <freeipmi/freeipmi.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

/* ---- workarounds as data ---------------------------------------------- */

struct wa_name {
	const char *name;
	unsigned flags;
	const char *what;
};

/* FreeIPMI's names (ipmipower -W) for its flags, then ours. */
static const struct wa_name wa_names[] = {
	{ "authcap", IPMI_WORKAROUND_FLAGS_OUTOFBAND_2_0_AUTHENTICATION_CAPABILITIES,
	  "authentication capabilities answered wrongly" },
	{ "intel20", IPMI_WORKAROUND_FLAGS_OUTOFBAND_2_0_INTEL_2_0_SESSION,
	  "Intel's IPMI 2.0 session quirks" },
	{ "supermicro20", IPMI_WORKAROUND_FLAGS_OUTOFBAND_2_0_SUPERMICRO_2_0_SESSION,
	  "Supermicro's IPMI 2.0 session quirks" },
	{ "sun20", IPMI_WORKAROUND_FLAGS_OUTOFBAND_2_0_SUN_2_0_SESSION,
	  "Sun's IPMI 2.0 session quirks" },
	{ "opensesspriv", IPMI_WORKAROUND_FLAGS_OUTOFBAND_2_0_OPEN_SESSION_PRIVILEGE,
	  "privilege level hashed from the Open Session request" },
	{ "integritycheckvalue", IPMI_WORKAROUND_FLAGS_OUTOFBAND_2_0_NON_EMPTY_INTEGRITY_CHECK_VALUE,
	  "non-empty integrity check value with no integrity" },
	{ "nochecksumcheck", IPMI_WORKAROUND_FLAGS_OUTOFBAND_2_0_NO_CHECKSUM_CHECK,
	  "bad checksums in replies" },
	{ "bootdevonly", SB_IPMI_WA_BOOT_DEVICE_ONLY,
	  "boot options read back without the valid, persistent and UEFI bits" },
	{ NULL, 0, NULL },
};

/* Named sets: what a kind of BMC is known to need. */
static const struct wa_name wa_sets[] = {
	/* OpenIPMI's ipmi_sim (the lab): see ../shared/LAB-FACTS.md */
	{ "ipmi_sim", IPMI_WORKAROUND_FLAGS_OUTOFBAND_2_0_OPEN_SESSION_PRIVILEGE |
		      SB_IPMI_WA_BOOT_DEVICE_ONLY, "OpenIPMI ipmi_sim" },
	{ "supermicro", IPMI_WORKAROUND_FLAGS_OUTOFBAND_2_0_SUPERMICRO_2_0_SESSION,
	  "Supermicro" },
	{ "intel", IPMI_WORKAROUND_FLAGS_OUTOFBAND_2_0_INTEL_2_0_SESSION, "Intel" },
	{ "sun", IPMI_WORKAROUND_FLAGS_OUTOFBAND_2_0_SUN_2_0_SESSION, "Sun/Oracle" },
	{ "none", 0, "no workarounds" },
	{ NULL, 0, NULL },
};

/* What to try when a login fails in a way one workaround is known to
 * fix, and no quirk set was named (detection). */
static const struct {
	int errnum;
	unsigned flag;
} wa_detect[] = {
	{ IPMI_ERR_PRIVILEGE_LEVEL_CANNOT_BE_OBTAINED,
	  IPMI_WORKAROUND_FLAGS_OUTOFBAND_2_0_OPEN_SESSION_PRIVILEGE },
};

int sb_bmc_ipmi_workarounds_parse(unsigned *out, const char *list)
{
	char buf[512], *save = NULL, *tok;
	const char *names[32];
	size_t nn = 0;
	unsigned flags = 0;

	*out = 0;
	if (!list || !*list)
		return 0;
	if (sb_strlcpy(buf, list, sizeof(buf)) >= sizeof(buf))
		return sb_error_set(SB_EINPUT, "IPMI workaround list too long");
	for (int i = 0; wa_names[i].name && nn < 30; i++)
		names[nn++] = wa_names[i].name;
	for (int i = 0; wa_sets[i].name && nn < 31; i++)
		names[nn++] = wa_sets[i].name;
	names[nn] = NULL;
	for (tok = strtok_r(buf, ", ", &save); tok;
	     tok = strtok_r(NULL, ", ", &save)) {
		bool found = false;

		for (int i = 0; !found && wa_names[i].name; i++)
			if (strcmp(tok, wa_names[i].name) == 0) {
				flags |= wa_names[i].flags;
				found = true;
			}
		for (int i = 0; !found && wa_sets[i].name; i++)
			if (strcmp(tok, wa_sets[i].name) == 0) {
				flags |= wa_sets[i].flags;
				found = true;
			}
		if (!found) {
			char hint[512];

			sb_hint_choice(hint, sizeof(hint), tok, names,
				       "known", true);
			return sb_error_set(SB_EINPUT,
					    "unknown IPMI workaround '%s'; %s",
					    tok, hint);
		}
	}
	*out = flags;
	return 0;
}

void sb_bmc_ipmi_workarounds_name(char *buf, size_t size, unsigned flags)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int i = 0; wa_names[i].name && off < size; i++)
		if (flags & wa_names[i].flags)
			off += (size_t)snprintf(buf + off, size - off, "%s%s",
						off ? "," : "", wa_names[i].name);
	if (!buf[0])
		sb_strlcpy(buf, "none", size);
}

/* ---- the session ------------------------------------------------------- */

struct ipmi_bmc {
	struct sb_bmc base;	/* first: the generic layer's view */
	ipmi_ctx_t ctx;
	char where[300];	/* "host:port", for messages during open */
	int cipher;		/* the suite in use */
	unsigned wa;		/* workarounds in use */
	bool boot_known;	/* for SB_IPMI_WA_BOOT_DEVICE_ONLY */
	struct sb_boot boot_last;
};

#define NETFN_CHASSIS 0x00
#define NETFN_APP 0x06
#define NETFN_STORAGE 0x0A

static const char *bmc_name(const struct ipmi_bmc *b)
{
	return b->base.name[0] ? b->base.name : b->where;
}

/* The one translation of libfreeipmi's errors into ours. */
static int ipmi_fail(ipmi_ctx_t ctx, const char *where, const char *what,
		     const char *user, uint32_t timeout_ms)
{
	int e = ipmi_ctx_errnum(ctx);
	const char *msg = ipmi_ctx_errormsg(ctx);

	switch (e) {
	case IPMI_ERR_USERNAME_INVALID:
	case IPMI_ERR_PASSWORD_INVALID:
	case IPMI_ERR_K_G_INVALID:
	case IPMI_ERR_PASSWORD_VERIFICATION_TIMEOUT:
		return sb_error_set(SB_EAUTH,
				    "bmc %s: %s: authentication failed for user '%s' (RAKP: %s); check the user name and password",
				    where, what, user ? user : "", msg);
	case IPMI_ERR_PRIVILEGE_LEVEL_CANNOT_BE_OBTAINED:
	case IPMI_ERR_PRIVILEGE_LEVEL_INSUFFICIENT:
		return sb_error_set(SB_EAUTH,
				    "bmc %s: %s: authentication failed: %s for user '%s'; give the user the administrator role, or try the workaround 'opensesspriv'",
				    where, what, msg, user ? user : "");
	case IPMI_ERR_CONNECTION_TIMEOUT:
	case IPMI_ERR_SESSION_TIMEOUT:
	case IPMI_ERR_MESSAGE_TIMEOUT:
		return sb_error_set(SB_ETIMEOUT,
				    "bmc %s: %s: no answer within %u ms; check the address, the port and that IPMI over LAN is enabled",
				    where, what, timeout_ms);
	case IPMI_ERR_HOSTNAME_INVALID:
		return sb_error_set(SB_EINPUT, "bmc %s: %s: invalid host name",
				    where, what);
	case IPMI_ERR_IPMI_2_0_UNAVAILABLE:
	case IPMI_ERR_AUTHENTICATION_TYPE_UNAVAILABLE:
		return sb_error_set(SB_ESECURITY,
				    "bmc %s: %s: the BMC does not offer IPMI 2.0 (RMCP+); siteboot does not use IPMI 1.5; enable IPMI 2.0 on the BMC",
				    where, what);
	case IPMI_ERR_CIPHER_SUITE_ID_UNAVAILABLE:
		return sb_error_set(SB_ESECURITY,
				    "bmc %s: %s: cipher suite unavailable", where,
				    what);
	case IPMI_ERR_COMMAND_INVALID_OR_UNSUPPORTED:
		return sb_error_set(SB_EUNSUPPORTED,
				    "bmc %s: %s: the BMC does not support this command",
				    where, what);
	case IPMI_ERR_BMC_BUSY:
		return sb_error_set(SB_EPROTO, "bmc %s: %s: the BMC is busy; retry later",
				    where, what);
	case IPMI_ERR_OUT_OF_MEMORY:
		return sb_error_set(SB_ENOMEM, "bmc %s: %s: out of memory", where, what);
	case IPMI_ERR_SYSTEM_ERROR:
		return sb_error_set(SB_EIO, "bmc %s: %s: %s", where, what, msg);
	default:
		return sb_error_set(SB_EPROTO, "bmc %s: %s: %s", where, what, msg);
	}
}

static const char *cc_text(unsigned cc)
{
	switch (cc) {
	case 0xC0: return "node busy";
	case 0xC1: return "invalid command";
	case 0xC3: return "timeout";
	case 0xC7: return "request data length invalid";
	case 0xC9: return "parameter out of range";
	case 0xCB: return "requested data not present";
	case 0xCC: return "invalid data field";
	case 0xCE: return "response could not be provided";
	case 0xD4: return "insufficient privilege";
	case 0xD5: return "not supported in the present state";
	case 0xFF: return "unspecified error";
	default: return "error";
	}
}

/* Send one command; on success *n data bytes (after the completion code)
 * are in data[]. A non-zero completion code is SB_EPROTO naming it
 * (SB_EUNSUPPORTED for "invalid command"). */
static int cmd(struct ipmi_bmc *b, uint8_t netfn, const uint8_t *rq,
	       size_t rqlen, uint8_t *data, size_t max, size_t *n,
	       const char *what)
{
	uint8_t rs[1024];
	int got;

	*n = 0;
	got = ipmi_cmd_raw(b->ctx, IPMI_BMC_IPMB_LUN_BMC, netfn, rq,
			   (unsigned)rqlen, rs, sizeof(rs));
	if (got < 0)
		return ipmi_fail(b->ctx, bmc_name(b), what, NULL,
				 b->base.opts.timeout_ms);
	if (got < 2)
		return sb_error_set(SB_EPROTO,
				    "bmc %s: %s: reply of %d bytes has no completion code",
				    bmc_name(b), what, got);
	if (rs[1] != 0)
		return sb_error_set(rs[1] == 0xC1 ? SB_EUNSUPPORTED : SB_EPROTO,
				    "bmc %s: %s: completion code 0x%02x (%s)",
				    bmc_name(b), what, rs[1], cc_text(rs[1]));
	if ((size_t)got - 2 > max)
		return sb_error_set(SB_EPROTO,
				    "bmc %s: %s: reply of %d bytes is longer than expected",
				    bmc_name(b), what, got);
	memcpy(data, rs + 2, (size_t)got - 2);
	*n = (size_t)got - 2;
	return 0;
}

static int need(const struct ipmi_bmc *b, size_t n, size_t want,
		const char *what)
{
	if (n >= want)
		return 0;
	return sb_error_set(SB_EPROTO,
			    "bmc %s: %s: reply of %zu data bytes, at least %zu expected",
			    bmc_name(b), what, n, want);
}

/* cmd, then at least `min` data bytes in the reply. */
static int cmd_need(struct ipmi_bmc *b, uint8_t netfn, const uint8_t *rq,
		    size_t rqlen, uint8_t *data, size_t max, size_t *n,
		    size_t min, const char *what)
{
	int rc = cmd(b, netfn, rq, rqlen, data, max, n, what);

	return rc ? rc : need(b, *n, min, what);
}

/* Open an RMCP+ session with one cipher suite. */
static int try_open(ipmi_ctx_t *out, const char *where, const char *user,
		    const char *password, uint8_t cipher,
		    const struct sb_bmc_opts *o, unsigned wa)
{
	ipmi_ctx_t ctx = ipmi_ctx_create();
	unsigned timeout = o->timeout_ms ? o->timeout_ms : 5000;
	unsigned retrans = timeout / (o->retries + 1);

	*out = NULL;
	if (!ctx)
		return sb_error_set(SB_ENOMEM, "bmc %s: out of memory", where);
	if (retrans < 50)
		retrans = 50;
	if (retrans >= timeout)
		retrans = timeout > 1 ? timeout - 1 : 1;
	if (ipmi_ctx_open_outofband_2_0(ctx, where, user && *user ? user : NULL,
					password, NULL, 0,
					IPMI_PRIVILEGE_LEVEL_ADMIN, cipher,
					timeout, retrans,
					wa & 0xffffu, IPMI_FLAGS_DEFAULT) < 0) {
		*out = ctx;	/* the caller reads the error, then destroys */
		return -1;
	}
	*out = ctx;
	return 0;
}

static const char *pick_user(const struct sb_bmc_url *url,
			     const struct sb_bmc_creds *creds)
{
	if (url->user[0])
		return url->user;
	return creds && creds->user ? creds->user : "";
}

static int opts_workarounds(unsigned *wa, bool *detect,
			    const struct sb_bmc_opts *o)
{
	unsigned named = 0;
	int rc;

	*wa = o->ipmi_workarounds;
	*detect = o->quirks == NULL && o->ipmi_workarounds == 0;
	if (o->quirks) {
		rc = sb_bmc_ipmi_workarounds_parse(&named, o->quirks);
		if (rc && sb_bmc_redfish_quirks_known(o->quirks)) {
			/* sb_bmc_opts.quirks is shared by both drivers: a
			 * Redfish set says nothing about IPMI: detect */
			sb_error_clear();
			*detect = o->ipmi_workarounds == 0;
			return 0;
		}
		if (rc)
			return rc;
		*wa |= named;
	}
	return 0;
}

/* Log in with `cipher`, retrying once with a detected workaround. */
static int login(ipmi_ctx_t *ctx, const char *where, const char *user,
		 const char *password, uint8_t cipher,
		 const struct sb_bmc_opts *o, unsigned *wa, bool detect)
{
	int e;

	if (try_open(ctx, where, user, password, cipher, o, *wa) == 0)
		return 0;
	if (!*ctx)
		return SB_ENOMEM;
	e = ipmi_ctx_errnum(*ctx);
	for (size_t i = 0; detect && i < sizeof(wa_detect) / sizeof(wa_detect[0]); i++) {
		if (e != wa_detect[i].errnum || (*wa & wa_detect[i].flag))
			continue;
		ipmi_ctx_destroy(*ctx);
		*wa |= wa_detect[i].flag;
		sb_debug("bmc %s: retrying with IPMI workaround 0x%x", where,
			 wa_detect[i].flag);
		if (try_open(ctx, where, user, password, cipher, o, *wa) == 0)
			return 0;
		if (!*ctx)
			return SB_ENOMEM;
		break;
	}
	return -1;
}

static int ipmi_open(struct sb_bmc **out, const struct sb_bmc_url *url,
		     const struct sb_bmc_creds *creds,
		     const struct sb_bmc_opts *o)
{
	static const uint8_t both[] = { 17, 3 };
	const uint8_t *suites = both;
	size_t nsuites = 2;
	uint8_t one;
	struct ipmi_bmc *b;
	const char *user = pick_user(url, creds);
	ipmi_ctx_t ctx = NULL;
	char where[300];
	unsigned wa;
	bool detect;
	int rc;

	*out = NULL;
	sb_bmc_url_hostport(where, sizeof(where), url);
	if (!creds || !creds->password)
		return sb_error_set(SB_EAUTH,
				    "bmc %s: no password for user '%s'; set SITEBOOT_BMC_PASSWORD or use a credentials file",
				    where, user);
	if (o->cipher_suite == 17 || o->cipher_suite == 3) {
		one = (uint8_t)o->cipher_suite;
		suites = &one;
		nsuites = 1;
	} else if (o->cipher_suite != -1) {
		return sb_error_set(SB_ESECURITY,
				    "bmc %s: cipher suite %d is not allowed; siteboot uses 17 or 3 only (suite 0 lets anyone in with any password)",
				    where, o->cipher_suite);
	}
	rc = opts_workarounds(&wa, &detect, o);
	if (rc)
		return rc;
	for (size_t i = 0; i < nsuites; i++) {
		if (ctx)
			ipmi_ctx_destroy(ctx);
		ctx = NULL;
		if (login(&ctx, where, user, creds->password, suites[i], o, &wa,
			  detect) == 0) {
			b = calloc(1, sizeof(*b));
			if (!b) {
				ipmi_ctx_close(ctx);
				ipmi_ctx_destroy(ctx);
				return sb_error_set(SB_ENOMEM, "bmc %s: out of memory", where);
			}
			b->ctx = ctx;
			b->cipher = suites[i];
			b->wa = wa;
			sb_strlcpy(b->where, where, sizeof(b->where));
			sb_debug("bmc %s: IPMI 2.0 session, cipher suite %u", where,
				 suites[i]);
			*out = &b->base;
			return 0;
		}
		if (!ctx)
			return sb_error_set(SB_ENOMEM, "bmc %s: out of memory", where);
		switch (ipmi_ctx_errnum(ctx)) {
		case IPMI_ERR_CIPHER_SUITE_ID_UNAVAILABLE:
		case IPMI_ERR_IPMI_ERROR:	/* ipmi_sim's answer to suite 17 */
		case IPMI_ERR_BAD_RMCPPLUS_STATUS_CODE:
			continue;	/* the next suite may do */
		default:
			rc = ipmi_fail(ctx, where, "login", user, o->timeout_ms);
			ipmi_ctx_destroy(ctx);
			return rc;
		}
	}
	if (ctx)
		ipmi_ctx_destroy(ctx);
	if (nsuites == 1)
		return sb_error_set(SB_ESECURITY,
				    "bmc %s: refused: the BMC does not accept cipher suite %u; try the other allowed suite (17 or 3) or enable it on the BMC",
				    where, suites[0]);
	return sb_error_set(SB_ESECURITY,
			    "bmc %s: refused: the BMC accepts neither cipher suite 17 nor 3, and siteboot never uses weaker ones (suite 0 has no authentication); enable suite 17 or 3 on the BMC",
			    where);
}

static void ipmi_close(struct sb_bmc *base)
{
	struct ipmi_bmc *b = (struct ipmi_bmc *)base;

	if (!b)
		return;
	if (b->ctx) {
		ipmi_ctx_close(b->ctx);
		ipmi_ctx_destroy(b->ctx);
	}
	free(b);
}

/* ---- unauthenticated probe -------------------------------------------- */

struct authcaps {
	bool v20;		/* IPMI 2.0 extended capabilities */
	bool auth_none;		/* IPMI 1.5 "none" authentication offered */
	bool anonymous;		/* anonymous login (null user, null password) */
	bool null_users;	/* null user names enabled */
	uint32_t oem_iana;
};

static int get_authcaps(struct authcaps *ac, const struct sb_bmc_url *url,
			const struct sb_bmc_opts *o)
{
	ipmi_ctx_t ctx = ipmi_ctx_create();
	fiid_obj_t obj = NULL;
	char where[300];
	uint8_t rs[32];
	int n, rc;
	unsigned timeout = o->timeout_ms ? o->timeout_ms : 5000;
	unsigned retrans = timeout / (o->retries + 1);

	memset(ac, 0, sizeof(*ac));
	sb_bmc_url_hostport(where, sizeof(where), url);
	if (!ctx)
		return sb_error_set(SB_ENOMEM, "bmc %s: out of memory", where);
	if (retrans < 50)
		retrans = 50;
	if (retrans >= timeout)
		retrans = timeout - 1;
	/* An IPMI 1.5 context without a session only carries this one
	 * unauthenticated request; no password is sent. */
	if (ipmi_ctx_open_outofband(ctx, where, NULL, NULL,
				    IPMI_AUTHENTICATION_TYPE_NONE,
				    IPMI_PRIVILEGE_LEVEL_USER, timeout, retrans,
				    0, IPMI_FLAGS_NOSESSION) < 0) {
		rc = ipmi_fail(ctx, where, "probe", NULL, timeout);
		goto out;
	}
	/* the template is data in libfreeipmi, which is loaded on first use */
	obj = fiid_obj_create((fiid_field_t *)sb_lazylib_data(SB_LIB_IPMI,
		"tmpl_cmd_get_channel_authentication_capabilities_rs"));
	if (!obj) {
		rc = sb_error_set(SB_ENOMEM, "bmc %s: out of memory", where);
		goto out;
	}
	if (ipmi_cmd_get_channel_authentication_capabilities(ctx,
			IPMI_CHANNEL_NUMBER_CURRENT_CHANNEL,
			IPMI_PRIVILEGE_LEVEL_ADMIN, 1, obj) < 0) {
		rc = ipmi_fail(ctx, where, "Get Channel Authentication Capabilities",
			       NULL, timeout);
		goto out;
	}
	n = fiid_obj_get_all(obj, rs, sizeof(rs));
	/* cmd, cc, channel, auth types, status, ext caps, OEM id x3, aux */
	if (n < 10) {
		rc = sb_error_set(SB_EPROTO,
				  "bmc %s: Get Channel Authentication Capabilities: reply of %d bytes",
				  where, n);
		goto out;
	}
	ac->v20 = (rs[3] & 0x80) && (rs[5] & 0x02);
	ac->auth_none = rs[3] & 0x01;
	ac->anonymous = rs[4] & 0x01;
	ac->null_users = rs[4] & 0x02;
	ac->oem_iana = (uint32_t)rs[6] | ((uint32_t)rs[7] << 8) |
		((uint32_t)rs[8] << 16);
	rc = 0;
out:
	if (obj)
		fiid_obj_destroy(obj);
	ipmi_ctx_close(ctx);
	ipmi_ctx_destroy(ctx);
	return rc;
}

/* IANA enterprise numbers of common BMC makers. */
static const struct {
	uint32_t iana;
	const char *name;
} vendors[] = {
	{ 2, "IBM" },
	{ 11, "Hewlett Packard Enterprise" },
	{ 11, "HPE" },
	{ 42, "Oracle (Sun)" },
	{ 343, "Intel" },
	{ 674, "Dell Inc." },
	{ 2011, "Huawei" },
	{ 5771, "Cisco" },
	{ 7154, "Fujitsu" },
	{ 7244, "Quanta" },
	{ 8554, "Inventec" },
	{ 10876, "Supermicro" },
	{ 19046, "Lenovo" },
	{ 20974, "American Megatrends" },
	{ 40981, "ASRock Rack" },
	{ 49622, "OpenBMC" },
};

static char *vendor_name(uint32_t iana)
{
	for (size_t i = 0; i < sizeof(vendors) / sizeof(vendors[0]); i++)
		if (vendors[i].iana == iana)
			return sb_strdup(vendors[i].name);
	return sb_asprintf("IANA %u", (unsigned)iana);
}

static size_t first_word(const char *s)
{
	size_t n = 0;

	while (s[n] && s[n] != ' ' && s[n] != ',' && s[n] != '(')
		n++;
	return n;
}

uint32_t sb_bmc_ipmi_vendor_iana(const char *name)
{
	size_t n;

	if (!name || !(n = first_word(name)))
		return 0;
	for (size_t i = 0; i < sizeof(vendors) / sizeof(vendors[0]); i++)
		if (first_word(vendors[i].name) == n &&
		    strncasecmp(vendors[i].name, name, n) == 0)
			return vendors[i].iana;
	return 0;
}

static int ipmi_probe(const struct sb_bmc_url *url,
		      const struct sb_bmc_opts *o, struct sb_bmc_info *info)
{
	struct authcaps ac;
	int rc = get_authcaps(&ac, url, o);

	if (rc)
		return rc;
	if (info) {
		if (ac.oem_iana && !info->vendor &&
		    !(info->vendor = vendor_name(ac.oem_iana)))
			return SB_ENOMEM;
		if (!info->protocol_version &&
		    !(info->protocol_version =
		      sb_strdup(ac.v20 ? "IPMI 2.0" : "IPMI 1.5")))
			return SB_ENOMEM;
	}
	return 0;
}

/* ---- identity ----------------------------------------------------------- */

static int ipmi_info(struct sb_bmc *base, struct sb_bmc_info *out)
{
	struct ipmi_bmc *b = (struct ipmi_bmc *)base;
	uint8_t d[64], g[32];
	size_t n, gn;
	uint32_t iana;
	int rc;

	/* what a probe may have filled in is replaced, not leaked */
	sb_bmc_info_release(out);
	if ((rc = cmd_need(b, NETFN_APP, (const uint8_t[]){ 0x01 }, 1, d,
			   sizeof(d), &n, 11, "Get Device ID")))
		return rc;
	iana = (uint32_t)d[6] | ((uint32_t)d[7] << 8) | ((uint32_t)(d[8] & 0x0f) << 16);
	out->vendor = vendor_name(iana);
	out->product = sb_asprintf("product 0x%04x", (unsigned)(d[9] | (d[10] << 8)));
	out->firmware_version = sb_asprintf("%u.%02x", d[2] & 0x7fu, d[3]);
	out->protocol_version = sb_asprintf("IPMI %u.%u", d[4] & 0x0fu,
					    (d[4] >> 4) & 0x0fu);
	if (!out->vendor || !out->product || !out->firmware_version ||
	    !out->protocol_version) {
		sb_bmc_info_release(out);
		return sb_error_set(SB_ENOMEM, "out of memory");
	}
	/* The System GUID is optional: a BMC without one says so. */
	rc = cmd(b, NETFN_APP, (const uint8_t[]){ 0x37 }, 1, g, sizeof(g), &gn,
		 "Get System GUID");
	if (rc == 0 && gn >= 16) {
		/* IPMI sends the GUID least significant byte first */
		char s[40];
		uint8_t r[16];

		for (int i = 0; i < 16; i++)
			r[i] = g[15 - i];
		snprintf(s, sizeof(s),
			 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
			 r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8],
			 r[9], r[10], r[11], r[12], r[13], r[14], r[15]);
		out->system_guid = sb_strdup(s);
	} else if (rc == SB_ETIMEOUT || rc == SB_ENOMEM) {
		sb_bmc_info_release(out);
		return rc;
	}
	sb_error_clear();
	return 0;
}

/* ---- power -------------------------------------------------------------- */

static int ipmi_power_get(struct sb_bmc *base, enum sb_power_state *out)
{
	struct ipmi_bmc *b = (struct ipmi_bmc *)base;
	uint8_t d[16];
	size_t n;
	int rc;

	*out = SB_POWER_UNKNOWN;
	if ((rc = cmd_need(b, NETFN_CHASSIS, (const uint8_t[]){ 0x01 }, 1, d,
			   sizeof(d), &n, 3, "Get Chassis Status")))
		return rc;
	*out = (d[0] & 0x01) ? SB_POWER_ON : SB_POWER_OFF;
	return 0;
}

static int ipmi_power_set(struct sb_bmc *base, enum sb_power_action a)
{
	struct ipmi_bmc *b = (struct ipmi_bmc *)base;
	static const uint8_t control[] = {
		[SB_POWER_ACT_ON] = IPMI_CHASSIS_CONTROL_POWER_UP,
		[SB_POWER_ACT_OFF] = IPMI_CHASSIS_CONTROL_POWER_DOWN,
		[SB_POWER_ACT_CYCLE] = IPMI_CHASSIS_CONTROL_POWER_CYCLE,
		[SB_POWER_ACT_RESET] = IPMI_CHASSIS_CONTROL_HARD_RESET,
		[SB_POWER_ACT_SOFT] = IPMI_CHASSIS_CONTROL_INITIATE_SOFT_SHUTDOWN,
	};
	uint8_t rq[3], d[8];
	size_t n;

	if ((unsigned)a > SB_POWER_ACT_SOFT)
		return sb_error_set(SB_EINPUT, "bmc %s: unknown power action",
				    bmc_name(b));
	rq[0] = 0x02;	/* Chassis Control */
	rq[1] = control[a];
	return cmd(b, NETFN_CHASSIS, rq, 2, d, sizeof(d), &n,
		   sb_power_action_name(a));
}

/* ---- boot device ------------------------------------------------------- */

/* Boot device selectors (IPMI 2.0, boot flags parameter 5, data 2). */
static const uint8_t boot_sel[] = {
	[SB_BOOT_NONE] = 0x0,
	[SB_BOOT_PXE] = 0x1,
	[SB_BOOT_DISK] = 0x2,
	[SB_BOOT_CD] = 0x5,
	[SB_BOOT_BIOS] = 0x6,
};

static int ipmi_boot_set(struct sb_bmc *base, const struct sb_boot *bt)
{
	struct ipmi_bmc *b = (struct ipmi_bmc *)base;
	uint8_t rq[8], d[8];
	size_t n;
	int rc;

	if ((unsigned)bt->device > SB_BOOT_BIOS)
		return sb_error_set(SB_EINPUT, "bmc %s: unknown boot device",
				    bmc_name(b));
	rq[0] = 0x08;	/* Set System Boot Options */
	rq[1] = 0x05;	/* parameter 5: boot flags, not locked */
	rq[2] = (uint8_t)(0x80 | (bt->persistent ? 0x40 : 0) |
			  (bt->uefi ? 0x20 : 0));
	rq[3] = (uint8_t)(boot_sel[bt->device] << 2);
	rq[4] = 0;
	rq[5] = 0;
	rq[6] = 0;
	rc = cmd(b, NETFN_CHASSIS, rq, 7, d, sizeof(d), &n,
		 "Set System Boot Options");
	if (rc)
		return rc;
	b->boot_known = true;
	b->boot_last = *bt;
	return 0;
}

static int ipmi_boot_get(struct sb_bmc *base, struct sb_boot *out)
{
	struct ipmi_bmc *b = (struct ipmi_bmc *)base;
	uint8_t d[32];
	size_t n;
	uint8_t sel;
	bool valid;
	int rc;

	memset(out, 0, sizeof(*out));
	/* parameter version, parameter valid | selector, 5 data bytes */
	if ((rc = cmd_need(b, NETFN_CHASSIS,
			   (const uint8_t[]){ 0x09, 0x05, 0x00, 0x00 }, 4, d,
			   sizeof(d), &n, 4, "Get System Boot Options")))
		return rc;
	if ((d[1] & 0x7f) != 0x05)
		return sb_error_set(SB_EPROTO,
				    "bmc %s: Get System Boot Options: answered parameter %u, not 5",
				    bmc_name(b), d[1] & 0x7f);
	valid = d[2] & 0x80;
	sel = (d[3] >> 2) & 0x0f;
	out->device = SB_BOOT_NONE;
	for (unsigned i = 0; i < sizeof(boot_sel); i++)
		if (boot_sel[i] == sel)
			out->device = (enum sb_boot_device)i;
	if (sel == 0x3)		/* "force boot from hard drive, safe mode" */
		out->device = SB_BOOT_DISK;
	/* A BMC that reports a device but never the valid bit only keeps
	 * the device: recognise it, then report the flags this session set
	 * (they cannot be read back from such a BMC; docs/bmc.md). */
	if (!valid && sel && !(b->wa & SB_IPMI_WA_BOOT_DEVICE_ONLY)) {
		sb_debug("bmc %s: boot flags read back without the valid bit: workaround bootdevonly",
			 bmc_name(b));
		b->wa |= SB_IPMI_WA_BOOT_DEVICE_ONLY;
	}
	if (b->wa & SB_IPMI_WA_BOOT_DEVICE_ONLY) {
		if (b->boot_known && b->boot_last.device == out->device) {
			out->persistent = b->boot_last.persistent;
			out->uefi = b->boot_last.uefi;
		}
		return 0;
	}
	if (!valid) {
		out->device = SB_BOOT_NONE;
		return 0;
	}
	out->persistent = d[2] & 0x40;
	out->uefi = d[2] & 0x20;
	return 0;
}

/* ---- inventory ---------------------------------------------------------- */

#define FRU_READ_CHUNK 32	/* bytes per Read FRU Data; small BMCs cap it */

static int read_fru(struct ipmi_bmc *b, uint8_t id, uint8_t **out,
		    size_t *len)
{
	uint8_t d[64], rq[5];
	uint8_t *buf = NULL;
	size_t n, got, size, off = 0;
	bool words;
	int rc;

	*out = NULL;
	*len = 0;
	rq[0] = 0x10;	/* Get FRU Inventory Area Info */
	rq[1] = id;
	if ((rc = cmd_need(b, NETFN_STORAGE, rq, 2, d, sizeof(d), &n, 3,
			   "Get FRU Inventory Area Info")))
		return rc;
	size = (size_t)d[0] | ((size_t)d[1] << 8);
	words = d[2] & 0x01;
	if (size < 8)
		return sb_error_set(SB_ENOTFOUND,
				    "bmc %s: FRU %u is empty (%zu bytes)",
				    bmc_name(b), id, size);
	buf = malloc(size);
	if (!buf)
		return sb_error_set(SB_ENOMEM, "out of memory");
	while (off < size) {
		size_t want = size - off < FRU_READ_CHUNK ? size - off : FRU_READ_CHUNK;
		size_t unit_off = words ? off / 2 : off;

		rq[0] = 0x11;	/* Read FRU Data */
		rq[1] = id;
		rq[2] = (uint8_t)(unit_off & 0xff);
		rq[3] = (uint8_t)(unit_off >> 8);
		rq[4] = (uint8_t)(words ? (want + 1) / 2 : want);
		rc = cmd(b, NETFN_STORAGE, rq, 1 + 4, d, sizeof(d), &n,
			 "Read FRU Data");
		if (rc)
			goto fail;
		/* count returned (in access units), then the bytes */
		got = n >= 1 ? (words ? (size_t)d[0] * 2 : d[0]) : 0;
		if (got == 0 || got + 1 > n) {
			rc = sb_error_set(SB_EPROTO,
					  "bmc %s: Read FRU Data at %zu: short or inconsistent reply",
					  bmc_name(b), off);
			goto fail;
		}
		if (got > size - off)
			got = size - off;	/* a BMC that sends more than asked */
		memcpy(buf + off, d + 1, got);
		off += got;
	}
	*out = buf;
	*len = size;
	return 0;
fail:
	free(buf);
	return rc;
}

static int ipmi_inventory_read(struct sb_bmc *base, struct sb_hw_inventory *inv)
{
	struct ipmi_bmc *b = (struct ipmi_bmc *)base;
	uint8_t *fru = NULL;
	size_t len = 0;
	int rc;

	if (!inv->protocol && !(inv->protocol = sb_strdup("ipmi")))
		return SB_ENOMEM;
	rc = read_fru(b, 0, &fru, &len);
	if (rc)
		return rc;
	rc = sb_bmc_ipmi_fru_parse(inv, fru, len, "fru:0");
	free(fru);
	if (rc)
		return sb_error_prefix("bmc %s: ", bmc_name(b));
	return 0;
}

static int ipmi_firmware_read(struct sb_bmc *base, struct sb_hw_inventory *inv)
{
	struct ipmi_bmc *b = (struct ipmi_bmc *)base;
	uint8_t d[64];
	size_t n;
	char ver[64];
	int rc, ev;
	struct sb_hw_firmware *fw;

	if ((rc = cmd_need(b, NETFN_APP, (const uint8_t[]){ 0x01 }, 1, d,
			   sizeof(d), &n, 11, "Get Device ID")))
		return rc;
	snprintf(ver, sizeof(ver), "%u.%02x", d[2] & 0x7fu, d[3]);
	ev = sb_hw_add_evidence(inv, "ipmi:get-device-id",
				"application/octet-stream", d, n);
	if (ev < 0)
		return ev;
	fw = sb_hw_add_firmware(inv, "BMC", ver, "ipmi", "ipmi:get-device-id");
	if (!fw)
		return sb_error_set(SB_ENOMEM, "out of memory");
	fw->evidence = ev;
	if (n >= 15 && (d[11] | d[12] | d[13] | d[14])) {
		/* auxiliary firmware revision: vendor-defined, kept raw */
		char aux[16];

		snprintf(aux, sizeof(aux), "%02x%02x%02x%02x", d[11], d[12],
			 d[13], d[14]);
		fw = sb_hw_add_firmware(inv, "BMC auxiliary", aux, "ipmi",
					"ipmi:get-device-id");
		if (!fw)
			return sb_error_set(SB_ENOMEM, "out of memory");
		fw->evidence = ev;
	}
	return 0;
}

/* ---- the event log ---------------------------------------------------- */

#define SEL_MAX 4096

static int ipmi_sel_read(struct sb_bmc *base, struct sb_sel_entry **out,
			 size_t *nout)
{
	struct ipmi_bmc *b = (struct ipmi_bmc *)base;
	uint8_t d[64], rq[7];
	size_t n, count = 0, cap = 0;
	struct sb_sel_entry *v = NULL;
	uint16_t res, id = 0;
	int rc;

	*out = NULL;
	*nout = 0;
	if ((rc = cmd_need(b, NETFN_STORAGE, (const uint8_t[]){ 0x40 }, 1, d,
			   sizeof(d), &n, 3, "Get SEL Info")))
		return rc;
	if ((d[1] | (d[2] << 8)) == 0)
		return 0;	/* empty */
	if ((rc = cmd_need(b, NETFN_STORAGE, (const uint8_t[]){ 0x42 }, 1, d,
			   sizeof(d), &n, 2, "Reserve SEL")))
		return rc;
	res = (uint16_t)(d[0] | (d[1] << 8));
	while (id != 0xFFFF && count < SEL_MAX) {
		uint16_t next;
		uint32_t ts;

		rq[0] = 0x43;	/* Get SEL Entry */
		rq[1] = (uint8_t)(res & 0xff);
		rq[2] = (uint8_t)(res >> 8);
		rq[3] = (uint8_t)(id & 0xff);
		rq[4] = (uint8_t)(id >> 8);
		rq[5] = 0;
		rq[6] = 0xFF;	/* whole record */
		if ((rc = cmd_need(b, NETFN_STORAGE, rq, 7, d, sizeof(d), &n,
				   18, "Get SEL Entry")))
			goto fail;
		next = (uint16_t)(d[0] | (d[1] << 8));
		if (count == cap) {
			size_t nc = cap ? cap * 2 : 16;
			struct sb_sel_entry *nv = realloc(v, nc * sizeof(*v));
			if (!nv) {
				rc = sb_error_set(SB_ENOMEM, "out of memory");
				goto fail;
			}
			v = nv;
			cap = nc;
		}
		/* next id(2), then the record: id(2) type(1) time(4)
		 * generator(2) EvM revision(1) sensor type(1) sensor
		 * number(1) event dir/type(1) event data(3) */
		v[count].id = (uint32_t)(d[2] | (d[3] << 8));
		ts = (uint32_t)d[5] | ((uint32_t)d[6] << 8) |
			((uint32_t)d[7] << 16) | ((uint32_t)d[8] << 24);
		if (d[4] == 0x02) {
			/* below 0x20000000: seconds since the BMC started */
			v[count].time = ts >= 0x20000000u ? (int64_t)ts : 0;
			v[count].text = sb_asprintf(
				"sensor type 0x%02x #%u, event type 0x%02x %s, data %02x %02x %02x",
				d[12], d[13], d[14] & 0x7f,
				(d[14] & 0x80) ? "deasserted" : "asserted",
				d[15], d[16], d[17]);
		} else {
			v[count].time = d[4] < 0xE0 ? (int64_t)ts : 0;
			v[count].text = sb_asprintf("record type 0x%02x", d[4]);
		}
		if (!v[count].text) {
			rc = sb_error_set(SB_ENOMEM, "out of memory");
			goto fail;
		}
		count++;
		if (next == id)
			break;	/* a BMC that loops: stop */
		id = next;
	}
	*out = v;
	*nout = count;
	return 0;
fail:
	sb_bmc_sel_free(v, count);
	return rc;
}

/* ---- security ----------------------------------------------------------- */

static int add_finding(struct sb_bmc_finding **v, size_t *n, const char *id,
		       const char *sev, const char *text)
{
	struct sb_bmc_finding *nv = realloc(*v, (*n + 1) * sizeof(**v));

	if (!nv)
		return sb_error_set(SB_ENOMEM, "out of memory");
	*v = nv;
	nv[*n].id = sb_strdup(id);
	nv[*n].severity = sb_strdup(sev);
	nv[*n].text = sb_strdup(text);
	if (!nv[*n].id || !nv[*n].severity || !nv[*n].text) {
		free(nv[*n].id);
		free(nv[*n].severity);
		free(nv[*n].text);
		return sb_error_set(SB_ENOMEM, "out of memory");
	}
	(*n)++;
	return 0;
}

/* Does the BMC let a cipher suite 0 session in with a password that is
 * certainly wrong? That is CVE-2013-4782: anyone can log in as any user
 * (with a real user name) and drive the machine. The session is closed
 * at once and nothing is sent on it. */
static int cipher0_accepts_wrong_password(bool *yes, const char *where,
					  const char *user,
					  const struct sb_bmc_opts *o,
					  unsigned wa, bool detect)
{
	uint8_t rnd[8];
	char wrong[24];
	ipmi_ctx_t ctx = NULL;
	int rc = 0;

	*yes = false;
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return sb_error_set(SB_EIO, "getrandom failed");
	sb_hex(wrong, rnd, sizeof(rnd));	/* 16 hex digits: IPMI allows 20 */
	if (login(&ctx, where, user, wrong, 0, o, &wa, detect) == 0) {
		*yes = true;
		ipmi_ctx_close(ctx);
	} else if (ctx) {
		int e = ipmi_ctx_errnum(ctx);

		if (e == IPMI_ERR_CONNECTION_TIMEOUT ||
		    e == IPMI_ERR_SESSION_TIMEOUT)
			rc = ipmi_fail(ctx, where, "cipher suite 0 check", user,
				       o->timeout_ms);
	} else {
		rc = SB_ENOMEM;
	}
	if (ctx)
		ipmi_ctx_destroy(ctx);
	explicit_bzero(wrong, sizeof(wrong));
	return rc;
}

static int ipmi_security_scan(const struct sb_bmc_url *url,
			      const struct sb_bmc_creds *creds,
			      const struct sb_bmc_opts *o,
			      struct sb_bmc_finding **out, size_t *nout)
{
	struct sb_bmc_finding *v = NULL;
	size_t n = 0;
	struct authcaps ac;
	char where[300], text[512];
	const char *user = pick_user(url, creds);
	unsigned wa;
	bool detect, c0;
	int rc;

	*out = NULL;
	*nout = 0;
	sb_bmc_url_hostport(where, sizeof(where), url);
	rc = opts_workarounds(&wa, &detect, o);
	if (rc)
		return rc;
	rc = get_authcaps(&ac, url, o);
	if (rc)
		return rc;
	if (!*user)
		user = "admin";	/* CVE-2013-4782 needs a valid user name */
	rc = cipher0_accepts_wrong_password(&c0, where, user, o, wa, detect);
	if (rc)
		goto fail;
	if (c0) {
		snprintf(text, sizeof(text),
			 "bmc %s accepts IPMI cipher suite 0 (no authentication): anyone who knows a user name (here '%s') can log in with any password and control the server (CVE-2013-4782); disable cipher suite 0 on the BMC",
			 where, user);
		if ((rc = add_finding(&v, &n, "ipmi-cipher-0", "critical", text)))
			goto fail;
	}
	if (ac.auth_none) {
		snprintf(text, sizeof(text),
			 "bmc %s offers IPMI 1.5 authentication type 'none': sessions without any password are possible; disable it in the channel's authentication settings",
			 where);
		if ((rc = add_finding(&v, &n, "ipmi-auth-none", "high", text)))
			goto fail;
	}
	if (ac.anonymous || ac.null_users) {
		snprintf(text, sizeof(text),
			 "bmc %s allows %s: disable the anonymous (null) user",
			 where, ac.anonymous ? "anonymous login" : "null user names");
		if ((rc = add_finding(&v, &n, "ipmi-anonymous", "high", text)))
			goto fail;
	}
	if (!ac.v20) {
		snprintf(text, sizeof(text),
			 "bmc %s does not announce IPMI 2.0: only IPMI 1.5, with weak MD5 or no authentication, is available",
			 where);
		if ((rc = add_finding(&v, &n, "ipmi-1.5-only", "high", text)))
			goto fail;
	}
	*out = v;
	*nout = n;
	return 0;
fail:
	sb_bmc_findings_free(v, n);
	return rc;
}

const struct sb_bmc_driver sb_bmc_ipmi_driver = {
	.name = "ipmi",
	.caps = SB_BMC_CAP_POWER | SB_BMC_CAP_BOOT | SB_BMC_CAP_INVENTORY |
		SB_BMC_CAP_FIRMWARE | SB_BMC_CAP_SEL,
	.probe = ipmi_probe,
	.open = ipmi_open,
	.info = ipmi_info,
	.power_get = ipmi_power_get,
	.power_set = ipmi_power_set,
	.boot_get = ipmi_boot_get,
	.boot_set = ipmi_boot_set,
	.inventory_read = ipmi_inventory_read,
	.firmware_read = ipmi_firmware_read,
	.media_list = NULL,
	.media_insert = NULL,
	.media_eject = NULL,
	.sel_read = ipmi_sel_read,
	.security_scan = ipmi_security_scan,
	.close = ipmi_close,
};

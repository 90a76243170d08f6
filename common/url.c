#include "common/url.h"
#include "common/error.h"
#include "common/str.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

bool sb_ip_valid(const char *s)
{
	unsigned char buf[16];

	return inet_pton(AF_INET, s, buf) == 1 ||
	       inet_pton(AF_INET6, s, buf) == 1;
}

int sb_cidr_parse(const char *s, char *ip, unsigned long ipsize,
		  unsigned *prefix)
{
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	long long p;
	bool v6;

	if (n == 0 || n >= ipsize)
		return sb_error_set(SB_EINPUT,
				    "'%s' is not an address such as 10.0.0.5/24",
				    s);
	memcpy(ip, s, n);
	ip[n] = '\0';
	if (!sb_ip_valid(ip))
		return sb_error_set(SB_EINPUT,
				    "'%s' is not an IPv4 or IPv6 address", ip);
	v6 = strchr(ip, ':') != NULL;
	if (!slash) {
		*prefix = v6 ? 128 : 32;
		return 0;
	}
	if (sb_parse_ll(&p, slash + 1, 0, v6 ? 128 : 32, "prefix length"))
		return sb_error_set(SB_EINPUT,
				    "'%s': the prefix length after '/' must be 0 to %d",
				    s, v6 ? 128 : 32);
	*prefix = (unsigned)p;
	return 0;
}

static const struct {
	const char *scheme;
	enum sb_bmc_proto proto;
	bool tls;
	unsigned port;
} schemes[] = {
	{ "ipmi", SB_PROTO_IPMI, false, 623 },
	{ "redfish", SB_PROTO_REDFISH, true, 443 },
	{ "https", SB_PROTO_REDFISH, true, 443 },
	{ "redfish+http", SB_PROTO_REDFISH, false, 80 },
};

#define URL_FORMS "ipmi://[user@]host[:port], redfish://[user@]host[:port] or redfish+http://[user@]host[:port]"

int sb_bmc_url_parse(struct sb_bmc_url *out, const char *url)
{
	const char *p = strstr(url, "://"), *host, *hend, *rest;
	size_t sl, i;

	memset(out, 0, sizeof(*out));
	if (!p)
		return sb_error_set(SB_EINPUT,
				    "BMC URL '%s' has no scheme; write it as " URL_FORMS,
				    url);
	sl = (size_t)(p - url);
	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		if (strlen(schemes[i].scheme) == sl &&
		    strncasecmp(url, schemes[i].scheme, sl) == 0)
			break;
	}
	if (i == sizeof(schemes) / sizeof(schemes[0]))
		return sb_error_set(SB_EINPUT,
				    "BMC URL '%s': unknown scheme '%.*s'; use " URL_FORMS,
				    url, (int)(sl > 20 ? 20 : sl), url);
	out->proto = schemes[i].proto;
	out->tls = schemes[i].tls;
	out->port = schemes[i].port;
	sb_strlcpy(out->scheme, schemes[i].scheme, sizeof(out->scheme));

	host = p + 3;
	/* user@ (a password is refused) */
	const char *at = NULL;
	for (const char *q = host; *q && *q != '/' && *q != '['; q++)
		if (*q == '@')
			at = q;
	if (at) {
		const char *colon = memchr(host, ':', (size_t)(at - host));
		if (colon)
			return sb_error_set(SB_EINPUT,
					    "BMC URL for %s holds a password; never put secrets in URLs: use --credentials FILE or SITEBOOT_BMC_PASSWORD",
					    at + 1);
		if (at == host || (size_t)(at - host) >= sizeof(out->user))
			return sb_error_set(SB_EINPUT,
					    "BMC URL '%s': the user name before '@' must be 1 to %zu characters",
					    url, sizeof(out->user) - 1);
		memcpy(out->user, host, (size_t)(at - host));
		out->user[at - host] = '\0';
		host = at + 1;
	}
	if (*host == '[') {
		hend = strchr(host, ']');
		if (!hend)
			return sb_error_set(SB_EINPUT,
					    "BMC URL '%s': '[' of an IPv6 address is never closed",
					    url);
		if ((size_t)(hend - host - 1) >= sizeof(out->host))
			return sb_error_set(SB_EINPUT, "BMC URL '%s': host too long", url);
		memcpy(out->host, host + 1, (size_t)(hend - host - 1));
		out->host[hend - host - 1] = '\0';
		unsigned char b6[16];
		if (inet_pton(AF_INET6, out->host, b6) != 1)
			return sb_error_set(SB_EINPUT,
					    "BMC URL '%s': '%s' is not an IPv6 address",
					    url, out->host);
		out->ipv6 = true;
		rest = hend + 1;
	} else {
		hend = host;
		while (*hend && *hend != ':' && *hend != '/')
			hend++;
		if (hend == host)
			return sb_error_set(SB_EINPUT,
					    "BMC URL '%s' has no host; write it as " URL_FORMS,
					    url);
		if ((size_t)(hend - host) >= sizeof(out->host))
			return sb_error_set(SB_EINPUT, "BMC URL '%s': host too long", url);
		memcpy(out->host, host, (size_t)(hend - host));
		out->host[hend - host] = '\0';
		for (const char *q = out->host; *q; q++) {
			if (!isalnum((unsigned char)*q) && *q != '.' &&
			    *q != '-' && *q != '_')
				return sb_error_set(SB_EINPUT,
						    "BMC URL '%s': '%c' cannot appear in a host name",
						    url, *q);
		}
		rest = hend;
	}
	if (*rest == ':') {
		long long port;
		char num[16];
		const char *pe = rest + 1;
		while (*pe && *pe != '/')
			pe++;
		if (pe - rest - 1 <= 0 || (size_t)(pe - rest - 1) >= sizeof(num))
			return sb_error_set(SB_EINPUT,
					    "BMC URL '%s': the port after ':' must be 1 to 65535",
					    url);
		memcpy(num, rest + 1, (size_t)(pe - rest - 1));
		num[pe - rest - 1] = '\0';
		if (sb_parse_ll(&port, num, 1, 65535, "port"))
			return sb_error_set(SB_EINPUT,
					    "BMC URL '%s': the port '%s' must be a number from 1 to 65535",
					    url, num);
		out->port = (unsigned)port;
		rest = pe;
	}
	if (*rest == '/' && rest[1] == '\0')
		rest++;
	if (*rest)
		return sb_error_set(SB_EINPUT,
				    "BMC URL '%s': unexpected '%s' after the host; the URL names a BMC, not a path",
				    url, rest);
	return 0;
}

void sb_bmc_url_hostport(char *buf, unsigned long size,
			 const struct sb_bmc_url *u)
{
	if (u->ipv6)
		snprintf(buf, size, "[%s]:%u", u->host, u->port);
	else
		snprintf(buf, size, "%s:%u", u->host, u->port);
}

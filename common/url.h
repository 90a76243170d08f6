/* siteboot: BMC endpoint URLs, a documented contract (docs/bmc.md):
 *
 *   ipmi://[user@]host[:port]          IPMI 2.0 lanplus, port 623
 *   redfish://[user@]host[:port]       Redfish over HTTPS, port 443
 *   https://[user@]host[:port]         the same
 *   redfish+http://[user@]host[:port]  Redfish over plain HTTP (labs)
 *
 * host is a name, an IPv4 address or an IPv6 address in brackets. A
 * password in the URL is refused: secrets never travel in URLs. */
#ifndef SB_COMMON_URL_H
#define SB_COMMON_URL_H

#include <stdbool.h>

enum sb_bmc_proto { SB_PROTO_IPMI, SB_PROTO_REDFISH };

struct sb_bmc_url {
	enum sb_bmc_proto proto;
	bool tls;		/* redfish over https */
	char scheme[16];	/* as written, lower case */
	char user[64];		/* "" when none */
	char host[256];		/* without brackets */
	unsigned port;		/* the default filled in when absent */
	bool ipv6;
};

/* Parse and check one URL (no ranges). SB_EINPUT with a message that says
 * which part is wrong and how a right one looks. */
int sb_bmc_url_parse(struct sb_bmc_url *out, const char *url);

/* "host:port" or "[v6]:port" into buf, for messages and logs. */
void sb_bmc_url_hostport(char *buf, unsigned long size,
			 const struct sb_bmc_url *u);

/* Is `s` an IPv4 or IPv6 address (no prefix)? */
bool sb_ip_valid(const char *s);
/* "10.0.0.5/24" or "fd00::5/64": address and prefix. */
int sb_cidr_parse(const char *s, char *ip, unsigned long ipsize,
		  unsigned *prefix);

#endif

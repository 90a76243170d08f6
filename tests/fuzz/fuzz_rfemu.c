/* libFuzzer target: the lab's Redfish emulator (bootstrap/rfemu.c) on
 * arbitrary requests. The input is "METHOD PATH?QUERY\nIF-MATCH\nBODY":
 * request bodies, paths, queries ($expand) and ETags are what a client
 * controls. The mockup is loaded once, authenticated with basic auth, and
 * the tree must stay servable after every request. Run from the top of the
 * source tree (`make fuzz`), which holds tests/data/redfish/public-tower. */
#include "bootstrap/rfemu.h"
#include "common/error.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct sb_rfemu *emu;

static uint64_t clock_ms(void)
{
	static uint64_t t;

	return t += 250;	/* tasks finish within a few requests */
}

static char *line(const char **p, const char *end)
{
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));
	const char *stop = nl ? nl : end;
	char *s = malloc((size_t)(stop - *p) + 1);

	if (!s)
		abort();
	memcpy(s, *p, (size_t)(stop - *p));
	s[stop - *p] = '\0';
	*p = nl ? nl + 1 : end;
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	struct sb_rfemu_req req = { 0 };
	struct sb_rfemu_resp resp;
	char *first, *ifm, *sp, *q;

	if (!emu) {
		if (sb_rfemu_load(&emu, "tests/data/redfish/public-tower", "admin", "pw")) {
			fprintf(stderr, "fuzz_rfemu: %s (run from the source tree)\n",
				sb_error_message());
			abort();
		}
		sb_rfemu_set_clock(emu, clock_ms);
		sb_rfemu_set_task_ms(emu, 500);
	}
	first = line(&p, end);
	ifm = line(&p, end);
	sp = strchr(first, ' ');
	req.method = first;
	req.path = "/redfish/v1/Systems/437XR1238R2";
	if (sp) {
		*sp = '\0';
		req.path = sp + 1;
	}
	q = strchr((char *)req.path, '?');
	if (q) {
		*q = '\0';
		req.query = q + 1;
	}
	req.authorization = "Basic YWRtaW46cHc=";
	req.if_match = *ifm ? ifm : NULL;
	req.body = p;
	req.body_len = (size_t)(end - p);
	sb_rfemu_handle(emu, &req, &resp);
	if (resp.status < 100 || resp.status > 599)
		abort();
	sb_rfemu_resp_release(&resp);
	/* the system must still be servable */
	struct sb_rfemu_req get = { .method = "GET", .path = "/redfish/v1/Systems/437XR1238R2",
				    .authorization = "Basic YWRtaW46cHc=" };
	sb_rfemu_handle(emu, &get, &resp);
	if (resp.status != 200)
		abort();
	sb_rfemu_resp_release(&resp);
	free(first);
	free(ifm);
	sb_error_clear();
	return 0;
}

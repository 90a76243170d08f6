/* libFuzzer target: the checklist loader (YAML, schema, needs and cycles,
 * template syntax and variables) and, for a checklist that loads, the
 * plan over a small built-in site with every template rendered. Seeds in
 * tests/fuzz/seeds/fuzz_checklist. */
#include "bootstrap/checklist.h"
#include "common/error.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char site_yaml[] =
	"schema_version: 1\n"
	"site: {id: fz, name: Fuzz, tier: edge}\n"
	"hardware:\n"
	"  small:\n"
	"    chassis: {manufacturer: A, model: B, part_number: C}\n"
	"    components:\n"
	"      - {id: dimm, class: memory, part_number: M, quantity: 1, size: 16GiB}\n"
	"nodes:\n"
	"  - name: n[01-03]\n"
	"    roles: [proxmox]\n"
	"    hardware: small\n"
	"    mgmt: \"10.0.0.[1-3]/24\"\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sb_site *site;
	struct sb_diags d;
	struct sb_checklist *c = NULL;

	sb_diags_init(&d);
	if (!site && sb_bom_load_buf(&site, "site.yaml", site_yaml, strlen(site_yaml), &d))
		abort();
	if (sb_checklist_load_buf(&c, "fuzz.yaml", (const char *)data, size, &d) == 0) {
		struct sb_plan *p = NULL;
		if (sb_plan_build(&p, c, site, NULL, &d) == 0) {
			for (size_t i = 0; i < p->nitems; i++) {
				struct sb_tmpl_env env = { site, p->hosts[p->items[i].host].node,
							   NULL, NULL, NULL, NULL };
				free(sb_action_describe(&c->steps[p->items[i].step].run, &env));
			}
			sb_plan_free(p);
		}
		sb_checklist_free(c);
	}
	sb_diags_release(&d);
	sb_error_clear();
	return 0;
}

/* Unit tests for the checklist parser, its dependency order, the template
 * language and plans. */
#include "bootstrap/checklist.h"
#include "common/error.h"
#include "common/str.h"
#include "testutil.h"

static const char sample[] =
	"schema_version: 1\n"
	"name: edge-smoke\n"
	"tier: edge\n"
	"steps:\n"
	"  - id: marker\n"
	"    title: Leave a marker on each Proxmox node\n"
	"    hosts: {roles: [proxmox]}          # or {nodes: [edge-n01, ...]}, or site\n"
	"    needs: []\n"
	"    run:    {ssh: \"echo {{node.name}} >> /var/tmp/marker\"}\n"
	"    check:  {ssh: \"grep -qx {{node.name}} /var/tmp/marker\"}\n"
	"    verify: {ssh: \"test -s /var/tmp/marker\"}\n"
	"    timeout: 30s\n"
	"    retries: 1\n"
	"    on_failure: stop-host              # stop-host | stop-site | continue\n";

static struct sb_checklist *load(const char *text, struct sb_diags *d, int *rc)
{
	struct sb_checklist *c = NULL;

	sb_diags_init(d);
	*rc = sb_checklist_load_buf(&c, "t.yaml", text, strlen(text), d);
	return c;
}

/* The first error's "LINE:COL: message". */
static const char *first_error(const struct sb_diags *d)
{
	static char buf[2048];

	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].level == SB_DIAG_ERROR) {
			snprintf(buf, sizeof(buf), "%u:%u: %s", d->v[i].line, d->v[i].col,
				 d->v[i].msg);
			return buf;
		}
	return "";
}

START_TEST(sample_shape)
{
	struct sb_diags d;
	int rc;
	struct sb_checklist *c = load(sample, &d, &rc);

	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(d.nerrors, 0);
	ck_assert_str_eq(c->name, "edge-smoke");
	ck_assert_uint_eq(c->nsteps, 1);
	const struct sb_step *s = &c->steps[0];
	ck_assert_str_eq(s->id, "marker");
	ck_assert_uint_eq(s->hosts.nroles, 1);
	ck_assert_str_eq(s->hosts.roles[0], "proxmox");
	ck_assert_int_eq(s->run.kind, SB_EXEC_SSH);
	ck_assert_ptr_nonnull(s->check);
	ck_assert_ptr_nonnull(s->verify);
	ck_assert_uint_eq(s->timeout_ms, 30000);
	ck_assert_uint_eq(s->retries, 1);
	ck_assert_int_eq(s->on_failure, SB_FAIL_STOP_HOST);
	ck_assert_uint_eq(strlen(c->sha256), 64);
	sb_checklist_free(c);
	sb_diags_release(&d);
}
END_TEST

START_TEST(cycle_named)
{
	struct sb_diags d;
	int rc;
	struct sb_checklist *c = load(
		"schema_version: 1\nname: x\nsteps:\n"
		"  - {id: a, hosts: all, needs: [c], run: {ssh: \"true\"}, idempotent: true}\n"
		"  - {id: b, hosts: all, needs: [a], run: {ssh: \"true\"}, idempotent: true}\n"
		"  - {id: c, hosts: all, needs: [b], run: {ssh: \"true\"}, idempotent: true}\n",
		&d, &rc);

	ck_assert_int_eq(rc, SB_EINPUT);
	ck_assert_ptr_null(c);
	ck_assert_msg(strstr(first_error(&d), "a -> c -> b -> a") != NULL, "%s",
		      first_error(&d));
	sb_diags_release(&d);
}
END_TEST

START_TEST(order_follows_needs)
{
	struct sb_diags d;
	int rc;
	struct sb_checklist *c = load(
		"schema_version: 1\nname: x\nsteps:\n"
		"  - {id: late, hosts: all, needs: [early], run: {ssh: \"true\"}, idempotent: true}\n"
		"  - {id: early, hosts: all, run: {ssh: \"true\"}, idempotent: true}\n"
		"  - {id: other, hosts: all, run: {ssh: \"true\"}, idempotent: true}\n",
		&d, &rc);

	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(c->steps[c->order[0]].id, "early");
	ck_assert_str_eq(c->steps[c->order[1]].id, "late");
	ck_assert_str_eq(c->steps[c->order[2]].id, "other");
	sb_checklist_free(c);
	sb_diags_release(&d);
}
END_TEST

/* Checklists that must not load, each with the start of its first error. */
struct bad_case {
	const char *text, *want;
};

static void expect_bad(const struct bad_case *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct sb_diags d;
		int rc;
		struct sb_checklist *c = load(v[i].text, &d, &rc);
		ck_assert_msg(rc == SB_EINPUT && !c, "case %zu loaded", i);
		ck_assert_msg(strstr(first_error(&d), v[i].want) != NULL,
			      "case %zu: want '%s', got '%s'", i, v[i].want, first_error(&d));
		sb_diags_release(&d);
	}
}

START_TEST(bad_inputs_positions)
{
	static const struct bad_case cases[] = {
		{ "schema_version: 2\nname: x\nsteps:\n  - {id: a, hosts: all, run: {ssh: x}}\n",
		  "1:17: schema_version 2 is not supported" },
		{ "schema_version: 1\nname: x\nstpes: []\n", "3:1: unknown key 'stpes'" },
		{ "schema_version: 1\nname: x\nsteps:\n  - {id: a, hosts: all, run: {shh: x}}\n",
		  "4:31: unknown executor 'shh'" },
		{ "schema_version: 1\nname: x\nsteps:\n  - {id: a, hosts: {roles: [proxmux]}, run: {ssh: x}}\n",
		  "4:28: unknown role 'proxmux'" },
		{ "schema_version: 1\nname: x\nsteps:\n  - {id: a, hosts: all, needs: [b], run: {ssh: x}}\n",
		  "needs 'b', which is not a step" },
		{ "schema_version: 1\nname: x\nsteps:\n  - {id: a, hosts: all, run: {ssh: \"{{node.nmae}}\"}}\n",
		  "4:36: unknown variable 'node.nmae'" },
		{ "schema_version: 1\nname: x\nsteps:\n  - {id: a, hosts: all, run: {ssh: \"{{ node.name \"}}\n",
		  "without a closing" },
		{ "schema_version: 1\nname: x\nsteps:\n  - {id: a, hosts: site, run: {ssh: \"true\"}}\n",
		  "runs once per site, but a ssh action needs a host" },
		{ "schema_version: 1\nname: x\nsteps:\n  - {id: a, hosts: all, run: {ssh: x}, timeout: 0}\n",
		  "must be more than 0" },
		{ "schema_version: 1\nname: x\nsteps:\n  - {id: a, hosts: all, run: {ssh: x}}\n"
		  "  - {id: b, hosts: all, run: {ssh: \"{{steps.a.stdout}}\"}}\n",
		  "step 'b' does not need 'a'" },
		{ "schema_version: 1\nname: x\nsteps:\n  - {id: a, hosts: all, run: {ssh: x}}\n"
		  "  - {id: a, hosts: all, run: {ssh: x}}\n",
		  "two steps have the id 'a'" },
		{ "schema_version: 1\nname: x\nsteps:\n  - {id: a, hosts: all, run: {ssh: x}, on_failure: stop}\n",
		  "'on_failure' of step 'a' cannot be 'stop'" },
	};
	expect_bad(cases, sizeof(cases) / sizeof(cases[0]));
}
END_TEST

static int fake_step(void *ctx, const char *step, const char *field, char **out)
{
	(void)ctx;
	*out = sb_asprintf("%s.%s it's", step, field);
	return 0;
}

START_TEST(render)
{
	struct sb_diags d;
	struct sb_site *s = NULL;
	char *out = NULL;

	sb_diags_init(&d);
	ck_assert_int_eq(sb_bom_load(&s, sb_test_data("bom/good/minimal.yaml"), &d), 0);
	struct sb_tmpl_env env = { s, &s->nodes[0], "R1", "/tmp/r", fake_step, NULL };
	ck_assert_int_eq(sb_tmpl_render(&out, "{{node.name}}@{{ node.mgmt_ip }}:{{site.id}} {{run.id}}",
					&env), 0);
	ck_assert_str_eq(out, "n01@127.0.0.1:test-edge R1");
	free(out);
	ck_assert_int_eq(sb_tmpl_render(&out, "echo {{ steps.k.stdout | shell }}", &env), 0);
	ck_assert_str_eq(out, "echo 'k.stdout it'\\''s'");
	free(out);
	ck_assert_int_eq(sb_tmpl_render(&out, "a {{ \"{{\" }} b", &env), 0);
	ck_assert_str_eq(out, "a {{ b");
	free(out);
	/* the appliance's places, overridable for a lab or a demo */
	setenv("SITEBOOT_ETC", "/tmp/sb-etc", 1);
	unsetenv("SITEBOOT_IMAGES");
	ck_assert_int_eq(sb_tmpl_render(&out, "{{appliance.etc}}/besu {{ appliance.images }}/b.tgz", &env), 0);
	ck_assert_str_eq(out, "/tmp/sb-etc/besu /var/lib/siteboot/images/b.tgz");
	free(out);
	unsetenv("SITEBOOT_ETC");
	ck_assert_int_eq(sb_tmpl_render(&out, "{{appliance.etc}}", &env), 0);
	ck_assert_str_eq(out, "/etc/siteboot");
	free(out);
	ck_assert_int_eq(sb_tmpl_render(&out, "{{appliance.home}}", &env), SB_EINPUT);
	ck_assert_ptr_null(out);
	/* a site step has no node */
	env.node = NULL;
	ck_assert_int_eq(sb_tmpl_render(&out, "{{node.name}}", &env), SB_EINPUT);
	ck_assert_ptr_null(out);
	char *q = sb_shell_quote("a'b");
	ck_assert_str_eq(q, "'a'\\''b'");
	free(q);
	sb_bom_free(s);
	sb_diags_release(&d);
}
END_TEST

START_TEST(plan_filters)
{
	struct sb_diags d;
	struct sb_site *s = NULL;
	struct sb_plan *p = NULL;
	int rc;
	struct sb_checklist *c = load(
		"schema_version: 1\nname: x\nsteps:\n"
		"  - {id: s1, hosts: site, run: {attest: \"ok\"}}\n"
		"  - {id: a, hosts: all, needs: [s1], run: {ssh: \"echo {{node.name}}\"}, idempotent: true}\n"
		"  - {id: b, hosts: {nodes: [\"edge-n0[1-2]\"]}, needs: [a], run: {ssh: \"echo {{steps.a.stdout}}\"}, idempotent: true}\n",
		&d, &rc);

	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(sb_bom_load(&s, sb_test_data("bom/good/ranges.yaml"), &d), 0);
	ck_assert_int_eq(sb_plan_build(&p, c, s, NULL, &d), 0);
	ck_assert_uint_eq(p->nhosts, 9);
	ck_assert_str_eq(p->hosts[0].name, "site");
	ck_assert_uint_eq(p->nitems, 1 + 8 + 2);
	sb_plan_free(p);
	struct sb_plan_filter f = { .from = "a" };
	ck_assert_int_eq(sb_plan_build(&p, c, s, &f, &d), 0);
	ck_assert_uint_eq(p->nitems, 8 + 2);
	sb_plan_free(p);
	const char *hosts[] = { "edge-n02" };
	struct sb_plan_filter f2 = { .only = "b", .hosts = hosts, .nhosts = 1 };
	ck_assert_int_eq(sb_plan_build(&p, c, s, &f2, &d), 0);
	ck_assert_uint_eq(p->nitems, 1);
	ck_assert_str_eq(p->hosts[0].name, "edge-n02");
	sb_plan_free(p);
	struct sb_plan_filter f3 = { .only = "nope" };
	ck_assert_int_eq(sb_plan_build(&p, c, s, &f3, &d), SB_EUSAGE);
	sb_checklist_free(c);
	sb_bom_free(s);
	sb_diags_release(&d);
}
END_TEST

/* The BOM's VMs are hosts: roles and names select them, `all` does not,
 * node.parent and node.parent_mgmt_ip name the node that carries them,
 * and role values count them. */
START_TEST(plan_vm_hosts)
{
	struct sb_diags d;
	struct sb_site *s = NULL;
	struct sb_plan *p = NULL;
	int rc;
	struct sb_checklist *c = load(
		"schema_version: 1\nname: x\nsteps:\n"
		"  - {id: a, hosts: all, run: {ssh: \"echo {{node.name}}\"}, idempotent: true}\n"
		"  - {id: vm, hosts: {roles: [read-replica]}, needs: [a], run: {virt: {uri: \"qemu+ssh://root@{{node.parent_mgmt_ip}}/system\", action: start, domain: \"{{node.name}}\"}}, idempotent: true}\n"
		"  - {id: b, hosts: {nodes: [\"reg-rr0[2-3]\"]}, needs: [vm], run: {ssh: \"echo {{node.parent}} {{role.read-replica.count}}\"}, idempotent: true}\n"
		"  - {id: bad, hosts: {nodes: [reg-pve01]}, run: {ssh: \"echo {{node.parent}}\"}, idempotent: true}\n",
		&d, &rc);

	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(sb_bom_load(&s, sb_test_data("../../bom/examples/regional-lagos.yaml"), &d), 0);
	ck_assert_uint_eq(s->nguests, 3);
	/* node.parent on a node is an error that names it */
	ck_assert_int_eq(sb_plan_build(&p, c, s, NULL, &d), SB_EINPUT);
	ck_assert_ptr_nonnull(strstr(first_error(&d), "node.parent is for VMs"));
	sb_diags_release(&d);
	sb_diags_init(&d);
	struct sb_plan_filter f = { .from = "a" };
	const char *hosts[] = { "reg-pve01", "reg-rr0[1-3]" };
	f.hosts = hosts;
	f.nhosts = 2;
	/* the bad step still runs on reg-pve01 */
	ck_assert_int_eq(sb_plan_build(&p, c, s, &f, &d), SB_EINPUT);
	sb_diags_release(&d);
	sb_diags_init(&d);
	const char *vms[] = { "reg-rr0[1-3]", "reg-k8m01" };
	f.hosts = vms;
	ck_assert_int_eq(sb_plan_build(&p, c, s, &f, &d), 0);
	ck_assert_uint_eq(p->nhosts, 4);
	ck_assert_str_eq(p->hosts[0].name, "reg-k8m01");
	ck_assert_str_eq(p->hosts[1].name, "reg-rr01");
	ck_assert_ptr_eq(p->hosts[1].node->parent, &s->nodes[0]);
	ck_assert_uint_eq(p->hosts[0].nitems, 1);	/* a */
	ck_assert_uint_eq(p->hosts[1].nitems, 1);	/* vm: `all` leaves VMs out */
	ck_assert_uint_eq(p->hosts[2].nitems, 2);	/* vm, b */
	struct sb_tmpl_env env = { s, p->hosts[2].node, NULL, NULL, NULL, NULL };
	char *out = NULL;
	ck_assert_int_eq(sb_tmpl_render(&out, "{{node.parent}} {{node.parent_mgmt_ip}} "
					"{{node.mgmt_ip}} {{role.read-replica.names}}", &env), 0);
	ck_assert_str_eq(out, "reg-pve02 10.30.1.12 10.30.1.42 reg-rr01 reg-rr02 reg-rr03");
	free(out);
	/* the BOM's Besu parameters (tier defaults for what it leaves out) */
	ck_assert_int_eq(sb_tmpl_render(&out, "{{besu.chain_id}} {{besu.block_period}} "
					"{{besu.epoch_length}} {{besu.request_timeout}}", &env), 0);
	ck_assert_str_eq(out, "20261 2 30000 4");
	free(out);
	struct sb_site *m = NULL;
	ck_assert_int_eq(sb_bom_load(&m, sb_test_data("bom/good/minimal.yaml"), &d), 0);
	struct sb_tmpl_env menv = { m, NULL, NULL, NULL, NULL, NULL };
	ck_assert_int_eq(sb_tmpl_render(&out, "{{besu.chain_id}}", &menv), SB_EINPUT);
	ck_assert_ptr_nonnull(strstr(sb_error_message(), "add 'besu: {chain_id: N}' to the BOM"));
	sb_error_clear();
	sb_bom_free(m);
	sb_plan_free(p);
	sb_checklist_free(c);
	sb_bom_free(s);
	sb_diags_release(&d);
}
END_TEST

/* The installer boot's pieces: the serve executor (site steps only), the
 * BMC-kind host filter, media slots and new_host_key. */
START_TEST(installer_pieces)
{
	static const struct bad_case bad[] = {
		{ "schema_version: 1\nname: x\nsteps:\n  - {id: a, hosts: all, run: {serve: {dir: /tmp}}}\n",
		  "runs the media server, which runs once per site" },
		{ "schema_version: 1\nname: x\nsteps:\n  - {id: a, hosts: site, run: {serve: {dir: /tmp, for: 30h}}}\n",
		  "'for' of 'run' is out of range" },
		{ "schema_version: 1\nname: x\nsteps:\n  - {id: a, hosts: all, run: {bmc: {power: on, slot: cd}}}\n",
		  "slot is only for media" },
		{ "schema_version: 1\nname: x\nsteps:\n  - {id: a, hosts: all, run: {bmc: {media: eject, slot: \"c d\"}}}\n",
		  "is not cd, usb or a device Id" },
		{ "schema_version: 1\nname: x\nsteps:\n  - {id: a, hosts: all, run: {ssh: {command: x, new_host_key: true}}}\n",
		  "new_host_key is only for wait" },
		{ "schema_version: 1\nname: x\nsteps:\n  - {id: a, hosts: {bmc: serial}, run: {ssh: x}}\n",
		  "'bmc' of 'hosts' cannot be 'serial'" },
		{ "schema_version: 1\nname: x\nsteps:\n  - {id: a, hosts: site, run: {local: x}, check: {serve: {dir: /tmp}}}\n",
		  "cannot be a serve" },
	};
	expect_bad(bad, sizeof(bad) / sizeof(bad[0]));

	struct sb_diags d;
	struct sb_site *s = NULL;
	struct sb_plan *p = NULL;
	int rc;
	struct sb_checklist *c = load(
		"schema_version: 1\nname: x\nsteps:\n"
		"  - {id: srv, hosts: site, run: {serve: {dir: \"{{run.dir}}/media\", port: 0, for: 10m}}}\n"
		"  - {id: ins, hosts: {roles: [proxmox], bmc: redfish}, needs: [srv],"
		" run: {bmc: {media: insert, image: \"{{steps.srv.stdout}}/{{node.name}}.iso\", slot: usb}},"
		" check: {bmc: {media: insert, image: \"{{steps.srv.stdout}}/{{node.name}}.iso\", slot: usb}}}\n"
		"  - {id: up, hosts: {bmc: redfish}, needs: [ins], run: {ssh: {wait: 5m, new_host_key: true}}, idempotent: true}\n"
		"  - {id: hand, hosts: {roles: [proxmox], bmc: ipmi}, run: {attest: \"by hand\"}}\n",
		&d, &rc);
	ck_assert_msg(rc == 0, "%s", first_error(&d));
	ck_assert_int_eq(c->steps[0].run.kind, SB_EXEC_SERVE);
	ck_assert_uint_eq(c->steps[0].run.serve_port, 0);
	ck_assert_uint_eq(c->steps[0].run.serve_for_ms, 600000);
	ck_assert_str_eq(c->steps[1].run.bmc_slot, "usb");
	ck_assert(c->steps[2].run.new_host_key);
	ck_assert_int_eq(sb_bom_load(&s, "bom/examples/core-johannesburg.yaml", &d), 0);
	ck_assert_int_eq(sb_plan_build(&p, c, s, NULL, &d), 0);
	size_t redfish = 0, ins = 0, up = 0, hand = 0;
	for (size_t i = 0; i < s->nnodes; i++)
		redfish += strcmp(sb_node_bmc_kind(&s->nodes[i]), "redfish") == 0;
	for (size_t i = 0; i < p->nitems; i++) {
		const struct sb_plan_host *h = &p->hosts[p->items[i].host];
		const char *id = c->steps[p->items[i].step].id;
		if (strcmp(id, "ins") == 0) {
			ins++;
			ck_assert_str_eq(sb_node_bmc_kind(h->node), "redfish");
			ck_assert(sb_bom_node_has_role(h->node, "proxmox"));
		} else if (strcmp(id, "up") == 0) {
			up++;
			ck_assert_str_eq(sb_node_bmc_kind(h->node), "redfish");
		} else if (strcmp(id, "hand") == 0) {
			hand++;
			ck_assert_str_eq(sb_node_bmc_kind(h->node), "ipmi");
		}
	}
	ck_assert_uint_gt(redfish, 0);
	ck_assert_uint_eq(up, redfish);	/* bmc: alone selects every such node */
	ck_assert_uint_gt(hand, 0);
	ck_assert_uint_le(ins, up);
	char *desc = sb_action_describe(&c->steps[0].run, NULL);
	ck_assert_ptr_nonnull(strstr(desc, "to the BMC network"));
	free(desc);
	sb_plan_free(p);
	sb_checklist_free(c);
	sb_bom_free(s);
	sb_diags_release(&d);
}
END_TEST

START_TEST(builtin_tiers_valid)
{
	const char *tiers[] = { "core", "regional", "edge" };

	for (size_t i = 0; i < 3; i++) {
		struct sb_diags d;
		struct sb_checklist *c = NULL;
		sb_diags_init(&d);
		ck_assert_msg(sb_checklist_open(&c, tiers[i], &d) == 0, "%s: %s", tiers[i],
			      first_error(&d));
		sb_checklist_free(c);
		sb_diags_release(&d);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("checklist");
	TCase *tc = tcase_create("checklist");

	tcase_add_test(tc, sample_shape);
	tcase_add_test(tc, cycle_named);
	tcase_add_test(tc, order_follows_needs);
	tcase_add_test(tc, bad_inputs_positions);
	tcase_add_test(tc, render);
	tcase_add_test(tc, plan_filters);
	tcase_add_test(tc, plan_vm_hosts);
	tcase_add_test(tc, builtin_tiers_valid);
	tcase_add_test(tc, installer_pieces);
	suite_add_tcase(s, tc);
	return sb_test_run(s);
}

/* Unit tests for the lab's Redfish emulator's pure parts (bootstrap/rfemu.h):
 * path mapping, authentication, state changes, ETags, tasks, virtual media,
 * $expand and the BOM node patch. The HTTP side is tested end to end with
 * sushy, redfishtool and curl in tests/integ/t_redfish_emu.sh. */
#include "bootstrap/rfemu.h"
#include "common/error.h"
#include "common/json.h"
#include "common/str.h"
#include "images/answer.h"
#include "bom/bom.h"
#include "common/file.h"
#include "testutil.h"

#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#define SYS "/redfish/v1/Systems/437XR1238R2"
#define CD1 "/redfish/v1/Managers/BMC/VirtualMedia/CD1"
/* "admin:pw" */
#define BASIC "Basic YWRtaW46cHc="

static uint64_t fake_now;
static uint64_t fake_clock(void)
{
	return fake_now;
}

static struct sb_rfemu *load(void)
{
	struct sb_rfemu *e = NULL;

	ck_assert_int_eq(sb_rfemu_load(&e, sb_test_data("redfish/public-tower"), "admin", "pw"), 0);
	sb_rfemu_set_clock(e, fake_clock);
	return e;
}

/* One request; the reply's body parsed into *doc when asked. */
static int req(struct sb_rfemu *e, const char *method, const char *path, const char *body,
	       const char *auth, const char *if_match, struct sb_rfemu_resp *r)
{
	struct sb_rfemu_req q = { 0 };
	char p[1024];
	const char *qm = strchr(path, '?');

	sb_strlcpy(p, path, sizeof(p));
	if (qm)
		p[qm - path] = '\0';
	q.method = method;
	q.path = p;
	q.query = qm ? qm + 1 : NULL;
	q.authorization = auth;
	q.if_match = if_match;
	q.body = body;
	q.body_len = body ? strlen(body) : 0;
	sb_rfemu_handle(e, &q, r);
	return r->status;
}

static int call(struct sb_rfemu *e, const char *method, const char *path, const char *body)
{
	struct sb_rfemu_resp r;
	int st = req(e, method, path, body, BASIC, NULL, &r);

	sb_rfemu_resp_release(&r);
	return st;
}

static json_t *get(struct sb_rfemu *e, const char *path)
{
	struct sb_rfemu_resp r;
	json_t *doc = NULL;

	ck_assert_int_eq(req(e, "GET", path, NULL, BASIC, NULL, &r), 200);
	ck_assert_int_eq(sb_json_parse(&doc, r.body, r.body_len, 1 << 24, "reply"), 0);
	sb_rfemu_resp_release(&r);
	return doc;
}

START_TEST(path_keys)
{
	char k[256];

	ck_assert(sb_rfemu_path_key(k, sizeof(k), "/redfish/v1/"));
	ck_assert_str_eq(k, "/redfish/v1");
	ck_assert(sb_rfemu_path_key(k, sizeof(k), "/redfish/v1//Systems/1/?x=1"));
	ck_assert_str_eq(k, "/redfish/v1/Systems/1");
	ck_assert(sb_rfemu_path_key(k, sizeof(k), "/redfish/v1/Chassis/index.json"));
	ck_assert_str_eq(k, "/redfish/v1/Chassis");
	ck_assert(sb_rfemu_path_key(k, sizeof(k), "/redfish/v1/Chassis/Tower/Power#/PowerSupplies/0"));
	ck_assert_str_eq(k, "/redfish/v1/Chassis/Tower/Power");
	ck_assert(sb_rfemu_path_key(k, sizeof(k), "/redfish"));
	ck_assert(!sb_rfemu_path_key(k, sizeof(k), "/etc/passwd"));
	ck_assert(!sb_rfemu_path_key(k, sizeof(k), "/redfish/v1/../../etc"));
	ck_assert(!sb_rfemu_path_key(k, sizeof(k), "/redfish/v1/a\nb"));
	ck_assert(!sb_rfemu_path_key(k, sizeof(k), "redfish/v1"));
	ck_assert(!sb_rfemu_path_key(k, 8, "/redfish/v1/Systems"));
}
END_TEST

START_TEST(auth_rules)
{
	struct sb_rfemu *e = load();
	struct sb_rfemu_resp r;

	ck_assert_int_eq(req(e, "GET", "/redfish/v1/", NULL, NULL, NULL, &r), 200);
	sb_rfemu_resp_release(&r);
	ck_assert_int_eq(req(e, "GET", "/redfish", NULL, NULL, NULL, &r), 200);
	sb_rfemu_resp_release(&r);
	ck_assert_int_eq(req(e, "GET", SYS, NULL, NULL, NULL, &r), 401);
	ck_assert_ptr_nonnull(sb_rfemu_resp_header(&r, "WWW-Authenticate"));
	ck_assert_ptr_nonnull(strstr(r.body, "NoValidSession"));
	sb_rfemu_resp_release(&r);
	/* admin:wrong */
	ck_assert_int_eq(req(e, "GET", SYS, NULL, "Basic YWRtaW46d3Jvbmc=", NULL, &r), 401);
	sb_rfemu_resp_release(&r);
	ck_assert_int_eq(req(e, "GET", SYS, NULL, "Basic !!!", NULL, &r), 401);
	sb_rfemu_resp_release(&r);
	ck_assert_int_eq(req(e, "GET", SYS, NULL, BASIC, NULL, &r), 200);
	ck_assert_ptr_nonnull(sb_rfemu_resp_header(&r, "ETag"));
	sb_rfemu_resp_release(&r);
	/* the mockup's own canned session is gone */
	json_t *s = get(e, "/redfish/v1/SessionService/Sessions");
	ck_assert_int_eq(json_array_size(json_object_get(s, "Members")), 0);
	json_decref(s);
	sb_rfemu_free(e);
}
END_TEST

START_TEST(sessions)
{
	struct sb_rfemu *e = load();
	struct sb_rfemu_resp r;
	struct sb_rfemu_req q = { .method = "GET", .path = SYS };
	char token[128], loc[256];

	ck_assert_int_eq(req(e, "POST", "/redfish/v1/SessionService/Sessions",
			     "{\"UserName\":\"admin\",\"Password\":\"nope\"}", NULL, NULL, &r), 401);
	sb_rfemu_resp_release(&r);
	ck_assert_int_eq(req(e, "POST", "/redfish/v1/SessionService/Sessions",
			     "{\"UserName\":\"admin\"}", NULL, NULL, &r), 400);
	sb_rfemu_resp_release(&r);
	ck_assert_int_eq(req(e, "POST", "/redfish/v1/SessionService/Sessions",
			     "{\"UserName\":\"admin\",\"Password\":\"pw\"}", NULL, NULL, &r), 201);
	sb_strlcpy(token, sb_rfemu_resp_header(&r, "X-Auth-Token"), sizeof(token));
	sb_strlcpy(loc, sb_rfemu_resp_header(&r, "Location"), sizeof(loc));
	ck_assert_uint_eq(strlen(token), 64);
	ck_assert(sb_startswith(loc, "/redfish/v1/SessionService/Sessions/"));
	ck_assert_ptr_null(strstr(r.body, "pw\""));
	sb_rfemu_resp_release(&r);
	q.auth_token = token;
	sb_rfemu_handle(e, &q, &r);
	ck_assert_int_eq(r.status, 200);
	sb_rfemu_resp_release(&r);
	q.method = "DELETE";
	q.path = loc;
	sb_rfemu_handle(e, &q, &r);
	ck_assert_int_eq(r.status, 204);
	sb_rfemu_resp_release(&r);
	q.method = "GET";
	q.path = SYS;
	sb_rfemu_handle(e, &q, &r);
	ck_assert_int_eq(r.status, 401);
	sb_rfemu_resp_release(&r);
	sb_rfemu_free(e);
}
END_TEST

static const char *power(struct sb_rfemu *e)
{
	return sb_json_str(sb_rfemu_get(e, SYS), "PowerState");
}

START_TEST(reset_changes_power)
{
	struct sb_rfemu *e = load();
	const char *act = SYS "/Actions/ComputerSystem.Reset";

	ck_assert_str_eq(power(e), "On");
	ck_assert_int_eq(call(e, "POST", act, "{\"ResetType\":\"ForceOff\"}"), 204);
	ck_assert_str_eq(power(e), "Off");
	ck_assert_int_eq(call(e, "POST", act, "{\"ResetType\":\"PushPowerButton\"}"), 204);
	ck_assert_str_eq(power(e), "On");
	ck_assert_int_eq(call(e, "POST", act, "{\"ResetType\":\"ForceRestart\"}"), 204);
	ck_assert_str_eq(power(e), "On");
	/* not in the mockup's AllowableValues */
	ck_assert_int_eq(call(e, "POST", act, "{\"ResetType\":\"PowerCycle\"}"), 400);
	ck_assert_int_eq(call(e, "POST", act, "{\"ResetType\":7}"), 400);
	ck_assert_int_eq(call(e, "POST", act, "{}"), 400);
	ck_assert_int_eq(call(e, "POST", act, "not json"), 400);
	ck_assert_int_eq(call(e, "POST", act, "[1]"), 400);
	ck_assert_str_eq(power(e), "On");
	ck_assert_int_eq(call(e, "POST", SYS "/Actions/ComputerSystem.Explode", "{}"), 501);
	ck_assert_int_eq(call(e, "PUT", SYS, "{}"), 405);
	ck_assert_int_eq(call(e, "GET", "/redfish/v1/NoSuchThing", NULL), 404);
	sb_rfemu_free(e);
}
END_TEST

START_TEST(task_monitor)
{
	struct sb_rfemu *e = load();
	struct sb_rfemu_resp r;
	char mon[256];

	fake_now = 1000;
	sb_rfemu_set_task_ms(e, 500);
	ck_assert_int_eq(req(e, "POST", SYS "/Actions/ComputerSystem.Reset",
			     "{\"ResetType\":\"GracefulShutdown\"}", BASIC, NULL, &r), 202);
	sb_strlcpy(mon, sb_rfemu_resp_header(&r, "Location"), sizeof(mon));
	ck_assert_ptr_nonnull(strstr(r.body, "\"TaskState\":\"Running\""));
	sb_rfemu_resp_release(&r);
	ck_assert_str_eq(power(e), "On");
	ck_assert_int_eq(call(e, "GET", mon, NULL), 202);
	ck_assert_int_eq(req(e, "GET", mon, NULL, NULL, NULL, &r), 401);
	sb_rfemu_resp_release(&r);
	fake_now = 1499;
	ck_assert_int_eq(call(e, "GET", mon, NULL), 202);
	fake_now = 1500;
	ck_assert_int_eq(req(e, "GET", mon, NULL, BASIC, NULL, &r), 200);
	ck_assert_ptr_nonnull(strstr(r.body, "\"TaskState\":\"Completed\""));
	sb_rfemu_resp_release(&r);
	ck_assert_str_eq(power(e), "Off");
	/* the task is listed, and the monitor of an unknown task is 404 */
	json_t *tasks = get(e, "/redfish/v1/TaskService/Tasks");
	ck_assert_int_ge(json_array_size(json_object_get(tasks, "Members")), 1);
	json_decref(tasks);
	ck_assert_int_eq(call(e, "GET", "/redfish/v1/TaskService/TaskMonitors/999", NULL), 404);
	ck_assert_int_eq(call(e, "GET", "/redfish/v1/TaskService/TaskMonitors/x", NULL), 404);
	sb_rfemu_free(e);
}
END_TEST

START_TEST(boot_patch_etags)
{
	struct sb_rfemu *e = load();
	struct sb_rfemu_resp r;
	char tag1[64], tag2[64];
	const char *once = "{\"Boot\":{\"BootSourceOverrideTarget\":\"Pxe\","
			   "\"BootSourceOverrideEnabled\":\"Once\"}}";

	ck_assert_int_eq(req(e, "GET", SYS, NULL, BASIC, NULL, &r), 200);
	sb_strlcpy(tag1, sb_rfemu_resp_header(&r, "ETag"), sizeof(tag1));
	sb_rfemu_resp_release(&r);
	ck_assert_int_eq(req(e, "PATCH", SYS, once, BASIC, tag1, &r), 200);
	sb_strlcpy(tag2, sb_rfemu_resp_header(&r, "ETag"), sizeof(tag2));
	sb_rfemu_resp_release(&r);
	ck_assert_str_ne(tag1, tag2);
	json_t *boot = json_object_get(sb_rfemu_get(e, SYS), "Boot");
	ck_assert_str_eq(sb_json_str(boot, "BootSourceOverrideTarget"), "Pxe");
	ck_assert_str_eq(sb_json_str(boot, "BootSourceOverrideEnabled"), "Once");
	/* a stale tag: 412 and nothing changes */
	ck_assert_int_eq(req(e, "PATCH", SYS, "{\"Boot\":{\"BootSourceOverrideTarget\":\"Cd\"}}",
			     BASIC, tag1, &r), 412);
	sb_rfemu_resp_release(&r);
	ck_assert_str_eq(sb_json_str(boot, "BootSourceOverrideTarget"), "Pxe");
	/* weak form, lists and * match */
	char weak[80];
	snprintf(weak, sizeof(weak), "\"zz\", W/%s", tag2);
	ck_assert_int_eq(req(e, "PATCH", SYS, "{\"Boot\":{\"BootSourceOverrideMode\":\"Legacy\"}}",
			     BASIC, weak, &r), 200);
	sb_rfemu_resp_release(&r);
	ck_assert_int_eq(req(e, "PATCH", SYS, "{\"AssetTag\":\"rack-7\"}", BASIC, "*", &r), 200);
	sb_rfemu_resp_release(&r);
	/* validation */
	ck_assert_int_eq(call(e, "PATCH", SYS, "{\"Boot\":{\"BootSourceOverrideTarget\":\"Floppy\"}}"), 400);
	ck_assert_int_eq(call(e, "PATCH", SYS, "{\"Boot\":{\"BootSourceOverrideEnabled\":\"Always\"}}"), 400);
	ck_assert_int_eq(call(e, "PATCH", SYS, "{\"Boot\":{\"BootNext\":\"x\"}}"), 400);
	ck_assert_int_eq(call(e, "PATCH", SYS, "{\"PowerState\":\"Off\"}"), 400);
	ck_assert_int_eq(call(e, "PATCH", SYS, "{\"Whatever\":1}"), 400);
	ck_assert_int_eq(call(e, "PATCH", SYS, "{\"Boot\":\"Pxe\"}"), 400);
	ck_assert_str_eq(power(e), "On");
	ck_assert_int_eq(call(e, "PATCH", "/redfish/v1/Chassis/Tower", "{}"), 405);
	sb_rfemu_free(e);
}
END_TEST

START_TEST(virtual_media)
{
	struct sb_rfemu *e = load();
	json_t *cd = sb_rfemu_get(e, CD1);
	const char *ins = CD1 "/Actions/VirtualMedia.InsertMedia";

	ck_assert(json_is_false(json_object_get(cd, "Inserted")));
	ck_assert_int_eq(call(e, "POST", ins, "{\"Image\":\"ftpx://a\"}"), 400);
	ck_assert_int_eq(call(e, "POST", ins, "{}"), 400);
	ck_assert_int_eq(call(e, "POST", ins, "{\"Image\":\"http://h/a.iso\",\"Inserted\":\"yes\"}"), 400);
	ck_assert_int_eq(call(e, "POST", ins, "{\"Image\":\"http://h/a.iso\",\"Bogus\":1}"), 400);
	ck_assert_int_eq(call(e, "POST", ins, "{\"Image\":\"http://h/img/a.iso\","
			      "\"TransferProtocolType\":\"HTTP\"}"), 204);
	ck_assert(json_is_true(json_object_get(cd, "Inserted")));
	ck_assert_str_eq(sb_json_str(cd, "Image"), "http://h/img/a.iso");
	ck_assert_str_eq(sb_json_str(cd, "ImageName"), "a.iso");
	ck_assert_int_eq(call(e, "POST", ins, "{\"Image\":\"http://h/b.iso\"}"), 409);
	/* eject with no body (sushy) and with {} (iLO style) */
	ck_assert_int_eq(call(e, "POST", CD1 "/Actions/VirtualMedia.EjectMedia", NULL), 204);
	ck_assert(json_is_false(json_object_get(cd, "Inserted")));
	ck_assert(json_is_null(json_object_get(cd, "Image")));
	ck_assert_int_eq(call(e, "POST", CD1 "/Actions/VirtualMedia.EjectMedia", "{}"), 204);
	/* the PATCH style some BMCs use */
	ck_assert_int_eq(call(e, "PATCH", CD1, "{\"Image\":\"https://h/c.iso\",\"Inserted\":true}"), 200);
	ck_assert_str_eq(sb_json_str(cd, "Image"), "https://h/c.iso");
	ck_assert_int_eq(call(e, "PATCH", CD1, "{\"Image\":null}"), 200);
	ck_assert(json_is_false(json_object_get(cd, "Inserted")));
	ck_assert_int_eq(call(e, "POST", "/redfish/v1/Chassis/Tower/Actions/VirtualMedia.InsertMedia",
			      "{\"Image\":\"http://h/a.iso\"}"), 501);
	sb_rfemu_free(e);
}
END_TEST

START_TEST(expand_and_queries)
{
	struct sb_rfemu *e = load();
	json_t *doc = get(e, SYS "/Memory?$expand=.");
	json_t *m0 = json_array_get(json_object_get(doc, "Members"), 0);

	ck_assert_ptr_nonnull(sb_json_str(m0, "MemoryDeviceType"));
	json_decref(doc);
	doc = get(e, SYS "?$expand=.($levels=2)");
	ck_assert_ptr_nonnull(sb_json_str(json_array_get(json_object_get(
		json_object_get(doc, "Processors"), "Members"), 0), "Socket"));
	/* links are not expanded by "." */
	ck_assert_int_eq(json_object_size(json_array_get(json_object_get(
		json_object_get(doc, "Links"), "Chassis"), 0)), 1);
	json_decref(doc);
	doc = get(e, SYS "?$expand=~");
	ck_assert_ptr_nonnull(sb_json_str(json_array_get(json_object_get(
		json_object_get(doc, "Links"), "Chassis"), 0), "ChassisType"));
	json_decref(doc);
	doc = get(e, "/redfish/v1?$expand=*($levels=6)");	/* bounded */
	json_decref(doc);
	ck_assert_int_eq(call(e, "GET", SYS "?$select=Name", NULL), 501);
	ck_assert_int_eq(call(e, "GET", SYS "?$expand=!", NULL), 400);
	ck_assert_int_eq(call(e, "GET", SYS "?$expand=.($levels=9)", NULL), 400);
	ck_assert_int_eq(call(e, "GET", SYS "?unrelated=1", NULL), 200);
	sb_rfemu_free(e);
}
END_TEST

static bool refs_to(const json_t *v, const char *prefix)
{
	if (json_is_string(v))
		return sb_startswith(json_string_value(v), prefix) &&
		       strlen(json_string_value(v)) >= strlen(prefix);
	if (json_is_object(v)) {
		const char *k;
		json_t *c;
		json_object_foreach((json_t *)v, k, c)
			if (refs_to(c, prefix))
				return true;
	}
	if (json_is_array(v)) {
		size_t i;
		json_t *c;
		json_array_foreach(v, i, c)
			if (refs_to(c, prefix))
				return true;
	}
	return false;
}

static const char node_json[] =
	"{\"name\":\"lab-n01\",\"chassis\":{\"manufacturer\":\"Dell Inc.\",\"model\":\"R760\","
	"\"part_number\":\"210-X\",\"sku\":\"SKU1\",\"serial\":\"CHS001\"},"
	"\"components\":["
	"{\"class\":\"cpu\",\"manufacturer\":\"Intel\",\"model\":\"Xeon 6430\",\"part_number\":\"338-A\","
	" \"quantity\":2,\"slots\":[\"CPU1\",\"CPU2\"],\"serials\":[\"C1\",\"C2\"]},"
	"{\"class\":\"memory\",\"manufacturer\":\"Samsung\",\"model\":\"16GB\",\"part_number\":\"370-A\","
	" \"quantity\":3,\"slots\":[\"A1\",\"A2\",\"A3\"],\"serials\":[\"M1\",\"M2\",\"M3\"],"
	" \"size_bytes\":17179869184},"
	"{\"class\":\"drive\",\"manufacturer\":\"Intel\",\"model\":\"480GB\",\"part_number\":\"400-A\","
	" \"quantity\":20,\"slots\":[],\"serials\":[\"D1\",\"D2\",\"D3\",\"D4\",\"D5\",\"D6\",\"D7\",\"D8\","
	" \"D9\",\"D10\",\"D11\",\"D12\",\"D13\",\"D14\",\"D15\",\"D16\",\"D17\",\"D18\",\"D19\",\"D20\"],"
	" \"size_bytes\":480000000000,\"interface\":\"nvme\",\"media\":\"ssd\"},"
	"{\"class\":\"nic\",\"manufacturer\":\"Intel\",\"model\":\"E810\",\"part_number\":\"540-A\","
	" \"quantity\":1,\"slots\":[\"Slot3\"],\"serials\":[\"N1\"],"
	" \"macs\":[\"b4:96:91:00:00:01\",\"b4:96:91:00:00:02\",\"b4:96:91:00:00:03\"],"
	" \"firmware\":{\"name\":\"NIC E810\",\"version\":\"4.40\",\"min_version\":null}},"
	"{\"class\":\"psu\",\"manufacturer\":\"Dell Inc.\",\"model\":\"1400W\",\"part_number\":\"450-A\","
	" \"quantity\":1,\"slots\":[\"PSU1\"],\"serials\":[\"P1\"]}],"
	"\"firmware\":[{\"name\":\"BIOS\",\"version\":null,\"min_version\":\"1.7.5\"},"
	"{\"name\":\"BMC\",\"version\":\"7.00.30.00\",\"min_version\":null}]}";

START_TEST(node_patch)
{
	struct sb_rfemu *e = load();
	json_t *node = NULL, *doc, *tree;
	const char *key;
	json_t *res;

	ck_assert_int_eq(sb_json_parse(&node, node_json, strlen(node_json), 1 << 20, "node"), 0);
	ck_assert_int_eq(sb_rfemu_apply_node(e, node), 0);
	tree = sb_rfemu_tree(e);

	/* CPUs: 8 -> 2 (the GPUs go too: the BOM has none); no dangling refs */
	doc = get(e, SYS "/Processors?$expand=.");
	ck_assert_int_eq(json_integer_value(json_object_get(doc, "Members@odata.count")), 2);
	json_t *c1 = json_array_get(json_object_get(doc, "Members"), 0);
	ck_assert_str_eq(sb_json_str(c1, "SerialNumber"), "C1");
	ck_assert_str_eq(sb_json_str(c1, "Socket"), "CPU1");
	ck_assert_str_eq(sb_json_str(c1, "PartNumber"), "338-A");
	json_decref(doc);
	ck_assert_ptr_null(sb_rfemu_get(e, SYS "/Processors/CPU3"));
	ck_assert_ptr_null(sb_rfemu_get(e, SYS "/Processors/CPU3/SubProcessors"));
	json_object_foreach(tree, key, res) {
		ck_assert_msg(!refs_to(res, SYS "/Processors/CPU3"), "%s refers to CPU3", key);
		ck_assert_msg(!refs_to(res, "/redfish/v1/Chassis/Tower/Drives/Disk-1-0x"), "x");
	}
	/* memory: 16 -> 3 with sizes; summary follows */
	doc = get(e, SYS "/Memory?$expand=.");
	ck_assert_int_eq(json_array_size(json_object_get(doc, "Members")), 3);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(
		json_object_get(doc, "Members"), 2), "CapacityMiB")), 16384);
	json_decref(doc);
	json_t *sys = sb_rfemu_get(e, SYS);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(sys, "MemorySummary"),
							    "TotalSystemMemoryGiB")), 48);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(sys, "ProcessorSummary"),
							    "Count")), 2);
	ck_assert_str_eq(sb_json_str(sys, "SerialNumber"), "CHS001");
	ck_assert_str_eq(sb_json_str(sys, "BiosVersion"), "1.7.5");
	ck_assert_str_eq(sb_json_str(sys, "HostName"), "lab-n01");
	/* drives: 18 -> 20 by cloning; every one reachable from Storage */
	size_t drives = 0, serials = 0;
	json_object_foreach(tree, key, res) {
		const char *t = sb_json_str(res, "@odata.type");
		if (t && sb_startswith(t, "#Drive.")) {
			drives++;
			const char *sn = sb_json_str(res, "SerialNumber");
			serials += sn && sn[0] == 'D';
			ck_assert_str_eq(sb_json_str(res, "Protocol"), "NVMe");
			ck_assert_str_eq(sb_json_str(res, "@odata.id"), key);
		}
	}
	ck_assert_uint_eq(drives, 20);
	ck_assert_uint_eq(serials, 20);
	/* MACs: 2 interfaces -> 3 */
	doc = get(e, SYS "/EthernetInterfaces?$expand=.");
	ck_assert_int_eq(json_integer_value(json_object_get(doc, "Members@odata.count")), 3);
	ck_assert_str_eq(sb_json_str(json_array_get(json_object_get(doc, "Members"), 2),
				     "MACAddress"), "b4:96:91:00:00:03");
	json_decref(doc);
	/* PSUs: 2 -> 1, in PowerSubsystem and in the legacy Power resource */
	doc = get(e, "/redfish/v1/Chassis/Tower/Power");
	ck_assert_int_eq(json_array_size(json_object_get(doc, "PowerSupplies")), 1);
	ck_assert_str_eq(sb_json_str(json_array_get(json_object_get(doc, "PowerSupplies"), 0),
				     "SerialNumber"), "P1");
	json_decref(doc);
	ck_assert_ptr_null(sb_rfemu_get(e, "/redfish/v1/Chassis/Tower/PowerSubsystem/PowerSupplies/Bay2"));
	/* storage: the drive-less subsystem goes; no `other` lines, so no
	 * controllers keep the mockup's serials; PSU assemblies mirror the PSU */
	ck_assert_ptr_null(sb_rfemu_get(e, SYS "/Storage/HAFiberChannel"));
	ck_assert_int_eq(json_array_size(json_object_get(sb_rfemu_get(e, SYS "/Storage/RAIDIntegrated"),
							 "StorageControllers")), 0);
	doc = get(e, SYS "/Storage");
	ck_assert_int_eq(json_integer_value(json_object_get(doc, "Members@odata.count")), 3);
	json_decref(doc);
	ck_assert_str_eq(sb_json_str(json_array_get(json_object_get(sb_rfemu_get(e,
		"/redfish/v1/Chassis/Tower/PowerSubsystem/PowerSupplies/Bay1/Assembly"), "Assemblies"), 0),
		"SerialNumber"), "P1");
	/* chassis, BMC firmware, a component's firmware entry */
	ck_assert_str_eq(sb_json_str(sb_rfemu_get(e, "/redfish/v1/Chassis/Tower"), "SerialNumber"), "CHS001");
	ck_assert_str_eq(sb_json_str(sb_rfemu_get(e, "/redfish/v1/Managers/BMC"), "FirmwareVersion"),
			 "7.00.30.00");
	ck_assert_str_eq(sb_json_str(sb_rfemu_get(e, "/redfish/v1/UpdateService/FirmwareInventory/BMC"),
				     "Version"), "7.00.30.00");
	json_t *nicfw = sb_rfemu_get(e, "/redfish/v1/UpdateService/FirmwareInventory/NIC_E810");
	ck_assert_ptr_nonnull(nicfw);
	ck_assert_str_eq(sb_json_str(nicfw, "Version"), "4.40");
	doc = get(e, "/redfish/v1/UpdateService/FirmwareInventory");
	ck_assert_int_eq(json_integer_value(json_object_get(doc, "Members@odata.count")),
			 (json_int_t)json_array_size(json_object_get(doc, "Members")));
	json_decref(doc);
	/* every Members@odata.count in the tree agrees with its array */
	json_object_foreach(tree, key, res) {
		json_t *m = json_object_get(res, "Members");
		if (json_is_array(m) && json_object_get(res, "Members@odata.count"))
			ck_assert_msg(json_integer_value(json_object_get(res, "Members@odata.count")) ==
				      (json_int_t)json_array_size(m), "%s count", key);
	}
	/* not a node */
	json_t *bad = json_pack("{s:i}", "x", 1);
	ck_assert_int_eq(sb_rfemu_apply_node(e, bad), SB_EINPUT);
	json_decref(bad);
	json_decref(node);
	sb_rfemu_free(e);
}
END_TEST

START_TEST(state_dir_persists)
{
	char dir[] = "/tmp/sbrfemu.XXXXXX";
	struct sb_rfemu *e;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	e = load();
	ck_assert_int_eq(sb_rfemu_set_state_dir(e, dir), 0);
	ck_assert_int_eq(call(e, "POST", SYS "/Actions/ComputerSystem.Reset",
			      "{\"ResetType\":\"ForceOff\"}"), 204);
	ck_assert_int_eq(call(e, "POST", CD1 "/Actions/VirtualMedia.InsertMedia",
			      "{\"Image\":\"http://h/a.iso\",\"Password\":\"imgsecret\"}"), 204);
	sb_rfemu_free(e);
	e = load();
	ck_assert_str_eq(power(e), "On");
	ck_assert_int_eq(sb_rfemu_set_state_dir(e, dir), 0);
	ck_assert_str_eq(power(e), "Off");
	ck_assert(json_is_true(json_object_get(sb_rfemu_get(e, CD1), "Inserted")));
	sb_rfemu_free(e);
	char path[256], *text = NULL;
	size_t len;
	snprintf(path, sizeof(path), "%s/state.json", dir);
	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	text = calloc(1, 1 << 20);
	len = fread(text, 1, (1 << 20) - 1, f);
	fclose(f);
	ck_assert_uint_gt(len, 0);
	ck_assert_ptr_null(strstr(text, "imgsecret"));	/* never stored */
	free(text);
	unlink(path);
	rmdir(dir);
}
END_TEST

START_TEST(selfsigned_cert)
{
	char dir[] = "/tmp/sbrfcert.XXXXXX", cert[256], key[256], fp[128];
	struct stat st;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	snprintf(key, sizeof(key), "%s/key.pem", dir);
	ck_assert_int_eq(sb_rfemu_tls_selfsigned(cert, key, fp, sizeof(fp)), 0);
	ck_assert_int_eq(stat(key, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	ck_assert_uint_eq(strlen(fp), 64);
	ck_assert_uint_eq(strspn(fp, "0123456789abcdef"), 64);
	ck_assert_int_eq(stat(cert, &st), 0);
	ck_assert_int_gt(st.st_size, 100);
	unlink(cert);
	unlink(key);
	rmdir(dir);
}
END_TEST

START_TEST(bad_mockup)
{
	struct sb_rfemu *e = NULL;

	ck_assert_int_eq(sb_rfemu_load(&e, "/nonexistent/mockup", "a", "b"), SB_EINPUT);
	ck_assert_ptr_null(e);
	ck_assert_int_eq(sb_rfemu_load(&e, sb_test_data("redfish/public-tower/Systems/437XR1238R2/Memory"),
				       "a", "b"), SB_EINPUT);
	ck_assert_ptr_nonnull(strstr(sb_error_message(), "service root"));
}
END_TEST

/* The installer stand-in: what partition mode needs, checked on real
 * ISO 9660 images written by our answer-media writer (libarchive). */
START_TEST(installer_standin)
{
	char dir[] = "/tmp/sbrfinstXXXXXX", cd[256], usb[256], junk[256];
	struct sb_site *site = NULL;
	struct sb_diags d;
	char *toml = NULL;
	static const char *const keys[] = { "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPjX t@t" };
	struct sb_answer_opts o = { .root_password_hash = "$6$salt$hash", .ssh_keys = keys,
				    .nssh_keys = 1 };
	json_t *st;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(cd, sizeof(cd), "%s/installer.iso", dir);
	snprintf(usb, sizeof(usb), "%s/answer.iso", dir);
	snprintf(junk, sizeof(junk), "%s/junk.img", dir);
	sb_diags_init(&d);
	ck_assert_int_eq(sb_bom_load(&site, "bom/examples/edge-accra.yaml", &d), 0);
	sb_diags_release(&d);
	ck_assert_int_eq(sb_answer_toml(&toml, site, &site->nodes[1], &o), 0);
	ck_assert_int_eq(sb_answer_iso_write(usb, toml, strlen(toml)), 0);
	/* any ISO 9660 image plays the installer here */
	ck_assert_int_eq(sb_answer_iso_write(cd, "installer", 9), 0);
	ck_assert_int_eq(sb_file_write_atomic(junk, "not an iso", 10, 0600), 0);

	struct sb_rfemu_boot_media m = { .cd_image = "http://a/pve.iso", .cd_file = cd,
					 .usb_image = "http://a/answer.iso", .usb_file = usb };
	st = sb_rfemu_install(&m);
	if (!json_is_true(json_object_get(st, "ok")))
		fprintf(stderr, "install: %s\n", sb_json_str(st, "error"));
	ck_assert(json_is_true(json_object_get(st, "ok")));
	ck_assert_str_eq(sb_json_str(st, "fqdn"), "edge-n02.acc-edge-01.lan");
	ck_assert_str_eq(sb_json_str(st, "installed"), "proxmox-ve");
	ck_assert_str_eq(sb_json_str(sb_json_obj(st, "answer_media"), "label"), "PROXMOX-AIS");
	json_decref(st);

	struct sb_rfemu_boot_media none = m;
	none.usb_file = NULL;
	st = sb_rfemu_install(&none);
	ck_assert(json_is_false(json_object_get(st, "ok")));
	ck_assert_ptr_nonnull(strstr(sb_json_str(st, "error"), "no answer media"));
	json_decref(st);
	none = m;
	none.usb_file = junk;
	st = sb_rfemu_install(&none);
	ck_assert_ptr_nonnull(strstr(sb_json_str(st, "error"), "not ISO 9660"));
	json_decref(st);
	none = m;
	none.cd_file = NULL;
	st = sb_rfemu_install(&none);
	ck_assert_ptr_nonnull(strstr(sb_json_str(st, "error"), "nothing to boot"));
	json_decref(st);
	/* an answer the installer refuses (an unknown key) */
	char *bad = sb_asprintf("%s\n[extra]\nwhatever = 1\n", toml);
	ck_assert_int_eq(sb_answer_iso_write(usb, bad, strlen(bad)), 0);
	st = sb_rfemu_install(&m);
	ck_assert(json_is_false(json_object_get(st, "ok")));
	ck_assert_ptr_nonnull(strstr(sb_json_str(st, "error"), "refused answer.toml"));
	json_decref(st);
	free(bad);
	free(toml);
	sb_bom_free(site);
	unlink(cd);
	unlink(usb);
	unlink(junk);
	rmdir(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("redfish_emu");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, path_keys);
	tcase_add_test(tc, auth_rules);
	tcase_add_test(tc, sessions);
	tcase_add_test(tc, reset_changes_power);
	tcase_add_test(tc, task_monitor);
	tcase_add_test(tc, boot_patch_etags);
	tcase_add_test(tc, virtual_media);
	tcase_add_test(tc, expand_and_queries);
	tcase_add_test(tc, node_patch);
	tcase_add_test(tc, state_dir_persists);
	tcase_add_test(tc, selfsigned_cert);
	tcase_add_test(tc, bad_mockup);
	tcase_add_test(tc, installer_standin);
	suite_add_tcase(s, tc);
	return sb_test_run(s);
}

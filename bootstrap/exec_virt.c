/* The virt executor: libvirt domains by URI (test:///default in tests,
 * qemu:///system, qemu+ssh://root@host/system). libvirt's own error text
 * is what the user sees, prefixed with the domain and the URI. As a check
 * an action asks whether its effect is there: define -> the domain
 * exists, start -> running, shutdown/destroy -> shut off, undefine ->
 * absent, attach-iso -> the ISO is in the definition. */
#include "bootstrap/exec.h"
#include "common/error.h"
#include "common/str.h"
#include "common/time.h"

#include <libvirt/libvirt.h>
#include <pthread.h>
#include <libvirt/virterror.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Connections stay open for the whole run, one per URI: the test driver
 * keeps its state only while a connection to it is open, and opening a
 * remote one costs an SSH handshake. */
static pthread_mutex_t conn_mu = PTHREAD_MUTEX_INITIALIZER;
static struct {
	char *uri;
	virConnectPtr c;
} conns[16];

static virConnectPtr conn_get(const char *uri)
{
	virConnectPtr c = NULL;

	pthread_mutex_lock(&conn_mu);
	for (size_t i = 0; i < 16 && !c; i++)
		if (conns[i].uri && strcmp(conns[i].uri, uri) == 0)
			c = conns[i].c;
	if (!c && (c = virConnectOpen(uri)))
		for (size_t i = 0; i < 16; i++)
			if (!conns[i].uri) {
				conns[i].uri = strdup(uri);
				conns[i].c = c;
				break;
			}
	pthread_mutex_unlock(&conn_mu);
	return c;
}

void sb_exec_virt_release(void)
{
	pthread_mutex_lock(&conn_mu);
	for (size_t i = 0; i < 16; i++) {
		if (conns[i].c)
			virConnectClose(conns[i].c);
		free(conns[i].uri);
		conns[i].uri = NULL;
		conns[i].c = NULL;
	}
	pthread_mutex_unlock(&conn_mu);
}

static int verr(const char *dom, const char *uri, const char *what)
{
	const char *m = virGetLastErrorMessage();

	return sb_error_set(SB_EFAILED, "virt %s on %s: %s: %s", dom, uri, what,
			    m && *m ? m : "unknown libvirt error");
}

/* "running", "shut-off", "paused", "absent" */
static const char *state_of(virConnectPtr c, const char *name, virDomainPtr *out)
{
	virDomainPtr d = virDomainLookupByName(c, name);
	int st = 0, reason = 0;

	if (out)
		*out = d;
	if (!d)
		return "absent";
	if (virDomainGetState(d, &st, &reason, 0) < 0)
		st = VIR_DOMAIN_NOSTATE;
	if (!out)
		virDomainFree(d);
	switch (st) {
	case VIR_DOMAIN_RUNNING:
	case VIR_DOMAIN_BLOCKED:
		return "running";
	case VIR_DOMAIN_PAUSED:
	case VIR_DOMAIN_PMSUSPENDED:
		return "paused";
	case VIR_DOMAIN_SHUTOFF:
	case VIR_DOMAIN_CRASHED:
		return "shut-off";
	case VIR_DOMAIN_SHUTDOWN:
		return "shutting-down";
	default:
		return "unknown";
	}
}

static bool state_is(const char *have, const char *want)
{
	if (strcmp(want, "defined") == 0)
		return strcmp(have, "absent") != 0;
	return strcmp(have, want) == 0;
}

static char *xml_escape(const char *s)
{
	struct sb_buf b = SB_BUF_INIT(1u << 20);
	char *out = NULL;

	for (; *s; s++) {
		const char *r = *s == '<' ? "&lt;" : *s == '>' ? "&gt;" :
				*s == '&' ? "&amp;" : *s == '\'' ? "&apos;" :
				*s == '"' ? "&quot;" : NULL;
		if (r ? sb_buf_puts(&b, r) : sb_buf_append(&b, s, 1))
			goto fail;
	}
	if (sb_buf_detach(&out, &b) == 0)
		return out;
fail:
	sb_buf_release(&b);
	return NULL;
}

static int define(virConnectPtr c, struct sb_exec_host *h, const struct sb_action *a,
		  const char *uri)
{
	unsigned vcpus = a->virt_vcpus;
	uint64_t mem = a->virt_memory, disk = a->virt_disk;
	bool test = sb_startswith(uri, "test:");
	char *name = xml_escape(a->virt_domain);
	char *iso = a->virt_iso ? xml_escape(a->virt_iso) : NULL;
	struct sb_buf x = SB_BUF_INIT(1u << 20);
	int rc = 0;

	/* the BOM's sizing when the domain is one of the node's VMs */
	for (size_t i = 0; h->node && i <= h->node->nvms; i++) {
		/* the node's VMs, or (i == nvms) the VM the step runs for */
		const struct sb_bom_vm *v = i < h->node->nvms ? &h->node->vms[i] : h->node->vm;
		if (!v || !sb_streq(v->name, a->virt_domain))
			continue;
		if (!vcpus)
			vcpus = v->vcpus;
		if (!mem)
			mem = v->memory_bytes;
		if (!disk)
			disk = v->disk_bytes;
	}
	if (!vcpus)
		vcpus = 2;
	if (!mem)
		mem = 2ULL << 30;
	if (!name || (a->virt_iso && !iso)) {
		rc = sb_error_set(SB_ENOMEM, "out of memory");
		goto out;
	}
	sb_buf_printf(&x, "<domain type='%s'>\n  <name>%s</name>\n"
		      "  <memory unit='KiB'>%llu</memory>\n  <vcpu>%u</vcpu>\n"
		      "  <os>\n    <type arch='x86_64'>hvm</type>\n"
		      "    <boot dev='cdrom'/>\n    <boot dev='hd'/>\n  </os>\n"
		      "  <devices>\n", test ? "test" : "kvm", name,
		      (unsigned long long)(mem / 1024), vcpus);
	if (disk) {
		/* a volume in the default pool, created when missing */
		virStoragePoolPtr pool = virStoragePoolLookupByName(c, "default");
		if (!pool)
			pool = virStoragePoolLookupByName(c, "default-pool");
		if (!pool) {
			rc = verr(a->virt_domain, uri, "a disk needs a storage pool named 'default'");
			goto out;
		}
		char vname[300];
		snprintf(vname, sizeof(vname), "%s.qcow2", a->virt_domain);
		virStorageVolPtr vol = virStorageVolLookupByName(pool, vname);
		if (!vol) {
			char *vx = sb_asprintf("<volume><name>%s.qcow2</name><capacity unit='bytes'>%llu</capacity>"
					       "<target><format type='qcow2'/></target></volume>",
					       name, (unsigned long long)disk);
			vol = vx ? virStorageVolCreateXML(pool, vx, 0) : NULL;
			free(vx);
		}
		char *path = vol ? virStorageVolGetPath(vol) : NULL;
		if (!path) {
			rc = verr(a->virt_domain, uri, "creating its disk volume");
			if (vol)
				virStorageVolFree(vol);
			virStoragePoolFree(pool);
			goto out;
		}
		char *ep = xml_escape(path);
		sb_buf_printf(&x, "    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
			      "<source file='%s'/><target dev='vda' bus='virtio'/></disk>\n",
			      ep ? ep : "");
		free(ep);
		free(path);
		virStorageVolFree(vol);
		virStoragePoolFree(pool);
	}
	if (iso)
		sb_buf_printf(&x, "    <disk type='file' device='cdrom'><driver name='qemu' type='raw'/>"
			      "<source file='%s'/><target dev='sda' bus='sata'/><readonly/></disk>\n",
			      iso);
	if (sb_buf_puts(&x, "  </devices>\n</domain>\n")) {
		rc = sb_error_set(SB_ENOMEM, "out of memory");
		goto out;
	}
	sb_exec_log(h->log_fd, "defining on %s:\n%s", uri, x.data);
	virDomainPtr d = virDomainDefineXML(c, x.data);
	if (!d)
		rc = verr(a->virt_domain, uri, "define");
	else
		virDomainFree(d);
out:
	sb_buf_release(&x);
	free(name);
	free(iso);
	return rc;
}

static int attach_iso(virConnectPtr c, const struct sb_action *a, const char *uri,
		      bool check_only)
{
	virDomainPtr d = virDomainLookupByName(c, a->virt_domain);
	char *xml = NULL, *iso = NULL, *nx = NULL;
	int rc = 0;

	if (!d)
		return verr(a->virt_domain, uri, "no such domain");
	xml = virDomainGetXMLDesc(d, VIR_DOMAIN_XML_INACTIVE);
	iso = xml_escape(a->virt_iso);
	if (!xml || !iso) {
		rc = verr(a->virt_domain, uri, "reading its definition");
		goto out;
	}
	char *needle = sb_asprintf("file='%s'", iso);
	bool present = needle && strstr(xml, needle);
	free(needle);
	if (check_only) {
		rc = present ? 0 : sb_error_set(SB_EFAILED, "virt %s: %s is not attached", a->virt_domain,
						a->virt_iso);
		goto out;
	}
	if (present)
		goto out;
	char *end = strstr(xml, "</devices>");
	if (!end) {
		rc = sb_error_set(SB_EPROTO, "virt %s on %s: its definition has no devices", a->virt_domain, uri);
		goto out;
	}
	nx = sb_asprintf("%.*s    <disk type='file' device='cdrom'><driver name='qemu' type='raw'/>"
			 "<source file='%s'/><target dev='sdz' bus='sata'/><readonly/></disk>\n%s",
			 (int)(end - xml), xml, iso, end);
	virDomainPtr nd = nx ? virDomainDefineXML(c, nx) : NULL;
	if (!nd)
		rc = verr(a->virt_domain, uri, "attaching the ISO");
	else
		virDomainFree(nd);
out:
	free(nx);
	free(iso);
	free(xml);
	virDomainFree(d);
	return rc;
}

static int virt_exec(struct sb_exec_host *h, const struct sb_action *a,
		     enum sb_exec_mode mode, uint64_t timeout_ms,
		     struct sb_exec_result *res)
{
	const char *uri = a->virt_uri ? a->virt_uri : "qemu:///system";
	const char *op = a->virt_op;
	virConnectPtr c;
	virDomainPtr d = NULL;
	int rc = 0;

	memset(res, 0, sizeof(*res));
	res->exit_status = -1;
	c = conn_get(uri);
	if (!c) {
		const char *m = virGetLastErrorMessage();
		return sb_error_set(SB_ECONNECT, "virt: cannot connect to %s: %s", uri,
				    m ? m : "unknown error");
	}
	const char *want = NULL;
	if (strcmp(op, "state") == 0 || strcmp(op, "wait") == 0)
		want = a->virt_state;
	else if (mode == SB_MODE_CHECK)
		want = strcmp(op, "define") == 0 ? "defined" :
		       strcmp(op, "start") == 0 ? "running" :
		       strcmp(op, "undefine") == 0 ? "absent" :
		       strcmp(op, "attach-iso") == 0 ? NULL : "shut-off";
	if (mode == SB_MODE_CHECK && strcmp(op, "attach-iso") == 0) {
		rc = attach_iso(c, a, uri, true);
		goto out;
	}
	if (want) {
		uint64_t start = sb_time_mono_ms();
		for (;;) {
			const char *have = state_of(c, a->virt_domain, NULL);
			if (state_is(have, want)) {
				sb_exec_log(h->log_fd, "virt %s on %s: %s\n", a->virt_domain, uri, have);
				break;
			}
			if (strcmp(op, "wait") != 0 || sb_time_mono_ms() - start >= timeout_ms) {
				rc = sb_error_set(strcmp(op, "wait") == 0 ? SB_ETIMEOUT : SB_EFAILED,
						  "virt %s on %s is %s, not %s", a->virt_domain, uri,
						  have, want);
				break;
			}
			sb_time_sleep_ms(250);
		}
		goto out;
	}
	if (strcmp(op, "define") == 0) {
		rc = define(c, h, a, uri);
		goto out;
	}
	if (strcmp(op, "attach-iso") == 0) {
		rc = attach_iso(c, a, uri, false);
		goto out;
	}
	const char *have = state_of(c, a->virt_domain, &d);
	if (!d) {
		rc = verr(a->virt_domain, uri, "no such domain");
		goto out;
	}
	if (strcmp(op, "start") == 0) {
		if (strcmp(have, "running") != 0 && virDomainCreate(d) < 0)
			rc = verr(a->virt_domain, uri, "start");
	} else if (strcmp(op, "shutdown") == 0) {
		if (strcmp(have, "running") == 0 && virDomainShutdown(d) < 0)
			rc = verr(a->virt_domain, uri, "shutdown");
	} else if (strcmp(op, "destroy") == 0) {
		if (strcmp(have, "shut-off") != 0 && virDomainDestroy(d) < 0)
			rc = verr(a->virt_domain, uri, "destroy");
	} else if (strcmp(op, "undefine") == 0) {
		if (strcmp(have, "shut-off") != 0)
			rc = sb_error_set(SB_EFAILED, "virt %s on %s is %s: destroy or shut it down before undefine",
					  a->virt_domain, uri, have);
		else if (virDomainUndefine(d) < 0)
			rc = verr(a->virt_domain, uri, "undefine");
	}
	if (rc == 0)
		sb_exec_log(h->log_fd, "virt %s %s on %s: ok (was %s)\n", op, a->virt_domain, uri, have);
out:
	if (d)
		virDomainFree(d);
	res->exit_status = rc ? 1 : 0;
	return rc;
}

const struct sb_executor sb_exec_virt = { "virt", virt_exec };

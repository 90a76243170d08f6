/* siteboot: the lab's Redfish BMC emulator, its pure parts (private to
 * bootstrap/). lab_redfish.c puts an HTTP server (libmicrohttpd) in front
 * of it; everything here works on plain requests and replies, so the unit
 * tests drive it without a socket.
 *
 * The emulator holds a DMTF mockup tree in memory, one JSON resource per
 * path ("/redfish/v1/Systems/X"), and changes it as a BMC would: sessions,
 * ComputerSystem.Reset, boot override PATCH with ETags, virtual media,
 * a task monitor for graceful resets. See docs/lab.md. */
#ifndef SB_BOOTSTRAP_RFEMU_H
#define SB_BOOTSTRAP_RFEMU_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sb_rfemu;

/* How long a task (a graceful shutdown or restart) runs, by default. */
#define SB_RFEMU_TASK_MS 1000

/* Load the mockup tree under `dir` (folders of index.json laid out like
 * the URL paths under /redfish/v1/). The emulator then expects `user` and
 * `password` (copied; the password is wiped on free). */
int sb_rfemu_load(struct sb_rfemu **out, const char *dir, const char *user,
		  const char *password);
void sb_rfemu_free(struct sb_rfemu *e);

/* Make the tree hold a BOM node's expected hardware: `node` is one element
 * of `siteboot bom show --json`'s "nodes". Serials, part numbers, models,
 * manufacturers, locations and firmware versions become the BOM's; each
 * class's resources are cut or cloned to the BOM's count. */
int sb_rfemu_apply_node(struct sb_rfemu *e, const json_t *node);

/* Keep changed resources (power, boot, media) in DIR/state.json, and load
 * them from there now if the file exists. */
int sb_rfemu_set_state_dir(struct sb_rfemu *e, const char *dir);

/* Make InsertMedia fetch the image as a BMC does (lab-redfish-bmc turns
 * this on; unit tests leave it off): a ranged GET of the ISO volume
 * descriptor, then the whole image, with its size and SHA-256 kept, and
 * a copy in the state dir's media/ when there is one. A fetch that fails
 * refuses the insert (400 CouldNotEstablishConnection). With fetching on,
 * a power-on or restart while the boot override says Cd (Once or
 * Continuous) "boots the installer" (sb_rfemu_install) and writes the
 * outcome to the state dir's install.json; Once is then cleared. */
void sb_rfemu_set_fetch(struct sb_rfemu *e, bool on);

/* What a fetch brought (rfemu_media.c). */
struct sb_rfemu_fetched {
	uint64_t size;
	char sha256[65];
	bool ranged;		/* the server answered the ranged read with 206 */
};
/* GET url (http or https) into path (via path.part; NULL: keep no
 * copy), at most max bytes. */
int sb_rfemu_fetch(const char *url, const char *path, uint64_t max,
		   struct sb_rfemu_fetched *out);

/* The media in the drives when the system boots from the CD. */
struct sb_rfemu_boot_media {
	const char *cd_image, *cd_file, *cd_sha256;	/* NULL when empty */
	uint64_t cd_size;
	const char *usb_image, *usb_file, *usb_sha256;
	uint64_t usb_size;
};
/* The lab's stand-in for the Proxmox VE installer in partition mode: the
 * CD must hold an ISO 9660 image, a removable medium an ISO 9660 image
 * labelled PROXMOX-AIS whose /answer.toml passes sb_answer_validate and
 * names an fqdn. Returns the install state {at, what, ok, installed,
 * fqdn, installer: {image, sha256, size, label}, answer_media: {...},
 * error} (NULL: out of memory). Nothing is installed anywhere. */
json_t *sb_rfemu_install(const struct sb_rfemu_boot_media *m);

/* Task duration in milliseconds (tests shorten it). */
void sb_rfemu_set_task_ms(struct sb_rfemu *e, unsigned ms);

/* The clock the emulator uses, in ms; tests may replace it. */
void sb_rfemu_set_clock(struct sb_rfemu *e, uint64_t (*now_ms)(void));

/* A URL path to its key in the tree: query and fragment cut, "//" folded,
 * a trailing "/" and "index.json" dropped ("/redfish/v1/" stays
 * "/redfish/v1"). Returns false for paths that cannot name a resource
 * (not under /redfish, "..", control bytes, too long). */
bool sb_rfemu_path_key(char *out, size_t size, const char *path);

/* The resource at a key, or NULL (borrowed). */
json_t *sb_rfemu_get(struct sb_rfemu *e, const char *key);

/* The whole tree (key -> resource), for rfemu_node.c and tests; after
 * changing it, call sb_rfemu_changed (ETags are cached). */
json_t *sb_rfemu_tree(struct sb_rfemu *e);
void sb_rfemu_changed(struct sb_rfemu *e);

/* Small tree helpers shared with rfemu_node.c. Is `key` `prefix` or under
 * it? Is the key's parent segment `name` (".../Processors/CPU1")? The
 * object at o[k], made when missing or of another type. */
bool sb_rfemu_under(const char *key, const char *prefix);
bool sb_rfemu_parent_is(const char *key, const char *name);
json_t *sb_rfemu_obj_at(json_t *o, const char *k);

/* One request. Header values are NULL when absent. */
struct sb_rfemu_req {
	const char *method;	/* "GET", "HEAD", "POST", "PATCH", "DELETE", ... */
	const char *path;	/* without the query */
	const char *query;	/* after '?', or NULL */
	const char *authorization;	/* "Basic ..." */
	const char *auth_token;	/* X-Auth-Token */
	const char *if_match;
	const char *if_none_match;
	const char *body;
	size_t body_len;
};

#define SB_RFEMU_HDR_MAX 8

/* One reply: the caller frees it with sb_rfemu_resp_release. */
struct sb_rfemu_resp {
	int status;
	char *body;		/* JSON text or NULL */
	size_t body_len;
	size_t nhdr;
	char *hdr_name[SB_RFEMU_HDR_MAX];
	char *hdr_value[SB_RFEMU_HDR_MAX];
};

/* Answer one request. Never fails: errors are Redfish error replies. */
void sb_rfemu_handle(struct sb_rfemu *e, const struct sb_rfemu_req *req,
		     struct sb_rfemu_resp *resp);
void sb_rfemu_resp_release(struct sb_rfemu_resp *resp);
/* A header of a reply, or NULL. */
const char *sb_rfemu_resp_header(const struct sb_rfemu_resp *resp,
				 const char *name);

/* Write a self-signed certificate (EC P-256, 10 years, SAN 127.0.0.1,
 * ::1 and localhost) and its key as PEM files (the key mode 0600), and
 * optionally the SHA-256 of the certificate (DER) as 64 lower-case hex
 * digits into fp (at least 65 bytes), the form `--pin` takes. */
int sb_rfemu_tls_selfsigned(const char *cert_path, const char *key_path,
			    char *fp, size_t fpsize);

#endif

/* The heavy libraries, loaded on first use (see lazylib.h).
 *
 * Each library has one X-macro list of the functions siteboot calls:
 *   R(ret, name, (params), (args))  a function that returns a value
 *   V(name, (params), (args))       a function returning void
 *   N(name)                         resolved here, forwarded by hand below
 *                                   (the variadic ones)
 * Every function is defined once, under its own name and with the
 * parameter list of the library's header, which is in scope: a prototype
 * that drifts from the header's is a compile error, and the address from
 * dlsym is called through a pointer of the header's exact type.
 *
 * The SONAMEs and Debian packages come from the build (the Makefile reads
 * them from the development files we compile against); the defaults below
 * are Debian 12's.
 */
#include "common/lazylib.h"

#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <curl/curl.h>
#include <freeipmi/freeipmi.h>
#include <libssh/libssh.h>
#include <libssh/sftp.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <microhttpd.h>
#include <openssl/ssl.h>

#ifndef SB_SONAME_VIRT
#define SB_SONAME_VIRT "libvirt.so.0"
#endif
#ifndef SB_DEB_VIRT
#define SB_DEB_VIRT "libvirt0"
#endif
#ifndef SB_SONAME_CURL
#define SB_SONAME_CURL "libcurl.so.4"
#endif
#ifndef SB_DEB_CURL
#define SB_DEB_CURL "libcurl4"
#endif
#ifndef SB_SONAME_SSL
#define SB_SONAME_SSL "libssl.so.3"
#endif
#ifndef SB_DEB_SSL
#define SB_DEB_SSL "libssl3"
#endif
#ifndef SB_SONAME_SSH
#define SB_SONAME_SSH "libssh.so.4"
#endif
#ifndef SB_DEB_SSH
#define SB_DEB_SSH "libssh-4"
#endif
#ifndef SB_SONAME_IPMI
#define SB_SONAME_IPMI "libfreeipmi.so.17"
#endif
#ifndef SB_DEB_IPMI
#define SB_DEB_IPMI "libfreeipmi17"
#endif
#ifndef SB_SONAME_MHD
#define SB_SONAME_MHD "libmicrohttpd.so.12"
#endif
#ifndef SB_DEB_MHD
#define SB_DEB_MHD "libmicrohttpd12"
#endif
#ifndef SB_SONAME_ARCHIVE
#define SB_SONAME_ARCHIVE "libarchive.so.13"
#endif
#ifndef SB_DEB_ARCHIVE
#define SB_DEB_ARCHIVE "libarchive13"
#endif

/* ---- the functions, per library ----------------------------------------- */

#define LZ_VIRT(R, V, N) \
	R(virConnectPtr, virConnectOpen, (const char *name), (name)) \
	R(int, virConnectClose, (virConnectPtr conn), (conn)) \
	R(int, virDomainCreate, (virDomainPtr domain), (domain)) \
	R(virDomainPtr, virDomainDefineXML, (virConnectPtr conn, const char *xml), (conn, xml)) \
	R(int, virDomainDestroy, (virDomainPtr domain), (domain)) \
	R(int, virDomainFree, (virDomainPtr domain), (domain)) \
	R(int, virDomainGetState, (virDomainPtr domain, int *state, int *reason, \
				    unsigned int flags), (domain, state, reason, flags)) \
	R(char *, virDomainGetXMLDesc, (virDomainPtr domain, unsigned int flags), (domain, flags)) \
	R(virDomainPtr, virDomainLookupByName, (virConnectPtr conn, const char *name), (conn, name)) \
	R(int, virDomainShutdown, (virDomainPtr domain), (domain)) \
	R(int, virDomainUndefine, (virDomainPtr domain), (domain)) \
	R(const char *, virGetLastErrorMessage, (void), ()) \
	R(int, virStoragePoolFree, (virStoragePoolPtr pool), (pool)) \
	R(virStoragePoolPtr, virStoragePoolLookupByName, (virConnectPtr conn, const char *name), \
	  (conn, name)) \
	R(virStorageVolPtr, virStorageVolCreateXML, (virStoragePoolPtr pool, const char *xmldesc, \
						     unsigned int flags), (pool, xmldesc, flags)) \
	R(int, virStorageVolFree, (virStorageVolPtr vol), (vol)) \
	R(char *, virStorageVolGetPath, (virStorageVolPtr vol), (vol)) \
	R(virStorageVolPtr, virStorageVolLookupByName, (virStoragePoolPtr pool, const char *name), \
	  (pool, name))

#define LZ_CURL(R, V, N) \
	R(CURLcode, curl_global_init, (long flags), (flags)) \
	R(CURL *, curl_easy_init, (void), ()) \
	V(curl_easy_cleanup, (CURL *curl), (curl)) \
	V(curl_easy_reset, (CURL *curl), (curl)) \
	R(CURLcode, curl_easy_perform, (CURL *curl), (curl)) \
	R(const char *, curl_easy_strerror, (CURLcode code), (code)) \
	N(curl_easy_setopt) \
	N(curl_easy_getinfo) \
	R(CURLM *, curl_multi_init, (void), ()) \
	R(CURLMcode, curl_multi_cleanup, (CURLM *multi_handle), (multi_handle)) \
	R(CURLMcode, curl_multi_add_handle, (CURLM *multi_handle, CURL *curl_handle), \
	  (multi_handle, curl_handle)) \
	R(CURLMcode, curl_multi_remove_handle, (CURLM *multi_handle, CURL *curl_handle), \
	  (multi_handle, curl_handle)) \
	R(CURLMcode, curl_multi_perform, (CURLM *multi_handle, int *running_handles), \
	  (multi_handle, running_handles)) \
	R(CURLMcode, curl_multi_poll, (CURLM *multi_handle, struct curl_waitfd extra_fds[], \
				       unsigned int extra_nfds, int timeout_ms, int *ret), \
	  (multi_handle, extra_fds, extra_nfds, timeout_ms, ret)) \
	R(CURLMsg *, curl_multi_info_read, (CURLM *multi_handle, int *msgs_in_queue), \
	  (multi_handle, msgs_in_queue)) \
	N(curl_multi_setopt) \
	R(struct curl_slist *, curl_slist_append, (struct curl_slist *list, const char *data), \
	  (list, data)) \
	V(curl_slist_free_all, (struct curl_slist *list), (list))

#define LZ_SSL(R, V, N) \
	V(SSL_CTX_set_cert_verify_callback, (SSL_CTX *ctx, int (*cb)(X509_STORE_CTX *, void *), \
					     void *arg), (ctx, cb, arg))

#define LZ_SSH(R, V, N) \
	R(ssh_session, ssh_new, (void), ()) \
	V(ssh_free, (ssh_session session), (session)) \
	R(int, ssh_options_set, (ssh_session session, enum ssh_options_e type, const void *value), \
	  (session, type, value)) \
	R(int, ssh_connect, (ssh_session session), (session)) \
	V(ssh_disconnect, (ssh_session session), (session)) \
	R(const char *, ssh_get_error, (void *error), (error)) \
	R(int, ssh_get_server_publickey, (ssh_session session, ssh_key *key), (session, key)) \
	R(int, ssh_get_publickey_hash, (const ssh_key key, enum ssh_publickey_hash_type type, \
					unsigned char **hash, size_t *hlen), (key, type, hash, hlen)) \
	V(ssh_clean_pubkey_hash, (unsigned char **hash), (hash)) \
	R(char *, ssh_get_fingerprint_hash, (enum ssh_publickey_hash_type type, unsigned char *hash, \
					     size_t len), (type, hash, len)) \
	V(ssh_key_free, (ssh_key key), (key)) \
	V(ssh_string_free_char, (char *s), (s)) \
	R(int, ssh_pki_generate, (enum ssh_keytypes_e type, int parameter, ssh_key *pkey), \
	  (type, parameter, pkey)) \
	R(int, ssh_pki_import_privkey_file, (const char *filename, const char *passphrase, \
					     ssh_auth_callback auth_fn, void *auth_data, \
					     ssh_key *pkey), \
	  (filename, passphrase, auth_fn, auth_data, pkey)) \
	R(int, ssh_pki_export_privkey_file, (const ssh_key privkey, const char *passphrase, \
					     ssh_auth_callback auth_fn, void *auth_data, \
					     const char *filename), \
	  (privkey, passphrase, auth_fn, auth_data, filename)) \
	R(int, ssh_pki_export_pubkey_base64, (const ssh_key key, char **b64_key), (key, b64_key)) \
	R(int, ssh_userauth_agent, (ssh_session session, const char *username), (session, username)) \
	R(int, ssh_userauth_publickey, (ssh_session session, const char *username, \
					const ssh_key privkey), (session, username, privkey)) \
	R(int, ssh_userauth_publickey_auto, (ssh_session session, const char *username, \
					     const char *passphrase), (session, username, passphrase)) \
	R(ssh_channel, ssh_channel_new, (ssh_session session), (session)) \
	V(ssh_channel_free, (ssh_channel channel), (channel)) \
	R(int, ssh_channel_open_session, (ssh_channel channel), (channel)) \
	R(int, ssh_channel_request_exec, (ssh_channel channel, const char *cmd), (channel, cmd)) \
	R(int, ssh_channel_request_pty, (ssh_channel channel), (channel)) \
	R(int, ssh_channel_request_send_signal, (ssh_channel channel, const char *signum), \
	  (channel, signum)) \
	R(int, ssh_channel_read_nonblocking, (ssh_channel channel, void *dest, uint32_t count, \
					      int is_stderr), (channel, dest, count, is_stderr)) \
	R(int, ssh_channel_read_timeout, (ssh_channel channel, void *dest, uint32_t count, \
					  int is_stderr, int timeout_ms), \
	  (channel, dest, count, is_stderr, timeout_ms)) \
	R(int, ssh_channel_send_eof, (ssh_channel channel), (channel)) \
	R(int, ssh_channel_close, (ssh_channel channel), (channel)) \
	R(int, ssh_channel_get_exit_status, (ssh_channel channel), (channel)) \
	R(int, ssh_channel_is_closed, (ssh_channel channel), (channel)) \
	R(int, ssh_channel_is_eof, (ssh_channel channel), (channel)) \
	R(int, ssh_channel_is_open, (ssh_channel channel), (channel)) \
	R(sftp_session, sftp_new, (ssh_session session), (session)) \
	V(sftp_free, (sftp_session sftp), (sftp)) \
	R(int, sftp_init, (sftp_session sftp), (sftp)) \
	R(int, sftp_get_error, (sftp_session sftp), (sftp)) \
	R(sftp_file, sftp_open, (sftp_session session, const char *file, int accesstype, \
				 mode_t mode), (session, file, accesstype, mode)) \
	R(ssize_t, sftp_write, (sftp_file file, const void *buf, size_t count), (file, buf, count)) \
	R(int, sftp_close, (sftp_file file), (file))

#define LZ_IPMI(R, V, N) \
	R(ipmi_ctx_t, ipmi_ctx_create, (void), ()) \
	V(ipmi_ctx_destroy, (ipmi_ctx_t ctx), (ctx)) \
	R(int, ipmi_ctx_close, (ipmi_ctx_t ctx), (ctx)) \
	R(int, ipmi_ctx_errnum, (ipmi_ctx_t ctx), (ctx)) \
	R(char *, ipmi_ctx_errormsg, (ipmi_ctx_t ctx), (ctx)) \
	R(int, ipmi_ctx_open_outofband, (ipmi_ctx_t ctx, const char *hostname, \
		const char *username, const char *password, uint8_t authentication_type, \
		uint8_t privilege_level, unsigned int session_timeout, \
		unsigned int retransmission_timeout, unsigned int workaround_flags, \
		unsigned int flags), \
	  (ctx, hostname, username, password, authentication_type, privilege_level, \
	   session_timeout, retransmission_timeout, workaround_flags, flags)) \
	R(int, ipmi_ctx_open_outofband_2_0, (ipmi_ctx_t ctx, const char *hostname, \
		const char *username, const char *password, const unsigned char *k_g, \
		unsigned int k_g_len, uint8_t privilege_level, uint8_t cipher_suite_id, \
		unsigned int session_timeout, unsigned int retransmission_timeout, \
		unsigned int workaround_flags, unsigned int flags), \
	  (ctx, hostname, username, password, k_g, k_g_len, privilege_level, cipher_suite_id, \
	   session_timeout, retransmission_timeout, workaround_flags, flags)) \
	R(int, ipmi_cmd_raw, (ipmi_ctx_t ctx, uint8_t lun, uint8_t net_fn, const void *buf_rq, \
			      unsigned int buf_rq_len, void *buf_rs, unsigned int buf_rs_len), \
	  (ctx, lun, net_fn, buf_rq, buf_rq_len, buf_rs, buf_rs_len)) \
	R(int, ipmi_cmd_get_channel_authentication_capabilities, (ipmi_ctx_t ctx, \
		uint8_t channel_number, uint8_t maximum_privilege_level, \
		uint8_t get_ipmi_v20_extended_data, fiid_obj_t obj_cmd_rs), \
	  (ctx, channel_number, maximum_privilege_level, get_ipmi_v20_extended_data, \
	   obj_cmd_rs)) \
	R(fiid_obj_t, fiid_obj_create, (fiid_template_t tmpl), (tmpl)) \
	V(fiid_obj_destroy, (fiid_obj_t obj), (obj)) \
	R(int, fiid_obj_get_all, (fiid_obj_t obj, void *data, unsigned int data_len), \
	  (obj, data, data_len)) \
	R(ipmi_fru_ctx_t, ipmi_fru_ctx_create, (ipmi_ctx_t ipmi_ctx), (ipmi_ctx)) \
	V(ipmi_fru_ctx_destroy, (ipmi_fru_ctx_t ctx), (ctx)) \
	R(int, ipmi_fru_ctx_errnum, (ipmi_fru_ctx_t ctx), (ctx)) \
	R(char *, ipmi_fru_ctx_errormsg, (ipmi_fru_ctx_t ctx), (ctx)) \
	R(int, ipmi_fru_open_device_id_with_buffer, (ipmi_fru_ctx_t ctx, const void *areabuf, \
						     unsigned int areabuflen), \
	  (ctx, areabuf, areabuflen)) \
	R(int, ipmi_fru_first, (ipmi_fru_ctx_t ctx), (ctx)) \
	R(int, ipmi_fru_next, (ipmi_fru_ctx_t ctx), (ctx)) \
	R(int, ipmi_fru_read_data_area, (ipmi_fru_ctx_t ctx, unsigned int *area_type, \
		unsigned int *area_length, void *areabuf, unsigned int areabuflen), \
	  (ctx, area_type, area_length, areabuf, areabuflen)) \
	R(int, ipmi_fru_chassis_info_area, (ipmi_fru_ctx_t ctx, const void *areabuf, \
		unsigned int areabuflen, uint8_t *chassis_type, \
		ipmi_fru_field_t *chassis_part_number, ipmi_fru_field_t *chassis_serial_number, \
		ipmi_fru_field_t *chassis_custom_fields, unsigned int chassis_custom_fields_len), \
	  (ctx, areabuf, areabuflen, chassis_type, chassis_part_number, chassis_serial_number, \
	   chassis_custom_fields, chassis_custom_fields_len)) \
	R(int, ipmi_fru_board_info_area, (ipmi_fru_ctx_t ctx, const void *areabuf, \
		unsigned int areabuflen, uint8_t *language_code, uint32_t *mfg_date_time, \
		ipmi_fru_field_t *board_manufacturer, ipmi_fru_field_t *board_product_name, \
		ipmi_fru_field_t *board_serial_number, ipmi_fru_field_t *board_part_number, \
		ipmi_fru_field_t *board_fru_file_id, ipmi_fru_field_t *board_custom_fields, \
		unsigned int chassis_custom_fields_len), \
	  (ctx, areabuf, areabuflen, language_code, mfg_date_time, board_manufacturer, \
	   board_product_name, board_serial_number, board_part_number, board_fru_file_id, \
	   board_custom_fields, chassis_custom_fields_len)) \
	R(int, ipmi_fru_product_info_area, (ipmi_fru_ctx_t ctx, const void *areabuf, \
		unsigned int areabuflen, uint8_t *language_code, \
		ipmi_fru_field_t *product_manufacturer_name, ipmi_fru_field_t *product_name, \
		ipmi_fru_field_t *product_part_model_number, ipmi_fru_field_t *product_version, \
		ipmi_fru_field_t *product_serial_number, ipmi_fru_field_t *product_asset_tag, \
		ipmi_fru_field_t *product_fru_file_id, ipmi_fru_field_t *product_custom_fields, \
		unsigned int product_custom_fields_len), \
	  (ctx, areabuf, areabuflen, language_code, product_manufacturer_name, product_name, \
	   product_part_model_number, product_version, product_serial_number, product_asset_tag, \
	   product_fru_file_id, product_custom_fields, product_custom_fields_len)) \
	R(int, ipmi_fru_type_length_field_to_string, (ipmi_fru_ctx_t ctx, \
		const uint8_t *type_length_buf, unsigned int type_length_buflen, \
		uint8_t language_code, char *strbuf, unsigned int *strbuflen), \
	  (ctx, type_length_buf, type_length_buflen, language_code, strbuf, strbuflen))

#define LZ_MHD(R, V, N) \
	N(MHD_start_daemon_va) \
	V(MHD_stop_daemon, (struct MHD_Daemon *daemon), (daemon)) \
	N(MHD_get_daemon_info) \
	N(MHD_get_connection_info) \
	R(enum MHD_Result, MHD_is_feature_supported, (enum MHD_FEATURE feature), (feature)) \
	R(int, MHD_get_connection_values, (struct MHD_Connection *connection, \
		enum MHD_ValueKind kind, MHD_KeyValueIterator iterator, void *iterator_cls), \
	  (connection, kind, iterator, iterator_cls)) \
	R(const char *, MHD_lookup_connection_value, (struct MHD_Connection *connection, \
		enum MHD_ValueKind kind, const char *key), (connection, kind, key)) \
	R(struct MHD_Response *, MHD_create_response_from_buffer, (size_t size, void *buffer, \
		enum MHD_ResponseMemoryMode mode), (size, buffer, mode)) \
	R(struct MHD_Response *, MHD_create_response_from_fd_at_offset64, (uint64_t size, int fd, \
		uint64_t offset), (size, fd, offset)) \
	R(enum MHD_Result, MHD_add_response_header, (struct MHD_Response *response, \
		const char *header, const char *content), (response, header, content)) \
	R(enum MHD_Result, MHD_queue_response, (struct MHD_Connection *connection, \
		unsigned int status_code, struct MHD_Response *response), \
	  (connection, status_code, response)) \
	V(MHD_destroy_response, (struct MHD_Response *response), (response))

#define LZ_ARCHIVE(R, V, N) \
	R(struct archive *, archive_read_new, (void), ()) \
	R(int, archive_read_support_format_iso9660, (struct archive *a), (a)) \
	R(int, archive_read_open_filename, (struct archive *a, const char *_filename, \
					    size_t _block_size), (a, _filename, _block_size)) \
	R(int, archive_read_next_header, (struct archive *a, struct archive_entry **e), (a, e)) \
	R(la_ssize_t, archive_read_data, (struct archive *a, void *buf, size_t n), (a, buf, n)) \
	R(int, archive_read_free, (struct archive *a), (a)) \
	R(struct archive *, archive_write_new, (void), ()) \
	R(int, archive_write_set_format_iso9660, (struct archive *a), (a)) \
	R(int, archive_write_set_format_pax_restricted, (struct archive *a), (a)) \
	R(int, archive_write_set_format_option, (struct archive *_a, const char *m, \
						 const char *o, const char *v), (_a, m, o, v)) \
	R(int, archive_write_open_filename, (struct archive *a, const char *_file), (a, _file)) \
	R(int, archive_write_header, (struct archive *a, struct archive_entry *e), (a, e)) \
	R(la_ssize_t, archive_write_data, (struct archive *a, const void *buf, size_t n), \
	  (a, buf, n)) \
	R(int, archive_write_close, (struct archive *a), (a)) \
	R(int, archive_write_free, (struct archive *a), (a)) \
	R(const char *, archive_error_string, (struct archive *a), (a)) \
	R(struct archive_entry *, archive_entry_new, (void), ()) \
	V(archive_entry_free, (struct archive_entry *e), (e)) \
	R(const char *, archive_entry_pathname, (struct archive_entry *e), (e)) \
	R(la_int64_t, archive_entry_size, (struct archive_entry *e), (e)) \
	V(archive_entry_set_pathname, (struct archive_entry *e, const char *p), (e, p)) \
	V(archive_entry_set_filetype, (struct archive_entry *e, unsigned int t), (e, t)) \
	V(archive_entry_set_perm, (struct archive_entry *e, mode_t m), (e, m)) \
	V(archive_entry_set_size, (struct archive_entry *e, la_int64_t s), (e, s)) \
	V(archive_entry_set_uname, (struct archive_entry *e, const char *n), (e, n)) \
	V(archive_entry_set_gname, (struct archive_entry *e, const char *n), (e, n))

/* ---- the tables ---------------------------------------------------------- */

/* an index per function within its library: LZI_curl_easy_init, ... */
#define LZ_IDX_R(ret, fn, params, args) LZI_##fn,
#define LZ_IDX_V(fn, params, args) LZI_##fn,
#define LZ_IDX_N(fn) LZI_##fn,
#define LZ_NAME_R(ret, fn, params, args) #fn,
#define LZ_NAME_V(fn, params, args) #fn,
#define LZ_NAME_N(fn) #fn,

#define LZ_TABLE(X, id) \
	enum { X(LZ_IDX_R, LZ_IDX_V, LZ_IDX_N) LZN_##id }; \
	static const char *const lz_names_##id[] = { X(LZ_NAME_R, LZ_NAME_V, LZ_NAME_N) NULL }; \
	static void *lz_addr_##id[LZN_##id];

LZ_TABLE(LZ_VIRT, VIRT)
LZ_TABLE(LZ_CURL, CURL)
LZ_TABLE(LZ_SSL, SSL)
LZ_TABLE(LZ_SSH, SSH)
LZ_TABLE(LZ_IPMI, IPMI)
LZ_TABLE(LZ_MHD, MHD)
LZ_TABLE(LZ_ARCHIVE, ARCHIVE)

static void curl_init(struct sb_lazylib *l);

static struct sb_lazylib libs[SB_LIB_COUNT] = {
	[SB_LIB_VIRT] = SB_LAZYLIB_INIT(SB_SONAME_VIRT, SB_DEB_VIRT,
		"the lab's virtual machine hosts", lz_names_VIRT, lz_addr_VIRT, NULL),
	[SB_LIB_CURL] = SB_LAZYLIB_INIT(SB_SONAME_CURL, SB_DEB_CURL,
		"Redfish BMCs and HTTP downloads", lz_names_CURL, lz_addr_CURL, curl_init),
	[SB_LIB_SSL] = SB_LAZYLIB_INIT(SB_SONAME_SSL, SB_DEB_SSL,
		"pinned TLS certificates of Redfish BMCs", lz_names_SSL, lz_addr_SSL, NULL),
	[SB_LIB_SSH] = SB_LAZYLIB_INIT(SB_SONAME_SSH, SB_DEB_SSH,
		"SSH to hosts", lz_names_SSH, lz_addr_SSH, NULL),
	[SB_LIB_IPMI] = SB_LAZYLIB_INIT(SB_SONAME_IPMI, SB_DEB_IPMI,
		"IPMI BMCs", lz_names_IPMI, lz_addr_IPMI, NULL),
	[SB_LIB_MHD] = SB_LAZYLIB_INIT(SB_SONAME_MHD, SB_DEB_MHD,
		"the HTTP servers (image serve, the lab's Redfish BMCs)", lz_names_MHD,
		lz_addr_MHD, NULL),
	[SB_LIB_ARCHIVE] = SB_LAZYLIB_INIT(SB_SONAME_ARCHIVE, SB_DEB_ARCHIVE,
		"ISO and tar archives", lz_names_ARCHIVE, lz_addr_ARCHIVE, NULL),
};

/* ---- the loader ------------------------------------------------------------ */

static void load_locked(struct sb_lazylib *l)
{
	const char *e;
	void *h;

	dlerror();
	h = dlopen(l->soname, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		e = dlerror();
		snprintf(l->err, sizeof(l->err),
			 "cannot load %s (needed for %s): %s; install the Debian package %s",
			 l->soname, l->use, e ? e : "unknown dlopen error", l->package);
		atomic_store_explicit(&l->state, -1, memory_order_release);
		return;
	}
	for (size_t i = 0; l->symbols[i]; i++) {
		dlerror();
		l->addr[i] = dlsym(h, l->symbols[i]);
		e = dlerror();
		if (!l->addr[i] || e) {
			snprintf(l->err, sizeof(l->err),
				 "%s has no function %s (needed for %s): %s; install the "
				 "Debian package %s of Debian 12 or later",
				 l->soname, l->symbols[i], l->use, e ? e : "null address",
				 l->package);
			/* keep the handle: unloading a library whose
			 * constructors ran is not safe for all of them */
			atomic_store_explicit(&l->state, -1, memory_order_release);
			return;
		}
	}
	l->handle = h;
	if (l->init)
		l->init(l);
	atomic_store_explicit(&l->state, 1, memory_order_release);
}

int sb_lazylib_open(struct sb_lazylib *l)
{
	int st = atomic_load_explicit(&l->state, memory_order_acquire);

	if (st == 0) {
		pthread_mutex_lock(&l->lock);
		if (atomic_load_explicit(&l->state, memory_order_relaxed) == 0)
			load_locked(l);
		pthread_mutex_unlock(&l->lock);
		st = atomic_load_explicit(&l->state, memory_order_acquire);
	}
	if (st > 0)
		return 0;
	return sb_error_set(SB_ENOLIB, "%s", l->err);
}

/* The dynamic linker would have refused to start us; refuse here, in one
 * write so that lines from other threads do not interleave. */
static _Noreturn void die(const char *msg)
{
	char line[SB_ERROR_MAX + 32];
	int n = snprintf(line, sizeof(line), "siteboot: error: %s\n", msg);

	if (n > 0)
		(void)!write(STDERR_FILENO, line,
			     (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
	_exit(sb_error_exit_status(SB_ENOLIB));
}

void *sb_lazylib_sym(struct sb_lazylib *l, size_t i)
{
	if (atomic_load_explicit(&l->state, memory_order_acquire) <= 0 &&
	    sb_lazylib_open(l) != 0)
		die(l->err);
	return l->addr[i];
}

void *sb_lazylib_data(enum sb_lib lib, const char *name)
{
	struct sb_lazylib *l = &libs[lib];
	char msg[SB_ERROR_MAX];
	void *p;

	if (sb_lazylib_open(l) != 0)
		die(l->err);
	p = dlsym(l->handle, name);
	if (!p) {
		snprintf(msg, sizeof(msg), "%s has no data object %s (needed for %s); "
			 "install the Debian package %s of Debian 12 or later",
			 l->soname, name, l->use, l->package);
		die(msg);
	}
	return p;
}

int sb_lazylib_load(enum sb_lib lib)
{
	if ((unsigned)lib >= SB_LIB_COUNT)
		return sb_error_set(SB_EINTERNAL, "lazylib: no library %d", (int)lib);
	return sb_lazylib_open(&libs[lib]);
}

bool sb_lazylib_loaded(enum sb_lib lib)
{
	return (unsigned)lib < SB_LIB_COUNT &&
	       atomic_load_explicit(&libs[lib].state, memory_order_acquire) > 0;
}

const struct sb_lazylib *sb_lazylib_get(enum sb_lib lib)
{
	return (unsigned)lib < SB_LIB_COUNT ? &libs[lib] : NULL;
}

/* libcurl's global state is set up once, here, before any handle exists:
 * curl_global_init is not meant to race with other curl calls. Its result
 * is checked again by the callers that care (firmware/redfish.c). */
static void curl_init(struct sb_lazylib *l)
{
	CURLcode (*init)(long) = (CURLcode (*)(long))l->addr[LZI_curl_global_init];

	(void)init(CURL_GLOBAL_DEFAULT);
}

/* ---- the forwarding functions ---------------------------------------------- */

#define LZ_DEF_R(lib, ret, fn, params, args) \
	ret fn params \
	{ \
		return ((__typeof__(&fn))sb_lazylib_sym(&libs[lib], LZI_##fn))args; \
	}
#define LZ_DEF_V(lib, fn, params, args) \
	void fn params \
	{ \
		((__typeof__(&fn))sb_lazylib_sym(&libs[lib], LZI_##fn))args; \
	}
#define LZ_DEF_NONE(fn)

#define LZ_DEFINE(X, lib) \
	X(LZ_R_##lib, LZ_V_##lib, LZ_DEF_NONE)

#define LZ_R_VIRT(...) LZ_DEF_R(SB_LIB_VIRT, __VA_ARGS__)
#define LZ_V_VIRT(...) LZ_DEF_V(SB_LIB_VIRT, __VA_ARGS__)
#define LZ_R_CURL(...) LZ_DEF_R(SB_LIB_CURL, __VA_ARGS__)
#define LZ_V_CURL(...) LZ_DEF_V(SB_LIB_CURL, __VA_ARGS__)
#define LZ_R_SSL(...) LZ_DEF_R(SB_LIB_SSL, __VA_ARGS__)
#define LZ_V_SSL(...) LZ_DEF_V(SB_LIB_SSL, __VA_ARGS__)
#define LZ_R_SSH(...) LZ_DEF_R(SB_LIB_SSH, __VA_ARGS__)
#define LZ_V_SSH(...) LZ_DEF_V(SB_LIB_SSH, __VA_ARGS__)
#define LZ_R_IPMI(...) LZ_DEF_R(SB_LIB_IPMI, __VA_ARGS__)
#define LZ_V_IPMI(...) LZ_DEF_V(SB_LIB_IPMI, __VA_ARGS__)
#define LZ_R_MHD(...) LZ_DEF_R(SB_LIB_MHD, __VA_ARGS__)
#define LZ_V_MHD(...) LZ_DEF_V(SB_LIB_MHD, __VA_ARGS__)
#define LZ_R_ARCHIVE(...) LZ_DEF_R(SB_LIB_ARCHIVE, __VA_ARGS__)
#define LZ_V_ARCHIVE(...) LZ_DEF_V(SB_LIB_ARCHIVE, __VA_ARGS__)

/* cppcheck reads the libraries' types without their headers, so it takes
 * the __typeof__ casts below for integers */
/* cppcheck-suppress CastIntegerToAddressAtReturn */
LZ_DEFINE(LZ_VIRT, VIRT)
/* cppcheck-suppress CastIntegerToAddressAtReturn */
LZ_DEFINE(LZ_CURL, CURL)
/* cppcheck-suppress CastIntegerToAddressAtReturn */
LZ_DEFINE(LZ_SSL, SSL)
/* cppcheck-suppress CastIntegerToAddressAtReturn */
LZ_DEFINE(LZ_SSH, SSH)
/* cppcheck-suppress CastIntegerToAddressAtReturn */
LZ_DEFINE(LZ_IPMI, IPMI)
/* cppcheck-suppress CastIntegerToAddressAtReturn */
LZ_DEFINE(LZ_MHD, MHD)
/* cppcheck-suppress CastIntegerToAddressAtReturn */
LZ_DEFINE(LZ_ARCHIVE, ARCHIVE)

/* ---- the variadic ones ------------------------------------------------------ */

/* curl_easy_setopt and curl_multi_setopt take one argument whose type the
 * option number tells (curl.h: CURLOPTTYPE_*): a long below OBJECTPOINT,
 * an object or string pointer below FUNCTIONPOINT, a function pointer
 * below OFF_T, a curl_off_t below BLOB, and a struct curl_blob pointer
 * from BLOB on. It is read back with that type and passed on. */
typedef void (*lz_fnptr)(void);

#define LZ_SETOPT(fnptr, handle, opt, ap) \
	((opt) < CURLOPTTYPE_OBJECTPOINT ? (fnptr)((handle), (opt), va_arg((ap), long)) : \
	 (opt) < CURLOPTTYPE_FUNCTIONPOINT ? (fnptr)((handle), (opt), va_arg((ap), void *)) : \
	 (opt) < CURLOPTTYPE_OFF_T ? (fnptr)((handle), (opt), va_arg((ap), lz_fnptr)) : \
	 (opt) < CURLOPTTYPE_BLOB ? (fnptr)((handle), (opt), va_arg((ap), curl_off_t)) : \
	 (fnptr)((handle), (opt), va_arg((ap), struct curl_blob *)))

CURLcode (curl_easy_setopt)(CURL *curl, CURLoption option, ...)
{
	CURLcode (*f)(CURL *, CURLoption, ...) =
		(CURLcode (*)(CURL *, CURLoption, ...))
		sb_lazylib_sym(&libs[SB_LIB_CURL], LZI_curl_easy_setopt);
	CURLcode rc;
	va_list ap;

	va_start(ap, option);
	rc = LZ_SETOPT(f, curl, option, ap);
	va_end(ap);
	return rc;
}

CURLMcode (curl_multi_setopt)(CURLM *multi_handle, CURLMoption option, ...)
{
	CURLMcode (*f)(CURLM *, CURLMoption, ...) =
		(CURLMcode (*)(CURLM *, CURLMoption, ...))
		sb_lazylib_sym(&libs[SB_LIB_CURL], LZI_curl_multi_setopt);
	CURLMcode rc;
	va_list ap;

	va_start(ap, option);
	rc = LZ_SETOPT(f, multi_handle, option, ap);
	va_end(ap);
	return rc;
}

/* Every CURLINFO_* (STRING, LONG, DOUBLE, SLIST/PTR, SOCKET, OFF_T) takes
 * a pointer to where the answer goes. */
CURLcode (curl_easy_getinfo)(CURL *curl, CURLINFO info, ...)
{
	CURLcode (*f)(CURL *, CURLINFO, ...) =
		(CURLcode (*)(CURL *, CURLINFO, ...))
		sb_lazylib_sym(&libs[SB_LIB_CURL], LZI_curl_easy_getinfo);
	void *out;
	va_list ap;

	va_start(ap, info);
	out = va_arg(ap, void *);
	va_end(ap);
	return f(curl, info, out);
}

/* MHD_start_daemon's options (pairs up to MHD_OPTION_END) go on as they
 * came, through the library's own va_list entry point. */
struct MHD_Daemon *MHD_start_daemon(unsigned int flags, uint16_t port,
				    MHD_AcceptPolicyCallback apc, void *apc_cls,
				    MHD_AccessHandlerCallback dh, void *dh_cls, ...)
{
	struct MHD_Daemon *d;
	va_list ap;

	va_start(ap, dh_cls);
	d = MHD_start_daemon_va(flags, port, apc, apc_cls, dh, dh_cls, ap);
	va_end(ap);
	return d;
}

struct MHD_Daemon *MHD_start_daemon_va(unsigned int flags, uint16_t port,
				       MHD_AcceptPolicyCallback apc, void *apc_cls,
				       MHD_AccessHandlerCallback dh, void *dh_cls, va_list ap)
{
	return ((__typeof__(&MHD_start_daemon_va))
		sb_lazylib_sym(&libs[SB_LIB_MHD], LZI_MHD_start_daemon_va))
		(flags, port, apc, apc_cls, dh, dh_cls, ap);
}

/* No MHD_DaemonInfoType or MHD_ConnectionInfoType of libmicrohttpd 0.9.x
 * takes an argument beyond the type (the "..." is reserved), so none is
 * passed on. */
const union MHD_DaemonInfo *MHD_get_daemon_info(struct MHD_Daemon *daemon,
						enum MHD_DaemonInfoType info_type, ...)
{
	return ((const union MHD_DaemonInfo *(*)(struct MHD_Daemon *, enum MHD_DaemonInfoType,
						  ...))
		sb_lazylib_sym(&libs[SB_LIB_MHD], LZI_MHD_get_daemon_info))(daemon, info_type);
}

const union MHD_ConnectionInfo *MHD_get_connection_info(struct MHD_Connection *connection,
							enum MHD_ConnectionInfoType info_type,
							...)
{
	return ((const union MHD_ConnectionInfo *(*)(struct MHD_Connection *,
						      enum MHD_ConnectionInfoType, ...))
		sb_lazylib_sym(&libs[SB_LIB_MHD], LZI_MHD_get_connection_info))
		(connection, info_type);
}

/* Unit tests of common/lazylib: the loader's errors, the resolved
 * functions of each real library (curl's variadic options by type range,
 * libmicrohttpd's option list, libvirt's test driver), and many threads
 * loading at once. */
#include "common/error.h"
#include "common/lazylib.h"
#include "testutil.h"

#include <archive.h>
#include <curl/curl.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *const absent_syms[] = { "nothing", NULL };
static void *absent_addr[1];
static struct sb_lazylib absent = SB_LAZYLIB_INIT("libsiteboot-absent.so.9",
	"siteboot-absent-pkg", "the tests", absent_syms, absent_addr, NULL);

START_TEST(missing_soname_is_a_clear_error)
{
	ck_assert_int_eq(sb_lazylib_open(&absent), SB_ENOLIB);
	ck_assert_int_eq(sb_error_exit_status(SB_ENOLIB), 2);
	ck_assert_str_eq(sb_error_name(SB_ENOLIB), "missing-library");
	ck_assert_ptr_nonnull(strstr(sb_error_message(), "cannot load libsiteboot-absent.so.9"));
	ck_assert_ptr_nonnull(strstr(sb_error_message(), "(needed for the tests)"));
	ck_assert_ptr_nonnull(strstr(sb_error_message(),
				     "install the Debian package siteboot-absent-pkg"));
	ck_assert_ptr_null(strchr(sb_error_message(), '\n'));
	/* the failure is remembered: the same answer, no second dlopen */
	sb_error_clear();
	ck_assert_int_eq(sb_lazylib_open(&absent), SB_ENOLIB);
	ck_assert_ptr_nonnull(strstr(sb_error_message(), "siteboot-absent-pkg"));
}
END_TEST

static const char *const m_syms[] = { "cos", "sb_lazylib_no_such_function", NULL };
static void *m_addr[2];
static struct sb_lazylib m_missing = SB_LAZYLIB_INIT("libm.so.6", "libc6", "the tests",
						     m_syms, m_addr, NULL);

START_TEST(missing_symbol_is_named)
{
	ck_assert_int_eq(sb_lazylib_open(&m_missing), SB_ENOLIB);
	ck_assert_ptr_nonnull(strstr(sb_error_message(),
				     "libm.so.6 has no function sb_lazylib_no_such_function"));
	ck_assert_ptr_nonnull(strstr(sb_error_message(), "Debian package libc6"));
}
END_TEST

/* A call into a library that cannot be loaded: one line on stderr, exit 2,
 * no crash. */
START_TEST(call_into_missing_library_exits_2)
{
	int fds[2], status;
	char buf[2048] = { 0 };
	ssize_t n, got = 0;
	pid_t pid;

	ck_assert_int_eq(pipe(fds), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(fds[1], STDERR_FILENO);
		close(fds[0]);
		(void)sb_lazylib_sym(&absent, 0);
		_exit(99);	/* not reached */
	}
	close(fds[1]);
	while ((n = read(fds[0], buf + got, sizeof(buf) - 1 - (size_t)got)) > 0)
		got += n;
	close(fds[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 2);
	ck_assert_ptr_nonnull(strstr(buf, "siteboot: error: cannot load libsiteboot-absent.so.9"));
	ck_assert_ptr_nonnull(strstr(buf, "siteboot-absent-pkg"));
	/* exactly one line */
	ck_assert_int_gt(got, 0);
	ck_assert_ptr_eq(strchr(buf, '\n'), buf + got - 1);
}
END_TEST

START_TEST(every_library_loads_and_resolves)
{
	for (int i = 0; i < SB_LIB_COUNT; i++) {
		const struct sb_lazylib *l = sb_lazylib_get((enum sb_lib)i);

		ck_assert_ptr_nonnull(l);
		ck_assert(!sb_lazylib_loaded((enum sb_lib)i));
		if (sb_lazylib_load((enum sb_lib)i) != 0)
			ck_abort_msg("%s", sb_error_message());
		ck_assert(sb_lazylib_loaded((enum sb_lib)i));
		for (size_t k = 0; l->symbols[k]; k++)
			ck_assert_msg(l->addr[k] != NULL, "%s: %s", l->soname, l->symbols[k]);
	}
	ck_assert_ptr_null(sb_lazylib_get(SB_LIB_COUNT));
	ck_assert_int_eq(sb_lazylib_load(SB_LIB_COUNT), SB_EINTERNAL);
}
END_TEST

/* ---- curl: each option type range goes through with its own type -------- */

static size_t sink(char *p, size_t size, size_t n, void *ctx)
{
	size_t *total = ctx;

	(void)p;
	*total += size * n;
	return size * n;
}

START_TEST(curl_options_by_type)
{
	char path[] = "/tmp/sb-lazylib-XXXXXX", url[64];
	char body[1000];
	size_t total = 0;
	curl_off_t got = -1;
	char *priv = NULL;
	int fd = mkstemp(path);
	CURL *c;

	ck_assert_int_ge(fd, 0);
	memset(body, 'x', sizeof(body));
	ck_assert_int_eq(write(fd, body, sizeof(body)), (int)sizeof(body));
	close(fd);
	snprintf(url, sizeof(url), "file://%s", path);

	ck_assert(!sb_lazylib_loaded(SB_LIB_CURL));
	c = curl_easy_init();
	ck_assert(sb_lazylib_loaded(SB_LIB_CURL));
	ck_assert_ptr_nonnull(c);
	/* OBJECTPOINT (strings, data), FUNCTIONPOINT, LONG */
	ck_assert_int_eq(curl_easy_setopt(c, CURLOPT_URL, url), CURLE_OK);
	ck_assert_int_eq(curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "file"), CURLE_OK);
	ck_assert_int_eq(curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink), CURLE_OK);
	ck_assert_int_eq(curl_easy_setopt(c, CURLOPT_WRITEDATA, &total), CURLE_OK);
	ck_assert_int_eq(curl_easy_setopt(c, CURLOPT_PRIVATE, path), CURLE_OK);
	ck_assert_int_eq(curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L), CURLE_OK);
	/* OFF_T: resume from an offset; the count proves the value arrived */
	ck_assert_int_eq(curl_easy_setopt(c, CURLOPT_RESUME_FROM_LARGE, (curl_off_t)600),
			 CURLE_OK);
	ck_assert_int_eq(curl_easy_perform(c), CURLE_OK);
	ck_assert_uint_eq(total, sizeof(body) - 600);
	/* getinfo: an OFF_T and a PTR answer */
	ck_assert_int_eq(curl_easy_getinfo(c, CURLINFO_SIZE_DOWNLOAD_T, &got), CURLE_OK);
	ck_assert_int_eq(got, (curl_off_t)sizeof(body) - 600);
	ck_assert_int_eq(curl_easy_getinfo(c, CURLINFO_PRIVATE, &priv), CURLE_OK);
	ck_assert_ptr_eq(priv, path);
	/* LONG: the same through the long option */
	total = 0;
	ck_assert_int_eq(curl_easy_setopt(c, CURLOPT_RESUME_FROM, 900L), CURLE_OK);
	ck_assert_int_eq(curl_easy_perform(c), CURLE_OK);
	ck_assert_uint_eq(total, sizeof(body) - 900);
	/* an unknown option number is refused by curl, not by us */
	ck_assert_int_ne(curl_easy_setopt(c, (CURLoption)9999, 1L), CURLE_OK);
	ck_assert_str_eq(curl_easy_strerror(CURLE_OK), "No error");
	curl_easy_cleanup(c);
	unlink(path);
}
END_TEST

/* ---- libmicrohttpd: the option list goes on through MHD_start_daemon_va - */

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version,
			      const char *upload_data, size_t *upload_size, void **ctx)
{
	static char text[] = "lazy";
	struct MHD_Response *r;
	enum MHD_Result rc;

	(void)cls; (void)url; (void)method; (void)version;
	(void)upload_data; (void)upload_size; (void)ctx;
	r = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(r, "X-Lazy", "yes");
	rc = MHD_queue_response(conn, 200, r);
	MHD_destroy_response(r);
	return rc;
}

static size_t collect(char *p, size_t size, size_t n, void *ctx)
{
	char *out = ctx;
	size_t have = strlen(out), add = size * n;

	if (have + add < 64)
		memcpy(out + have, p, add);
	return add;
}

START_TEST(mhd_options_and_curl_fetch)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;
	char url[64], got[64] = { 0 };
	long status = 0;
	CURL *c;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, answer, NULL,
			     MHD_OPTION_SOCK_ADDR, &a,
			     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)10,
			     MHD_OPTION_CONNECTION_LIMIT, (unsigned int)4,
			     MHD_OPTION_END);
	ck_assert_ptr_nonnull(d);
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	ck_assert_ptr_nonnull(info);
	ck_assert_uint_gt(info->port, 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/x", (unsigned)info->port);
	c = curl_easy_init();
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, got);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	/* an OFF_T limit below the body's length stops the transfer */
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)3);
	ck_assert_int_eq(curl_easy_perform(c), CURLE_FILESIZE_EXCEEDED);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)4);
	ck_assert_int_eq(curl_easy_perform(c), CURLE_OK);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	ck_assert_int_eq(status, 200);
	ck_assert_str_eq(got, "lazy");
	curl_easy_cleanup(c);
	MHD_stop_daemon(d);
}
END_TEST

/* ---- libvirt and libarchive through their wrappers ------------------------ */

START_TEST(libvirt_test_driver)
{
	virConnectPtr conn = virConnectOpen("test:///default");
	virDomainPtr dom;
	int state = -1, reason = -1;

	ck_assert_ptr_nonnull(conn);
	dom = virDomainLookupByName(conn, "test");
	ck_assert_ptr_nonnull(dom);
	ck_assert_int_eq(virDomainGetState(dom, &state, &reason, 0), 0);
	ck_assert_int_eq(state, VIR_DOMAIN_RUNNING);
	ck_assert_ptr_nonnull(virGetLastErrorMessage());
	virDomainFree(dom);
	virConnectClose(conn);
}
END_TEST

/* ---- many threads at once ------------------------------------------------- */

static atomic_int inits;
static void count_init(struct sb_lazylib *l)
{
	(void)l;
	atomic_fetch_add(&inits, 1);
}

static const char *const cos_syms[] = { "cos", "sqrt", NULL };
static void *cos_addr[2];
static struct sb_lazylib m_ok = SB_LAZYLIB_INIT("libm.so.6", "libc6", "the tests",
						cos_syms, cos_addr, count_init);

#define NTHREADS 16
static pthread_barrier_t start;

static void *racer(void *arg)
{
	double (*f)(double);
	struct archive *a;
	intptr_t ok = 1;

	(void)arg;
	pthread_barrier_wait(&start);
	if (sb_lazylib_open(&m_ok) != 0)
		return NULL;
	f = (double (*)(double))sb_lazylib_sym(&m_ok, 1);
	if (f(16.0) != 4.0)
		ok = 0;
	/* a real library, first touched by all threads at once */
	a = archive_read_new();
	if (!a || archive_read_support_format_iso9660(a) != ARCHIVE_OK)
		ok = 0;
	archive_read_free(a);
	return (void *)ok;
}

START_TEST(threads_load_once)
{
	pthread_t t[NTHREADS];
	void *ok;

	ck_assert(!sb_lazylib_loaded(SB_LIB_ARCHIVE));
	pthread_barrier_init(&start, NULL, NTHREADS);
	for (int i = 0; i < NTHREADS; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, racer, NULL), 0);
	for (int i = 0; i < NTHREADS; i++) {
		ck_assert_int_eq(pthread_join(t[i], &ok), 0);
		ck_assert_ptr_eq(ok, (void *)1);
	}
	pthread_barrier_destroy(&start);
	ck_assert_int_eq(atomic_load(&inits), 1);
	ck_assert(sb_lazylib_loaded(SB_LIB_ARCHIVE));
	ck_assert_ptr_nonnull(m_ok.handle);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("lazylib");
	TCase *tc = tcase_create("all");

	tcase_add_test(tc, missing_soname_is_a_clear_error);
	tcase_add_test(tc, missing_symbol_is_named);
	tcase_add_test(tc, call_into_missing_library_exits_2);
	tcase_add_test(tc, every_library_loads_and_resolves);
	tcase_add_test(tc, curl_options_by_type);
	tcase_add_test(tc, mhd_options_and_curl_fetch);
	tcase_add_test(tc, libvirt_test_driver);
	tcase_add_test(tc, threads_load_once);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return sb_test_run(suite());
}

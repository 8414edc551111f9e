/* Unit tests for lib/oci: the OCI request frame, container ids, signal
 * names, the JSON writer, the state JSON hooks get, and that `spec` and
 * `features` print what a JSON reader (the config loader) takes. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "error.h"
#include "hooks.h"
#include "json.h"
#include "oci.h"
#include "request.h"
#include "tap.h"

static void test_request(void)
{
	struct sluice_oci_request in = { .mode = SLUICE_OCI_CREATE,
					 .id = "c1",
					 .bundle = "/b",
					 .fifo = "/r/c1/exec.fifo",
					 .detach = true },
				  out;
	char *buf = NULL;
	size_t len = 0;

	ok(sluice_oci_request_encode(&in, &buf, &len) == 0, "request: encodes");
	ok(sluice_oci_request_decode(buf, len, &out) == 0, "request: decodes");
	ok(out.mode == SLUICE_OCI_CREATE && out.detach, "request: mode and detach");
	is_str(out.id, "c1", "request: id");
	is_str(out.bundle, "/b", "request: bundle");
	is_str(out.fifo, "/r/c1/exec.fifo", "request: fifo");
	sluice_oci_request_free(&out);
	free(buf);
	is_int(sluice_oci_request_decode("mode=exec", 9, &out), -EBADMSG,
	       "request: no NUL at the end is malformed");
	is_int(sluice_oci_request_decode("mode=exec\0id=x\0", 15, &out), -EBADMSG,
	       "request: no bundle is malformed");
	ok(sluice_oci_request_decode("mode=create\0id=x\0bundle=/b\0", 27, &out) == 0 &&
		   out.mode == SLUICE_OCI_CREATE && !out.fifo,
	   "request: create without a fifo: no gate (the foreground run)");
	sluice_oci_request_free(&out);
	is_int(sluice_oci_request_decode("mode=x\0id=x\0bundle=/b\0", 22, &out), -EBADMSG,
	       "request: an unknown mode");
	is_int(sluice_oci_request_decode("mode=exec\0id=x\0id=y\0bundle=/b\0", 30, &out), -EBADMSG,
	       "request: a key twice");
	ok(sluice_oci_request_decode("mode=exec\0id=x\0bundle=/b\0detach=0\0", 34, &out) == 0 &&
		   out.mode == SLUICE_OCI_EXEC && !out.detach && !out.fifo,
	   "request: exec");
	sluice_oci_request_free(&out);
}

static void test_ids(void)
{
	static const char *const good[] = { "a", "A-b_c.d", "a+b", "a,b", "0", "..a", "a.." };
	static const char *const bad[] = { "", ".", "..", "a/b", "../x", "a b", "a;b", "é" };
	struct sluice_error err = { 0 };
	char big[1100];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ok(sluice_oci_check_id(good[i], &err) == 0, "id \"%s\" is valid", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(sluice_oci_check_id(bad[i], &err) < 0 && err.exit_code == SLUICE_EXIT_OCI,
		   "id \"%s\" is refused with exit 1", bad[i]);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ok(sluice_oci_check_id(big, &err) < 0, "an id over 1024 bytes is refused");
	big[1024] = '\0';
	ok(sluice_oci_check_id(big, &err) == 0, "1024 bytes are fine");
}

static void test_signals(void)
{
	struct sluice_error err = { 0 };

	is_int(sluice_oci_parse_signal("KILL", &err), SIGKILL, "signal KILL");
	is_int(sluice_oci_parse_signal("SIGTERM", &err), SIGTERM, "signal SIGTERM");
	is_int(sluice_oci_parse_signal("usr1", &err), SIGUSR1, "signal usr1");
	is_int(sluice_oci_parse_signal("sigWinch", &err), SIGWINCH, "signal sigWinch");
	is_int(sluice_oci_parse_signal("9", &err), 9, "signal 9");
	is_int(sluice_oci_parse_signal("0", &err), 0, "signal 0");
	is_int(sluice_oci_parse_signal("RTMIN", &err), SIGRTMIN, "RTMIN");
	is_int(sluice_oci_parse_signal("RTMIN+3", &err), SIGRTMIN + 3, "RTMIN+3");
	is_int(sluice_oci_parse_signal("SIGRTMAX-1", &err), SIGRTMAX - 1, "SIGRTMAX-1");
	is_int(sluice_oci_parse_signal("RTMAX+1", &err), -1, "RTMAX+1 is refused");
	is_int(sluice_oci_parse_signal("FOO", &err), -1, "FOO is refused");
	is_str(err.msg, "unknown signal \"FOO\"", "its message");
	is_int(err.exit_code, SLUICE_EXIT_USAGE, "exit 64");
	is_int(sluice_oci_parse_signal("99", &err), -1, "99 is refused");
	is_int(sluice_oci_parse_signal("9x", &err), -1, "9x is refused");
}

static char *json_of(void (*fill)(struct sluice_json *j), const char *indent)
{
	struct sluice_json j;
	char *out = NULL;
	size_t len;

	sluice_json_init(&j, indent);
	fill(&j);
	return sluice_json_finish(&j, &out, &len) == 0 ? out : NULL;
}

static void fill_sample(struct sluice_json *j)
{
	char *strv[] = { "a", "b\"c\\\n\x01", NULL };

	sluice_json_obj_start(j);
	sluice_json_kstr(j, "s", "x");
	sluice_json_kint(j, "n", -5);
	sluice_json_kbool(j, "t", true);
	sluice_json_kstrv(j, "v", strv);
	sluice_json_key(j, "e");
	sluice_json_obj_start(j);
	sluice_json_obj_end(j);
	sluice_json_kstrv(j, "none", NULL);
	sluice_json_obj_end(j);
}

static void test_json(void)
{
	char *compact = json_of(fill_sample, NULL), *indented = json_of(fill_sample, "  ");

	is_str(compact,
	       "{\"s\":\"x\",\"n\":-5,\"t\":true,\"v\":[\"a\",\"b\\\"c\\\\\\n\\u0001\"],\"e\":{},"
	       "\"none\":[]}",
	       "json: compact, escapes");
	is_str(indented,
	       "{\n  \"s\": \"x\",\n  \"n\": -5,\n  \"t\": true,\n  \"v\": [\n    \"a\",\n"
	       "    \"b\\\"c\\\\\\n\\u0001\"\n  ],\n  \"e\": {},\n  \"none\": []\n}",
	       "json: indented as Go's MarshalIndent");
	free(compact);
	free(indented);
}

static void test_state_view(void)
{
	char *ann[] = { "k", "v", NULL };
	struct sluice_oci_state_view s = {
		.id = "c1", .status = "creating", .pid = 42, .bundle = "/b", .annotations = ann
	};
	struct sluice_error err = { 0 };
	char *out = NULL;
	size_t len;

	ok(sluice_oci_state_view_json(&s, &out, &len, &err) == 0, "state view: JSON");
	is_str(out,
	       "{\"ociVersion\":\"" SLUICE_OCI_VERSION "\",\"id\":\"c1\",\"status\":\"creating\","
	       "\"pid\":42,\"bundle\":\"/b\",\"annotations\":{\"k\":\"v\"}}",
	       "state view: the spec's fields");
	free(out);
	s.pid = 0;
	s.annotations = NULL;
	s.status = "stopped";
	ok(sluice_oci_state_view_json(&s, &out, &len, &err) == 0 && !strstr(out, "pid") &&
		   !strstr(out, "annotations"),
	   "state view: no pid when stopped, no empty annotations");
	free(out);
}

/* spec's output is a config.json sluice loads as it is (the rootfs path
 * aside, which does not exist here: load only, no finalize). */
static void test_spec_loads(void)
{
	struct sluice_error err = { 0 };
	char *text = NULL;

	for (int rootless = 0; rootless < 2; rootless++) {
		struct sluice_config c;
		ok(sluice_oci_spec(rootless, 1000, 1000, &text, &err) == 0, "spec%s: written",
		   rootless ? " --rootless" : "");
		sluice_config_init(&c);
		ok(sluice_config_load_buffer(&c, "config.json", text, strlen(text), "/b", &err) == 0,
		   "spec%s: loads", rootless ? " --rootless" : "");
		if (err.msg[0])
			diag("%s", err.msg);
		ok(c.process.terminal && c.linux.ns[SLUICE_NS_USER].enabled == (rootless == 1),
		   "spec%s: terminal, user namespace as asked", rootless ? " --rootless" : "");
		is_str(c.root.path, "/b/rootfs", "spec: the root is the bundle's rootfs");
		sluice_config_free(&c);
		free(text);
		text = NULL;
	}
}

static void test_features(void)
{
	struct sluice_error err = { 0 };
	char *text = NULL;

	ok(sluice_oci_features(&text, &err) == 0, "features: written");
	ok(text && strstr(text, "\"ociVersionMax\": \"" SLUICE_OCI_VERSION "\"") &&
		   strstr(text, "\"startContainer\"") && strstr(text, "\"CAP_SYS_ADMIN\"") &&
		   strstr(text, "\"rbind\""),
	   "features: versions, hooks, capabilities, mount options");
	ok(text && strstr(text, "\"rro\"") && strstr(text, "\"ridmap\"") &&
		   strstr(text, "\"idmap\": {\n                \"enabled\": true") &&
		   strstr(text, "\"intelRdt\": {\n            \"enabled\": false"),
	   "features: the recursive options, id-mapped mounts; not what this build refuses "
	   "(Intel RDT)");
	free(text);
}

int main(void)
{
	test_request();
	test_ids();
	test_signals();
	test_json();
	test_state_view();
	test_spec_loads();
	test_features();
	return done_testing();
}

#include "vmm/core/config.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arch/aarch64/layout.h"

__attribute__((format(printf, 2, 3))) static int fail(struct config_error *err, const char *fmt,
                                                      ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

void config_init(struct vm_config *c)
{
	memset(c, 0, sizeof(*c));
	c->cpus = 1;
	c->memory = CONFIG_DEFAULT_MEMORY;
	c->seccomp = SECCOMP_MODE_ENFORCE;
	c->jail_uid = -1;
	c->jail_gid = -1;
}

void config_free(struct vm_config *c)
{
	free(c->kernel);
	free(c->initrd);
	free(c->cmdline);
	free(c->control);
	free(c->qmp);
	free(c->jail_dir);
	for (unsigned i = 0; i < c->ndisks; i++) {
		free(c->disks[i].path);
		free(c->disks[i].serial);
	}
	for (unsigned i = 0; i < c->nnets; i++)
		free(c->nets[i].tap);
	memset(c, 0, sizeof(*c));
}

static void set_str(char **dst, const char *v)
{
	char *n = strdup(v);
	if (!n) {
		fprintf(stderr, "tern: out of memory\n");
		exit(1);
	}
	free(*dst);
	*dst = n;
}

int config_parse_size(const char *s, uint64_t *out)
{
	if (!s || !*s || *s == '-' || *s == '+')
		return -EINVAL;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -EINVAL;
	/* A plain number is MiB, as in QEMU. */
	static const struct {
		const char *suffix;
		unsigned shift;
	} units[] = {
	        {"", 20},   {"B", 0},    {"K", 10}, {"KB", 10}, {"KiB", 10}, {"M", 20},
	        {"MB", 20}, {"MiB", 20}, {"G", 30}, {"GB", 30}, {"GiB", 30},
	};
	int shift = -1;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcasecmp(end, units[i].suffix))
			shift = (int)units[i].shift;
	if (shift < 0)
		return -EINVAL;
	if (v > (UINT64_MAX >> shift))
		return -ERANGE;
	*out = (uint64_t)v << shift;
	return 0;
}

static int parse_cpus(const char *s, unsigned *out, struct config_error *err)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 1 || v > CONFIG_MAX_CPUS)
		return fail(err, "--cpus wants a number from 1 to %d, not '%s'", CONFIG_MAX_CPUS,
		            s);
	*out = (unsigned)v;
	return 0;
}

static int parse_memory(const char *s, uint64_t *out, struct config_error *err)
{
	uint64_t v;
	if (config_parse_size(s, &v))
		return fail(err, "--memory wants a size like 256M or 1G, not '%s'", s);
	*out = v;
	return 0;
}

/* Flags that take a value; matched as "--name value" or "--name=value". */
enum opt {
	OPT_KERNEL,
	OPT_INITRD,
	OPT_CMDLINE,
	OPT_CPUS,
	OPT_MEMORY,
	OPT_CONFIG,
	OPT_GIC,
	OPT_SDEI_EVENT,
	OPT_CONTROL,
	OPT_QMP,
	OPT_DISK,
	OPT_NET,
	OPT_SECCOMP,
	OPT_JAIL,
	OPT_UID,
	OPT_GID,
};
static const struct {
	const char *name;
	enum opt id;
} value_opts[] = {
        {"kernel", OPT_KERNEL},   {"initrd", OPT_INITRD},
        {"cmdline", OPT_CMDLINE}, {"cpus", OPT_CPUS},
        {"memory", OPT_MEMORY},   {"config", OPT_CONFIG},
        {"gic", OPT_GIC},         {"sdei-event", OPT_SDEI_EVENT},
        {"control", OPT_CONTROL}, {"qmp", OPT_QMP},
        {"disk", OPT_DISK},       {"net", OPT_NET},
        {"seccomp", OPT_SECCOMP}, {"jail", OPT_JAIL},
        {"uid", OPT_UID},         {"gid", OPT_GID},
};

int config_parse_disk(const char *spec, struct config_disk *d, struct config_error *err)
{
	memset(d, 0, sizeof(*d));
	char *copy = strdup(spec);
	if (!copy)
		return -ENOMEM;
	int r = 0;
	char *save = NULL;
	char *tok = strtok_r(copy, ",", &save);
	if (!tok || !*tok || spec[0] == ',') {
		r = fail(err, "--disk wants PATH[,ro][,serial=S], not '%s'", spec);
		goto out;
	}
	set_str(&d->path, tok);
	while ((tok = strtok_r(NULL, ",", &save))) {
		if (!strcmp(tok, "ro")) {
			d->ro = 1;
		} else if (!strncmp(tok, "serial=", 7)) {
			if (strlen(tok + 7) > 20 || !tok[7]) {
				r = fail(err, "--disk %s: serial must be 1 to 20 characters",
				         d->path);
				goto out;
			}
			set_str(&d->serial, tok + 7);
		} else {
			r = fail(err, "--disk %s: unknown option '%s' (ro, serial=S)", d->path,
			         tok);
			goto out;
		}
	}
out:
	free(copy);
	if (r) {
		free(d->path);
		free(d->serial);
		memset(d, 0, sizeof(*d));
	}
	return r;
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	if (strlen(s) != 17)
		return -EINVAL;
	for (int i = 0; i < 6; i++) {
		const char *p = s + (size_t)3 * (size_t)i;
		char *end;
		if (!isxdigit((unsigned char)p[0]) || !isxdigit((unsigned char)p[1]) ||
		    (i < 5 && p[2] != ':'))
			return -EINVAL;
		mac[i] = (uint8_t)strtoul((char[3]){p[0], p[1], 0}, &end, 16);
	}
	/* A multicast address cannot be a NIC's own. */
	return (mac[0] & 1) ? -EINVAL : 0;
}

int config_parse_net(const char *spec, struct config_net *n, struct config_error *err)
{
	memset(n, 0, sizeof(*n));
	char *copy = strdup(spec);
	if (!copy)
		return -ENOMEM;
	int r = 0;
	char *save = NULL;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!strncmp(tok, "tap=", 4) && tok[4] && strlen(tok + 4) < 16) {
			set_str(&n->tap, tok + 4);
		} else if (!strncmp(tok, "mac=", 4)) {
			if (parse_mac(tok + 4, n->mac)) {
				r = fail(err,
				         "--net: '%s' is not a unicast MAC like 52:54:00:12:34:56",
				         tok + 4);
				goto out;
			}
			n->has_mac = 1;
		} else {
			r = fail(
			        err,
			        "--net wants tap=NAME[,mac=M] (NAME up to 15 characters), not '%s'",
			        spec);
			goto out;
		}
	}
	if (!n->tap && !r)
		r = fail(err, "--net wants tap=NAME[,mac=M], not '%s'", spec);
out:
	free(copy);
	if (r) {
		free(n->tap);
		memset(n, 0, sizeof(*n));
	}
	return r;
}

/* A jail's uid or gid: a number, never 0 (root in the jail would keep what
 * the jail takes away), never -1 (the kernel's "no change"). */
static int check_id(const char *what, long long v, struct config_error *err)
{
	if (v == 0)
		return fail(err, "%s 0 is root: the jail runs tern unprivileged, pick another id",
		            what);
	if (v < 0 || v > 4294967294LL)
		return fail(err, "%s wants a number from 1 to 4294967294, not %lld", what, v);
	return 0;
}

static int parse_id(const char *what, const char *s, int64_t *out, struct config_error *err)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (!isdigit((unsigned char)*s) || errno || *end)
		return fail(err, "%s wants a number from 1 to 4294967294, not '%s'", what, s);
	int r = check_id(what, v, err);
	if (!r)
		*out = v;
	return r;
}

/* Adds one --sdei-event; the same number twice is refused here so the user
 * hears about it before the VM is built. */
static int add_sdei_event(struct vm_config *c, const char *v, const char *what,
                          struct config_error *err)
{
	struct sdei_event_spec spec;
	if (sdei_parse_event_spec(v, &spec))
		return fail(err,
		            "%s wants NUM,private|shared,normal|critical with NUM from 1, not '%s'",
		            what, v);
	if (spec.num == 0 || spec.num >= SDEI_DYN_EVENT_BASE)
		return fail(err, "%s: event %u is reserved (use 1 to %u)", what, spec.num,
		            SDEI_DYN_EVENT_BASE - 1);
	for (unsigned i = 0; i < c->n_sdei_events; i++)
		if (c->sdei_events[i].num == spec.num)
			return fail(err, "%s: event %u is declared twice", what, spec.num);
	if (c->n_sdei_events == SDEI_MAX_PLATFORM)
		return fail(err, "%s: at most %d platform events", what, SDEI_MAX_PLATFORM);
	c->sdei_events[c->n_sdei_events++] = spec;
	return 0;
}

static int apply_opt(enum opt id, const char *v, struct vm_config *c, struct config_error *err)
{
	switch (id) {
	case OPT_KERNEL:
		set_str(&c->kernel, v);
		return 0;
	case OPT_INITRD:
		set_str(&c->initrd, v);
		return 0;
	case OPT_CMDLINE:
		set_str(&c->cmdline, v);
		return 0;
	case OPT_CPUS:
		return parse_cpus(v, &c->cpus, err);
	case OPT_MEMORY:
		return parse_memory(v, &c->memory, err);
	case OPT_CONFIG:
		return config_load_file(v, c, err);
	case OPT_SDEI_EVENT:
		return add_sdei_event(c, v, "--sdei-event", err);
	case OPT_CONTROL:
		set_str(&c->control, v);
		return 0;
	case OPT_QMP:
		set_str(&c->qmp, v);
		return 0;
	case OPT_DISK:
		if (c->ndisks == CONFIG_MAX_DISKS)
			return fail(err, "at most %d --disk", CONFIG_MAX_DISKS);
		if (config_parse_disk(v, &c->disks[c->ndisks], err))
			return -EINVAL;
		c->ndisks++;
		return 0;
	case OPT_SECCOMP:
		if (seccomp_mode_parse(v, &c->seccomp))
			return fail(err, "--seccomp wants enforce, log or off, not '%s'", v);
		return 0;
	case OPT_JAIL:
		set_str(&c->jail_dir, v);
		return 0;
	case OPT_UID:
		return parse_id("--uid", v, &c->jail_uid, err);
	case OPT_GID:
		return parse_id("--gid", v, &c->jail_gid, err);
	case OPT_NET:
		if (c->nnets == CONFIG_MAX_NETS)
			return fail(err, "at most %d --net", CONFIG_MAX_NETS);
		if (config_parse_net(v, &c->nets[c->nnets], err))
			return -EINVAL;
		c->nnets++;
		return 0;
	case OPT_GIC:
		if (!strcmp(v, "auto"))
			c->gic_version = 0;
		else if (!strcmp(v, "v2") || !strcmp(v, "2"))
			c->gic_version = 2;
		else if (!strcmp(v, "v3") || !strcmp(v, "3"))
			c->gic_version = 3;
		else
			return fail(err, "--gic wants auto, v2 or v3, not '%s'", v);
		return 0;
	}
	return fail(err, "internal: unhandled option");
}

int config_parse_args(int argc, char *const argv[], struct vm_config *c, struct config_error *err)
{
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help"))
			return 1;
		if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			c->verbose++;
			continue;
		}
		if (!strcmp(a, "--reboot")) {
			c->reboot = 1;
			continue;
		}
		if (!strcmp(a, "--no-sdei")) {
			c->no_sdei = 1;
			continue;
		}
		if (!strcmp(a, "--rng")) {
			c->rng = 1;
			continue;
		}
		if (!strcmp(a, "--acpi")) {
			c->acpi = 1;
			continue;
		}
		if (!strcmp(a, "--jail-net")) {
			c->jail_net = 1;
			continue;
		}
		if (strncmp(a, "--", 2) != 0)
			return fail(err, "unexpected argument '%s' (see tern run --help)", a);
		const char *name = a + 2;
		const char *eq = strchr(name, '=');
		size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
		int found = -1;
		for (size_t k = 0; k < sizeof(value_opts) / sizeof(value_opts[0]); k++)
			if (strlen(value_opts[k].name) == nlen &&
			    !strncmp(value_opts[k].name, name, nlen))
				found = (int)k;
		if (found < 0)
			return fail(err, "unknown option '%.*s' (see tern run --help)",
			            (int)(nlen + 2), a);
		const char *v;
		if (eq) {
			v = eq + 1;
		} else {
			if (i + 1 >= argc)
				return fail(err, "option '%s' needs a value", a);
			v = argv[++i];
		}
		int r = apply_opt(value_opts[found].id, v, c, err);
		if (r)
			return r;
	}
	return 0;
}

static int json_str(json_t *root, const char *key, char **dst, struct config_error *err,
                    const char *path)
{
	json_t *v = json_object_get(root, key);
	if (!v)
		return 0;
	if (!json_is_string(v))
		return fail(err, "%s: \"%s\" must be a string", path, key);
	set_str(dst, json_string_value(v));
	return 0;
}

static int json_bool(json_t *root, const char *key, int *dst, struct config_error *err,
                     const char *path)
{
	json_t *v = json_object_get(root, key);
	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return fail(err, "%s: \"%s\" must be true or false", path, key);
	*dst = json_is_true(v);
	return 0;
}

static int json_id(json_t *root, const char *key, int64_t *dst, struct config_error *err,
                   const char *path)
{
	json_t *v = json_object_get(root, key);
	if (!v)
		return 0;
	char what[200];
	snprintf(what, sizeof(what), "%s: \"%s\"", path, key);
	if (!json_is_integer(v))
		return fail(err, "%s wants a number from 1 to 4294967294", what);
	int r = check_id(what, json_integer_value(v), err);
	if (!r)
		*dst = json_integer_value(v);
	return r;
}

int config_load_file(const char *path, struct vm_config *c, struct config_error *err)
{
	json_error_t jerr;
	json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return fail(err, "%s:%d: %s", path, jerr.line, jerr.text);
	int r = 0;
	if (!json_is_object(root)) {
		r = fail(err, "%s: the config must be a JSON object", path);
		goto out;
	}
	const char *key;
	json_t *v;
	json_object_foreach(root, key, v)
	{
		static const char *const known[] = {
		        "kernel",      "initrd",  "cmdline", "cpus",  "memory",  "sdei",
		        "sdei_events", "control", "qmp",     "disks", "nets",    "rng",
		        "acpi",        "jail",    "uid",     "gid",   "jail_net"};
		int ok = 0;
		for (size_t k = 0; k < sizeof(known) / sizeof(known[0]); k++)
			ok |= !strcmp(key, known[k]);
		if (!ok) {
			r = fail(err, "%s: unknown key \"%s\"", path, key);
			goto out;
		}
	}
	if ((r = json_str(root, "kernel", &c->kernel, err, path)) ||
	    (r = json_str(root, "initrd", &c->initrd, err, path)) ||
	    (r = json_str(root, "cmdline", &c->cmdline, err, path)) ||
	    (r = json_str(root, "control", &c->control, err, path)) ||
	    (r = json_str(root, "qmp", &c->qmp, err, path)) ||
	    (r = json_str(root, "jail", &c->jail_dir, err, path)))
		goto out;
	if ((r = json_id(root, "uid", &c->jail_uid, err, path)) ||
	    (r = json_id(root, "gid", &c->jail_gid, err, path)))
		goto out;
	v = json_object_get(root, "sdei");
	if (v) {
		if (!json_is_boolean(v)) {
			r = fail(err, "%s: \"sdei\" must be true or false", path);
			goto out;
		}
		c->no_sdei = !json_is_true(v);
	}
	if ((r = json_bool(root, "rng", &c->rng, err, path)) ||
	    (r = json_bool(root, "acpi", &c->acpi, err, path)) ||
	    (r = json_bool(root, "jail_net", &c->jail_net, err, path)))
		goto out;
	v = json_object_get(root, "disks");
	if (v) {
		size_t i;
		json_t *e;
		if (!json_is_array(v)) {
			r = fail(err, "%s: \"disks\" must be an array of \"PATH[,ro][,serial=S]\"",
			         path);
			goto out;
		}
		json_array_foreach(v, i, e)
		{
			if (!json_is_string(e) || c->ndisks == CONFIG_MAX_DISKS) {
				r = fail(err, "%s: \"disks\" must be at most %d strings", path,
				         CONFIG_MAX_DISKS);
				goto out;
			}
			if ((r = config_parse_disk(json_string_value(e), &c->disks[c->ndisks],
			                           err)))
				goto out;
			c->ndisks++;
		}
	}
	v = json_object_get(root, "nets");
	if (v) {
		size_t i;
		json_t *e;
		if (!json_is_array(v)) {
			r = fail(err, "%s: \"nets\" must be an array of \"tap=NAME[,mac=M]\"",
			         path);
			goto out;
		}
		json_array_foreach(v, i, e)
		{
			if (!json_is_string(e) || c->nnets == CONFIG_MAX_NETS) {
				r = fail(err, "%s: \"nets\" must be at most %d strings", path,
				         CONFIG_MAX_NETS);
				goto out;
			}
			if ((r = config_parse_net(json_string_value(e), &c->nets[c->nnets], err)))
				goto out;
			c->nnets++;
		}
	}
	v = json_object_get(root, "sdei_events");
	if (v) {
		size_t i;
		json_t *e;
		if (!json_is_array(v)) {
			r = fail(err, "%s: \"sdei_events\" must be an array of strings", path);
			goto out;
		}
		json_array_foreach(v, i, e)
		{
			if (!json_is_string(e)) {
				r = fail(err, "%s: \"sdei_events\" must be an array of strings",
				         path);
				goto out;
			}
			if ((r = add_sdei_event(c, json_string_value(e), path, err)))
				goto out;
		}
	}
	v = json_object_get(root, "cpus");
	if (v) {
		if (!json_is_integer(v) || json_integer_value(v) < 1 ||
		    json_integer_value(v) > CONFIG_MAX_CPUS) {
			r = fail(err, "%s: \"cpus\" must be an integer from 1 to %d", path,
			         CONFIG_MAX_CPUS);
			goto out;
		}
		c->cpus = (unsigned)json_integer_value(v);
	}
	v = json_object_get(root, "memory");
	if (v) {
		uint64_t m;
		if (json_is_string(v) && !config_parse_size(json_string_value(v), &m)) {
			c->memory = m;
		} else if (json_is_integer(v) && json_integer_value(v) > 0 &&
		           json_integer_value(v) <= (json_int_t)(LAYOUT_RAM_MAX >> 20)) {
			c->memory = (uint64_t)json_integer_value(v) << 20;
		} else {
			r = fail(err,
			         "%s: \"memory\" must be a size string like \"256M\" or a "
			         "number of MiB",
			         path);
			goto out;
		}
	}
out:
	json_decref(root);
	return r;
}

/* A path the jail binds at the same place inside it must mean the same
 * thing there: absolute, and no '.', '..' or empty components that could
 * walk out of the jail's root while it is being built. */
static int plain_absolute(const char *p)
{
	if (p[0] != '/')
		return 0;
	for (const char *c = p + 1;; c += strcspn(c, "/") + 1) {
		size_t n = strcspn(c, "/");
		if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return 0;
		if (!c[n])
			return 1; /* an empty last component is a trailing '/' */
		if (n == 0)
			return 0;
	}
}

/* Whether path is dir (dir_len bytes, no trailing '/') or below it. */
static int path_within(const char *path, const char *dir, size_t dir_len)
{
	return !strncmp(path, dir, dir_len) && (path[dir_len] == '/' || !path[dir_len]);
}

static int validate_jail(const struct vm_config *c, struct config_error *err)
{
	if (!c->jail_dir) {
		if (c->jail_uid >= 0 || c->jail_gid >= 0)
			return fail(err, "--uid and --gid need --jail");
		if (c->jail_net)
			return fail(err, "--jail-net needs --jail");
		return 0;
	}
	if (c->jail_uid < 0 || c->jail_gid < 0)
		return fail(err, "--jail needs --uid and --gid: the ids tern runs as in the jail");
	size_t jail_len = strlen(c->jail_dir);
	while (jail_len > 1 && c->jail_dir[jail_len - 1] == '/')
		jail_len--;
	if (!plain_absolute(c->jail_dir) || jail_len == 1)
		return fail(err,
		            "--jail wants an absolute directory other than / without '.', '..' "
		            "or '//', not '%s'",
		            c->jail_dir);
	if (c->jail_net && c->nnets)
		return fail(err, "--jail-net gives tern an empty network namespace: the --net "
		                 "taps would not be in it");
	if (c->jail_net && c->qmp)
		return fail(err, "--jail-net gives tern a network namespace of its own: --qmp's "
		                 "port would be unreachable");
	/* The control socket's directory is bound into the jail whole. */
	size_t ctl_len = 0;
	if (c->control) {
		const char *slash = strrchr(c->control, '/');
		ctl_len = slash ? (size_t)(slash - c->control) : 0;
		if (c->control[0] == '/' && ctl_len == 0)
			return fail(err, "with --jail, the control socket needs a directory of its "
			                 "own, not /: that directory is bound into the jail");
		if (ctl_len && path_within(c->jail_dir, c->control, ctl_len))
			return fail(err, "with --jail, the jail directory must not be inside the "
			                 "control socket's directory");
	}
	struct bound_file {
		const char *what, *path;
	} files[CONFIG_MAX_DISKS + 3] = {
	        {"--kernel", c->kernel}, {"--control", c->control}, {"--initrd", c->initrd}};
	size_t n = 3;
	for (unsigned i = 0; i < c->ndisks; i++)
		files[n++] = (struct bound_file){"--disk", c->disks[i].path};
	for (size_t i = 0; i < n; i++) {
		const char *p = files[i].path;
		if (!p)
			continue;
		size_t len = strlen(p);
		if (!plain_absolute(p) || p[len - 1] == '/')
			return fail(
			        err,
			        "with --jail, %s '%s' must be an absolute path to a file without "
			        "'.', '..' or '//': the jail binds it at the same path",
			        files[i].what, p);
		if (path_within(p, c->jail_dir, jail_len))
			return fail(err,
			            "with --jail, %s '%s' must not be inside the jail directory",
			            files[i].what, p);
		if (i != 1 && ctl_len && path_within(p, c->control, ctl_len))
			return fail(err,
			            "with --jail, %s '%s' must not be in the control socket's "
			            "directory: that whole directory is bound into the jail",
			            files[i].what, p);
	}
	return 0;
}

int config_validate(const struct vm_config *c, struct config_error *err)
{
	if (!c->kernel)
		return fail(err, "no kernel given: use --kernel PATH");
	if (c->memory < LAYOUT_RAM_MIN)
		return fail(err, "--memory %lluM is too little: at least %lluM is needed",
		            (unsigned long long)(c->memory >> 20),
		            (unsigned long long)(LAYOUT_RAM_MIN >> 20));
	if (c->memory > LAYOUT_RAM_MAX)
		return fail(err, "--memory %lluM is more than the %lluG tern supports",
		            (unsigned long long)(c->memory >> 20),
		            (unsigned long long)(LAYOUT_RAM_MAX >> 30));
	if (c->memory & 0xfff)
		return fail(err, "--memory must be a multiple of 4 KiB");
	if (c->no_sdei && c->n_sdei_events)
		return fail(err, "--sdei-event and --no-sdei contradict each other");
	if (c->gic_version == 2 && c->cpus > 8)
		return fail(err, "GICv2 supports at most 8 vCPUs (asked for %u)", c->cpus);
	return validate_jail(c, err);
}

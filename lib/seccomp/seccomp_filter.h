/* Seccomp filters: a profile (seccomp_profile.h) compiled to a BPF program
 * with libseccomp (compile.c), cached on disk by the launcher so that a
 * profile is compiled once (cache.c), and loaded with seccomp(2) directly
 * by the helper (load.c).
 *
 * Who does what (docs/seccomp.md "How a filter gets loaded"): `sluice run`
 * resolves the profile to a program (cache hit or compile) and sends it
 * on fd 3 as a SECCOMP frame; the helper only calls seccomp(2).  A helper
 * given a config without that frame (a raw config, another runtime)
 * resolves it itself, at read-config. */
#ifndef SLUICE_SECCOMP_FILTER_H
#define SLUICE_SECCOMP_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "seccomp_profile.h"
#include "sluice.h"

/* A classic BPF program: len bytes of struct sock_filter (8 each). */
struct sluice_bpf {
	void *insns;
	size_t len;
};

/* The kernel's limit (BPF_MAXINSNS) in bytes. */
#define SLUICE_BPF_MAX_LEN (4096 * 8)

void sluice_bpf_release(struct sluice_bpf *b);
/* A program as received (SECCOMP frame): a whole number of instructions,
 * at least one, at most BPF_MAXINSNS.  0 or -EBADMSG. */
int sluice_bpf_check(const void *insns, size_t len);

/* Compile with libseccomp.  source names the config in messages.  Errors:
 * SLUICE_EXIT_CONFIG for what the profile asks and this libseccomp or
 * kernel cannot do (an architecture, an action), SLUICE_EXIT_SETUP
 * otherwise. */
int sluice_seccomp_compile(const struct sluice_seccomp *s, const char *source,
			   struct sluice_bpf *out, struct sluice_error *err);

/* The program for s: from the cache when an entry matches, else compiled
 * and stored (docs/seccomp.md "The cache").  The cache directory is
 * $SLUICE_CACHE_DIR/seccomp if that is set (empty: no cache), else
 * /var/cache/sluice/seccomp for root, else $XDG_CACHE_HOME/sluice/seccomp
 * or ~/.cache/sluice/seccomp.  A directory or entry that is not the
 * caller's own, or that others can write, is not used.  Failing to store
 * is not an error: the start goes on with the compiled program. */
int sluice_seccomp_resolve(const struct sluice_seccomp *s, const char *source,
			   struct sluice_bpf *out, struct sluice_error *err);
/* Fix the cache directory from the environment now, for a process that
 * is about to clear its environment (the helper). */
void sluice_seccomp_cache_pin(void);

/* The profile's flags as the kernel's SECCOMP_FILTER_FLAG_* bits. */
unsigned int sluice_seccomp_kernel_flags(const struct sluice_seccomp *s);

/* The running kernel has every flag s asks for (and a listener for
 * SCMP_ACT_NOTIFY), and every action: SLUICE_EXIT_CONFIG naming the one it
 * lacks.  The flags are checked at every start (they are not in the cache
 * key); the actions before compiling (a cached program was compiled on
 * this kernel). */
int sluice_seccomp_check_flags(const struct sluice_seccomp *s, const char *source,
			       struct sluice_error *err);
int sluice_seccomp_check_actions(const struct sluice_seccomp *s, const char *source,
				 struct sluice_error *err);
/* The running kernel knows flag f (what `features` calls supported);
 * libseccomp knows the architecture named "SCMP_ARCH_*" (the loader reads
 * every name of the spec, compiling takes these). */
bool sluice_seccomp_flag_supported(enum sluice_scmp_flag f);
bool sluice_seccomp_arch_known(const char *name);

/* The SECCOMP frame (docs/protocol.md): u32 BE kernel flags, then the
 * program.  encode: malloc'd payload, NULL on ENOMEM.  decode: a copy of
 * the program in *prog; -EBADMSG for a malformed payload. */
char *sluice_seccomp_frame_encode(unsigned int flags, const struct sluice_bpf *prog, size_t *len);
int sluice_seccomp_frame_decode(const char *payload, size_t len, unsigned int *flags,
				struct sluice_bpf *prog);

/* seccomp(SECCOMP_SET_MODE_FILTER) with these kernel flags.  With
 * SECCOMP_FILTER_FLAG_NEW_LISTENER *listener gets the notification fd
 * (close-on-exec), else -1.  Child-side code: fills err, never prints. */
int sluice_seccomp_load(const struct sluice_bpf *prog, unsigned int flags, int *listener,
			struct sluice_error *err);
/* SECCOMP_FILTER_FLAG_NEW_LISTENER is in flags. */
bool sluice_seccomp_flags_notify(unsigned int flags);

/* The program refuses ioctl(fd, request) (EPERM or any errno, kill or
 * trap) for every fd, in every ABI this build can call it in, whatever
 * the request's upper 32 bits (verdict.c: it runs the program).  False
 * when it lets the call through or its answer depends on more than the
 * call's ABI, number and request; false without a program. */
bool sluice_bpf_refuses_ioctl(const struct sluice_bpf *prog, uint32_t request);

/* The init's own filter (init_filter.c): the system calls of its loop and
 * nothing else, for an init that stays beside a filtered workload. */
int sluice_seccomp_confine_init(struct sluice_error *err);

#endif

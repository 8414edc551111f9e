/* The security defaults of issue 8 (docs/security.md) as one switch, for
 * measuring what they cost.  `make bench` builds a second, never shipped
 * sluice with -DSLUICE_BENCH_UNHARDENED (mk/bench.mk, build-unhardened/)
 * that leaves out, on the helper's path of a start: the check of the
 * NAMESPACES claim against the kernel, the helper's own path checks and
 * its closing of inherited fds before them, the session of its own
 * (TIOCSTI), the fresh session keyring, the cap on nested user
 * namespaces and non-dumpability.  Its starts against sluice's, alternated
 * in one run, are what those defaults cost (docs/performance.md).  The
 * shipped build always has them: SLUICE_HARDENED is a constant 1 there,
 * and the compiler drops the other branch. */
#ifndef SLUICE_HARDENING_H
#define SLUICE_HARDENING_H

#ifdef SLUICE_BENCH_UNHARDENED
#define SLUICE_HARDENED 0
#else
#define SLUICE_HARDENED 1
#endif

#endif

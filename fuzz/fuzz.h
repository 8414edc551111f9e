/* The entry point of each libFuzzer target in fuzz/ (docs/quality.md).
 *
 * Built with libFuzzer (`make fuzz`) the entry is LLVMFuzzerTestOneInput;
 * fuzz/regress.c links the targets without it, each under a name of its
 * own given as FUZZ_ENTRY, to replay fuzz/regressions/ and the seeds in
 * every `make check`.  A target aborts when an invariant breaks, so that a
 * plain build (no sanitizer) still fails on it. */
#ifndef SLUICE_FUZZ_H
#define SLUICE_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#ifndef FUZZ_ENTRY
#define FUZZ_ENTRY LLVMFuzzerTestOneInput
#endif

int FUZZ_ENTRY(const uint8_t *data, size_t size);

#endif

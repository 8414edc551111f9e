/* A fast 64-bit hash of bytes (not cryptographic): names and checksums of
 * the seccomp filter cache, whose entries are trusted for their owner and
 * mode and matched on their full key, so the hash only has to spread keys
 * and catch damage.  Internal. */
#ifndef SLUICE_HASH_H
#define SLUICE_HASH_H

#include <stddef.h>
#include <stdint.h>

/* seed picks one of many independent functions: two seeds, 128 bits. */
uint64_t sluice_hash64(const void *data, size_t len, uint64_t seed);

#endif

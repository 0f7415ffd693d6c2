// Function clones for instructions the project's baseline build lacks (POPCNT, AVX2): GCC compiles
// the function once per target and the dynamic loader picks one at load time (GNU ifunc), so hot
// loops use the instructions every CPU of the last decade has while the binary still runs on the
// baseline. ThreadSanitizer's runtime is not ready when the resolvers run (the TSan test binary
// crashed before main), so TSan builds get the plain function.
#pragma once

#if defined(__SANITIZE_THREAD__)
#define CLIPDEX_CPU_CLONES(...)
#else
#define CLIPDEX_CPU_CLONES(...) __attribute__((target_clones(__VA_ARGS__)))
#endif

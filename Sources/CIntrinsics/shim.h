// The x86 SIMD intrinsics (AVX2 integer dot products for the 8-bit activation kernels).
// Swift calls them directly; the Inference target is built with the matching CPU features.
#if defined(__x86_64__)
#include <immintrin.h>
// The spin-wait hint (_mm_pause is declared extern, which Swift cannot link).
static inline void rb_pause(void) { __builtin_ia32_pause(); }
#endif

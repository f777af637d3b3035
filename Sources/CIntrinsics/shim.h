// The x86 SIMD intrinsics (AVX2 integer dot products for the 8-bit activation kernels).
// Swift calls them directly; the Inference target is built with the matching CPU features.
#if defined(__x86_64__)
#include <immintrin.h>
// The spin-wait hint (_mm_pause is declared extern, which Swift cannot link).
static inline void rb_pause(void) { __builtin_ia32_pause(); }
// A read prefetch into all cache levels (streaming weight rows ahead of their use).
static inline void rb_prefetch(const void *p) { __builtin_prefetch(p, 0, 3); }
// The same into L2 and outer levels only (data needed after other data has streamed through L1).
static inline void rb_prefetch_l2(const void *p) { __builtin_prefetch(p, 0, 2); }
#if defined(__AVX2__)
// Float comparisons (_mm256_cmp_ps is a macro, which Swift cannot import).
static inline __m256 rb_cmplt_ps(__m256 a, __m256 b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
static inline __m256 rb_cmpgt_ps(__m256 a, __m256 b) { return _mm256_cmp_ps(a, b, _CMP_GT_OQ); }
static inline __m256 rb_cmpeq_ps(__m256 a, __m256 b) { return _mm256_cmp_ps(a, b, _CMP_EQ_OQ); }
static inline __m256 rb_cmpunord_ps(__m256 a, __m256 b) { return _mm256_cmp_ps(a, b, _CMP_UNORD_Q); }
#endif
#if defined(__AVX512VNNI__) && defined(__AVX512VL__)
// vpdpbusd on 256-bit vectors (a macro in recent clang headers).
static inline __m256i rb_dpbusd256(__m256i s, __m256i a, __m256i b) { return _mm256_dpbusd_epi32(s, a, b); }
#endif
#endif

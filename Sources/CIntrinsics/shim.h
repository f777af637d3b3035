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
// Lane k of the result: vector k's eight lanes summed left to right, (((v0 + v1) + v2) + ...)
// + v7, the order of Swift's SIMD8<Float>.sum(), for eight vectors at once: an 8 x 8
// transpose (24 shuffles), then seven vertical additions, instead of eight chains of seven
// lane extractions and additions.
static inline __m256 rb_lane_sums8(__m256 a0, __m256 a1, __m256 a2, __m256 a3,
                                   __m256 a4, __m256 a5, __m256 a6, __m256 a7) {
    __m256 t0 = _mm256_unpacklo_ps(a0, a1), t1 = _mm256_unpackhi_ps(a0, a1);
    __m256 t2 = _mm256_unpacklo_ps(a2, a3), t3 = _mm256_unpackhi_ps(a2, a3);
    __m256 t4 = _mm256_unpacklo_ps(a4, a5), t5 = _mm256_unpackhi_ps(a4, a5);
    __m256 t6 = _mm256_unpacklo_ps(a6, a7), t7 = _mm256_unpackhi_ps(a6, a7);
    __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
    __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    // Row j of the transpose holds lane j of every vector.
    __m256 s = _mm256_add_ps(_mm256_permute2f128_ps(u0, u4, 0x20), _mm256_permute2f128_ps(u1, u5, 0x20));
    s = _mm256_add_ps(s, _mm256_permute2f128_ps(u2, u6, 0x20));
    s = _mm256_add_ps(s, _mm256_permute2f128_ps(u3, u7, 0x20));
    s = _mm256_add_ps(s, _mm256_permute2f128_ps(u0, u4, 0x31));
    s = _mm256_add_ps(s, _mm256_permute2f128_ps(u1, u5, 0x31));
    s = _mm256_add_ps(s, _mm256_permute2f128_ps(u2, u6, 0x31));
    return _mm256_add_ps(s, _mm256_permute2f128_ps(u3, u7, 0x31));
}
#endif
#if defined(__AVX512VNNI__) && defined(__AVX512VL__)
// vpdpbusd on 256-bit vectors (a macro in recent clang headers).
static inline __m256i rb_dpbusd256(__m256i s, __m256i a, __m256i b) { return _mm256_dpbusd_epi32(s, a, b); }
#endif
#endif

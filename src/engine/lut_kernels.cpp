// SIMD kernels, compiled once per Highway target (foreach_target) and picked at run time.
//
// Every row is processed in chunks of kChunk pixels: unpack the chunk into three float
// buffers (L1-resident; planar float is read and written in place instead), run the LUT on
// the buffers, pack back with rounding. Keeping the format conversion apart from the
// interpolation lets one interpolation kernel serve every pixel format; the extra traffic
// stays in L1.
//
// The 3D stage runs in three passes over a chunk (vector targets): (1) full vectors locate
// every pixel on the lattice and store its vertex offsets and weights; (2) per pixel, one
// 128-bit load per vertex from an RGB0 copy of the table (two pixels per 256-bit vector on
// AVX2/AVX-512) and the weighted sum; (3) the RGB0 results are transposed back to planar.
// Loads per pixel: 4 vertices (tetrahedral) or 8 (trilinear) instead of 12 or 24 gathered
// lanes, and no load waits on a store still in flight.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "lut_kernels.cpp"
#include <hwy/cache_control.h>
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include <algorithm>
#include <cstring>
#include <type_traits>

#include "kernels.hpp"

HWY_BEFORE_NAMESPACE();
namespace autograde::engine_detail {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

using DF = hn::ScalableTag<float>;
using DI = hn::RebindToSigned<DF>;
using VF = hn::Vec<DF>;
using VI = hn::Vec<DI>;

constexpr size_t kChunk = 256;  // a multiple of every target's lane count

struct alignas(64) Buffers {
  float c[4][kChunk] = {};  // R, G, B, raw alpha
};

// float → int32 by truncation for values known to be in range (0 <= v < 2^31): x86's plain
// conversion, without the out-of-range fix-up hn::ConvertTo adds (four extra operations).
HWY_INLINE VI TruncInRange(VF v) {
#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL
  return VI{_mm512_cvttps_epi32(v.raw)};
#elif HWY_TARGET == HWY_AVX2
  return VI{_mm256_cvttps_epi32(v.raw)};
#elif HWY_TARGET == HWY_SSE4 || HWY_TARGET == HWY_SSSE3
  return VI{_mm_cvttps_epi32(v.raw)};
#else
  return hn::ConvertTo(DI(), v);
#endif
}

// float → int32 rounded to nearest (ties to even, the default MXCSR mode, as hn::NearestInt)
// for values known to be in range: x86's plain conversion without the overflow fix-up.
HWY_INLINE VI NearestInRange(VF v) {
#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL
  return VI{_mm512_cvtps_epi32(v.raw)};
#elif HWY_TARGET == HWY_AVX2
  return VI{_mm256_cvtps_epi32(v.raw)};
#elif HWY_TARGET == HWY_SSE4 || HWY_TARGET == HWY_SSSE3
  return VI{_mm_cvtps_epi32(v.raw)};
#else
  return hn::NearestInt(v);
#endif
}

// max(t, 0) with NaN → 0. x86 MAXPS returns its second operand when either is NaN, so one
// instruction does both; other targets compare first.
HWY_INLINE VF MaxZeroNanToZero(DF df, VF t) {
#if HWY_ARCH_X86 && HWY_TARGET != HWY_SCALAR && HWY_TARGET != HWY_EMU128
  return hn::Max(t, hn::Zero(df));
#else
  return hn::IfThenElseZero(t > hn::Zero(df), t);
#endif
}

// Prefetch hints one chunk of work ahead of the data a loop streams, `bytes` per iteration: the
// hardware prefetcher alone leaves the unpacking waiting on memory, and prefetching a whole
// chunk at once fills the line-fill buffers and stalls. Past a row's end they reach the next
// row (when rows are contiguous); a prefetch never faults.
HWY_INLINE void PrefetchRead(const void* p, size_t bytes) {
  for (size_t b = 0; b < bytes; b += 64) hwy::Prefetch(static_cast<const std::uint8_t*>(p) + b);
}
HWY_INLINE void PrefetchWrite(void* p, size_t bytes) {
  for (size_t b = 0; b < bytes; b += 64) __builtin_prefetch(static_cast<std::uint8_t*>(p) + b, 1);
}

// Lattice position of one channel, as the scalar reference's locate(): t = v*a + b clamped to
// [0,1] (NaN → 0), x = t*(size-1), index = min(floor(x), size-2), fraction = x - index.
HWY_INLINE void Locate(DF df, VF v, VF a, VF b, VF scale, VI imax, VI& i0, VF& f) {
  VF t = MaxZeroNanToZero(df, hn::MulAdd(v, a, b));
  t = hn::Min(t, hn::Set(df, 1.f));
  const VF x = hn::Mul(t, scale);
  i0 = hn::Min(TruncInRange(x), imax);  // x >= 0, so truncation is floor
  f = hn::Sub(x, hn::ConvertTo(df, i0));
}

// Tetrahedral interpolation (Kasson et al. 1995) walks from c000 to c111 along the axes in
// order of decreasing fraction: the first step is along the axis of the largest fraction, the
// last along the smallest. Ties may pick either tetrahedron (their shared face gives the same
// value); max takes the first of r, g, b and min the first of b, g, r, so the two axes always
// differ. o_max / o_min: the offsets (er, eg, eb per axis, in the caller's units) of those two
// steps; w_*: the fractions sorted, the weights of the walk's three steps.
struct TetraWalk {
  VI o_max, o_min;
  VF w_max, w_mid, w_min;
};
HWY_INLINE TetraWalk WalkTetrahedron(DI di, VF fr, VF fg, VF fb, VI er, VI eg, VI eb) {
  const auto r_max = hn::And(fr >= fg, fr >= fb);
  const auto g_max = hn::AndNot(r_max, fg >= fb);
  const auto b_min = hn::And(fb <= fr, fb <= fg);
  const auto g_min = hn::AndNot(b_min, fg <= fr);
  TetraWalk t;
  t.o_max = hn::IfThenElse(hn::RebindMask(di, r_max), er,
                           hn::IfThenElse(hn::RebindMask(di, g_max), eg, eb));
  t.o_min = hn::IfThenElse(hn::RebindMask(di, b_min), eb,
                           hn::IfThenElse(hn::RebindMask(di, g_min), eg, er));
  t.w_max = hn::Max(hn::Max(fr, fg), fb);
  t.w_min = hn::Min(hn::Min(fr, fg), fb);
  t.w_mid = hn::Max(hn::Min(fr, fg), hn::Min(hn::Max(fr, fg), fb));
  return t;
}

enum class Stage1 { None, CodeTable, Shaper };

// Per-chunk scratch of the tetrahedral vertex pass, per pixel: the offsets (in floats of the
// RGB0 table) of the first three vertices, the weights as one 128-bit block (max, mid, min, 0),
// then the RGB0 result.
struct alignas(64) TetraScratch {
  uint32_t idx0[kChunk], idx1[kChunk], idx2[kChunk];
  float w_max[kChunk], w_mid[kChunk], w_min[kChunk];
  float rgbx[4 * kChunk];
};

#if HWY_TARGET != HWY_SCALAR
// The trilinear vertex pass: per pixel the eight corners of its lattice cell as RGB0 blocks
// (one base pointer per corner, so every load is one addressing mode), lerped along red, then
// green, then blue (the scalar reference's order), into S4.rgbx.
HWY_NOINLINE void TrilinearVertexPass(const PreparedLut& L, TetraScratch& S4, size_t n) {
  const hn::Full128<float> d4;
  const size_t S = size_t(L.size3);
  const float* HWY_RESTRICT T = L.table4.data();
  const size_t dr = 4, dg = 4 * S, db = 4 * S * S;
  const float *T000 = T, *T100 = T + dr, *T010 = T + dg, *T110 = T + dr + dg;
  const float *T001 = T + db, *T101 = T + dr + db, *T011 = T + dg + db, *T111 = T + dr + dg + db;
  auto lerp = [](auto f, auto a, auto b) { return hn::MulAdd(f, hn::Sub(b, a), a); };
#if HWY_TARGET == HWY_AVX2 || HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL
  // Two pixels per 256-bit vector, fractions given to each pixel pair by lane permutes.
  const hn::Full256<float> d8;
  HWY_ALIGN static constexpr int32_t kPairLanes[4][8] = {{0, 0, 0, 0, 1, 1, 1, 1},
                                                         {2, 2, 2, 2, 3, 3, 3, 3},
                                                         {4, 4, 4, 4, 5, 5, 5, 5},
                                                         {6, 6, 6, 6, 7, 7, 7, 7}};
  for (size_t j8 = 0; j8 < n; j8 += 8) {
    const auto fr8 = hn::Load(d8, S4.w_max + j8);
    const auto fg8 = hn::Load(d8, S4.w_mid + j8);
    const auto fb8 = hn::Load(d8, S4.w_min + j8);
    for (size_t q = 0; q < 4; ++q) {
      const size_t j = j8 + 2 * q;
      const auto lanes = hn::SetTableIndices(d8, kPairLanes[q]);
      const uint32_t a = S4.idx0[j], b = S4.idx0[j + 1];
      auto corner = [&](const float* Tc) {
        return hn::Combine(d8, hn::LoadU(d4, Tc + b), hn::LoadU(d4, Tc + a));
      };
      const auto fr = hn::TableLookupLanes(fr8, lanes);
      const auto fg = hn::TableLookupLanes(fg8, lanes);
      const auto fb = hn::TableLookupLanes(fb8, lanes);
      const auto c00 = lerp(fr, corner(T000), corner(T100));
      const auto c10 = lerp(fr, corner(T010), corner(T110));
      const auto c01 = lerp(fr, corner(T001), corner(T101));
      const auto c11 = lerp(fr, corner(T011), corner(T111));
      const auto out = lerp(fb, lerp(fg, c00, c10), lerp(fg, c01, c11));
      hn::Store(out, d8, S4.rgbx + 4 * j);
    }
  }
#else
  for (size_t j = 0; j < n; ++j) {
    const uint32_t a = S4.idx0[j];
    const auto fr = hn::Set(d4, S4.w_max[j]), fg = hn::Set(d4, S4.w_mid[j]);
    const auto fb = hn::Set(d4, S4.w_min[j]);
    const auto c00 = lerp(fr, hn::LoadU(d4, T000 + a), hn::LoadU(d4, T100 + a));
    const auto c10 = lerp(fr, hn::LoadU(d4, T010 + a), hn::LoadU(d4, T110 + a));
    const auto c01 = lerp(fr, hn::LoadU(d4, T001 + a), hn::LoadU(d4, T101 + a));
    const auto c11 = lerp(fr, hn::LoadU(d4, T011 + a), hn::LoadU(d4, T111 + a));
    hn::Store(lerp(fb, lerp(fg, c00, c10), lerp(fg, c01, c11)), d4, S4.rgbx + 4 * j);
  }
#endif
}
#endif

// Reads R, G, B from `in`, writes them to `out` (either may be the other: every sample is
// read before it is written). n: a multiple of the lane count. prefetch: `in` and `out` are
// frame rows (not the L1 buffers): prefetch them one chunk ahead.
template <Stage1 kStage1, bool kHas3D, bool kTetra>
void TransformChunk(const PreparedLut& L, const float* const* in, float* const* p, size_t n,
                    bool prefetch) {
  const DF df;
  const DI di;
  const size_t N = hn::Lanes(df);

  // Stage-1 constants.
  const VI code_max = hn::Set(di, std::max(L.code_count - 1, 0));
  const VF s1_scale = hn::Set(df, float(std::max(L.size1 - 1, 0)));
  const VI s1_imax = hn::Set(di, std::max(L.size1 - 2, 0));
  // 3D constants: offsets of the lattice neighbours in floats.
  const int S = L.size3;
  const VF s3_scale = hn::Set(df, float(std::max(S - 1, 0)));
  const VI s3_imax = hn::Set(di, std::max(S - 2, 0));
  const VI vS = hn::Set(di, S);
  const int32_t odr = 3, odg = 3 * S, odb = 3 * S * S;
  const VI dr = hn::Set(di, odr), dg = hn::Set(di, odg), db = hn::Set(di, odb);
  const VI dall = hn::Set(di, odr + odg + odb);
  const VI dall4 = hn::Set(di, 4 * (1 + S + S * S));
  const VI er = hn::Set(di, 1), eg = hn::Set(di, S), eb = hn::Set(di, S * S);
  const float* HWY_RESTRICT T = L.table3.data();
#if HWY_TARGET != HWY_SCALAR
  // The tetrahedral vector path: t as in Locate (the lattice scale is not folded into the
  // domain map: on a 256³ table that would move x by an ulp of 255, a visible error at 16
  // bits), index = min(floor(x), size-2) kept in float. While 4·size³ < 2^24 the vertex
  // offset (in floats of the RGB0 table) is exact in float too: two FMAs instead of 32-bit
  // integer multiplies.
  const bool float_offsets = S <= 128;
  const VF xi_max = hn::Set(df, float(std::max(S - 2, 0)));
  const VF one = hn::Set(df, 1.f);
  VF a3v[3], b3v[3];
  for (int c = 0; c < 3; ++c) a3v[c] = hn::Set(df, L.a3[c]), b3v[c] = hn::Set(df, L.b3[c]);
  const VF f4 = hn::Set(df, 4.f), f4S = hn::Set(df, 4.f * float(S));
  const VF f4SS = hn::Set(df, 4.f * float(S) * float(S));
  const VI er4 = hn::Set(di, 4), eg4 = hn::Set(di, 4 * S), eb4 = hn::Set(di, 4 * S * S);
  // Three passes over the chunk: lattice positions for all pixels (full vectors), then one
  // 128-bit RGB0 load per vertex and pixel, then back to planar. Running each pass over the
  // whole chunk keeps every load far from the store that produced it (no store-forwarding
  // stalls between the scalar and the vector parts).
  HWY_ALIGN TetraScratch S4;
#endif

  for (size_t i = 0; i < n; i += N) {
    VF v[3];
    for (int c = 0; c < 3; ++c) {
      if (prefetch) PrefetchRead(in[c] + i + kChunk, N * sizeof(float));
      v[c] = hn::LoadU(df, in[c] + i);
      if constexpr (kStage1 == Stage1::CodeTable) {
        // Raw integer codes (exact in float); out-of-range high bits clamp to the last code.
        const VI code = hn::Min(hn::Max(hn::ConvertTo(di, v[c]), hn::Zero(di)), code_max);
        v[c] = hn::GatherIndex(df, L.code_table.data() + size_t(c) * L.code_count, code);
      } else if constexpr (kStage1 == Stage1::Shaper) {
        VI k;
        VF f;
        Locate(df, v[c], hn::Set(df, L.a1[c]), hn::Set(df, L.b1[c]), s1_scale, s1_imax, k, f);
        const float* t1 = L.table1.data() + size_t(c) * L.size1;
        const VF lo = hn::GatherIndex(df, t1, k);
        const VF hi = hn::GatherIndex(df, t1 + 1, k);
        v[c] = hn::MulAdd(f, hn::Sub(hi, lo), lo);
      }
    }
    if constexpr (!kHas3D) {
      for (int c = 0; c < 3; ++c) hn::StoreU(v[c], df, p[c] + i);
      continue;
    } else {
#if HWY_TARGET != HWY_SCALAR
      {
        VF x[3], xi[3];
        for (int c = 0; c < 3; ++c) {
          const VF t = hn::Min(MaxZeroNanToZero(df, hn::MulAdd(v[c], a3v[c], b3v[c])), one);
          x[c] = hn::Mul(t, s3_scale);
          xi[c] = hn::Min(hn::Floor(x[c]), xi_max);
        }
        const VF fr = hn::Sub(x[0], xi[0]), fg = hn::Sub(x[1], xi[1]), fb = hn::Sub(x[2], xi[2]);
        VI b4;
        if (float_offsets) {
          b4 = TruncInRange(hn::MulAdd(xi[2], f4SS, hn::MulAdd(xi[1], f4S, hn::Mul(xi[0], f4))));
        } else {
          const VI ir = TruncInRange(xi[0]), ig = TruncInRange(xi[1]), ib = TruncInRange(xi[2]);
          b4 = hn::ShiftLeft<2>(hn::Add(hn::Mul(hn::Add(hn::Mul(ib, vS), ig), vS), ir));
        }
        const hn::RebindToUnsigned<DF> du;
        hn::Store(hn::BitCast(du, b4), du, S4.idx0 + i);
        if constexpr (!kTetra) {
          // Trilinear: the cube's first corner and the three fractions.
          hn::Store(fr, df, S4.w_max + i);
          hn::Store(fg, df, S4.w_mid + i);
          hn::Store(fb, df, S4.w_min + i);
          continue;
        }
        const TetraWalk t = WalkTetrahedron(di, fr, fg, fb, er4, eg4, eb4);
        // Offsets of the first three vertices, kept for the vertex pass below. The fourth
        // vertex is always c000 + (1, 1, 1): a constant displacement from the first.
        const VI i1 = hn::Add(b4, t.o_max);
        const VI i2 = hn::Sub(hn::Add(b4, dall4), t.o_min);
        hn::Store(hn::BitCast(du, i1), du, S4.idx1 + i);
        hn::Store(hn::BitCast(du, i2), du, S4.idx2 + i);
        hn::Store(t.w_max, df, S4.w_max + i);
        hn::Store(t.w_mid, df, S4.w_mid + i);
        hn::Store(t.w_min, df, S4.w_min + i);
        continue;
      }
#endif
      VI ir, ig, ib;
      VF fr, fg, fb;
      Locate(df, v[0], hn::Set(df, L.a3[0]), hn::Set(df, L.b3[0]), s3_scale, s3_imax, ir, fr);
      Locate(df, v[1], hn::Set(df, L.a3[1]), hn::Set(df, L.b3[1]), s3_scale, s3_imax, ig, fg);
      Locate(df, v[2], hn::Set(df, L.a3[2]), hn::Set(df, L.b3[2]), s3_scale, s3_imax, ib, fb);
      const VI base_entry = hn::Add(hn::Mul(hn::Add(hn::Mul(ib, vS), ig), vS), ir);
      const VI base = hn::Add(hn::Add(base_entry, base_entry), base_entry);  // 3 floats/entry
      if constexpr (kTetra) {
        // The scalar target (the vector targets took the branch above).
        const TetraWalk t = WalkTetrahedron(di, fr, fg, fb, dr, dg, db);
        (void)dall4, (void)er, (void)eg, (void)eb;
        const VF f_max = t.w_max, f_mid = t.w_mid, f_min = t.w_min;
        const VI i1 = hn::Add(base, t.o_max);
        const VI i2 = hn::Sub(hn::Add(base, dall), t.o_min);
        const VI i3 = hn::Add(base, dall);
        for (int c = 0; c < 3; ++c) {
          const VF c0 = hn::GatherIndex(df, T + c, base);
          const VF c1 = hn::GatherIndex(df, T + c, i1);
          const VF c2 = hn::GatherIndex(df, T + c, i2);
          const VF c3 = hn::GatherIndex(df, T + c, i3);
          VF out = hn::MulAdd(f_max, hn::Sub(c1, c0), c0);
          out = hn::MulAdd(f_mid, hn::Sub(c2, c1), out);
          out = hn::MulAdd(f_min, hn::Sub(c3, c2), out);
          hn::StoreU(out, df, p[c] + i);
        }
      } else {
        // Trilinear: lerp along red, then green, then blue (the scalar reference's order).
        const VI i100 = hn::Add(base, dr), i010 = hn::Add(base, dg);
        const VI i110 = hn::Add(i100, dg), i001 = hn::Add(base, db);
        const VI i101 = hn::Add(i100, db), i011 = hn::Add(i010, db), i111 = hn::Add(i110, db);
        for (int c = 0; c < 3; ++c) {
          const float* Tc = T + c;
          const VF v000 = hn::GatherIndex(df, Tc, base), v100 = hn::GatherIndex(df, Tc, i100);
          const VF v010 = hn::GatherIndex(df, Tc, i010), v110 = hn::GatherIndex(df, Tc, i110);
          const VF v001 = hn::GatherIndex(df, Tc, i001), v101 = hn::GatherIndex(df, Tc, i101);
          const VF v011 = hn::GatherIndex(df, Tc, i011), v111 = hn::GatherIndex(df, Tc, i111);
          const VF c00 = hn::MulAdd(fr, hn::Sub(v100, v000), v000);
          const VF c10 = hn::MulAdd(fr, hn::Sub(v110, v010), v010);
          const VF c01 = hn::MulAdd(fr, hn::Sub(v101, v001), v001);
          const VF c11 = hn::MulAdd(fr, hn::Sub(v111, v011), v011);
          const VF c0 = hn::MulAdd(fg, hn::Sub(c10, c00), c00);
          const VF c1 = hn::MulAdd(fg, hn::Sub(c11, c01), c01);
          hn::StoreU(hn::MulAdd(fb, hn::Sub(c1, c0), c0), df, p[c] + i);
        }
      }
    }
  }
#if HWY_TARGET != HWY_SCALAR
  if constexpr (kHas3D && !kTetra) TrilinearVertexPass(L, S4, n);
  if constexpr (kHas3D && kTetra) {
    const hn::Full128<float> d4;
    const float* HWY_RESTRICT T4 = L.table4.data();
    const size_t d111 = size_t(4) * (1 + S + S * S);
    // One pixel: vertices c0..c3 as RGB0 blocks, weights broadcast from the pixel's block.
    // c3 is read through a second base pointer: one addressing mode, no extra add.
    const float* HWY_RESTRICT T4_111 = T4 + d111;
    auto vertex_offsets = [&](size_t j, const float*& a0, const float*& a1, const float*& a2) {
      a0 = T4 + S4.idx0[j];
      a1 = T4 + S4.idx1[j];
      a2 = T4 + S4.idx2[j];
    };
#if HWY_TARGET == HWY_AVX2 || HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL
    // Two pixels per 256-bit vector (one per 128-bit half): the shuffles this needs run on
    // more ports than 512-bit ones, and the arithmetic count halves against 128-bit blocks.
    const hn::Full256<float> d8;
    // Lane permutes giving pixel pair q of eight its weights: lanes 0-3 ← 2q, 4-7 ← 2q+1.
    HWY_ALIGN static constexpr int32_t kPairLanes[4][8] = {{0, 0, 0, 0, 1, 1, 1, 1},
                                                           {2, 2, 2, 2, 3, 3, 3, 3},
                                                           {4, 4, 4, 4, 5, 5, 5, 5},
                                                           {6, 6, 6, 6, 7, 7, 7, 7}};
    const auto pair0 = hn::SetTableIndices(d8, kPairLanes[0]);
    const auto pair1 = hn::SetTableIndices(d8, kPairLanes[1]);
    const auto pair2 = hn::SetTableIndices(d8, kPairLanes[2]);
    const auto pair3 = hn::SetTableIndices(d8, kPairLanes[3]);
    for (size_t j8 = 0; j8 < n; j8 += 8) {
      const auto wmax8 = hn::Load(d8, S4.w_max + j8);
      const auto wmid8 = hn::Load(d8, S4.w_mid + j8);
      const auto wmin8 = hn::Load(d8, S4.w_min + j8);
      auto pair = [&](size_t j, const auto& lanes) {
        const float *a0, *a1, *a2, *b0, *b1, *b2;
        vertex_offsets(j, a0, a1, a2);
        vertex_offsets(j + 1, b0, b1, b2);
        const auto c0 = hn::Combine(d8, hn::LoadU(d4, b0), hn::LoadU(d4, a0));
        const auto c1 = hn::Combine(d8, hn::LoadU(d4, b1), hn::LoadU(d4, a1));
        const auto c2 = hn::Combine(d8, hn::LoadU(d4, b2), hn::LoadU(d4, a2));
        const auto c3 = hn::Combine(d8, hn::LoadU(d4, T4_111 + S4.idx0[j + 1]),
                                    hn::LoadU(d4, T4_111 + S4.idx0[j]));
        auto out = hn::MulAdd(hn::TableLookupLanes(wmax8, lanes), hn::Sub(c1, c0), c0);
        out = hn::MulAdd(hn::TableLookupLanes(wmid8, lanes), hn::Sub(c2, c1), out);
        out = hn::MulAdd(hn::TableLookupLanes(wmin8, lanes), hn::Sub(c3, c2), out);
        hn::Store(out, d8, S4.rgbx + 4 * j);
      };
      pair(j8, pair0);
      pair(j8 + 2, pair1);
      pair(j8 + 4, pair2);
      pair(j8 + 6, pair3);
    }
#else
    for (size_t j = 0; j < n; ++j) {
      const float *a0, *a1, *a2;
      vertex_offsets(j, a0, a1, a2);
      const auto c0 = hn::LoadU(d4, a0);
      const auto c1 = hn::LoadU(d4, a1);
      const auto c2 = hn::LoadU(d4, a2);
      const auto c3 = hn::LoadU(d4, a0 + d111);
      auto out = hn::MulAdd(hn::Set(d4, S4.w_max[j]), hn::Sub(c1, c0), c0);
      out = hn::MulAdd(hn::Set(d4, S4.w_mid[j]), hn::Sub(c2, c1), out);
      out = hn::MulAdd(hn::Set(d4, S4.w_min[j]), hn::Sub(c3, c2), out);
      hn::Store(out, d4, S4.rgbx + 4 * j);
    }
#endif
  }
  if constexpr (kHas3D) {
    for (size_t i = 0; i < n; i += N) {
      VF o0, o1, o2, o3;
      hn::LoadInterleaved4(df, S4.rgbx + 4 * i, o0, o1, o2, o3);
      if (prefetch)
        for (int c = 0; c < 3; ++c) PrefetchWrite(p[c] + i + kChunk, N * sizeof(float));
      hn::StoreU(o0, df, p[0] + i);
      hn::StoreU(o1, df, p[1] + i);
      hn::StoreU(o2, df, p[2] + i);
    }
  }
#endif
}

// n: a multiple of the lane count, at most kChunk.
void Transform(const PreparedLut& L, const float* const* in, float* const* out, size_t n,
               bool prefetch = false) {
  const bool tetra = L.interp == Interp::Tetrahedral;
  const bool has3d = L.size3 > 0;
  auto run = [&](auto s1) {
    constexpr Stage1 k = decltype(s1)::value;
    if (!has3d) return TransformChunk<k, false, true>(L, in, out, n, prefetch);
    if (tetra) return TransformChunk<k, true, true>(L, in, out, n, prefetch);
    return TransformChunk<k, true, false>(L, in, out, n, prefetch);
  };
  if (L.code_count > 0)
    run(std::integral_constant<Stage1, Stage1::CodeTable>{});
  else if (L.size1 > 0)
    run(std::integral_constant<Stage1, Stage1::Shaper>{});
  else
    run(std::integral_constant<Stage1, Stage1::None>{});
}

// In place on the buffers (padded to the lane count).
void Transform(const PreparedLut& L, Buffers& B, size_t n) {
  float* const rgb[3] = {B.c[0], B.c[1], B.c[2]};
  Transform(L, rgb, rgb, n);
}

size_t LaneCount() { return hn::Lanes(DF()); }

// Float planes in, float planes out (the region renderer's blend chunks): no staging and no
// buffers to clear. n: a multiple of the lane count; in and out hold that many samples.
void TransformPlanes(const PreparedLut& L, const float* const* in, float* const* out, size_t n) {
  for (size_t i = 0; i < n; i += kChunk) {
    const size_t m = std::min(kChunk, n - i);
    const float* ip[3] = {in[0] + i, in[1] + i, in[2] + i};
    float* op[3] = {out[0] + i, out[1] + i, out[2] + i};
    Transform(L, ip, op, m);
  }
}

// ---- Pixel formats ------------------------------------------------------------------------

template <typename T>
using DT = hn::Rebind<T, DF>;

template <typename T>
HWY_INLINE T LoadScalar(const std::uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

template <typename T>
HWY_INLINE void StoreScalar(std::uint8_t* p, T v) {
  std::memcpy(p, &v, sizeof(T));
}

template <typename T>
HWY_INLINE VF ToFloat(hn::Vec<DT<T>> v) {
  if constexpr (std::is_same_v<T, float>) {
    return v;
  } else {
    return hn::ConvertTo(DF(), hn::PromoteTo(DI(), v));
  }
}

// Float → T: integer types scale by `scale`, clamp to [0, max] and round to nearest (ties to
// even); float passes through.
template <typename T>
HWY_INLINE hn::Vec<DT<T>> FromFloat(VF v, VF scale, VF max) {
  if constexpr (std::is_same_v<T, float>) {
    (void)scale, (void)max;
    return v;
  } else {
    const DF df;
    v = hn::Min(hn::Max(hn::Mul(v, scale), hn::Zero(df)), max);  // x86: NaN → 0
    return hn::DemoteTo(DT<T>(), NearestInRange(v));
  }
}

template <typename T>
HWY_INLINE T FromFloatScalar(float v, float scale, float max) {
  if constexpr (std::is_same_v<T, float>) {
    (void)scale, (void)max;
    return v;
  } else {
    v = std::min(std::max(v * scale, 0.f), max);
    return T(std::nearbyint(v));  // default rounding mode: ties to even, as NearestInt
  }
}

template <typename T, int C>
void UnpackPacked(const std::uint8_t* src, size_t n, Buffers& B) {
  const DT<T> dt;
  const DF df;
  const size_t N = hn::Lanes(df);
  const T* s = reinterpret_cast<const T*>(src);
  size_t i = 0;
#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL
  if constexpr (std::is_same_v<T, std::uint8_t> && C == 3) {
    // rgb24, the reverse of PackPacked: 48 bytes (masked load: nothing read past them), each
    // 12-byte group of 4 pixels moved to its own 128-bit block, each pixel widened to one
    // 32-bit lane (R | G << 8 | B << 16), the three codes masked out.
    const hn::Repartition<std::uint8_t, DF> d8;
    const hn::RebindToUnsigned<DF> du;
    HWY_ALIGN static constexpr std::uint32_t kSpread[16] = {0, 1, 2, 0, 3, 4,  5,  0,
                                                            6, 7, 8, 0, 9, 10, 11, 0};
    HWY_ALIGN static constexpr std::uint8_t kWiden[64] = {
        0, 1,   2,  128, 3, 4,   5, 128, 6,  7,   8, 128, 9, 10,  11, 128, 0, 1,   2,  128, 3, 4,
        5, 128, 6,  7,   8, 128, 9, 10,  11, 128, 0, 1,   2, 128, 3,  4,   5, 128, 6,  7,   8, 128,
        9, 10,  11, 128, 0, 1,   2, 128, 3,  4,   5, 128, 6, 7,   8,  128, 9, 10,  11, 128};
    const auto spread = hn::SetTableIndices(du, kSpread);
    const auto widen = hn::Load(d8, kWiden);
    const auto first48 = hn::FirstN(d8, 48);
    const auto low8 = hn::Set(du, 0xFFu);
    for (; i + N <= n; i += N) {
      PrefetchRead(s + 3 * (i + kChunk), 3 * N);
      const auto bytes = hn::MaskedLoad(first48, d8, s + 3 * i);
      const auto blocks = hn::TableLookupLanes(hn::BitCast(du, bytes), spread);
      const auto px = hn::BitCast(du, hn::TableLookupBytesOr0(hn::BitCast(d8, blocks), widen));
      const DI di;
      hn::Store(hn::ConvertTo(df, hn::BitCast(di, hn::And(px, low8))), df, B.c[0] + i);
      hn::Store(hn::ConvertTo(df, hn::BitCast(di, hn::And(hn::ShiftRight<8>(px), low8))), df,
                B.c[1] + i);
      hn::Store(hn::ConvertTo(df, hn::BitCast(di, hn::ShiftRight<16>(px))), df, B.c[2] + i);
    }
  }
#endif
  for (; i + N <= n; i += N) {
    PrefetchRead(s + C * (i + kChunk), C * N * sizeof(T));
    hn::Vec<DT<T>> v0, v1, v2, v3;
    if constexpr (C == 3) {
      hn::LoadInterleaved3(dt, s + 3 * i, v0, v1, v2);
    } else {
      hn::LoadInterleaved4(dt, s + 4 * i, v0, v1, v2, v3);
      hn::Store(ToFloat<T>(v3), df, B.c[3] + i);
    }
    hn::Store(ToFloat<T>(v0), df, B.c[0] + i);
    hn::Store(ToFloat<T>(v1), df, B.c[1] + i);
    hn::Store(ToFloat<T>(v2), df, B.c[2] + i);
  }
  for (; i < n; ++i)
    for (int c = 0; c < C; ++c) B.c[c][i] = float(LoadScalar<T>(src + (C * i + c) * sizeof(T)));
}

template <typename T, int C>
void PackPacked(const Buffers& B, size_t n, float max_code, std::uint8_t* dst) {
  const DT<T> dt;
  const DF df;
  const size_t N = hn::Lanes(df);
  const VF scale = hn::Set(df, max_code), one = hn::Set(df, 1.f), max = hn::Set(df, max_code);
  T* d = reinterpret_cast<T*>(dst);
  size_t i = 0;
#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL
  if constexpr (std::is_same_v<T, std::uint8_t> && C == 3) {
    // rgb24: the three codes of a pixel packed into one 32-bit lane (R | G << 8 | B << 16),
    // the zero byte of every lane squeezed out within each 128-bit block (12 bytes per block),
    // the blocks' first three lanes gathered into the low 48 bytes, one masked store.
    const hn::Repartition<std::uint8_t, DF> d8;
    const hn::RebindToUnsigned<DF> du;
    HWY_ALIGN static constexpr std::uint8_t kSqueeze[64] = {
        0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, 128, 128, 128, 128,
        0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, 128, 128, 128, 128,
        0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, 128, 128, 128, 128,
        0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, 128, 128, 128, 128};
    HWY_ALIGN static constexpr std::uint32_t kGather[16] = {0,  1,  2,  4,  5, 6, 8,  9,
                                                            10, 12, 13, 14, 3, 7, 11, 15};
    const auto squeeze = hn::Load(d8, kSqueeze);
    const auto gather = hn::SetTableIndices(du, kGather);
    const auto first48 = hn::FirstN(d8, 48);
    const VF zero = hn::Zero(df);
    auto code = [&](int c) {
      const VF v = hn::Min(hn::Max(hn::Mul(hn::Load(df, B.c[c] + i), scale), zero), max);
      return hn::BitCast(du, NearestInRange(v));
    };
    for (; i + N <= n; i += N) {
      PrefetchWrite(d + 3 * (i + kChunk), 3 * N);
      const auto rgb =
          hn::Or(code(0), hn::Or(hn::ShiftLeft<8>(code(1)), hn::ShiftLeft<16>(code(2))));
      const auto packed = hn::TableLookupBytesOr0(hn::BitCast(d8, rgb), squeeze);
      const auto out = hn::TableLookupLanes(hn::BitCast(du, packed), gather);
      hn::BlendedStore(hn::BitCast(d8, out), first48, d8, d + 3 * i);
    }
  }
#endif
  for (; i + N <= n; i += N) {
    PrefetchWrite(d + C * (i + kChunk), C * N * sizeof(T));
    const auto o0 = FromFloat<T>(hn::Load(df, B.c[0] + i), scale, max);
    const auto o1 = FromFloat<T>(hn::Load(df, B.c[1] + i), scale, max);
    const auto o2 = FromFloat<T>(hn::Load(df, B.c[2] + i), scale, max);
    if constexpr (C == 3) {
      hn::StoreInterleaved3(o0, o1, o2, dt, d + 3 * i);
    } else {
      const auto o3 = FromFloat<T>(hn::Load(df, B.c[3] + i), one, max);  // raw alpha
      hn::StoreInterleaved4(o0, o1, o2, o3, dt, d + 4 * i);
    }
  }
  for (; i < n; ++i) {
    for (int c = 0; c < 3; ++c)
      StoreScalar<T>(dst + (C * i + c) * sizeof(T),
                     FromFloatScalar<T>(B.c[c][i], max_code, max_code));
    if constexpr (C == 4)
      StoreScalar<T>(dst + (4 * i + 3) * sizeof(T), FromFloatScalar<T>(B.c[3][i], 1.f, max_code));
  }
}

template <typename T>
void UnpackPlane(const std::uint8_t* src, size_t n, float* out) {
  const DT<T> dt;
  const DF df;
  const size_t N = hn::Lanes(df);
  const T* s = reinterpret_cast<const T*>(src);
  size_t i = 0;
  for (; i + N <= n; i += N) {
    PrefetchRead(s + i + kChunk, N * sizeof(T));
    hn::Store(ToFloat<T>(hn::LoadU(dt, s + i)), df, out + i);
  }
  for (; i < n; ++i) out[i] = float(LoadScalar<T>(src + i * sizeof(T)));
}

template <typename T>
void PackPlane(const float* in, size_t n, float max_code, std::uint8_t* dst) {
  const DT<T> dt;
  const DF df;
  const size_t N = hn::Lanes(df);
  const VF scale = hn::Set(df, max_code);
  T* d = reinterpret_cast<T*>(dst);
  size_t i = 0;
  for (; i + N <= n; i += N) {
    PrefetchWrite(d + i + kChunk, N * sizeof(T));
    hn::StoreU(FromFloat<T>(hn::Load(df, in + i), scale, scale), dt, d + i);
  }
  for (; i < n; ++i)
    StoreScalar<T>(dst + i * sizeof(T), FromFloatScalar<T>(in[i], max_code, max_code));
}

template <typename T>
void RenderRowsT(const PreparedLut& L, const RowJob& job) {
  const PixelFormat& f = job.format;
  const float max_code = sample_max(f.type);
  const size_t N = hn::Lanes(DF());
  const bool planar = f.layout == Layout::Planar;
  const size_t px = planar ? sizeof(T) : sizeof(T) * f.channels;
  Buffers B;
  for (int y = job.y0; y < job.y1; ++y) {
    const std::uint8_t* src[4];
    std::uint8_t* dst[4];
    const int planes = planar ? f.channels : 1;
    for (int p = 0; p < planes; ++p) {
      src[p] = job.src[p] + std::ptrdiff_t(y) * job.src_stride[p];
      dst[p] = job.dst[p] + std::ptrdiff_t(y) * job.dst_stride[p];
    }
    for (size_t x0 = 0; x0 < size_t(job.width); x0 += kChunk) {
      const size_t n = std::min(kChunk, size_t(job.width) - x0);
      const size_t off = x0 * px;
      if constexpr (std::is_same_v<T, float>) {
        if (planar && n % N == 0) {
          // Planar float needs no conversion: the kernel reads the source planes and writes
          // the destination planes directly (no staging copies through the buffers).
          const float* in[3];
          float* out[3];
          for (int c = 0; c < 3; ++c) {
            in[c] = reinterpret_cast<const float*>(src[c] + off);
            out[c] = reinterpret_cast<float*>(dst[c] + off);
          }
          Transform(L, in, out, n, /*prefetch=*/true);
          continue;
        }
      }
      if (planar) {
        for (int c = 0; c < 3; ++c) UnpackPlane<T>(src[c] + off, n, B.c[c]);
      } else if (f.channels == 3) {
        UnpackPacked<T, 3>(src[0] + off, n, B);
      } else {
        UnpackPacked<T, 4>(src[0] + off, n, B);
      }
      Transform(L, B, (n + N - 1) / N * N);
      if (planar) {
        for (int c = 0; c < 3; ++c) PackPlane<T>(B.c[c], n, max_code, dst[c] + off);
      } else if (f.channels == 3) {
        PackPacked<T, 3>(B, n, max_code, dst[0] + off);
      } else {
        PackPacked<T, 4>(B, n, max_code, dst[0] + off);
      }
    }
    if (planar && f.channels == 4 && src[3] != dst[3])
      std::memmove(dst[3], src[3], size_t(job.width) * sizeof(T));
  }
}

void RenderRows(const PreparedLut& L, const RowJob& job) {
  switch (job.format.type) {
    case SampleType::U8:
      return RenderRowsT<std::uint8_t>(L, job);
    case SampleType::U10:
    case SampleType::U12:
    case SampleType::U16:
      return RenderRowsT<std::uint16_t>(L, job);
    case SampleType::F32:
      return RenderRowsT<float>(L, job);
  }
}

// ---- Fused Y'CbCr ---------------------------------------------------------------------------

// ITU-R BT.709-6 item 3.2/3.3: Kr = 0.2126, Kb = 0.0722, E'cb = (E'b - E'y)/1.8556,
// E'cr = (E'r - E'y)/1.5748; limited-range quantisation (item 4.6): Y' = 219 E'y + 16,
// C = 224 E'c + 128, times 2^(n-8) at n bits.
constexpr double kKr = 0.2126, kKb = 0.0722, kKg = 1.0 - kKr - kKb;
constexpr double kCbDen = 2.0 * (1.0 - kKb), kCrDen = 2.0 * (1.0 - kKr);

template <typename T>
void RenderYuvRowsT(const PreparedLut& L, const YuvJob& job) {
  const YuvFormat& f = job.format;
  const int sw = f.log2_chroma_w, sh = f.log2_chroma_h;
  const float q = float(1 << (f.bit_depth - 8));  // code scale relative to 8 bits
  const float max_code = float((1 << f.bit_depth) - 1);
  const float y_mul = 1.f / (219.f * q), y_add = -16.f / 219.f;
  const float c_mul = 1.f / (224.f * q), c_add = -128.f / 224.f;
  const float r_cr = float(kCrDen), b_cb = float(kCbDen);
  const float g_cb = float(-kKb * kCbDen / kKg), g_cr = float(-kKr * kCrDen / kKg);
  const float kr = float(kKr), kg = float(kKg), kb = float(kKb);
  const float inv_cb = float(1.0 / kCbDen), inv_cr = float(1.0 / kCrDen);
  const size_t N = hn::Lanes(DF());

  const int cw = (job.width + (1 << sw) - 1) >> sw;
  const int cchunk = int(kChunk) >> (sw + sh);  // chroma samples per chunk
  const int pitch = cchunk << sw;               // buffer row pitch (luma samples)
  const DF df;
  const DT<T> dt;
  const VF v_y_mul = hn::Set(df, y_mul), v_y_add = hn::Set(df, y_add);
  const VF v_r_cr = hn::Set(df, r_cr), v_g_cb = hn::Set(df, g_cb), v_g_cr = hn::Set(df, g_cr);
  const VF v_b_cb = hn::Set(df, b_cb);
  const VF v_kr = hn::Set(df, kr), v_kg = hn::Set(df, kg), v_kb = hn::Set(df, kb);
  const VF v_y_scale = hn::Set(df, 219.f * q), v_y_off = hn::Set(df, 16.f * q);
  const VF v_max = hn::Set(df, max_code);
  Buffers B;
  // Chroma (E'cb, E'cr) repeated at every luma position of the chunk; then per output luma
  // sample E'b - E'y and E'r - E'y, averaged per chroma site below.
  HWY_ALIGN float cbu[kChunk], cru[kChunk], db[kChunk], dr[kChunk];
#if HWY_TARGET != HWY_SCALAR
  const VF v_c_mul = hn::Set(df, c_mul), v_c_add = hn::Set(df, c_add);
  // Lane permutes that repeat each of the lower / upper half's lanes twice (4:2:x upsampling).
  HWY_ALIGN int32_t dup_lo_i[hn::MaxLanes(df)], dup_hi_i[hn::MaxLanes(df)];
  for (size_t l = 0; l < N; ++l) dup_lo_i[l] = int32_t(l / 2), dup_hi_i[l] = int32_t(N / 2 + l / 2);
  const auto dup_lo = hn::SetTableIndices(df, dup_lo_i);
  const auto dup_hi = hn::SetTableIndices(df, dup_hi_i);
#endif
  for (int cy = job.cy0; cy < job.cy1; ++cy) {
    const int ly0 = cy << sh;
    const int rows = std::min(1 << sh, job.height - ly0);
    const std::uint8_t* csrc[2] = {job.src[1] + std::ptrdiff_t(cy) * job.src_stride[1],
                                   job.src[2] + std::ptrdiff_t(cy) * job.src_stride[2]};
    std::uint8_t* cdst[2] = {job.dst[1] + std::ptrdiff_t(cy) * job.dst_stride[1],
                             job.dst[2] + std::ptrdiff_t(cy) * job.dst_stride[2]};
    for (int cx0 = 0; cx0 < cw; cx0 += cchunk) {
      const int ncx = std::min(cchunk, cw - cx0);
      const int lx0 = cx0 << sw;
      const int nlx = std::min(ncx << sw, job.width - lx0);
      int k0 = 0;  // first luma position the scalar loop fills
#if HWY_TARGET != HWY_SCALAR
      // Whole vectors of chroma samples, converted and (4:2:x) each repeated for two luma
      // columns with lane permutes.
      const int ncx_vec = ncx / int(N) * int(N);
      for (int kc = 0; kc < ncx_vec; kc += int(N)) {
        for (int pl = 0; pl < 2; ++pl) {
          const T* cs = reinterpret_cast<const T*>(csrc[pl]) + cx0 + kc;
          const VF c = hn::MulAdd(ToFloat<T>(hn::LoadU(dt, cs)), v_c_mul, v_c_add);
          float* up = pl == 0 ? cbu : cru;
          if (sw == 1) {
            hn::Store(hn::TableLookupLanes(c, dup_lo), df, up + 2 * kc);
            hn::Store(hn::TableLookupLanes(c, dup_hi), df, up + 2 * kc + N);
          } else {
            hn::Store(c, df, up + kc);
          }
        }
      }
      k0 = std::min(ncx_vec << sw, nlx);
#endif
      for (int k = k0; k < nlx; ++k) {
        const size_t ck = size_t(cx0 + (k >> sw)) * sizeof(T);
        cbu[k] = float(LoadScalar<T>(csrc[0] + ck)) * c_mul + c_add;
        cru[k] = float(LoadScalar<T>(csrc[1] + ck)) * c_mul + c_add;
      }
      const int nvec = nlx / int(N) * int(N);  // whole vectors inside the row
      for (int j = 0; j < rows; ++j) {
        const std::uint8_t* ys =
            job.src[0] + std::ptrdiff_t(ly0 + j) * job.src_stride[0] + size_t(lx0) * sizeof(T);
        float* R = B.c[0] + j * pitch;
        float* G = B.c[1] + j * pitch;
        float* Bl = B.c[2] + j * pitch;
        int k = 0;
        for (; k < nvec; k += int(N)) {
          const VF yv = hn::MulAdd(ToFloat<T>(hn::LoadU(dt, reinterpret_cast<const T*>(ys) + k)),
                                   v_y_mul, v_y_add);
          const VF u = hn::Load(df, cbu + k), v = hn::Load(df, cru + k);
          hn::Store(hn::MulAdd(v_r_cr, v, yv), df, R + k);
          hn::Store(hn::MulAdd(v_g_cb, u, hn::MulAdd(v_g_cr, v, yv)), df, G + k);
          hn::Store(hn::MulAdd(v_b_cb, u, yv), df, Bl + k);
        }
        for (; k < nlx; ++k) {
          const float yv = float(LoadScalar<T>(ys + k * sizeof(T))) * y_mul + y_add;
          const float u = cbu[k], v = cru[k];
          R[k] = yv + r_cr * v;
          G[k] = yv + g_cb * u + g_cr * v;
          Bl[k] = yv + b_cb * u;
        }
      }
      Transform(L, B, (size_t(rows * pitch) + N - 1) / N * N);
      for (int j = 0; j < rows; ++j) {
        std::uint8_t* yd =
            job.dst[0] + std::ptrdiff_t(ly0 + j) * job.dst_stride[0] + size_t(lx0) * sizeof(T);
        const float* R = B.c[0] + j * pitch;
        const float* G = B.c[1] + j * pitch;
        const float* Bl = B.c[2] + j * pitch;
        float* dbj = db + j * pitch;
        float* drj = dr + j * pitch;
        int k = 0;
        for (; k < nvec; k += int(N)) {
          const VF r = hn::Load(df, R + k), g = hn::Load(df, G + k), b = hn::Load(df, Bl + k);
          const VF yv = hn::MulAdd(v_kr, r, hn::MulAdd(v_kg, g, hn::Mul(v_kb, b)));
          const VF code = hn::Min(hn::Max(hn::MulAdd(yv, v_y_scale, v_y_off), hn::Zero(df)), v_max);
          hn::StoreU(hn::DemoteTo(dt, hn::NearestInt(code)), dt, reinterpret_cast<T*>(yd) + k);
          hn::Store(hn::Sub(b, yv), df, dbj + k);
          hn::Store(hn::Sub(r, yv), df, drj + k);
        }
        for (; k < nlx; ++k) {
          const float yv = kr * R[k] + kg * G[k] + kb * Bl[k];
          const float code = std::min(std::max((219.f * yv + 16.f) * q, 0.f), max_code);
          StoreScalar<T>(yd + k * sizeof(T), T(std::nearbyint(code)));
          dbj[k] = Bl[k] - yv;
          drj[k] = R[k] - yv;
        }
      }
      // Each chroma site: the mean over the luma samples it covers (inside the picture).
      int kc0 = 0;  // first chroma site the scalar loop handles
#if HWY_TARGET != HWY_SCALAR
      {
        // Whole vectors of sites whose luma columns all lie inside the picture: add the rows,
        // then (4:2:x) the even and odd columns.
        const int full_sites = nlx >> sw;
        const int nvec_c = full_sites / int(N) * int(N);
        const VF scale_b = hn::Set(df, inv_cb / float(rows << sw));
        const VF scale_r = hn::Set(df, inv_cr / float(rows << sw));
        const VF c_scale = hn::Set(df, 224.f * q), c_off = hn::Set(df, 128.f * q);
        for (int kc = 0; kc < nvec_c; kc += int(N)) {
          VF sb = hn::Zero(df), sr = hn::Zero(df);
          for (int j = 0; j < rows; ++j) {
            const float* bj = db + j * pitch + (kc << sw);
            const float* rj = dr + j * pitch + (kc << sw);
            if (sw == 1) {
              const VF b_lo = hn::Load(df, bj), b_hi = hn::Load(df, bj + N);
              const VF r_lo = hn::Load(df, rj), r_hi = hn::Load(df, rj + N);
              sb = hn::Add(sb,
                           hn::Add(hn::ConcatEven(df, b_hi, b_lo), hn::ConcatOdd(df, b_hi, b_lo)));
              sr = hn::Add(sr,
                           hn::Add(hn::ConcatEven(df, r_hi, r_lo), hn::ConcatOdd(df, r_hi, r_lo)));
            } else {
              sb = hn::Add(sb, hn::Load(df, bj));
              sr = hn::Add(sr, hn::Load(df, rj));
            }
          }
          const VF cu = hn::Min(
              hn::Max(hn::MulAdd(hn::Mul(sb, scale_b), c_scale, c_off), hn::Zero(df)), v_max);
          const VF cv = hn::Min(
              hn::Max(hn::MulAdd(hn::Mul(sr, scale_r), c_scale, c_off), hn::Zero(df)), v_max);
          hn::StoreU(hn::DemoteTo(dt, hn::NearestInt(cu)), dt,
                     reinterpret_cast<T*>(cdst[0]) + cx0 + kc);
          hn::StoreU(hn::DemoteTo(dt, hn::NearestInt(cv)), dt,
                     reinterpret_cast<T*>(cdst[1]) + cx0 + kc);
        }
        kc0 = nvec_c;
      }
#endif
      for (int k = kc0; k < ncx; ++k) {
        float sb = 0.f, sr = 0.f;
        int count = 0;
        for (int j = 0; j < rows; ++j)
          for (int i = k << sw; i < std::min((k + 1) << sw, nlx); ++i) {
            sb += db[j * pitch + i];
            sr += dr[j * pitch + i];
            ++count;
          }
        const float inv_n = 1.f / float(count);
        const float u = sb * inv_n * inv_cb, v = sr * inv_n * inv_cr;
        const float cu = std::min(std::max((224.f * u + 128.f) * q, 0.f), max_code);
        const float cv = std::min(std::max((224.f * v + 128.f) * q, 0.f), max_code);
        StoreScalar<T>(cdst[0] + (cx0 + k) * sizeof(T), T(std::nearbyint(cu)));
        StoreScalar<T>(cdst[1] + (cx0 + k) * sizeof(T), T(std::nearbyint(cv)));
      }
    }
  }
}

void RenderYuvRows(const PreparedLut& L, const YuvJob& job) {
  if (job.format.bit_depth == 8)
    RenderYuvRowsT<std::uint8_t>(L, job);
  else
    RenderYuvRowsT<std::uint16_t>(L, job);
}

const char* TargetName() { return hwy::TargetName(HWY_TARGET); }

}  // namespace HWY_NAMESPACE
}  // namespace autograde::engine_detail
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace autograde::engine_detail {

HWY_EXPORT(RenderRows);
HWY_EXPORT(RenderYuvRows);
HWY_EXPORT(TargetName);
HWY_EXPORT(TransformPlanes);
HWY_EXPORT(LaneCount);

void render_rows(const PreparedLut& lut, const RowJob& job) {
  HWY_DYNAMIC_DISPATCH(RenderRows)(lut, job);
}

void render_yuv_rows(const PreparedLut& lut, const YuvJob& job) {
  HWY_DYNAMIC_DISPATCH(RenderYuvRows)(lut, job);
}

const char* simd_target_name() { return HWY_DYNAMIC_DISPATCH(TargetName)(); }

void transform_planes(const PreparedLut& lut, const float* const* in, float* const* out, size_t n) {
  HWY_DYNAMIC_DISPATCH(TransformPlanes)(lut, in, out, n);
}

size_t transform_lanes() { return HWY_DYNAMIC_DISPATCH(LaneCount)(); }

}  // namespace autograde::engine_detail
#endif

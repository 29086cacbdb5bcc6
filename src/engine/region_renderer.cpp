// The region renderer: per row segment, the input once into float planes, the base LUT and
// every region LUT a mask reaches through the single-LUT kernels (kernels.hpp, the code
// LutRenderer runs), each region blended by its upsampled mask, the result packed back with
// LutRenderer's rounding. The format conversion, mask upsampling and blend below are compiled
// once per Highway target (as lut_kernels.cpp) and picked at run time.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "region_renderer.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <type_traits>

#include "autograde/engine/pixel_format.hpp"

HWY_BEFORE_NAMESPACE();
namespace autograde::region_simd {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

using DF = hn::ScalableTag<float>;
using DI = hn::RebindToSigned<DF>;
using VF = hn::Vec<DF>;
template <typename T>
using DT = hn::Rebind<T, DF>;

template <typename T>
HWY_INLINE T LoadScalar(const std::uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

template <typename T>
HWY_INLINE VF ToFloat(hn::Vec<DT<T>> v) {
  if constexpr (std::is_same_v<T, float>) {
    return v;
  } else {
    return hn::ConvertTo(DF(), hn::PromoteTo(DI(), v));
  }
}

// LutRenderer's write-back: integer codes are v·max clamped to [0, max] (x86 MAXPS: NaN → 0)
// and rounded to nearest, ties to even; float passes through.
template <typename T>
HWY_INLINE hn::Vec<DT<T>> FromFloat(VF v, VF max) {
  if constexpr (std::is_same_v<T, float>) {
    (void)max;
    return v;
  } else {
    const DF df;
    v = hn::Min(hn::Max(hn::Mul(v, max), hn::Zero(df)), max);
    return hn::DemoteTo(DT<T>(), hn::NearestInt(v));
  }
}

template <typename T>
HWY_INLINE T FromFloatScalar(float v, float max) {
  if constexpr (std::is_same_v<T, float>) {
    (void)max;
    return v;
  } else {
    v *= max;
    v = v > 0.f ? v : 0.f;
    v = v < max ? v : max;
    return T(std::nearbyint(v));  // default rounding mode: ties to even, as NearestInt
  }
}

// Raw samples (integer codes as floats) of n pixels into three planes (and raw alpha).
template <typename T>
void UnpackT(const PixelFormat& f, const std::uint8_t* const* src, size_t n, float* const* in,
             float* alpha) {
  const DF df;
  const DT<T> dt;
  const size_t N = hn::Lanes(df);
  size_t i = 0;
  if (f.layout == Layout::Planar) {
    for (int c = 0; c < 3; ++c) {
      const T* s = reinterpret_cast<const T*>(src[c]);
      for (i = 0; i + N <= n; i += N) hn::StoreU(ToFloat<T>(hn::LoadU(dt, s + i)), df, in[c] + i);
      for (; i < n; ++i) in[c][i] = float(LoadScalar<T>(src[c] + i * sizeof(T)));
    }
    return;
  }
  const T* s = reinterpret_cast<const T*>(src[0]);
  if (f.channels == 3) {
    for (; i + N <= n; i += N) {
      hn::Vec<DT<T>> v0, v1, v2;
      hn::LoadInterleaved3(dt, s + 3 * i, v0, v1, v2);
      hn::StoreU(ToFloat<T>(v0), df, in[0] + i);
      hn::StoreU(ToFloat<T>(v1), df, in[1] + i);
      hn::StoreU(ToFloat<T>(v2), df, in[2] + i);
    }
  } else {
    for (; i + N <= n; i += N) {
      hn::Vec<DT<T>> v0, v1, v2, v3;
      hn::LoadInterleaved4(dt, s + 4 * i, v0, v1, v2, v3);
      hn::StoreU(ToFloat<T>(v0), df, in[0] + i);
      hn::StoreU(ToFloat<T>(v1), df, in[1] + i);
      hn::StoreU(ToFloat<T>(v2), df, in[2] + i);
      hn::StoreU(ToFloat<T>(v3), df, alpha + i);
    }
  }
  const size_t C = size_t(f.channels);
  for (; i < n; ++i) {
    for (size_t c = 0; c < 3; ++c)
      in[c][i] = float(LoadScalar<T>(src[0] + (C * i + c) * sizeof(T)));
    if (C == 4) alpha[i] = float(LoadScalar<T>(src[0] + (4 * i + 3) * sizeof(T)));
  }
}

template <typename T>
void PackT(const PixelFormat& f, const float* const* out, const float* alpha, size_t n,
           std::uint8_t* const* dst) {
  const DF df;
  const DT<T> dt;
  const size_t N = hn::Lanes(df);
  const float max = sample_max(f.type);
  const VF vmax = hn::Set(df, max);
  size_t i = 0;
  if (f.layout == Layout::Planar) {
    for (int c = 0; c < 3; ++c) {
      T* d = reinterpret_cast<T*>(dst[c]);
      for (i = 0; i + N <= n; i += N)
        hn::StoreU(FromFloat<T>(hn::LoadU(df, out[c] + i), vmax), dt, d + i);
      for (; i < n; ++i) {
        const T v = FromFloatScalar<T>(out[c][i], max);
        std::memcpy(dst[c] + i * sizeof(T), &v, sizeof(T));
      }
    }
    return;
  }
  T* d = reinterpret_cast<T*>(dst[0]);
  if (f.channels == 3) {
    for (; i + N <= n; i += N)
      hn::StoreInterleaved3(FromFloat<T>(hn::LoadU(df, out[0] + i), vmax),
                            FromFloat<T>(hn::LoadU(df, out[1] + i), vmax),
                            FromFloat<T>(hn::LoadU(df, out[2] + i), vmax), dt, d + 3 * i);
  } else {
    // Alpha holds the raw samples read above: converted back exactly (scale 1, no clamp
    // needed: they came from T).
    for (; i + N <= n; i += N) {
      hn::Vec<DT<T>> a;
      if constexpr (std::is_same_v<T, float>)
        a = hn::LoadU(df, alpha + i);
      else
        a = hn::DemoteTo(dt, hn::NearestInt(hn::LoadU(df, alpha + i)));
      hn::StoreInterleaved4(FromFloat<T>(hn::LoadU(df, out[0] + i), vmax),
                            FromFloat<T>(hn::LoadU(df, out[1] + i), vmax),
                            FromFloat<T>(hn::LoadU(df, out[2] + i), vmax), a, dt, d + 4 * i);
    }
  }
  const size_t C = size_t(f.channels);
  for (; i < n; ++i) {
    for (size_t c = 0; c < 3; ++c) {
      const T v = FromFloatScalar<T>(out[c][i], max);
      std::memcpy(dst[0] + (C * i + c) * sizeof(T), &v, sizeof(T));
    }
    if (C == 4) {
      const T a = T(alpha[i]);
      std::memcpy(dst[0] + (4 * i + 3) * sizeof(T), &a, sizeof(T));
    }
  }
}

void Unpack(const PixelFormat& f, const std::uint8_t* const* src, size_t n, float* const* in,
            float* alpha) {
  switch (f.type) {
    case SampleType::U8:
      return UnpackT<std::uint8_t>(f, src, n, in, alpha);
    case SampleType::U10:
    case SampleType::U12:
    case SampleType::U16:
      return UnpackT<std::uint16_t>(f, src, n, in, alpha);
    case SampleType::F32:
      return UnpackT<float>(f, src, n, in, alpha);
  }
}

void Pack(const PixelFormat& f, const float* const* out, const float* alpha, size_t n,
          std::uint8_t* const* dst) {
  switch (f.type) {
    case SampleType::U8:
      return PackT<std::uint8_t>(f, out, alpha, n, dst);
    case SampleType::U10:
    case SampleType::U12:
    case SampleType::U16:
      return PackT<std::uint16_t>(f, out, alpha, n, dst);
    case SampleType::F32:
      return PackT<float>(f, out, alpha, n, dst);
  }
}

// Horizontal mask upsampling of one (vertically interpolated) mask row: w[i] = row[i0] +
// fx·(row[i1] − row[i0]). Returns the largest weight.
float Weights(const float* row, const std::int32_t* i0, const std::int32_t* i1, const float* fx,
              size_t n, float* w) {
  const DF df;
  const DI di;
  const size_t N = hn::Lanes(df);
  VF vmax = hn::Zero(df);
  size_t i = 0;
  for (; i + N <= n; i += N) {
    const VF a = hn::GatherIndex(df, row, hn::LoadU(di, i0 + i));
    const VF b = hn::GatherIndex(df, row, hn::LoadU(di, i1 + i));
    const VF v = hn::MulAdd(hn::LoadU(df, fx + i), hn::Sub(b, a), a);
    hn::StoreU(v, df, w + i);
    vmax = hn::Max(vmax, v);
  }
  float m = hn::GetLane(hn::MaxOfLanes(df, vmax));
  for (; i < n; ++i) {
    const float a = row[i0[i]], b = row[i1[i]];
    w[i] = a + fx[i] * (b - a);
    m = std::max(m, w[i]);
  }
  return m;
}

// The weight w = wa + fy·(wb − wa) (the vertical pass of the bilinear filter) and the blend
// out·(1 − w) + L·w rather than out + w·(L − out): exact at both ends (w = 0 keeps the base bit
// for bit, w = 1 gives the region LUT's own value).
void Blend(float* const* out, const float* const* l, const float* wa, const float* wb, float fy,
           size_t n) {
  const DF df;
  const size_t N = hn::Lanes(df);
  const VF one = hn::Set(df, 1.f), vfy = hn::Set(df, fy);
  size_t i = 0;
  for (; i + N <= n; i += N) {
    const VF a = hn::LoadU(df, wa + i);
    const VF wv = hn::MulAdd(vfy, hn::Sub(hn::LoadU(df, wb + i), a), a);
    const VF keep = hn::Sub(one, wv);
    for (int c = 0; c < 3; ++c)
      hn::StoreU(hn::MulAdd(hn::LoadU(df, l[c] + i), wv, hn::Mul(hn::LoadU(df, out[c] + i), keep)),
                 df, out[c] + i);
  }
  for (; i < n; ++i) {
    const float w = std::fma(fy, wb[i] - wa[i], wa[i]);
    for (int c = 0; c < 3; ++c) out[c][i] = std::fma(l[c][i], w, out[c][i] * (1.f - w));
  }
}

}  // namespace HWY_NAMESPACE
}  // namespace autograde::region_simd
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <array>
#include <atomic>
#include <string>
#include <vector>

#include "autograde/core/error.hpp"
#include "autograde/engine/region_renderer.hpp"
#include "kernels.hpp"

namespace autograde::region_simd {
HWY_EXPORT(Unpack);
HWY_EXPORT(Pack);
HWY_EXPORT(Weights);
HWY_EXPORT(Blend);
}  // namespace autograde::region_simd

namespace autograde {

namespace engine_detail {
// Every LUT prepared for the renderer's input encoding (the same preparation LutRenderer makes,
// so the base alone renders exactly as LutRenderer does).
struct RegionLuts {
  PreparedLut base;
  std::vector<PreparedLut> regions;
};
}  // namespace engine_detail

using engine_detail::PreparedLut;
using engine_detail::RegionLuts;

namespace {

int rows_per_task(int width) { return std::max(1, 65536 / std::max(1, width)); }

// One mask prepared for one apply(): values clamped to 0..1 and multiplied by the strength
// (one multiply per mask sample instead of one per image pixel), and for every image column
// the two mask columns around its centre and the weight of the second.
struct MaskPlan {
  const ImageF* mask = nullptr;
  std::vector<float> scaled;         // mask.width × mask.height
  std::vector<std::int32_t> x0, x1;  // per image column
  std::vector<float> fx;
  bool active = false;
};

// Bilinear sampling with pixel centres aligned (as OpenCV's INTER_LINEAR and ffmpeg's
// bilinear scaler): image pixel i of n maps to mask coordinate (i + 0.5)·m/n − 0.5, clamped to
// the outermost mask centres.
void mask_coords(int n, int m, std::vector<std::int32_t>& i0, std::vector<std::int32_t>& i1,
                 std::vector<float>& f) {
  i0.resize(size_t(n));
  i1.resize(size_t(n));
  f.resize(size_t(n));
  const double scale = double(m) / double(n);
  for (int i = 0; i < n; ++i) {
    const double s = std::clamp((double(i) + 0.5) * scale - 0.5, 0.0, double(m - 1));
    const int a = std::min(int(s), std::max(m - 2, 0));
    i0[size_t(i)] = a;
    i1[size_t(i)] = std::min(a + 1, m - 1);
    f[size_t(i)] = float(s - double(a));
  }
}

// One LUT over n samples of float planes, through the single-LUT kernels' interpolation (the
// code LutRenderer runs). The kernels work in whole vectors: `in` and `out` have room for n
// rounded up to the lane count (the scratch planes do; see render_block for source planes).
void run_lut(const PreparedLut& lut, const float* const* in, float* const* out, int n,
             size_t lanes) {
  engine_detail::transform_planes(lut, in, out, (size_t(n) + lanes - 1) / lanes * lanes);
}

// Pixels per chunk of a row: a chunk's planes (input, base output, region output: 9 × 1 KB)
// stay in L1 while every LUT of the chunk runs.
constexpr int kChunk = 256;

struct MaskRow {
  int index = -1;
  std::vector<float> w;
  int first = 0, last = -1;  // non-zero columns [first, last]; empty when last < first
  // Per chunk of kChunk columns: some weight above 0; every weight exactly 1.
  std::vector<std::uint8_t> any, full;
};

// Per-thread working planes of one chunk (kept between calls: no allocation per row block).
struct Scratch {
  std::vector<float> buf;
  int cap = 0;
  float* in[3];
  float* out[3];
  float* tmp[3];
  float* alpha;
  std::vector<std::array<MaskRow, 2>> rows;  // per region: the two mask rows around the image row

  void reserve(int width, size_t regions, std::uint64_t call) {
    if (width > cap) {
      cap = width;
      buf.assign(size_t(10) * size_t(cap), 0.f);
      float* p = buf.data();
      for (int c = 0; c < 3; ++c) in[c] = p + size_t(c) * cap;
      for (int c = 0; c < 3; ++c) out[c] = p + size_t(3 + c) * cap;
      for (int c = 0; c < 3; ++c) tmp[c] = p + size_t(6 + c) * cap;
      alpha = p + size_t(9) * cap;
    }
    // Cached mask rows belong to one apply() call.
    if (rows.size() < regions) rows.resize(regions);
    if (call != apply_call) {
      for (auto& r : rows) r[0].index = r[1].index = -1;
      apply_call = call;
    }
  }
  std::uint64_t apply_call = 0;
};

void upsample_row(const MaskPlan& m, int j, int width, MaskRow& r) {
  r.index = j;
  r.w.resize(size_t(width));
  const float* src = m.scaled.data() + size_t(j) * size_t(m.mask->width);
  HWY_DYNAMIC_DISPATCH(region_simd::Weights)
  (src, m.x0.data(), m.x1.data(), m.fx.data(), size_t(width), r.w.data());
  r.first = 0;
  r.last = width - 1;
  while (r.first < width && !(r.w[size_t(r.first)] > 0.f)) ++r.first;
  while (r.last >= r.first && !(r.w[size_t(r.last)] > 0.f)) --r.last;
  const int chunks = (width + kChunk - 1) / kChunk;
  r.any.assign(size_t(chunks), 0);
  r.full.assign(size_t(chunks), 0);
  for (int c = 0; c < chunks; ++c) {
    const int x0 = c * kChunk, x1 = std::min(width, x0 + kChunk);
    bool any = false, full = true;
    for (int x = x0; x < x1; ++x) {
      const float v = r.w[size_t(x)];
      any = any || v > 0.f;
      full = full && v == 1.f;
    }
    r.any[size_t(c)] = any;
    r.full[size_t(c)] = full;
  }
}

// Makes rows[0] hold mask row a and rows[1] mask row b, reusing what the previous image row
// computed.
void mask_rows(const MaskPlan& m, int a, int b, int width, std::array<MaskRow, 2>& rows) {
  if (rows[0].index != a) {
    if (rows[1].index == a)
      std::swap(rows[0], rows[1]);
    else
      upsample_row(m, a, width, rows[0]);
  }
  if (rows[1].index != b) upsample_row(m, b, width, rows[1]);
}

// A LUT-run of the single-LUT kernels: rows [y0, y1), columns [x0, x1), in the pixels' own
// format (exactly LutRenderer's work and result).
void plain_run(const PreparedLut& lut, const PixelFormat& f, const ConstImageView& src,
               const ImageView& dst, int y0, int y1, int x0, int x1) {
  const bool planar = f.layout == Layout::Planar;
  const int planes = planar ? f.channels : 1;
  const size_t px = planar ? sample_bytes(f.type) : sample_bytes(f.type) * size_t(f.channels);
  engine_detail::RowJob job;
  job.format = f;
  job.width = x1 - x0;
  job.y0 = y0;
  job.y1 = y1;
  for (int p = 0; p < planes; ++p) {
    job.src[p] = src.planes[p] + size_t(x0) * px;
    job.dst[p] = dst.planes[p] + size_t(x0) * px;
    job.src_stride[p] = src.strides[p];
    job.dst_stride[p] = dst.strides[p];
  }
  engine_detail::render_rows(lut, job);
}

void render_block(const RegionLuts& luts, const PixelFormat& f, const ConstImageView& src,
                  const ImageView& dst, const std::vector<MaskPlan>& plans, int y0, int y1,
                  std::uint64_t call) {
  const int width = src.width, height = src.height;
  const bool planar = f.layout == Layout::Planar;
  const int planes = planar ? f.channels : 1;
  const size_t bytes = sample_bytes(f.type);
  const size_t px = planar ? bytes : bytes * size_t(f.channels);
  const bool planar_float = planar && f.type == SampleType::F32;
  const int chunks = (width + kChunk - 1) / kChunk;
  const size_t lanes = engine_detail::transform_lanes();
  thread_local Scratch s;
  const size_t K = plans.size();
  s.reserve(kChunk, K, call);
  auto lut_of = [&](int id) -> const PreparedLut& {
    return id == 0 ? luts.base : luts.regions[size_t(id - 1)];
  };
  struct Span {
    int first = 0, last = -1;
    float fy = 0.f;
    const MaskRow *a = nullptr, *b = nullptr;
  };
  std::vector<Span> span(K);
  // Per chunk: the one LUT (0 = base, k + 1 = region k) that gives it alone, or kBlend.
  constexpr int kBlend = -1;
  std::vector<int> plan(static_cast<size_t>(chunks));
  // Rows that one LUT gives entirely are rendered in runs of rows.
  int run_lut_id = -1, run_from = -1;
  auto flush_rows = [&](int y_end) {
    if (run_from >= 0) plain_run(lut_of(run_lut_id), f, src, dst, run_from, y_end, 0, width);
    run_from = -1;
  };
  for (int y = y0; y < y1; ++y) {
    // Where each region's mask reaches on this row (mask rows cached across image rows).
    for (size_t k = 0; k < K; ++k) {
      const MaskPlan& m = plans[k];
      span[k] = Span{};
      if (!m.active) continue;
      const int mh = m.mask->height;
      const double sy =
          std::clamp((double(y) + 0.5) * double(mh) / double(height) - 0.5, 0.0, double(mh - 1));
      const int a = std::min(int(sy), std::max(mh - 2, 0));
      const int b = std::min(a + 1, mh - 1);
      std::array<MaskRow, 2>& rows = s.rows[k];
      mask_rows(m, a, b, width, rows);
      Span& sp = span[k];
      sp.fy = float(sy - double(a));
      sp.a = &rows[0];
      sp.b = &rows[1];
      const bool ea = rows[0].last < rows[0].first;
      const bool eb = rows[1].last < rows[1].first || sp.fy == 0.f;
      if (ea && eb) continue;
      sp.first = ea ? rows[1].first : (eb ? rows[0].first : std::min(rows[0].first, rows[1].first));
      sp.last = ea ? rows[1].last : (eb ? rows[0].last : std::max(rows[0].last, rows[1].last));
    }
    // Per chunk: the last region whose weight is 1 over the whole chunk replaces everything
    // before it (the blend gives its LUT's value exactly); a chunk no later region reaches is
    // that one LUT's (or the base's) alone.
    bool uniform = true;
    for (int c = 0; c < chunks; ++c) {
      int first = 0;
      bool blend = false;
      for (size_t k = K; k-- > 0;) {
        const Span& sp = span[k];
        if (sp.last < sp.first) continue;
        const bool reach = sp.a->any[size_t(c)] || (sp.fy > 0.f && sp.b->any[size_t(c)]);
        if (!reach) continue;
        if (sp.a->full[size_t(c)] && (sp.fy == 0.f || sp.b->full[size_t(c)])) {
          first = int(k) + 1;
          break;
        }
        blend = true;
      }
      plan[size_t(c)] = blend ? kBlend : first;
      uniform = uniform && plan[size_t(c)] == plan[0];
    }
    if (uniform && plan[0] != kBlend) {
      if (run_from >= 0 && run_lut_id != plan[0]) flush_rows(y);
      if (run_from < 0) run_from = y, run_lut_id = plan[0];
      continue;
    }
    flush_rows(y);
    const std::uint8_t* srow[4] = {};
    std::uint8_t* drow[4] = {};
    for (int p = 0; p < planes; ++p) {
      srow[p] = src.planes[p] + std::ptrdiff_t(y) * src.strides[p];
      drow[p] = dst.planes[p] + std::ptrdiff_t(y) * dst.strides[p];
    }
    ConstImageView srow_view = src;
    ImageView drow_view = dst;
    for (int p = 0; p < planes; ++p) srow_view.planes[p] = srow[p], drow_view.planes[p] = drow[p];
    // Runs of single-LUT chunks through the single-LUT kernels; blended chunks small enough
    // that input, base output and region output stay in L1 from unpacking to packing.
    for (int c = 0; c < chunks;) {
      const int x0 = c * kChunk;
      if (plan[size_t(c)] != kBlend) {
        int e = c + 1;
        while (e < chunks && plan[size_t(e)] == plan[size_t(c)]) ++e;
        plain_run(lut_of(plan[size_t(c)]), f, srow_view, drow_view, 0, 1, x0,
                  std::min(width, e * kChunk));
        c = e;
        continue;
      }
      const int n = std::min(kChunk, width - x0);
      const std::uint8_t* sseg[4] = {};
      std::uint8_t* dseg[4] = {};
      for (int p = 0; p < planes; ++p) {
        sseg[p] = srow[p] + size_t(x0) * px;
        dseg[p] = drow[p] + size_t(x0) * px;
      }
      const float* in[3];
      if (planar_float && size_t(n) % lanes == 0) {
        // Planar float is read where it lies (whole vectors inside the row).
        for (int ch = 0; ch < 3; ++ch) in[ch] = reinterpret_cast<const float*>(sseg[ch]);
      } else if (planar_float) {
        for (int ch = 0; ch < 3; ++ch) std::memcpy(s.in[ch], sseg[ch], size_t(n) * sizeof(float));
        for (int ch = 0; ch < 3; ++ch) in[ch] = s.in[ch];
      } else {
        HWY_DYNAMIC_DISPATCH(region_simd::Unpack)(f, sseg, size_t(n), s.in, s.alpha);
        for (int ch = 0; ch < 3; ++ch) in[ch] = s.in[ch];
      }
      // Start from the last region full over the chunk, else from the base.
      int first = 0;
      for (size_t k = K; k-- > 0;) {
        const Span& sp = span[k];
        if (sp.last < sp.first) continue;
        if (sp.a->full[size_t(c)] && (sp.fy == 0.f || sp.b->full[size_t(c)])) {
          first = int(k) + 1;
          break;
        }
      }
      run_lut(lut_of(first), in, s.out, n, lanes);
      for (size_t k = size_t(first); k < K; ++k) {
        // Soft masks are zero over most of a frame: the region's LUT runs only over the columns
        // where either mask row is non-zero.
        const Span& sp = span[k];
        const int sa = std::max(sp.first, x0), sb = std::min(sp.last, x0 + n - 1);
        if (sb < sa) continue;
        const int o = sa - x0;
        const size_t len = size_t(sb - sa + 1);
        // The LUT runs from the lane boundary at or before the span, so that its whole vectors
        // end inside the chunk.
        const int o_al = o / int(lanes) * int(lanes);
        const float* span_in[3] = {in[0] + o_al, in[1] + o_al, in[2] + o_al};
        run_lut(luts.regions[k], span_in, s.tmp, sb - x0 + 1 - o_al, lanes);
        float* span_out[3] = {s.out[0] + o, s.out[1] + o, s.out[2] + o};
        const float* span_l[3] = {s.tmp[0] + (o - o_al), s.tmp[1] + (o - o_al),
                                  s.tmp[2] + (o - o_al)};
        HWY_DYNAMIC_DISPATCH(region_simd::Blend)
        (span_out, span_l, sp.a->w.data() + sa, sp.b->w.data() + sa, sp.fy, len);
      }
      HWY_DYNAMIC_DISPATCH(region_simd::Pack)(f, s.out, s.alpha, size_t(n), dseg);
      if (planar && f.channels == 4 && srow[3] != drow[3])
        std::memmove(dseg[3], sseg[3], size_t(n) * bytes);
      ++c;
    }
  }
  flush_rows(y1);
}

void check_format(const PixelFormat& f) {
  if (f.channels != 3 && f.channels != 4)
    throw_usage("region renderer: " + std::to_string(f.channels) + " channels (expected 3 or 4)");
}

void check_lut(const LutFile& lut, const char* what) {
  if (!lut.cube) throw_usage(std::string("region renderer: the ") + what + " LUT has no 3D table");
  if (lut.shaper)
    throw_usage(std::string("region renderer: the ") + what +
                " LUT has a shaper (region LUTs must be plain 3D tables)");
  if (!lut.cube->has_default_domain())
    throw_usage(std::string("region renderer: the ") + what + " LUT's domain is not 0..1");
}

}  // namespace

RegionRenderer::RegionRenderer(std::shared_ptr<const RegionLuts> luts, PixelFormat format)
    : luts_(std::move(luts)), format_(format) {}

int RegionRenderer::region_count() const { return int(luts_->regions.size()); }

void RegionRenderer::apply(const ConstImageView& src, const ImageView& dst,
                           std::span<const ImageF* const> masks,
                           std::span<const float> strengths) const {
  const size_t K = luts_->regions.size();
  if (masks.size() != K || strengths.size() != K)
    throw_usage("region renderer: " + std::to_string(K) + " region LUTs but " +
                std::to_string(masks.size()) + " masks and " + std::to_string(strengths.size()) +
                " strengths");
  if (src.width != dst.width || src.height != dst.height)
    throw_usage("region renderer: source and destination sizes differ");
  for (size_t k = 0; k < K; ++k) {
    const ImageF* m = masks[k];
    if (!m || m->width <= 0 || m->height <= 0 || m->channels != 1 ||
        m->pixels.size() != m->pixel_count())
      throw_usage("region renderer: mask " + std::to_string(k) + " is not a 1-channel image");
  }
  if (src.width <= 0 || src.height <= 0) return;
  const int planes = format_.layout == Layout::Planar ? format_.channels : 1;
  for (int p = 0; p < planes; ++p)
    if (!src.planes[p] || !dst.planes[p]) throw_usage("region renderer: missing plane pointer");

  std::vector<MaskPlan> plans(K);
  for (size_t k = 0; k < K; ++k) {
    MaskPlan& m = plans[k];
    m.mask = masks[k];
    const float s = std::isfinite(strengths[k]) ? std::clamp(strengths[k], 0.f, 1.f) : 0.f;
    if (s == 0.f) continue;
    m.scaled.resize(m.mask->pixels.size());
    float any = 0.f;
    for (size_t i = 0; i < m.scaled.size(); ++i) {
      const float v = m.mask->pixels[i];
      // NaN counts as outside the region.
      m.scaled[i] = (v > 0.f ? std::min(v, 1.f) : 0.f) * s;
      any = std::max(any, m.scaled[i]);
    }
    m.active = any > 0.f;
    if (m.active) mask_coords(src.width, m.mask->width, m.x0, m.x1, m.fx);
  }

  const RegionLuts& luts = *luts_;
  const PixelFormat f = format_;
  // Identifies this call to the per-thread caches of upsampled mask rows.
  static std::atomic<std::uint64_t> calls{0};
  const std::uint64_t call = ++calls;
  auto block = [&](int y0, int y1) { render_block(luts, f, src, dst, plans, y0, y1, call); };
  const int grain = rows_per_task(src.width);
  if (src.height <= grain) return block(0, src.height);
  // As LutRenderer: row blocks in the caller's task arena.
  tbb::parallel_for(tbb::blocked_range<int>(0, src.height, grain),
                    [&](const tbb::blocked_range<int>& r) { block(r.begin(), r.end()); });
}

void RegionRenderer::apply(ImageF& image, std::span<const ImageF* const> masks,
                           std::span<const float> strengths) const {
  if (format_ != PixelFormat{SampleType::F32, Layout::Packed, image.channels})
    throw_usage("region renderer: format " + format_name(format_) +
                " does not match a float image of " + std::to_string(image.channels) + " channels");
  ImageView v;
  v.width = image.width;
  v.height = image.height;
  v.planes[0] = reinterpret_cast<std::uint8_t*>(image.pixels.data());
  v.strides[0] = std::ptrdiff_t(image.width) * image.channels * sizeof(float);
  apply(ConstImageView(v), v, masks, strengths);
}

RegionRenderer make_region_renderer(const LutFile& base, std::span<const LutFile> regions,
                                    PixelFormat format, Interp interp) {
  check_format(format);
  check_lut(base, "base");
  for (const LutFile& r : regions) check_lut(r, "region");
  const bool integer = format.type != SampleType::F32;
  const float scale = integer ? 1.f / sample_max(format.type) : 1.f;
  // As make_renderer prepares them; no shaper, so no per-code table.
  auto luts = std::make_shared<RegionLuts>();
  luts->base = engine_detail::prepare_lut(base, interp, scale,
                                          integer ? int(sample_max(format.type)) + 1 : 0);
  for (const LutFile& r : regions)
    luts->regions.push_back(engine_detail::prepare_lut(
        r, interp, scale, integer ? int(sample_max(format.type)) + 1 : 0));
  return RegionRenderer(std::move(luts), format);
}

}  // namespace autograde
#endif  // HWY_ONCE

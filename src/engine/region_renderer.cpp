#include "autograde/engine/region_renderer.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "autograde/core/error.hpp"
#include "kernels.hpp"

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

// Pixels per segment of a row: the input, the base output and one region output (three float
// planes each, 12 KB per 1024 pixels) stay in L1/L2 while every LUT of the segment runs, and the
// per-call set-up of the row kernel is spread over enough pixels.
constexpr int kSegment = 1024;

int rows_per_task(int width) { return std::max(1, 65536 / std::max(1, width)); }

// One mask prepared for one apply(): values clamped to 0..1 and multiplied by the strength
// (one multiply per mask sample instead of one per image pixel), and for every image column
// the two mask columns around its centre and the weight of the second.
struct MaskPlan {
  const ImageF* mask = nullptr;
  std::vector<float> scaled;  // mask.width × mask.height
  std::vector<int> x0, x1;    // per image column
  std::vector<float> fx;
  bool active = false;
};

// Bilinear sampling with pixel centres aligned (as OpenCV's INTER_LINEAR and ffmpeg's
// bilinear scaler): image pixel i of n maps to mask coordinate (i + 0.5)·m/n − 0.5, clamped to
// the outermost mask centres.
void mask_coords(int n, int m, std::vector<int>& i0, std::vector<int>& i1, std::vector<float>& f) {
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

template <typename T>
T load(const std::uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

// Raw code values (as floats) of one segment into three planes; the prepared LUTs fold the
// 1/max scale into their lattice map, exactly as the single-LUT kernels read them.
template <typename T>
void unpack(const PixelFormat& f, const std::uint8_t* const* src, int n, float* const* in,
            float* alpha) {
  if (f.layout == Layout::Planar) {
    for (int c = 0; c < 3; ++c) {
      const T* s = reinterpret_cast<const T*>(src[c]);
      float* o = in[c];
      for (int i = 0; i < n; ++i) o[i] = float(s[i]);
    }
    return;
  }
  const T* s = reinterpret_cast<const T*>(src[0]);
  float *r = in[0], *g = in[1], *b = in[2];
  if (f.channels == 3) {
    for (int i = 0; i < n; ++i) {
      r[i] = float(s[3 * i]);
      g[i] = float(s[3 * i + 1]);
      b[i] = float(s[3 * i + 2]);
    }
  } else {
    for (int i = 0; i < n; ++i) {
      r[i] = float(s[4 * i]);
      g[i] = float(s[4 * i + 1]);
      b[i] = float(s[4 * i + 2]);
      alpha[i] = float(s[4 * i + 3]);
    }
  }
}

// LutRenderer's write-back: integer codes are v·max clamped to [0, max] (NaN → 0) and rounded
// to nearest, ties to even. Adding and subtracting 1.5·2^23 rounds exactly that way for
// 0 <= v < 2^22 in the default rounding mode, and unlike nearbyint() it vectorises on the
// baseline x86-64 target.
template <typename T>
inline T to_code(float v, float max) {
  if constexpr (std::is_same_v<T, float>) {
    (void)max;
    return v;
  } else {
    v *= max;
    v = v > 0.f ? v : 0.f;
    v = v < max ? v : max;
    constexpr float kMagic = 12582912.f;
    return T(int((v + kMagic) - kMagic));
  }
}

template <typename T>
void pack(const PixelFormat& f, const float* const* out, const float* alpha, int n, float max,
          std::uint8_t* const* dst) {
  if (f.layout == Layout::Planar) {
    for (int c = 0; c < 3; ++c) {
      T* d = reinterpret_cast<T*>(dst[c]);
      const float* o = out[c];
      for (int i = 0; i < n; ++i) d[i] = to_code<T>(o[i], max);
    }
    return;
  }
  T* d = reinterpret_cast<T*>(dst[0]);
  const float *r = out[0], *g = out[1], *b = out[2];
  if (f.channels == 3) {
    for (int i = 0; i < n; ++i) {
      d[3 * i] = to_code<T>(r[i], max);
      d[3 * i + 1] = to_code<T>(g[i], max);
      d[3 * i + 2] = to_code<T>(b[i], max);
    }
  } else {
    for (int i = 0; i < n; ++i) {
      d[4 * i] = to_code<T>(r[i], max);
      d[4 * i + 1] = to_code<T>(g[i], max);
      d[4 * i + 2] = to_code<T>(b[i], max);
      d[4 * i + 3] = T(alpha[i]);  // raw code (or float) read above: copied unchanged
    }
  }
}

// One LUT over one segment of float planes through the single-LUT kernels (planar float, one
// row): the same interpolation code LutRenderer runs.
void run_lut(const PreparedLut& lut, const float* const* in, float* const* out, int n) {
  engine_detail::RowJob job;
  job.format = PixelFormat{SampleType::F32, Layout::Planar, 3};
  job.width = n;
  job.y0 = 0;
  job.y1 = 1;
  for (int c = 0; c < 3; ++c) {
    job.src[c] = reinterpret_cast<const std::uint8_t*>(in[c]);
    job.dst[c] = reinterpret_cast<std::uint8_t*>(out[c]);
  }
  engine_detail::render_rows(lut, job);
}

struct Scratch {
  std::vector<float> buf;
  float* in[3];
  float* out[3];
  float* tmp[3];
  float* w;
  float* alpha;
  explicit Scratch(int seg) : buf(size_t(11) * seg) {
    float* p = buf.data();
    for (int c = 0; c < 3; ++c) in[c] = p + size_t(c) * seg;
    for (int c = 0; c < 3; ++c) out[c] = p + size_t(3 + c) * seg;
    for (int c = 0; c < 3; ++c) tmp[c] = p + size_t(6 + c) * seg;
    w = p + size_t(9) * seg;
    alpha = p + size_t(10) * seg;
  }
};

template <typename T>
void render_block(const RegionLuts& luts, const PixelFormat& f, const ConstImageView& src,
                  const ImageView& dst, const std::vector<MaskPlan>& plans, int y0, int y1) {
  const int width = src.width, height = src.height;
  const bool planar = f.layout == Layout::Planar;
  const int planes = planar ? f.channels : 1;
  const size_t px = planar ? sizeof(T) : sizeof(T) * size_t(f.channels);
  const float max = sample_max(f.type);
  const int seg = std::min(kSegment, width);
  Scratch s(seg);
  const size_t K = plans.size();
  // Per region: the mask row at this image row (vertical interpolation done once per row).
  std::vector<std::vector<float>> mrow(K);
  std::vector<char> row_active(K, 0);
  for (int y = y0; y < y1; ++y) {
    const std::uint8_t* srow[4] = {};
    std::uint8_t* drow[4] = {};
    for (int p = 0; p < planes; ++p) {
      srow[p] = src.planes[p] + std::ptrdiff_t(y) * src.strides[p];
      drow[p] = dst.planes[p] + std::ptrdiff_t(y) * dst.strides[p];
    }
    for (size_t k = 0; k < K; ++k) {
      const MaskPlan& m = plans[k];
      row_active[k] = 0;
      if (!m.active) continue;
      const int mw = m.mask->width, mh = m.mask->height;
      const double sy = std::clamp((double(y) + 0.5) * double(mh) / double(height) - 0.5, 0.0,
                                   double(mh - 1));
      const int a = std::min(int(sy), std::max(mh - 2, 0));
      const int b = std::min(a + 1, mh - 1);
      const float fy = float(sy - double(a));
      const float* ra = m.scaled.data() + size_t(a) * mw;
      const float* rb = m.scaled.data() + size_t(b) * mw;
      std::vector<float>& r = mrow[k];
      r.resize(size_t(mw));
      float any = 0.f;
      for (int i = 0; i < mw; ++i) {
        r[size_t(i)] = ra[i] + fy * (rb[i] - ra[i]);
        any = std::max(any, r[size_t(i)]);
      }
      row_active[k] = any > 0.f;
    }
    for (int x0 = 0; x0 < width; x0 += seg) {
      const int n = std::min(seg, width - x0);
      const std::uint8_t* sseg[4] = {};
      std::uint8_t* dseg[4] = {};
      for (int p = 0; p < planes; ++p) {
        sseg[p] = srow[p] + size_t(x0) * px;
        dseg[p] = drow[p] + size_t(x0) * px;
      }
      const float* in[3];
      if (std::is_same_v<T, float> && planar) {
        // Planar float is read where it lies (the kernels take planar float directly).
        for (int c = 0; c < 3; ++c) in[c] = reinterpret_cast<const float*>(sseg[c]);
      } else {
        unpack<T>(f, sseg, n, s.in, s.alpha);
        for (int c = 0; c < 3; ++c) in[c] = s.in[c];
      }
      run_lut(luts.base, in, s.out, n);
      for (size_t k = 0; k < K; ++k) {
        if (!row_active[k]) continue;
        const MaskPlan& m = plans[k];
        const float* r = mrow[k].data();
        const int* i0 = m.x0.data() + x0;
        const int* i1 = m.x1.data() + x0;
        const float* fx = m.fx.data() + x0;
        float any = 0.f;
        for (int i = 0; i < n; ++i) {
          const float a = r[i0[i]], b = r[i1[i]];
          const float w = a + fx[i] * (b - a);
          s.w[i] = w;
          any = std::max(any, w);
        }
        // Soft masks are zero over most of a frame: those segments skip the region's LUT.
        if (!(any > 0.f)) continue;
        run_lut(luts.regions[k], in, s.tmp, n);
        // out·(1 − w) + L·w rather than out + w·(L − out): exact at both ends (w = 0 keeps
        // the base bit for bit, w = 1 gives the region LUT's own value).
        for (int c = 0; c < 3; ++c) {
          float* o = s.out[c];
          const float* l = s.tmp[c];
          for (int i = 0; i < n; ++i) o[i] = o[i] * (1.f - s.w[i]) + l[i] * s.w[i];
        }
      }
      pack<T>(f, s.out, s.alpha, n, max, dseg);
    }
    if (planar && f.channels == 4 && srow[3] != drow[3])
      std::memmove(drow[3], srow[3], size_t(width) * sizeof(T));
  }
}

void check_format(const PixelFormat& f) {
  if (f.channels != 3 && f.channels != 4)
    throw_usage("region renderer: " + std::to_string(f.channels) +
                " channels (expected 3 or 4)");
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
  auto block = [&](int y0, int y1) {
    switch (f.type) {
      case SampleType::U8:
        return render_block<std::uint8_t>(luts, f, src, dst, plans, y0, y1);
      case SampleType::U10:
      case SampleType::U12:
      case SampleType::U16:
        return render_block<std::uint16_t>(luts, f, src, dst, plans, y0, y1);
      case SampleType::F32:
        return render_block<float>(luts, f, src, dst, plans, y0, y1);
    }
  };
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
                " does not match a float image of " + std::to_string(image.channels) +
                " channels");
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
  luts->base = engine_detail::prepare_lut(base, interp, scale, integer ? int(sample_max(format.type)) + 1 : 0);
  for (const LutFile& r : regions)
    luts->regions.push_back(
        engine_detail::prepare_lut(r, interp, scale, integer ? int(sample_max(format.type)) + 1 : 0));
  return RegionRenderer(std::move(luts), format);
}

}  // namespace autograde

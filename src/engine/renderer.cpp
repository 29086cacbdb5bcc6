#include "autograde/engine/renderer.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <string>

#include "autograde/core/error.hpp"
#include "kernels.hpp"

namespace autograde {

using engine_detail::PreparedLut;

namespace {

// Rows per task: enough pixels (~64K) that the scheduling cost vanishes, small enough that two
// threads get many tasks on a 4K frame.
int rows_per_task(int width) { return std::max(1, 65536 / std::max(1, width)); }

void check_format(const PixelFormat& f) {
  if (f.channels != 3 && f.channels != 4)
    throw_usage("LUT engine: " + std::to_string(f.channels) + " channels (expected 3 or 4)");
}

}  // namespace

LutRenderer::LutRenderer(std::shared_ptr<const PreparedLut> lut, PixelFormat format)
    : lut_(std::move(lut)), format_(format) {}

void LutRenderer::apply(const ConstImageView& src, const ImageView& dst) const {
  if (src.width != dst.width || src.height != dst.height)
    throw_usage("LUT engine: source and destination sizes differ");
  if (src.width <= 0 || src.height <= 0) return;
  const int planes = format_.layout == Layout::Planar ? format_.channels : 1;
  engine_detail::RowJob job;
  job.format = format_;
  job.width = src.width;
  for (int p = 0; p < planes; ++p) {
    if (!src.planes[p] || !dst.planes[p]) throw_usage("LUT engine: missing plane pointer");
    job.src[p] = src.planes[p];
    job.dst[p] = dst.planes[p];
    job.src_stride[p] = src.strides[p];
    job.dst_stride[p] = dst.strides[p];
  }
  const PreparedLut& lut = *lut_;
  const int grain = rows_per_task(src.width);
  if (src.height <= grain) {
    job.y0 = 0, job.y1 = src.height;
    engine_detail::render_rows(lut, job);
    return;
  }
  // parallel_for runs in the calling thread's task arena: a caller that limits concurrency
  // (tbb::task_arena) or is itself a TBB task does not get extra threads.
  tbb::parallel_for(tbb::blocked_range<int>(0, src.height, grain),
                    [&](const tbb::blocked_range<int>& r) {
                      engine_detail::RowJob part = job;
                      part.y0 = r.begin(), part.y1 = r.end();
                      engine_detail::render_rows(lut, part);
                    });
}

void LutRenderer::apply(ImageF& image) const {
  if (format_ != PixelFormat{SampleType::F32, Layout::Packed, image.channels})
    throw_usage("LUT engine: renderer format " + format_name(format_) +
                " does not match a float image of " + std::to_string(image.channels) + " channels");
  ImageView v;
  v.width = image.width;
  v.height = image.height;
  v.planes[0] = reinterpret_cast<std::uint8_t*>(image.pixels.data());
  v.strides[0] = std::ptrdiff_t(image.width) * image.channels * sizeof(float);
  apply(v);
}

LutRenderer make_renderer(const LutFile& lut, PixelFormat format, Interp interp) {
  check_format(format);
  const bool integer = format.type != SampleType::F32;
  const float max = sample_max(format.type);
  auto prepared = std::make_shared<PreparedLut>(engine_detail::prepare_lut(
      lut, interp, integer ? 1.f / max : 1.f, integer ? int(max) + 1 : 0));
  return LutRenderer(std::move(prepared), format);
}

LutRenderer make_renderer(const Lut3D& lut, PixelFormat format, Interp interp) {
  LutFile file;
  file.cube = lut;
  return make_renderer(file, format, interp);
}

const char* engine_simd_target() { return engine_detail::simd_target_name(); }

}  // namespace autograde

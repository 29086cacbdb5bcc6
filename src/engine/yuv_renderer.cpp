#include "autograde/engine/yuv_renderer.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <string>

#include "autograde/core/error.hpp"
#include "kernels.hpp"

namespace autograde {

using engine_detail::PreparedLut;

YuvLutRenderer::YuvLutRenderer(std::shared_ptr<const PreparedLut> lut, YuvFormat format)
    : lut_(std::move(lut)), format_(format) {}

void YuvLutRenderer::apply(const ConstYuvImage& src, const YuvImage& dst) const {
  if (src.width != dst.width || src.height != dst.height)
    throw_usage("LUT engine: source and destination sizes differ");
  if (src.width <= 0 || src.height <= 0) return;
  engine_detail::YuvJob job;
  job.format = format_;
  job.width = src.width;
  job.height = src.height;
  for (int p = 0; p < 3; ++p) {
    if (!src.planes[p] || !dst.planes[p]) throw_usage("LUT engine: missing plane pointer");
    job.src[p] = src.planes[p];
    job.dst[p] = dst.planes[p];
    job.src_stride[p] = src.strides[p];
    job.dst_stride[p] = dst.strides[p];
  }
  const int ch = (src.height + (1 << format_.log2_chroma_h) - 1) >> format_.log2_chroma_h;
  const int luma_rows_per_chroma_row = 1 << format_.log2_chroma_h;
  const int grain = std::max(1, 65536 / (std::max(1, src.width) * luma_rows_per_chroma_row));
  const PreparedLut& lut = *lut_;
  if (ch <= grain) {
    job.cy0 = 0, job.cy1 = ch;
    engine_detail::render_yuv_rows(lut, job);
    return;
  }
  tbb::parallel_for(tbb::blocked_range<int>(0, ch, grain), [&](const tbb::blocked_range<int>& r) {
    engine_detail::YuvJob part = job;
    part.cy0 = r.begin(), part.cy1 = r.end();
    engine_detail::render_yuv_rows(lut, part);
  });
}

YuvLutRenderer make_yuv_renderer(const LutFile& lut, YuvFormat format, Interp interp) {
  const int b = format.bit_depth;
  if (b != 8 && b != 10 && b != 12 && b != 16)
    throw_usage("LUT engine: unsupported Y'CbCr bit depth " + std::to_string(b));
  if (format.log2_chroma_w < 0 || format.log2_chroma_w > 1 || format.log2_chroma_h < 0 ||
      format.log2_chroma_h > 1)
    throw_usage("LUT engine: unsupported chroma subsampling");
  // R'G'B' reach the LUT as floats in 0..1: no per-code shaper table.
  auto prepared = std::make_shared<PreparedLut>(engine_detail::prepare_lut(lut, interp, 1.f, 0));
  return YuvLutRenderer(std::move(prepared), format);
}

}  // namespace autograde

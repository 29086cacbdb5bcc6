#include "autograde/media/frame_to_rgb.hpp"

#include <algorithm>
#include <cmath>

#include "autograde/core/error.hpp"
#include "frame_to_rgb_impl.hpp"

namespace autograde {

using namespace ffmpeg;

void rgb_output_size(int w, int h, double sar, int want_w, int want_h, int& ow, int& oh) {
  const double display_aspect = double(w) * sar / h;
  ow = want_w;
  oh = want_h;
  if (ow <= 0 && oh <= 0) {
    ow = w;
    oh = h;
  } else if (oh <= 0) {
    oh = std::max(1, int(std::lround(ow / display_aspect)));
  } else if (ow <= 0) {
    ow = std::max(1, int(std::lround(oh * display_aspect)));
  }
}

std::string FrameToRgb::Impl::convert(const AVFrame& f, AVPixelFormat src_fmt,
                                      const ColorTags& tags, int ow, int oh, ImageF& out) {
  const AVPixFmtDescriptor* d = av_pix_fmt_desc_get(src_fmt);
  if (!d) return "a frame with an unknown pixel format";
  const bool src_rgb =
      (d->flags & (AV_PIX_FMT_FLAG_RGB | AV_PIX_FMT_FLAG_PAL)) || d->nb_components < 3;
  const bool scaling = ow != f.width || oh != f.height;
  const int flags = (scaling && ow < f.width ? SWS_AREA : SWS_BICUBIC) | SWS_ACCURATE_RND |
                    SWS_FULL_CHR_H_INT | SWS_FULL_CHR_H_INP | SWS_BITEXACT;
  if (src_rgb) {
    // RGB/palette/grey sources: no matrix; swscale repacks (and scales) to RGB48.
    rgb_sws.reset(sws_getCachedContext(rgb_sws.release(), f.width, f.height, src_fmt, ow, oh,
                                       AV_PIX_FMT_RGB48LE, flags, nullptr, nullptr, nullptr));
    if (!rgb_sws) return std::string("cannot convert pixel format ") + d->name + " to RGB";
    rgb16.resize(size_t(ow) * oh * 3);
    uint8_t* dst[4] = {reinterpret_cast<uint8_t*>(rgb16.data()), nullptr, nullptr, nullptr};
    int dst_stride[4] = {ow * 6, 0, 0, 0};
    sws_scale(rgb_sws.get(), f.data, f.linesize, 0, f.height, dst, dst_stride);
    if (out.width != ow || out.height != oh || out.channels != 3) out = ImageF(ow, oh, 3);
    constexpr float kScale = 1.0f / 65535.0f;
    for (size_t i = 0; i < rgb16.size(); ++i) out.pixels[i] = float(rgb16[i]) * kScale;
    return {};
  }
  // swscale brings the picture to planar 4:4:4 of the same depth (chroma upsampling and any
  // resize, no change of code values' meaning); the matrix is applied in float.
  const AVPixelFormat fmt444 = planar_yuv_format(d->comp[0].depth, 0, 0);
  const AVFrame* src444 = &f;
  if (scaling || src_fmt != fmt444) {
    yuv_sws.reset(sws_getCachedContext(yuv_sws.release(), f.width, f.height, src_fmt, ow, oh,
                                       fmt444, flags, nullptr, nullptr, nullptr));
    if (!yuv_sws) return std::string("cannot convert pixel format ") + d->name + " to planar 4:4:4";
    set_colorspace(yuv_sws.get(), tags, true, tags, true);
    if (repacked->width != ow || repacked->height != oh || repacked->format != fmt444) {
      av_frame_unref(repacked.get());
      repacked->width = ow;
      repacked->height = oh;
      repacked->format = fmt444;
      if (av_frame_get_buffer(repacked.get(), 0) < 0)
        throw_internal("out of memory (frame buffer)");
    }
    sws_scale(yuv_sws.get(), f.data, f.linesize, 0, f.height, repacked->data, repacked->linesize);
    src444 = repacked.get();
  }
  yuv444_to_rgb(*src444, tags, out);
  return {};
}

FrameToRgb::FrameToRgb() : impl_(std::make_unique<Impl>()) {}
FrameToRgb::~FrameToRgb() = default;
FrameToRgb::FrameToRgb(FrameToRgb&&) noexcept = default;
FrameToRgb& FrameToRgb::operator=(FrameToRgb&&) noexcept = default;

void FrameToRgb::convert(const YuvPlanes& yuv, int width, int height, ImageF& out) {
  const AVPixelFormat fmt =
      planar_yuv_format(yuv.bit_depth, yuv.chroma_shift_x, yuv.chroma_shift_y);
  // A read-only view: swscale only reads the source planes.
  AVFrame view{};
  view.width = yuv.width;
  view.height = yuv.height;
  view.format = fmt;
  for (int p = 0; p < 3; ++p) {
    view.data[p] = const_cast<uint8_t*>(yuv.data[size_t(p)]);
    view.linesize[p] = yuv.stride[size_t(p)];
  }
  int ow = 0, oh = 0;
  rgb_output_size(yuv.width, yuv.height, 1.0, width, height, ow, oh);
  const std::string err = impl_->convert(view, fmt, yuv.tags, ow, oh, out);
  if (!err.empty()) throw_internal(err);
}

}  // namespace autograde

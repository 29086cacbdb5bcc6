#include "autograde/media/video_types.hpp"

#include "video_ffmpeg.hpp"

namespace autograde {

namespace {
std::string or_unknown(const char* s) { return s ? s : "unknown"; }
}  // namespace

std::string color_primaries_name(int code) {
  return or_unknown(av_color_primaries_name(static_cast<AVColorPrimaries>(code)));
}
std::string color_transfer_name(int code) {
  return or_unknown(av_color_transfer_name(static_cast<AVColorTransferCharacteristic>(code)));
}
std::string color_matrix_name(int code) {
  return or_unknown(av_color_space_name(static_cast<AVColorSpace>(code)));
}
std::string color_range_name(ColorRange r) {
  return or_unknown(av_color_range_name(static_cast<AVColorRange>(r)));
}

ColorTags effective_color_tags(const ColorTags& tagged, int width, int height,
                               bool jpeg_range_format) {
  // mpv's rule (video/csputils.c: mp_csp_guess_colorspace): HD is ≥ 1280 wide or > 576 high.
  const bool hd = width >= 1280 || height > 576;
  ColorTags t = tagged;
  auto unknown = [](int v) { return v == kH273Unspecified || v == 0 || v == 3; };  // 3 = reserved
  if (t.matrix == kH273Unspecified || t.matrix == 3) t.matrix = hd ? kH273Bt709 : kH273Bt601_525;
  if (unknown(t.primaries)) t.primaries = hd ? kH273Bt709 : kH273Bt601_525;
  if (unknown(t.transfer)) t.transfer = hd ? kH273Bt709 : kH273Bt601_525;
  if (t.range == ColorRange::Unspecified)
    t.range = jpeg_range_format ? ColorRange::Full : ColorRange::Limited;
  return t;
}

}  // namespace autograde

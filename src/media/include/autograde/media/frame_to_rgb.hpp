#pragma once
// Decoded pictures to float R'G'B' display code values (0..1), optionally downscaled: the one
// conversion the video reader uses for its RGB frames, also available for planes the caller
// holds (the renderer measures its graded Y'CbCr planes with it, so input and output of a grade
// go through exactly the same conversion).
//
// swscale does the resampling only (chroma upsampling and any resize: area average when
// shrinking, bicubic otherwise, bit-exact), between planar formats of equal depth; the matrix
// is applied in float from the published coefficients (video_ffmpeg.hpp yuv444_to_rgb).
#include <memory>

#include "autograde/core/image.hpp"
#include "autograde/media/video_types.hpp"

namespace autograde {

class FrameToRgb {
 public:
  FrameToRgb();
  ~FrameToRgb();
  FrameToRgb(FrameToRgb&&) noexcept;
  FrameToRgb& operator=(FrameToRgb&&) noexcept;

  // `yuv.tags` give the matrix and range (already resolved, e.g. VideoStreamInfo::effective).
  // width/height: 0 = native; with one of them 0 the other follows the picture's aspect ratio
  // (square pixels). Error(Internal) when swscale refuses the format.
  void convert(const YuvPlanes& yuv, int width, int height, ImageF& out);

  struct Impl;  // shared with the video reader (video_reader.cpp)

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace autograde

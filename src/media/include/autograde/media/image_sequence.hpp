#pragma once
// A graded clip written as numbered stills through OpenImageIO, for finishing tools that take
// image sequences (issue 25). The output name is a frame-number pattern (core/files.hpp
// FramePattern: "out/shot.%07d.exr") and its extension picks the format:
//   .exr         OpenEXR, half float RGB (ZIP compression, OIIO's default);
//   .dpx         DPX, 10-bit RGB (full-range code values 0..1023);
//   .tif, .tiff  TIFF, 16-bit RGB (0..65535).
// Pixels are the graded Rec.709 display code values as they go to a video encoder (not
// linearised), tagged oiio:ColorSpace "Rec709". Each frame carries its timecode in the header
// where the format has a field (OpenEXR timeCode and framesPerSecond; DPX TimeCode); the file
// numbers are chosen by the caller (the renderer uses the source timecode as a frame count).
//
// Every frame is written inside a staging folder beside the pattern (registered for the
// Ctrl-C/crash clean-up) and moved onto its name only by finish(); a writer destroyed without
// finish() leaves nothing behind.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "autograde/core/image.hpp"

namespace autograde {

// The extensions an image sequence can have.
const std::vector<std::string>& image_sequence_extensions();

// True when `path` is a frame-number pattern (has a '%' field) — whatever its extension.
bool is_image_sequence_path(const std::string& path);

// Error(Usage) naming the path unless it is a well-formed pattern with one of
// image_sequence_extensions(), in a folder that exists.
void check_image_sequence_output(const std::string& path);

// The name outputs derived from an output are called after (its plan, LUT folder, EDL): the
// file name without its extension, and for a sequence without the frame field and the
// separator before it ("out/shot.%07d.exr" → "shot", "graded.mp4" → "graded").
std::string output_stem(const std::string& path);

class ImageSequenceWriter {
 public:
  // `fps_num/fps_den`: the clip's frame rate, written where the format has a field.
  ImageSequenceWriter(const std::string& pattern, int fps_num, int fps_den);
  ~ImageSequenceWriter();
  ImageSequenceWriter(ImageSequenceWriter&&) noexcept;
  ImageSequenceWriter& operator=(ImageSequenceWriter&&) noexcept;

  // `rgb`: 3 or 4 channels of display code values; `number` the file's frame number;
  // `timecode` "HH:MM:SS:FF" or "" for none. Numbers must not repeat.
  void write(const ImageF& rgb, int64_t number, const std::string& timecode);
  // Moves every frame onto its name (pattern with the number filled in).
  void finish();

  int64_t frames_written() const;
  const std::string& extension() const;  // lower case, with the dot

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace autograde

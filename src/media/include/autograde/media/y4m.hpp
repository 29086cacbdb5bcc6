#pragma once
// Raw YUV4MPEG2 (.y4m) streams, as ffmpeg and x264 read and write them: a text header
// ("YUV4MPEG2 W1920 H1080 F25:1 Ip A1:1 C420jpeg ..."), then per frame a "FRAME" line and the
// planes Y, Cb, Cr back to back, tightly packed (samples above 8 bits: 16-bit little-endian).
// Used so that `autograde apply` works in pipes and benchmarks without codec cost.
#include <array>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "autograde/core/files.hpp"

namespace autograde {

struct Y4mFormat {
  int width = 0;
  int height = 0;
  int bit_depth = 8;                   // 8, 10, 12 or 16
  int log2_chroma_w = 1;               // 4:2:0 / 4:2:2 → 1, 4:4:4 → 0
  int log2_chroma_h = 1;               // 4:2:0 → 1, else 0
  std::string colorspace = "420jpeg";  // the C tag as read (written back unchanged)
  std::string other_params;            // every other header parameter, verbatim (F, I, A, X...)

  int plane_width(int plane) const;
  int plane_height(int plane) const;
  std::size_t sample_bytes() const { return bit_depth > 8 ? 2 : 1; }
  std::size_t plane_bytes(int plane) const;
  std::size_t frame_bytes() const;
  // Where plane p starts in a frame (Y, Cb, Cr back to back); its rows are tightly packed,
  // plane_width(p) * sample_bytes() bytes apart.
  std::size_t plane_offset(int plane) const;
};

// Parses the header line (without "\n"); Error(BadInput) naming `source` for anything malformed
// or unsupported (mono, alpha, interlaced 4:1:1 ...).
Y4mFormat parse_y4m_header(const std::string& line, const std::string& source);
std::string format_y4m_header(const Y4mFormat& format);

class Y4mReader {
 public:
  explicit Y4mReader(const std::string& path);  // "-" reads standard input
  ~Y4mReader();
  Y4mReader(const Y4mReader&) = delete;
  Y4mReader& operator=(const Y4mReader&) = delete;

  const Y4mFormat& format() const { return format_; }
  // Fills `frame` (frame_bytes(): Y, Cb, Cr planes tightly packed). False at the end of the
  // stream; Error(BadInput) naming the file and frame for a truncated or malformed frame.
  bool read_frame(std::vector<std::uint8_t>& frame);
  // The same into caller-owned memory of frame_bytes() bytes (no allocation, no copy).
  bool read_frame(std::uint8_t* frame);
  int frames_read() const { return frames_; }

 private:
  std::string path_;
  std::FILE* file_ = nullptr;
  bool owns_ = false;
  Y4mFormat format_;
  int frames_ = 0;
};

// Writes frame by frame (bounded memory). A file output goes to a temporary file beside the
// target and appears only on finish(); "-" streams to standard output.
class Y4mWriter {
 public:
  Y4mWriter(const std::string& path, const Y4mFormat& format);
  ~Y4mWriter();
  Y4mWriter(const Y4mWriter&) = delete;
  Y4mWriter& operator=(const Y4mWriter&) = delete;

  const Y4mFormat& format() const { return format_; }
  void write_frame(const std::uint8_t* frame);  // frame_bytes() bytes
  void finish();

 private:
  void put(const void* data, std::size_t n);

  std::string path_;
  std::unique_ptr<PendingOutput> pending_;
  std::FILE* file_ = nullptr;
  Y4mFormat format_;
};

// Memory for whole frames: 2 MiB aligned and, where the kernel has transparent huge pages,
// backed by them. A 4K frame is 12 MB, 3000 small pages, and a first touch of a page costs
// microseconds (tens of them in some VMs): with huge pages a frame buffer faults in 6 times.
struct FrameMemoryFree {
  void operator()(std::uint8_t* p) const;
};
using FrameMemory = std::unique_ptr<std::uint8_t[], FrameMemoryFree>;
FrameMemory allocate_frame_memory(std::size_t bytes);

// A Y4mReader on a background thread: while the caller works on one frame, the next ones are
// read (at 4K a frame is 12 MB, and reading it is time the caller's threads would otherwise
// wait). next() returns the next frame (frame_bytes() bytes), valid until the following
// next(), or nullptr at the end; the reader's errors (a truncated frame...) are rethrown by
// next() once the frames before them have been delivered. `depth`: frames read ahead.
class Y4mReadAhead {
 public:
  explicit Y4mReadAhead(Y4mReader& reader, int depth = 1);
  ~Y4mReadAhead();
  Y4mReadAhead(const Y4mReadAhead&) = delete;
  Y4mReadAhead& operator=(const Y4mReadAhead&) = delete;

  const std::uint8_t* next();

 private:
  void run();

  Y4mReader& reader_;
  std::vector<FrameMemory> buffers_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<int> free_, filled_;  // buffer indices
  int held_ = -1;                  // the buffer the caller has
  bool end_ = false, stop_ = false;
  std::exception_ptr error_;
  std::thread thread_;
};

// A Y4mWriter on a background thread: buffer() gives memory for the next frame (frame_bytes()
// bytes), commit() queues it for writing and returns at once while a buffer is free; finish()
// writes what is queued, then finishes the Y4mWriter (the file appears). A write error is
// rethrown by the next buffer(), commit() or finish(). Destroyed without finish(): the queue
// is dropped and the Y4mWriter leaves no file. `depth`: frames queued at most.
class Y4mWriteBehind {
 public:
  explicit Y4mWriteBehind(Y4mWriter& writer, int depth = 1);
  ~Y4mWriteBehind();
  Y4mWriteBehind(const Y4mWriteBehind&) = delete;
  Y4mWriteBehind& operator=(const Y4mWriteBehind&) = delete;

  std::uint8_t* buffer();
  void commit();
  void finish();

 private:
  void run();
  void stop_and_join();

  Y4mWriter& writer_;
  std::vector<FrameMemory> buffers_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<int> free_, queued_;
  int held_ = -1;
  bool writing_ = false, stop_ = false;
  std::exception_ptr error_;
  std::thread thread_;
};

}  // namespace autograde

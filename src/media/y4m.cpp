#include "autograde/media/y4m.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>

#include "autograde/core/error.hpp"

namespace autograde {

namespace {
constexpr std::size_t kMaxHeader = 4096;
constexpr int kMaxDimension = 1 << 15;
// 67 megapixels (8192x8192, above 8K DCI): a 16-bit 4:4:4 frame is then 400 MB, and the
// renderer's few frames in flight stay well under 4 GiB whatever a header declares.
constexpr long long kMaxPixels = 1LL << 26;

struct Colorspace {
  const char* tag;
  int bits, log2_w, log2_h;
};
// The C tags ffmpeg's yuv4mpegpipe muxer writes for the formats we grade (libavformat
// yuv4mpegenc.c); 420jpeg, 420mpeg2 and 420paldv differ only in chroma siting.
constexpr Colorspace kColorspaces[] = {
    {"420jpeg", 8, 1, 1}, {"420mpeg2", 8, 1, 1}, {"420paldv", 8, 1, 1}, {"420", 8, 1, 1},
    {"422", 8, 1, 0},     {"444", 8, 0, 0},      {"420p10", 10, 1, 1},  {"422p10", 10, 1, 0},
    {"444p10", 10, 0, 0}, {"420p12", 12, 1, 1},  {"422p12", 12, 1, 0},  {"444p12", 12, 0, 0},
    {"420p16", 16, 1, 1}, {"422p16", 16, 1, 0},  {"444p16", 16, 0, 0}};

// Reads up to '\n' (not stored); false at EOF before any byte.
bool read_line(std::FILE* f, std::string& line, const std::string& source,
               const std::string& what) {
  line.clear();
  int c;
  while ((c = std::fgetc(f)) != EOF && c != '\n') {
    line.push_back(char(c));
    if (line.size() > kMaxHeader)
      throw_bad_input(source, what + ": line too long (not a .y4m stream?)");
  }
  if (c == EOF && line.empty()) return false;
  if (c == EOF) throw_bad_input(source, what + ": truncated");
  return true;
}
}  // namespace

int Y4mFormat::plane_width(int plane) const {
  return plane == 0 ? width : (width + (1 << log2_chroma_w) - 1) >> log2_chroma_w;
}
int Y4mFormat::plane_height(int plane) const {
  return plane == 0 ? height : (height + (1 << log2_chroma_h) - 1) >> log2_chroma_h;
}
std::size_t Y4mFormat::plane_bytes(int plane) const {
  return std::size_t(plane_width(plane)) * plane_height(plane) * sample_bytes();
}
std::size_t Y4mFormat::frame_bytes() const { return plane_bytes(0) + 2 * plane_bytes(1); }
std::size_t Y4mFormat::plane_offset(int plane) const {
  return plane == 0 ? 0 : plane_bytes(0) + (plane == 2 ? plane_bytes(1) : 0);
}

Y4mFormat parse_y4m_header(const std::string& line, const std::string& source) {
  std::istringstream in(line);
  std::string magic;
  in >> magic;
  if (magic != "YUV4MPEG2") throw_bad_input(source, "not a YUV4MPEG2 stream (bad signature)");
  Y4mFormat f;
  f.colorspace.clear();
  std::string tok;
  auto parse_dim = [&](const std::string& v, const char* name) {
    char* end = nullptr;
    const long n = std::strtol(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0' || n <= 0 || n > kMaxDimension)
      throw_bad_input(source, std::string("bad ") + name + " '" + v + "' in the YUV4MPEG2 header");
    return int(n);
  };
  while (in >> tok) {
    const char key = tok[0];
    const std::string value = tok.substr(1);
    if (key == 'W') {
      f.width = parse_dim(value, "width");
    } else if (key == 'H') {
      f.height = parse_dim(value, "height");
    } else if (key == 'C') {
      f.colorspace = value;
    } else {
      if (key == 'I' && value != "p" && value != "?")
        throw_bad_input(source, "interlaced YUV4MPEG2 (I" + value + ") is not supported");
      f.other_params += (f.other_params.empty() ? "" : " ") + tok;
    }
  }
  if (f.width == 0 || f.height == 0) throw_bad_input(source, "YUV4MPEG2 header without W and H");
  if (1LL * f.width * f.height > kMaxPixels)
    throw_bad_input(source, "YUV4MPEG2 picture " + std::to_string(f.width) + "x" +
                                std::to_string(f.height) + " is over the limit of 67 megapixels");
  const std::string cs = f.colorspace.empty() ? "420jpeg" : f.colorspace;  // the format's default
  bool known = false;
  for (const Colorspace& c : kColorspaces)
    if (cs == c.tag) {
      f.bit_depth = c.bits, f.log2_chroma_w = c.log2_w, f.log2_chroma_h = c.log2_h;
      known = true;
    }
  if (!known)
    throw_bad_input(source, "unsupported YUV4MPEG2 colorspace C" + cs +
                                " (supported: 420jpeg, 420mpeg2, 420paldv, 420, 422, 444 and their "
                                "p10/p12/p16 variants)");
  return f;
}

std::string format_y4m_header(const Y4mFormat& f) {
  std::string h = "YUV4MPEG2 W" + std::to_string(f.width) + " H" + std::to_string(f.height);
  if (!f.other_params.empty()) h += " " + f.other_params;
  if (!f.colorspace.empty()) h += " C" + f.colorspace;
  return h + "\n";
}

Y4mReader::Y4mReader(const std::string& path) : path_(path == "-" ? "<stdin>" : path) {
  if (path == "-") {
    file_ = stdin;
  } else {
    file_ = std::fopen(path.c_str(), "rb");
    if (!file_) throw_bad_input(path, std::string("cannot open: ") + std::strerror(errno));
    owns_ = true;
  }
  std::string line;
  if (!read_line(file_, line, path_, "header")) throw_bad_input(path_, "empty file");
  format_ = parse_y4m_header(line, path_);
}

Y4mReader::~Y4mReader() {
  if (owns_ && file_) std::fclose(file_);
}

bool Y4mReader::read_frame(std::vector<std::uint8_t>& frame) {
  frame.resize(format_.frame_bytes());
  return read_frame(frame.data());
}

bool Y4mReader::read_frame(std::uint8_t* frame) {
  const std::string where = "frame " + std::to_string(frames_ + 1);
  std::string line;
  if (!read_line(file_, line, path_, where)) return false;
  if (line.compare(0, 5, "FRAME") != 0) throw_bad_input(path_, where + ": expected a FRAME marker");
  const std::size_t want = format_.frame_bytes();
  const std::size_t got = std::fread(frame, 1, want, file_);
  if (got != want)
    throw_bad_input(path_, where + ": truncated (" + std::to_string(got) + " of " +
                               std::to_string(want) + " bytes)");
  ++frames_;
  return true;
}

Y4mWriter::Y4mWriter(const std::string& path, const Y4mFormat& format)
    : path_(path), format_(format) {
  if (path == "-") {
    file_ = stdout;
  } else {
    pending_ = std::make_unique<PendingOutput>(path);
    file_ = std::fopen(pending_->temp_path().c_str(), "wb");
    if (!file_) throw_bad_input(path, std::string("cannot write: ") + std::strerror(errno));
  }
  const std::string header = format_y4m_header(format_);
  put(header.data(), header.size());
}

Y4mWriter::~Y4mWriter() {
  if (pending_ && file_) std::fclose(file_);  // not finished: PendingOutput removes the temp file
}

void Y4mWriter::put(const void* data, std::size_t n) {
  if (std::fwrite(data, 1, n, file_) != n)
    throw_bad_input(path_, std::string("write failed: ") + std::strerror(errno));
}

void Y4mWriter::write_frame(const std::uint8_t* frame) {
  put("FRAME\n", 6);
  put(frame, format_.frame_bytes());
}

void Y4mWriter::finish() {
  if (!pending_) {
    if (std::fflush(file_) != 0) throw_bad_input(path_, "write failed");
    return;
  }
  const bool ok = std::fflush(file_) == 0;
  std::fclose(file_);
  file_ = nullptr;
  if (!ok) throw_bad_input(path_, std::string("write failed: ") + std::strerror(errno));
  pending_->commit();
}

void FrameMemoryFree::operator()(std::uint8_t* p) const { std::free(p); }

FrameMemory allocate_frame_memory(std::size_t bytes) {
  constexpr std::size_t kHugePage = std::size_t(2) << 20;
  const std::size_t size =
      (std::max<std::size_t>(bytes, 1) + kHugePage - 1) / kHugePage * kHugePage;
  FrameMemory p(static_cast<std::uint8_t*>(std::aligned_alloc(kHugePage, size)));
  if (!p) throw_internal("out of memory (frame buffer of " + std::to_string(bytes) + " bytes)");
  // A hint: without transparent huge pages (or in "never" mode) it changes nothing.
  madvise(p.get(), size, MADV_HUGEPAGE);
  return p;
}

namespace {
// Frame buffers are written whole before they are read: no zero-filling.
std::vector<FrameMemory> make_buffers(int count, std::size_t bytes) {
  std::vector<FrameMemory> out;
  for (int i = 0; i < std::max(count, 1); ++i) out.push_back(allocate_frame_memory(bytes));
  return out;
}
}  // namespace

Y4mReadAhead::Y4mReadAhead(Y4mReader& reader, int depth)
    : reader_(reader), buffers_(make_buffers(depth + 1, reader.format().frame_bytes())) {
  for (int i = 0; i < int(buffers_.size()); ++i) free_.push_back(i);
  thread_ = std::thread([this] { run(); });
}

Y4mReadAhead::~Y4mReadAhead() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void Y4mReadAhead::run() {
  for (;;) {
    int slot;
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [&] { return stop_ || !free_.empty(); });
      if (stop_) return;
      slot = free_.front();
      free_.pop_front();
    }
    bool got = false;
    std::exception_ptr error;
    try {
      got = reader_.read_frame(buffers_[size_t(slot)].get());
    } catch (...) {
      error = std::current_exception();
    }
    {
      std::lock_guard lock(mutex_);
      if (got) {
        filled_.push_back(slot);
      } else {
        free_.push_back(slot);
        error_ = error;
        end_ = true;
      }
    }
    cv_.notify_all();
    if (!got) return;
  }
}

const std::uint8_t* Y4mReadAhead::next() {
  std::unique_lock lock(mutex_);
  if (held_ >= 0) {
    free_.push_back(held_);
    held_ = -1;
    cv_.notify_all();
  }
  cv_.wait(lock, [&] { return !filled_.empty() || end_; });
  if (filled_.empty()) {
    if (error_) std::rethrow_exception(error_);
    return nullptr;
  }
  held_ = filled_.front();
  filled_.pop_front();
  return buffers_[size_t(held_)].get();
}

Y4mWriteBehind::Y4mWriteBehind(Y4mWriter& writer, int depth)
    : writer_(writer), buffers_(make_buffers(depth + 1, writer.format().frame_bytes())) {
  for (int i = 0; i < int(buffers_.size()); ++i) free_.push_back(i);
  thread_ = std::thread([this] { run(); });
}

Y4mWriteBehind::~Y4mWriteBehind() { stop_and_join(); }

void Y4mWriteBehind::stop_and_join() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Y4mWriteBehind::run() {
  for (;;) {
    int slot;
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [&] { return stop_ || (!queued_.empty() && !error_); });
      // Stopping drops what is still queued only when the writer is being abandoned; finish()
      // waits for the queue to drain before it stops the thread.
      if (stop_) return;
      slot = queued_.front();
      writing_ = true;
    }
    std::exception_ptr error;
    try {
      writer_.write_frame(buffers_[size_t(slot)].get());
    } catch (...) {
      error = std::current_exception();
    }
    {
      std::lock_guard lock(mutex_);
      queued_.pop_front();
      free_.push_back(slot);
      writing_ = false;
      if (error) error_ = error;
    }
    cv_.notify_all();
  }
}

std::uint8_t* Y4mWriteBehind::buffer() {
  std::unique_lock lock(mutex_);
  if (held_ < 0) {
    cv_.wait(lock, [&] { return !free_.empty() || error_; });
    if (error_) std::rethrow_exception(error_);
    held_ = free_.front();
    free_.pop_front();
  }
  return buffers_[size_t(held_)].get();
}

void Y4mWriteBehind::commit() {
  {
    std::lock_guard lock(mutex_);
    if (error_) std::rethrow_exception(error_);
    if (held_ < 0) throw_internal("Y4mWriteBehind::commit without buffer()");
    queued_.push_back(held_);
    held_ = -1;
  }
  cv_.notify_all();
}

void Y4mWriteBehind::finish() {
  {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return (queued_.empty() && !writing_) || error_; });
    if (error_) std::rethrow_exception(error_);
  }
  stop_and_join();
  writer_.finish();
}

}  // namespace autograde

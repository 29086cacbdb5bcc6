#pragma once
// File helpers that keep DESIGN.md principle 5: inputs are never overwritten and outputs
// appear only when complete (written beside the target, then renamed over it).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace autograde {

// Sizes past which a reader refuses a file before reading it (issue 24: a hostile or mistaken
// input must fail within seconds, under a 4 GiB memory limit). Each is far above any real file
// of its kind; parsing one at the limit stays within a small multiple of its size.
namespace input_limits {
constexpr std::uint64_t kMiB = std::uint64_t(1) << 20;
constexpr std::uint64_t kPlanBytes = 256 * kMiB;    // plan.json (looks with residual lattices)
constexpr std::uint64_t kPromptBytes = 1 * kMiB;    // a prompt file
constexpr std::uint64_t kLutBytes = 1024 * kMiB;    // LUT text (.cube, .3dl, ...): 256³ fits
constexpr std::uint64_t kModelBytes = 256 * kMiB;   // bundled model weights
constexpr std::uint64_t kImageBytes = 4096 * kMiB;  // a still (its pixels have their own budget)
constexpr std::uint64_t kDefaultBytes = 1024 * kMiB;
}  // namespace input_limits

// Checks, before anything is read, that `path` names an existing regular file (not a folder,
// device, pipe or socket: /dev/zero never ends) of at most `max_bytes`; returns its size.
// Error(BadInput) naming the file, the kind (`what`, e.g. "plan") and the limit otherwise.
std::uint64_t check_input_file(const std::string& path, std::uint64_t max_bytes,
                               std::string_view what = "file");

// Whole file as bytes after check_input_file; Error(BadInput) naming the file when it cannot
// be read. Allocates the file's size once.
std::string read_file(const std::string& path,
                      std::uint64_t max_bytes = input_limits::kDefaultBytes,
                      std::string_view what = "file");

// Error(BadInput) naming `source` unless `name` is a relative name that stays inside whatever
// folder it is later joined to: not empty, not absolute, no ".." component, and no folder
// separator unless `allow_subfolders`. Looks at the text only.
void check_file_name(const std::string& name, const std::string& source,
                     bool allow_subfolders = false);

// `name` resolved inside the folder `root` (issue 24 containment): check_file_name, and
// Error(BadInput) when it resolves (symlinks followed) to a place outside `root`.
std::string contained_path(const std::string& root, const std::string& name,
                           const std::string& source, bool allow_subfolders = false);

// True when both paths name the same existing file (hard links and symlinks included).
bool same_file(const std::string& a, const std::string& b);

// Error(Usage) when `output` is the same file as `input`.
void refuse_overwrite_input(const std::string& input, const std::string& output);

// A temporary path in the output's folder that becomes the output on commit(); removed on
// destruction when not committed (an exception or early return leaves nothing behind), and
// by the signal clean-up (cleanup.hpp) when Ctrl-C or SIGTERM arrives before the commit.
class PendingOutput {
 public:
  explicit PendingOutput(std::string final_path);
  ~PendingOutput();
  PendingOutput(const PendingOutput&) = delete;
  PendingOutput& operator=(const PendingOutput&) = delete;

  const std::string& temp_path() const { return temp_path_; }
  const std::string& final_path() const { return final_path_; }
  void commit();

 private:
  std::string final_path_;
  std::string temp_path_;
  bool committed_ = false;
  int slot_ = -1;  // cleanup.hpp registration
};

void write_file_atomic(const std::string& path, std::string_view bytes);

// An image-sequence output name: a file name holding exactly one printf-style frame-number
// field, "%0Nd" (N = 1..12 digits, zero-padded) or "%d", as ffmpeg's image2 muxer takes it:
// "out/shot.%07d.exr" names out/shot.0086400.exr, out/shot.0086401.exr, ... The folder part
// may not hold a '%', and "%%" is not supported.
struct FramePattern {
  std::string folder;  // "" for the current folder
  std::string prefix, suffix;
  int digits = 0;  // 0 for "%d" (no padding)

  std::string file_name(std::int64_t number) const;  // without the folder
  std::string path(std::int64_t number) const;       // folder / file_name
  // True when `file_name` (no folder) is prefix + digits + suffix; the number in `number`.
  bool matches(const std::string& file_name, std::int64_t* number = nullptr) const;
};
// The pattern a path names; nothing when its file name holds no '%', more than one, or one that
// does not start a well-formed field (callers that take sequences say what is wrong).
std::optional<FramePattern> parse_frame_pattern(const std::string& path);

}  // namespace autograde

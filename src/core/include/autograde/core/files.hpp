#pragma once
// File helpers that keep DESIGN.md principle 5: inputs are never overwritten and outputs
// appear only when complete (written beside the target, then renamed over it).
#include <string>
#include <string_view>

namespace autograde {

// Whole file as bytes; Error(BadInput) naming the file when it cannot be read.
std::string read_file(const std::string& path);

// True when both paths name the same existing file (hard links and symlinks included).
bool same_file(const std::string& a, const std::string& b);

// Error(Usage) when `output` is the same file as `input`.
void refuse_overwrite_input(const std::string& input, const std::string& output);

// A temporary path in the output's folder that becomes the output on commit(); removed on
// destruction when not committed (an exception or early return leaves nothing behind).
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
};

void write_file_atomic(const std::string& path, std::string_view bytes);

}  // namespace autograde

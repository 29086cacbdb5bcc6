#pragma once
// A progress bar with an ETA on stderr (DESIGN.md: progress for anything longer than a
// second). Silent when `quiet`; redraws at most 4 times a second and only after the first
// second, so short runs print nothing. When stderr is not a terminal (a log file, a farm job)
// it prints a plain line every 10 s instead: no carriage returns in logs.
#include <chrono>
#include <cstdint>
#include <string>

namespace autograde {

class ProgressBar {
 public:
  ProgressBar(std::string label, int64_t total, bool quiet);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  void update(int64_t done);
  void set_total(int64_t total) { total_ = total; }
  void finish();  // clears the line

 private:
  std::string label_;
  int64_t total_;
  bool quiet_;
  bool tty_;
  bool printed_ = false;
  std::chrono::steady_clock::time_point start_, last_;
};

}  // namespace autograde

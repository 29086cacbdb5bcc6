#pragma once
// A progress bar with an ETA on stderr (DESIGN.md: progress for anything longer than a
// second). Silent when `quiet`; redraws at most 4 times a second and only after the first
// second, so short runs print nothing. When stderr is not a terminal (a log file, a farm job)
// it prints a plain line every 10 s instead: no carriage returns in logs.
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace autograde {

// Every ProgressBar on the calling thread also reports to the innermost observer installed
// there (quiet or not), so a caller that runs the library on its own thread (the server's job
// workers) sees the progress of the work it started without a second code path. An observer
// may throw to abandon the work (the server's cancel): the exception leaves update().
using ProgressObserver = std::function<void(std::string_view label, int64_t done, int64_t total)>;

class ScopedProgressObserver {
 public:
  explicit ScopedProgressObserver(ProgressObserver observer);
  ~ScopedProgressObserver();
  ScopedProgressObserver(const ScopedProgressObserver&) = delete;
  ScopedProgressObserver& operator=(const ScopedProgressObserver&) = delete;

 private:
  ProgressObserver observer_;
  ScopedProgressObserver* previous_;
};

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

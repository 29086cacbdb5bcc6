#include "autograde/core/progress.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>

#include <unistd.h>

namespace autograde {

namespace {
thread_local ScopedProgressObserver* t_observer = nullptr;
thread_local const ProgressObserver* t_observer_fn = nullptr;
}  // namespace

ScopedProgressObserver::ScopedProgressObserver(ProgressObserver observer)
    : observer_(std::move(observer)), previous_(t_observer) {
  t_observer = this;
  t_observer_fn = &observer_;
}

ScopedProgressObserver::~ScopedProgressObserver() {
  t_observer = previous_;
  t_observer_fn = previous_ ? &previous_->observer_ : nullptr;
}

ProgressBar::ProgressBar(std::string label, int64_t total, bool quiet)
    : label_(std::move(label)),
      total_(total),
      quiet_(quiet),
      tty_(::isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()),
      last_(start_) {}

ProgressBar::~ProgressBar() { finish(); }

void ProgressBar::update(int64_t done) {
  if (t_observer_fn && *t_observer_fn) (*t_observer_fn)(label_, done, total_);
  if (quiet_) return;
  const auto now = std::chrono::steady_clock::now();
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  // A redirected log gets a plain line every 10 s instead of carriage-return redraws.
  if (elapsed < 1.0 || now - last_ < std::chrono::milliseconds(tty_ ? 250 : 10000)) return;
  last_ = now;
  printed_ = tty_;
  const char* start = tty_ ? "\r" : "";
  const char* end = tty_ ? "  " : "\n";
  if (total_ > 0) {
    const double frac = std::clamp(double(done) / double(total_), 0.0, 1.0);
    constexpr int kWidth = 28;
    const int fill = int(frac * kWidth + 0.5);
    const double eta =
        done > 0 ? elapsed * double(std::max<int64_t>(0, total_ - done)) / double(done) : 0.0;
    const double fps = elapsed > 0 ? double(done) / elapsed : 0.0;
    fmt::print(stderr, "{}{:<8} [{}{}] {:3.0f}%  {}/{}  {:.1f} fps  ETA {:02d}:{:02d}{}", start,
               label_, std::string(size_t(fill), '#'), std::string(size_t(kWidth - fill), '.'),
               100.0 * frac, done, total_, fps, int(eta) / 60, int(eta) % 60, end);
  } else {
    fmt::print(stderr, "{}{:<8} {}{}", start, label_, done, end);
  }
  std::fflush(stderr);
}

void ProgressBar::finish() {
  if (printed_) fmt::print(stderr, "\r{:100}\r", "");
  printed_ = false;
}

}  // namespace autograde

#include "autograde/core/cleanup.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstring>
#include <filesystem>
#include <mutex>

#include "autograde/core/error.hpp"
#include "autograde/core/files.hpp"

namespace fs = std::filesystem;

namespace autograde {

namespace {

constexpr int kSlots = 256;
constexpr size_t kPathMax = 4096;

// A slot is published (state 2) only after its path is fully written, so the handler never
// reads a half-copied path. State: 0 free, 1 being filled, 2 active.
struct Slot {
  std::atomic<int> state{0};
  char path[kPathMax];
};
std::array<Slot, kSlots> g_slots;

// Runs in a signal handler, which may interrupt any code, malloc included (it holds the heap's
// lock): so only system calls, on fixed buffers. opendir allocates its buffer with malloc; a
// SIGINT that arrived inside malloc then waited forever on the heap lock the interrupted code
// held. open, getdents64, unlinkat, close and rmdir are plain system calls.
void remove_flat_dir(const char* dir) {
  const int fd = ::open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    alignas(8) char buf[8192];
    // Listing while deleting may skip an entry, so list again until a pass deletes nothing.
    for (int pass = 0, removed = 1; pass < 4 && removed > 0; ++pass) {
      removed = 0;
      ::lseek(fd, 0, SEEK_SET);
      for (ssize_t n; (n = ::getdents64(fd, buf, sizeof(buf))) > 0;)
        for (ssize_t off = 0; off < n;) {
          const auto* e = reinterpret_cast<const dirent64*>(buf + off);
          off += e->d_reclen;
          if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0)
            removed += ::unlinkat(fd, e->d_name, 0) == 0;
        }
    }
    ::close(fd);
  }
  ::rmdir(dir);
}

extern "C" void cleanup_on_signal(int sig) {
  // Newest first: a staging folder inside a created folder goes before its parent.
  // A slot holds a staging folder or a single temporary file (PendingOutput); unlink fails on
  // a folder, which is then emptied and removed.
  for (int i = kSlots - 1; i >= 0; --i)
    if (g_slots[i].state.load(std::memory_order_acquire) == 2 && ::unlink(g_slots[i].path) != 0)
      remove_flat_dir(g_slots[i].path);
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

// Slots are taken in increasing order of registration time as far as possible (lowest free
// slot), so the handler's reverse walk removes inner folders before outer ones.
int register_path(const std::string& path) {
  if (path.size() + 1 > kPathMax) throw_usage("output path too long: " + path);
  for (int i = 0; i < kSlots; ++i) {
    int expected = 0;
    if (g_slots[i].state.compare_exchange_strong(expected, 1, std::memory_order_acq_rel)) {
      std::memcpy(g_slots[i].path, path.c_str(), path.size() + 1);
      g_slots[i].state.store(2, std::memory_order_release);
      return i;
    }
  }
  throw_internal("too many staging folders in use");
}

}  // namespace

void unregister_path(int slot) {
  if (slot >= 0) g_slots[slot].state.store(0, std::memory_order_release);
}

int register_temp_file(const std::string& path) {
  install_cleanup_handlers();
  return register_path(path);
}

void install_cleanup_handlers() {
  static std::once_flag once;
  std::call_once(once, [] {
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGSEGV, SIGBUS, SIGFPE, SIGABRT}) {
      struct sigaction sa {};
      sa.sa_handler = cleanup_on_signal;
      sigemptyset(&sa.sa_mask);
      sa.sa_flags = SA_RESETHAND;
      ::sigaction(sig, &sa, nullptr);
    }
  });
}

int registered_staging_dirs() {
  int n = 0;
  for (auto& s : g_slots) n += s.state.load() == 2;
  return n;
}

StagingDir::StagingDir(const std::string& parent) {
  install_cleanup_handlers();
  const fs::path dir = parent.empty() ? fs::path(".") : fs::path(parent);
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw_usage("output folder '" + dir.string() + "' does not exist");
  static std::atomic<unsigned> counter{0};
  for (int attempt = 0; attempt < 100; ++attempt) {
    fs::path p = dir / (".autograde-" + std::to_string(::getpid()) + "-" +
                        std::to_string(counter++) + ".partial");
    if (fs::create_directory(p, ec)) {
      path_ = p.string();
      break;
    }
    if (ec) throw_usage("cannot create a folder in '" + dir.string() + "': " + ec.message());
  }
  if (path_.empty()) throw_internal("cannot create a staging folder in '" + dir.string() + "'");
  try {
    slot_ = register_path(path_);
  } catch (...) {
    fs::remove_all(path_, ec);
    throw;
  }
}

StagingDir::~StagingDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
  unregister_path(slot_);
}

CreatedFolder::CreatedFolder(const std::string& path) {
  std::error_code ec;
  if (fs::exists(path, ec)) return;
  install_cleanup_handlers();
  fs::create_directories(path, ec);
  if (ec) throw_usage("cannot create folder '" + path + "': " + ec.message());
  path_ = path;
  slot_ = register_path(path_);
}

CreatedFolder::~CreatedFolder() {
  if (path_.empty()) return;
  std::error_code ec;
  if (slot_ >= 0) fs::remove_all(path_, ec);
  unregister_path(slot_);
}

void CreatedFolder::keep() {
  unregister_path(slot_);
  slot_ = -1;
}

std::string StagingDir::path_for(const std::string& name) const {
  return (fs::path(path_) / name).string();
}

void StagingDir::commit(const std::string& name, const std::string& final_path) {
  std::error_code ec;
  // An image sequence (files.hpp FramePattern) was staged under one name: every file of it
  // written inside the staging folder moves to its frame's name beside the final pattern.
  if (const std::optional<FramePattern> staged = parse_frame_pattern(path_for(name))) {
    const std::optional<FramePattern> target = parse_frame_pattern(final_path);
    if (!target) throw_internal("staged image sequence '" + name + "' has no sequence target");
    // Listed first, moved after: renaming while a listing is open may skip entries.
    std::vector<std::pair<fs::path, std::int64_t>> frames;
    for (const auto& e : fs::directory_iterator(path_, ec)) {
      std::int64_t n = 0;
      if (e.is_regular_file() && staged->matches(e.path().filename().string(), &n))
        frames.emplace_back(e.path(), n);
    }
    if (ec) throw_internal("cannot list '" + path_ + "': " + ec.message());
    for (const auto& [from, n] : frames) {
      fs::rename(from, target->path(n), ec);
      if (ec)
        throw_internal("cannot move '" + from.string() + "' to '" + target->path(n) +
                       "': " + ec.message());
    }
    return;
  }
  fs::rename(path_for(name), final_path, ec);
  if (ec)
    throw_internal("cannot move '" + path_for(name) + "' to '" + final_path + "': " + ec.message());
}

std::string StagedOutputs::stage(const std::string& final_path) {
  const fs::path f(final_path);
  std::error_code ec;
  fs::path parent = f.parent_path().empty() ? fs::path(".") : f.parent_path();
  const std::string key = fs::weakly_canonical(parent, ec).string();
  auto& dir = dirs_[key.empty() ? parent.string() : key];
  if (!dir) dir = std::make_unique<StagingDir>(parent.string());
  const std::string name = std::to_string(items_.size()) + "_" + f.filename().string();
  items_.push_back({dir.get(), name, final_path});
  return dir->path_for(name);
}

void StagedOutputs::commit_all() {
  for (const auto& it : items_) it.dir->commit(it.name, it.final_path);
  items_.clear();
  dirs_.clear();
}

}  // namespace autograde

#include "autograde/core/files.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "autograde/core/cleanup.hpp"
#include "autograde/core/error.hpp"

namespace fs = std::filesystem;

namespace autograde {

namespace {
std::string mib(std::uint64_t bytes) {
  return std::to_string((bytes + input_limits::kMiB / 2) / input_limits::kMiB) + " MiB";
}
}  // namespace

std::uint64_t check_input_file(const std::string& path, std::uint64_t max_bytes,
                               std::string_view what) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    throw_bad_input(path, errno == ENOENT ? "no such file" : std::string("cannot open: ") +
                                                                 std::strerror(errno));
  if (S_ISDIR(st.st_mode)) throw_bad_input(path, "is a folder, expected a file");
  if (!S_ISREG(st.st_mode))
    throw_bad_input(path, "is not a regular file (a device, pipe or socket); the " +
                              std::string(what) + " must be a regular file");
  const auto size = std::uint64_t(st.st_size);
  if (size > max_bytes)
    throw_bad_input(path, "is " + mib(size) + "; the limit for the " + std::string(what) +
                              " is " + mib(max_bytes));
  return size;
}

std::string read_file(const std::string& path, std::uint64_t max_bytes, std::string_view what) {
  const std::uint64_t size = check_input_file(path, max_bytes, what);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw_bad_input(path, std::string("cannot open: ") + std::strerror(errno));
  std::string bytes(size, '\0');
  in.read(bytes.data(), std::streamsize(size));
  // A file that shrank while being read is cut short; one that grew is read to its size.
  if (in.bad()) throw_bad_input(path, "read error");
  bytes.resize(size_t(in.gcount()));
  return bytes;
}

void check_file_name(const std::string& name, const std::string& source, bool allow_subfolders) {
  auto refuse = [&](const std::string& why) {
    throw_bad_input(source, "'" + name + "' " + why);
  };
  if (name.empty()) refuse("is empty; a file name is needed");
  if (name.find('\0') != std::string::npos) refuse("holds a NUL byte");
  const fs::path p(name);
  if (p.is_absolute() || p.has_root_name() || p.has_root_directory())
    refuse("is an absolute path; only a name inside the destination folder is allowed");
  for (const auto& part : p)
    if (part == "..") refuse("climbs out of the destination folder with '..'");
  if (!allow_subfolders && name.find('/') != std::string::npos)
    refuse("names a subfolder; only a plain file name is allowed");
  if (p.filename().empty() || p.filename() == ".") refuse("does not name a file");
}

std::string contained_path(const std::string& root, const std::string& name,
                           const std::string& source, bool allow_subfolders) {
  check_file_name(name, source, allow_subfolders);
  // Symlinks (the file itself or a folder on the way) must not lead out of the root either.
  std::error_code ec;
  const fs::path dir = root.empty() ? fs::path(".") : fs::path(root);
  const fs::path base = fs::weakly_canonical(dir, ec);
  const fs::path full = fs::weakly_canonical(base / name, ec);
  if (ec) throw_bad_input(source, "'" + name + "' cannot be resolved: " + ec.message());
  if (std::mismatch(base.begin(), base.end(), full.begin(), full.end()).first != base.end())
    throw_bad_input(source, "'" + name + "' leads out of '" + dir.string() +
                                "' through a symbolic link");
  return (dir / name).string();
}

bool same_file(const std::string& a, const std::string& b) {
  std::error_code ec;
  if (!fs::exists(a, ec) || !fs::exists(b, ec)) return false;
  return fs::equivalent(a, b, ec);
}

void refuse_overwrite_input(const std::string& input, const std::string& output) {
  if (same_file(input, output))
    throw_usage("output '" + output + "' is the input file; refusing to overwrite an input");
}

namespace {
std::string make_temp_name(const std::string& final_path) {
  static std::atomic<unsigned> counter{0};
  fs::path p(final_path);
  // Keep the extension last so format-sniffing writers (OIIO, FFmpeg) still pick the format.
  std::string name = "." + p.stem().string() + ".tmp" + std::to_string(::getpid()) + "_" +
                     std::to_string(counter++) + p.extension().string();
  return (p.parent_path() / name).string();
}
}  // namespace

PendingOutput::PendingOutput(std::string final_path)
    : final_path_(std::move(final_path)), temp_path_(make_temp_name(final_path_)) {
  fs::path parent = fs::path(final_path_).parent_path();
  std::error_code ec;
  if (!parent.empty() && !fs::is_directory(parent, ec))
    throw_usage("output folder '" + parent.string() + "' does not exist");
  slot_ = register_temp_file(temp_path_);
}

PendingOutput::~PendingOutput() {
  if (!committed_) {
    std::error_code ec;
    fs::remove(temp_path_, ec);
  }
  unregister_path(slot_);
}

void PendingOutput::commit() {
  std::error_code ec;
  // A signal between the rename and the unregistering finds the temporary name gone: harmless.
  fs::rename(temp_path_, final_path_, ec);
  if (ec) throw_internal("cannot move '" + temp_path_ + "' to '" + final_path_ + "': " + ec.message());
  unregister_path(slot_);
  slot_ = -1;
  committed_ = true;
}

void write_file_atomic(const std::string& path, std::string_view bytes) {
  PendingOutput out(path);
  {
    std::ofstream f(out.temp_path(), std::ios::binary | std::ios::trunc);
    if (!f) throw_usage("cannot write '" + path + "': " + std::strerror(errno));
    f.write(bytes.data(), std::streamsize(bytes.size()));
    f.flush();
    if (!f) throw_internal("write failed for '" + path + "'");
  }
  out.commit();
}

std::string FramePattern::file_name(std::int64_t number) const {
  std::string n = std::to_string(number);
  if (int(n.size()) < digits) n.insert(0, size_t(digits) - n.size(), '0');
  return prefix + n + suffix;
}

std::string FramePattern::path(std::int64_t number) const {
  return folder.empty() ? file_name(number) : (fs::path(folder) / file_name(number)).string();
}

bool FramePattern::matches(const std::string& name, std::int64_t* number) const {
  if (name.size() <= prefix.size() + suffix.size()) return false;
  if (name.compare(0, prefix.size(), prefix) != 0) return false;
  if (name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) return false;
  const std::string mid = name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
  if (mid.size() > 18 || (digits > 0 && int(mid.size()) < digits)) return false;
  if (!std::all_of(mid.begin(), mid.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return false;
  if (number) *number = std::stoll(mid);
  return true;
}

std::optional<FramePattern> parse_frame_pattern(const std::string& path) {
  const fs::path p(path);
  const std::string name = p.filename().string();
  const size_t pct = name.find('%');
  if (pct == std::string::npos || name.find('%', pct + 1) != std::string::npos) return std::nullopt;
  if (p.parent_path().string().find('%') != std::string::npos) return std::nullopt;
  size_t i = pct + 1;
  int digits = 0;
  if (i < name.size() && name[i] == '0') {
    ++i;
    while (i < name.size() && name[i] >= '0' && name[i] <= '9' && digits < 100)
      digits = digits * 10 + (name[i++] - '0');
    if (digits < 1 || digits > 12) return std::nullopt;
  }
  if (i >= name.size() || name[i] != 'd') return std::nullopt;
  FramePattern f;
  f.folder = p.parent_path().string();
  f.prefix = name.substr(0, pct);
  f.suffix = name.substr(i + 1);
  f.digits = digits;
  return f;
}

}  // namespace autograde

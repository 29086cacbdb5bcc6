#include "autograde/core/files.hpp"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "autograde/core/error.hpp"

namespace fs = std::filesystem;

namespace autograde {

std::string read_file(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw_bad_input(path, "is a directory, expected a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw_bad_input(path, std::string("cannot open: ") + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw_bad_input(path, "read error");
  return ss.str();
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
}

PendingOutput::~PendingOutput() {
  if (!committed_) {
    std::error_code ec;
    fs::remove(temp_path_, ec);
  }
}

void PendingOutput::commit() {
  std::error_code ec;
  fs::rename(temp_path_, final_path_, ec);
  if (ec) throw_internal("cannot move '" + temp_path_ + "' to '" + final_path_ + "': " + ec.message());
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

}  // namespace autograde

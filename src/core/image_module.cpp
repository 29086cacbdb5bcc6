#include "autograde/core/image_module.hpp"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <vector>

#include "autograde/core/error.hpp"

#ifndef AUTOGRADE_OIIO_MODULE_PATH
#define AUTOGRADE_OIIO_MODULE_PATH ""
#endif

namespace autograde::image_module {

namespace {

constexpr const char* kModuleName = "libautograde_oiio.so";

std::vector<std::string> candidates() {
  std::vector<std::string> out;
  if (const char* env = std::getenv("AUTOGRADE_OIIO_MODULE"); env && *env) out.push_back(env);
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) out.push_back((exe.parent_path() / kModuleName).string());
  if (*AUTOGRADE_OIIO_MODULE_PATH) out.push_back(AUTOGRADE_OIIO_MODULE_PATH);
  return out;
}

Functions load() {
  std::string tried;
  for (const std::string& path : candidates()) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
      tried += " " + path;
      continue;
    }
    // Never closed: the module lives as long as the process (OIIO keeps global state).
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) throw_internal("cannot load the image I/O module " + path + ": " + dlerror());
    auto* entry = reinterpret_cast<void (*)(Functions*)>(dlsym(handle, "autograde_oiio_functions"));
    if (!entry) throw_internal("the image I/O module " + path + " has no entry point");
    Functions f;
    entry(&f);
    return f;
  }
  throw_internal(std::string("the image I/O module ") + kModuleName +
                 " was not found (looked at:" + tried + "); set AUTOGRADE_OIIO_MODULE to its path");
}

}  // namespace

const Functions& functions() {
  static const Functions f = load();  // C++11 statics: loaded once, thread-safe
  return f;
}

void check(const Status& status) {
  if (status.kind == 0) return;
  throw Error(static_cast<ErrorKind>(status.kind), status.message);
}

}  // namespace autograde::image_module

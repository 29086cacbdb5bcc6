#include "autograde/core/model_files.hpp"

#include <cstdlib>
#include <filesystem>

namespace autograde {

std::string model_dir() {
  if (const char* env = std::getenv("AUTOGRADE_MODELS"); env && *env) return env;
  return AUTOGRADE_MODEL_DIR;
}

std::string model_path(const std::string& file) {
  return (std::filesystem::path(model_dir()) / file).string();
}

}  // namespace autograde

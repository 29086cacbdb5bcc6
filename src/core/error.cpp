#include "autograde/core/error.hpp"

namespace autograde {

void throw_bad_input(const std::string& file, int line, const std::string& what) {
  std::string msg = file;
  if (line > 0) msg += ":" + std::to_string(line);
  msg += ": " + what;
  throw Error(ErrorKind::BadInput, msg);
}

void throw_bad_input(const std::string& file, const std::string& what) {
  throw_bad_input(file, 0, what);
}

void throw_usage(const std::string& what) { throw Error(ErrorKind::Usage, what); }

void throw_internal(const std::string& what) { throw Error(ErrorKind::Internal, what); }

}  // namespace autograde

#pragma once
// Errors carry a kind that maps onto the CLI's exit status (DESIGN.md: 2 usage, 3 bad input,
// 4 internal), so every layer can fail with a message that names the file and line and the
// shell still gets the right code.
#include <stdexcept>
#include <string>

namespace autograde {

enum class ErrorKind { Usage = 2, BadInput = 3, Internal = 4 };

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const noexcept { return kind_; }
  int exit_code() const noexcept { return static_cast<int>(kind_); }

 private:
  ErrorKind kind_;
};

// "file:line: what" for an input problem at a known line (line <= 0 omits it).
[[noreturn]] void throw_bad_input(const std::string& file, int line, const std::string& what);
[[noreturn]] void throw_bad_input(const std::string& file, const std::string& what);
[[noreturn]] void throw_usage(const std::string& what);
[[noreturn]] void throw_internal(const std::string& what);

}  // namespace autograde

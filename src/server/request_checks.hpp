#pragma once
// What the server refuses before it touches the disk (issue 22's bad-request list): path-like
// strings that climb out or are absolute, uploads that are neither a clip nor a still, and job
// options the grade does not take. Each failure is an HttpError with the status and a message
// that names the problem; the routes turn it into {"error": message}.
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "autograde/pipeline/grade.hpp"
#include "autograde/pipeline/refine_plan.hpp"

namespace autograde::server {

class HttpError : public std::runtime_error {
 public:
  HttpError(int status, const std::string& message)
      : std::runtime_error(message), status_(status) {}
  int status() const { return status_; }

 private:
  int status_;
};

// Why `text` reads as a path out of where it is used: absolute ("/x", "C:\x", "\\x", "~/x"), a
// ".." segment (either slash), or a NUL byte; nullopt when harmless.
std::optional<std::string> path_problem(std::string_view text);

// HttpError 400 naming `where` (e.g. "options.method") for the first string anywhere in `j`
// (keys included) that path_problem refuses.
void check_json_strings(const nlohmann::json& j, const std::string& where);

// What the first bytes of an upload are: "video", "image" or "" (unsupported: 415). By
// signature, not by the name the client gave.
std::string sniff_media(std::string_view bytes);

// The extension a sniffed upload is stored under (".mp4", ".png", ...), so FFmpeg and
// OpenImageIO pick the right reader; never the client's name.
std::string media_extension(std::string_view bytes);

// The job options a client may set (documented in openapi.json, JobOptions), applied onto `o`;
// HttpError 400 naming the key for an unknown key, a wrong type or a value out of range.
// Returns the options as stored with the job (only the keys given).
nlohmann::json apply_job_options(const nlohmann::json& options, GradeOptions& o);

// {"text": "...", "shot": N, "sliders": {"exposure": ...}} → a Refinement (HttpError 400
// naming the key for anything else); `command` records it in the plan's history.
Refinement parse_refinement(const nlohmann::json& body);

// The body of a JSON request ({} when empty): HttpError 415 unless its Content-Type is
// application/json, 400 when it does not parse or is not an object, 400 for a
// path-like string anywhere in it.
nlohmann::json json_body(const std::string& content_type, const std::string& body);

}  // namespace autograde::server

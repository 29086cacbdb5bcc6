#pragma once
// `autograde serve` (issue 22): the HTTP API and the web UI over one job store on disk.
// api/openapi.json (src/server/openapi.json, embedded) documents every route.
#include <cstdint>
#include <string>

namespace autograde::server {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port (printed on stdout)
  std::string data_dir = "autograde-data";
  int jobs = 1;                                       // jobs running at once; the rest queue
  std::uint64_t max_upload = std::uint64_t(1) << 30;  // bytes of one request body
  // Required (Error(Usage)) when `host` is not a loopback address: every request must then
  // carry "Authorization: Bearer <token>".
  std::string token;
  // The report's extension (".html" today; ".pdf" once src/report writes PDF): grade_clip picks
  // the format from it.
  std::string report_ext = ".html";
  bool quiet = false;
};

// "100M", "2G", "512k", "1000" (bytes) → bytes; Error(Usage) for anything else.
std::uint64_t parse_size(const std::string& text);

// True for 127.0.0.0/8, ::1 and "localhost".
bool is_loopback_host(const std::string& host);

// Serves until the process is stopped. Prints "listening on http://HOST:PORT/" on stdout once
// the socket is bound. Jobs that were running when a previous server stopped are marked failed
// with that reason; queued ones are queued again. Error(Usage) for bad options or a port that
// cannot be bound.
void run_server(const ServerOptions& options);

}  // namespace autograde::server

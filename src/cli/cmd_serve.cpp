// autograde serve [--host H] [--port P] [--data DIR] [--jobs N] [--max-upload SIZE] [--token T]:
// the HTTP API and the web UI (src/server; the API is documented at /api/openapi.json).
#include <memory>

#include "autograde/server/server.hpp"
#include "commands.hpp"

namespace autograde::cli {

namespace {

Runner add_serve(CLI::App& app, const GlobalOptions& global) {
  auto* sub =
      app.add_subcommand("serve", "Serve the web UI and the JSON API (docs: /api/openapi.json)");
  auto o = std::make_shared<server::ServerOptions>();
  auto max_upload = std::make_shared<std::string>("1G");
  sub->add_option("--host", o->host,
                  "address to listen on (default 127.0.0.1; others need --token)");
  sub->add_option("--port", o->port, "port (default 8080; 0: any free port, printed)")
      ->check(CLI::Range(0, 65535));
  sub->add_option("--data", o->data_dir,
                  "folder for jobs (inputs, plan versions, outputs); default ./autograde-data");
  sub->add_option("--jobs", o->jobs, "jobs running at once; the rest queue (default 1)")
      ->check(CLI::Range(1, 64));
  sub->add_option("--max-upload", *max_upload, "largest request body, e.g. 500M, 2G (default 1G)");
  sub->add_option("--token", o->token, "require \"Authorization: Bearer T\" on every request");
  return [o, max_upload, &global] {
    o->quiet = global.quiet;
    o->max_upload = server::parse_size(*max_upload);
    server::run_server(*o);
  };
}

}  // namespace

AUTOGRADE_COMMAND(95, add_serve);

}  // namespace autograde::cli

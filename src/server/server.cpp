#include "autograde/server/server.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <httplib.h>

#include <cctype>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <thread>

#include "assets.hpp"
#include "autograde/core/error.hpp"
#include "autograde/core/files.hpp"
#include "autograde/engine/renderer.hpp"
#include "autograde/media/image_io.hpp"
#include "autograde/pipeline/region_grades.hpp"
#include "autograde/report/report_html.hpp"
#include "autograde/server/routes.hpp"
#include "jobs.hpp"
#include "request_checks.hpp"
#include "zip_store.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace autograde::server {

std::uint64_t parse_size(const std::string& text) {
  size_t used = 0;
  double v = 0;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    throw_usage(fmt::format("size '{}': expected a number with an optional k, M or G", text));
  }
  const std::string unit = text.substr(used);
  double scale = 1;
  if (unit == "k" || unit == "K")
    scale = 1024;
  else if (unit == "M" || unit == "m")
    scale = 1024.0 * 1024;
  else if (unit == "G" || unit == "g")
    scale = 1024.0 * 1024 * 1024;
  else if (!unit.empty())
    throw_usage(fmt::format("size '{}': unknown unit '{}' (k, M or G)", text, unit));
  if (!(v > 0) || v * scale > 1e15) throw_usage(fmt::format("size '{}': out of range", text));
  return std::uint64_t(v * scale);
}

bool is_loopback_host(const std::string& host) {
  if (host == "localhost" || host == "::1") return true;
  in_addr a{};
  return ::inet_pton(AF_INET, host.c_str(), &a) == 1 && (ntohl(a.s_addr) >> 24) == 127;
}

namespace {

void send_json(httplib::Response& res, const json& j, int status = 200) {
  res.status = status;
  res.set_content(j.dump(2) + "\n", "application/json");
}

void send_error(httplib::Response& res, int status, const std::string& message) {
  send_json(res, {{"error", message}, {"status", status}}, status);
}

// Streams a file without holding it in memory (graded clips are large).
void send_file(httplib::Response& res, const fs::path& path, const std::string& type,
               const std::string& download_name = "") {
  const auto size = fs::file_size(path);
  auto in = std::make_shared<std::ifstream>(path, std::ios::binary);
  if (!*in) throw_internal("cannot read " + path.string());
  if (!download_name.empty())
    res.set_header("Content-Disposition", "attachment; filename=\"" + download_name + "\"");
  res.set_content_provider(size, type, [in](size_t offset, size_t length, httplib::DataSink& sink) {
    std::vector<char> buf(std::min<size_t>(length, 1 << 20));
    in->seekg(std::streamoff(offset));
    in->read(buf.data(), std::streamsize(buf.size()));
    const auto n = size_t(in->gcount());
    return n > 0 && sink.write(buf.data(), n);
  });
}

int version_param(const httplib::Request& req) {
  if (!req.has_param("version")) return 0;
  const std::string v = req.get_param_value("version");
  if (v.empty() || v.size() > 6 || !std::all_of(v.begin(), v.end(), ::isdigit) || std::stoi(v) < 1)
    throw HttpError(400, fmt::format("version: '{}' is not a version number (1, 2, ...)", v));
  return std::stoi(v);
}

int shot_param(const std::string& s) {
  if (s.empty() || s.size() > 6 || !std::all_of(s.begin(), s.end(), ::isdigit))
    throw HttpError(400, fmt::format("shot: '{}' is not a shot number (0, 1, ...)", s));
  return std::stoi(s);
}

std::string lut_bytes(const Lut3D& lut) {
  return std::string(reinterpret_cast<const char*>(lut.table.data()),
                     lut.table.size() * sizeof(float));
}

std::string report_type(const std::string& ext) {
  return ext == ".pdf" ? "application/pdf" : "text/html; charset=utf-8";
}

// The text field `name` of a multipart form (empty when absent).
std::string form_text(const httplib::Request& req, const std::string& name) {
  return req.has_file(name) ? req.get_file_value(name).content : std::string();
}

}  // namespace

const std::vector<RouteInfo>& api_routes() {
  static const std::vector<RouteInfo> routes{
      {"GET", "/api/openapi.json"},
      {"GET", "/api/health"},
      {"GET", "/api/jobs"},
      {"POST", "/api/jobs"},
      {"GET", "/api/jobs/{id}"},
      {"DELETE", "/api/jobs/{id}"},
      {"GET", "/api/jobs/{id}/events"},
      {"POST", "/api/jobs/{id}/cancel"},
      {"GET", "/api/jobs/{id}/plan"},
      {"GET", "/api/jobs/{id}/luts"},
      {"GET", "/api/jobs/{id}/luts/{file}"},
      {"GET", "/api/jobs/{id}/luts.zip"},
      {"GET", "/api/jobs/{id}/output"},
      {"GET", "/api/jobs/{id}/report"},
      {"POST", "/api/jobs/{id}/refine"},
      {"POST", "/api/jobs/{id}/undo"},
      {"POST", "/api/jobs/{id}/render"},
      {"POST", "/api/jobs/{id}/preview"},
      {"GET", "/api/jobs/{id}/shots/{shot}/frame.png"},
      {"GET", "/api/jobs/{id}/shots/{shot}/render.png"},
      {"POST", "/api/jobs/{id}/shots/{shot}/exclude"},
      {"POST", "/api/jobs/{id}/shots/{shot}/reference"},
  };
  return routes;
}

void run_server(const ServerOptions& opt) {
  if (!is_loopback_host(opt.host) && opt.token.empty())
    throw_usage(
        fmt::format("--host {} is not a loopback address: give --token T (clients send "
                    "\"Authorization: Bearer T\")",
                    opt.host));
  if (opt.jobs < 1 || opt.jobs > 64) throw_usage("--jobs: 1..64");
  // The library's scratch files (encode_png's staging folder, say) go to the system temp folder;
  // pointing it inside --data keeps every write of the server there. Set before any thread
  // starts (setenv is not thread-safe); emptied first, since a killed server leaves its own.
  {
    const fs::path tmp = fs::absolute(fs::path(opt.data_dir) / "tmp");
    std::error_code ec;
    fs::remove_all(tmp, ec);
    fs::create_directories(tmp, ec);
    if (ec) throw_usage(fmt::format("--data: cannot create '{}': {}", tmp.string(), ec.message()));
    ::setenv("TMPDIR", tmp.c_str(), 1);
  }
  JobStore store(opt.data_dir, opt.jobs, opt.report_ext);

  httplib::Server svr;
  // Progress streams hold a thread each for as long as a client watches; httplib's default pool
  // (8 threads here) would let a few open pages starve the API. httplib owns the queue it gets.
  svr.new_task_queue = [] { return new httplib::ThreadPool(48); };
  svr.set_payload_max_length(opt.max_upload);
  svr.set_read_timeout(60, 0);
  svr.set_write_timeout(60, 0);

  const std::string bearer = "Bearer " + opt.token;
  svr.set_pre_routing_handler([&](const httplib::Request& req, httplib::Response& res) {
    if (!opt.token.empty() && req.get_header_value("Authorization") != bearer) {
      res.set_header("WWW-Authenticate", "Bearer");
      send_error(res, 401, "missing or wrong bearer token (Authorization: Bearer <token>)");
      return httplib::Server::HandlerResponse::Handled;
    }
    // Anything path-like that climbs out or is absolute, anywhere in the request line.
    std::optional<std::string> problem = path_problem(std::string_view(req.path).substr(1));
    if (problem) {
      send_error(res, 400, fmt::format("request path '{}' {}", req.path, *problem));
      return httplib::Server::HandlerResponse::Handled;
    }
    for (const auto& [k, v] : req.params)
      if ((problem = path_problem(v))) {
        send_error(res, 400, fmt::format("query parameter {}: '{}' {}", k, v, *problem));
        return httplib::Server::HandlerResponse::Handled;
      }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  svr.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    std::string what = fmt::format("HTTP {}", res.status);
    if (res.status == 404) what = fmt::format("no route {} {}", req.method, req.path);
    if (res.status == 413) what = "the request body is larger than --max-upload";
    send_error(res, res.status, what);
  });

  // Every handler answers errors the same way: HttpError with its status, the library's
  // Error(Usage) as 400 (a refinement that is not understood, say), anything else 500.
  using Fn = std::function<void(const httplib::Request&, httplib::Response&)>;
  auto guard = [](Fn fn) {
    return [fn = std::move(fn)](const httplib::Request& req, httplib::Response& res) {
      try {
        fn(req, res);
      } catch (const HttpError& e) {
        send_error(res, e.status(), e.what());
      } catch (const Error& e) {
        send_error(res,
                   e.kind() == ErrorKind::Usage      ? 400
                   : e.kind() == ErrorKind::BadInput ? 422
                                                     : 500,
                   e.what());
      } catch (const std::exception& e) {
        send_error(res, 500, e.what());
      }
    };
  };
  auto route = [&](const std::string& method, const std::string& path, Fn fn) {
    // OpenAPI's "{name}" becomes one path segment.
    std::string pattern;
    for (size_t i = 0; i < path.size(); ++i) {
      if (path[i] == '{') {
        pattern += "([^/]+)";
        i = path.find('}', i);
      } else if (path[i] == '.') {
        pattern += "\\.";
      } else {
        pattern += path[i];
      }
    }
    bool listed = false;
    for (const RouteInfo& r : api_routes())
      listed = listed || (r.method == method && r.path == path);
    if (!listed && path.rfind("/api/", 0) == 0)
      throw_internal("route " + method + " " + path + " is not in api_routes()");
    if (method == "GET")
      svr.Get(pattern, guard(fn));
    else if (method == "POST")
      svr.Post(pattern, guard(fn));
    else if (method == "DELETE")
      svr.Delete(pattern, guard(fn));
  };
  auto id_of = [](const httplib::Request& req) { return std::string(req.matches[1]); };

  // The web UI.
  for (const char* name : {"index.html", "app.js", "style.css"}) {
    const std::string file = name;
    const std::string type = file.ends_with(".html") ? "text/html; charset=utf-8"
                             : file.ends_with(".js") ? "text/javascript; charset=utf-8"
                                                     : "text/css; charset=utf-8";
    Fn serve = [file, type](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string(*embedded_asset(file)), type);
    };
    route("GET", "/" + file, serve);
    if (file == "index.html") route("GET", "/", serve);
  }

  route("GET", "/api/openapi.json", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(*embedded_asset("openapi.json")), "application/json");
  });
  route("GET", "/api/health", [&](const httplib::Request&, httplib::Response& res) {
    send_json(res, {{"ok", true},
                    {"version", AUTOGRADE_VERSION},
                    {"jobs", opt.jobs},
                    {"report", opt.report_ext}});
  });
  route("GET", "/api/jobs", [&](const httplib::Request&, httplib::Response& res) {
    send_json(res, {{"jobs", store.list()}});
  });
  route("POST", "/api/jobs", [&](const httplib::Request& req, httplib::Response& res) {
    if (!req.is_multipart_form_data())
      throw HttpError(
          415,
          fmt::format(
              "expected multipart/form-data (fields clip, reference, prompt, options), got '{}'",
              req.get_header_value("Content-Type")));
    for (const auto& [name, part] : req.files) {
      if (name != "clip" && name != "reference" && name != "prompt" && name != "options")
        throw HttpError(
            400, fmt::format("unknown form field '{}' (clip, reference, prompt, options)", name));
      if (auto p = path_problem(part.filename))
        throw HttpError(400, fmt::format("{}: file name '{}' {}", name, part.filename, *p));
    }
    if (!req.has_file("clip"))
      throw HttpError(400, "missing the form field 'clip' (a video or a still)");
    JobInputs in;
    const auto clip = req.get_file_value("clip");
    in.source_ext = media_extension(clip.content);
    if (in.source_ext.empty())
      throw HttpError(
          415, fmt::format(
                   "clip '{}': not a supported video or still (mp4/mov, mkv/webm, mxf, y4m, png, "
                   "jpeg, tiff, exr, dpx)",
                   clip.filename));
    in.source_bytes = clip.content;
    in.source_name = clip.filename;
    if (req.has_file("reference")) {
      const auto ref = req.get_file_value("reference");
      if (sniff_media(ref.content) != "image")
        throw HttpError(
            415, fmt::format("reference '{}': not a supported still (png, jpeg, tiff, exr, dpx)",
                             ref.filename));
      in.reference_ext = media_extension(ref.content);
      in.reference_bytes = ref.content;
      in.reference_name = ref.filename;
    }
    in.prompt = form_text(req, "prompt");
    check_json_strings(json(in.prompt), "prompt");
    if (in.reference_bytes.empty() && in.prompt.empty())
      throw HttpError(400, "give a reference still, a prompt or both");
    const std::string options = form_text(req, "options");
    if (!options.empty()) {
      json o = json::parse(options, nullptr, false);
      if (o.is_discarded()) throw HttpError(400, "options: not valid JSON");
      GradeOptions check;
      in.options = apply_job_options(o, check);
    }
    send_json(res, store.create(in), 201);
  });
  route("GET", "/api/jobs/{id}", [&](const httplib::Request& req, httplib::Response& res) {
    send_json(res, store.status(id_of(req)));
  });
  route("DELETE", "/api/jobs/{id}", [&](const httplib::Request& req, httplib::Response& res) {
    store.remove(id_of(req));
    send_json(res, {{"deleted", id_of(req)}});
  });
  route("POST", "/api/jobs/{id}/cancel", [&](const httplib::Request& req, httplib::Response& res) {
    send_json(res, store.cancel(id_of(req)));
  });
  route("GET", "/api/jobs/{id}/events", [&](const httplib::Request& req, httplib::Response& res) {
    const std::string id = id_of(req);
    (void)store.status(id);  // 404 before the stream starts
    res.set_header("Cache-Control", "no-store");
    res.set_chunked_content_provider(
        "text/event-stream", [&store, id](size_t, httplib::DataSink& sink) {
          // One event per change of the job's JSON, polled 5 times a second; the stream ends when
          // the job does (or is deleted).
          std::string last;
          for (;;) {
            json j;
            try {
              j = store.status(id);
            } catch (const HttpError&) {
              sink.done();
              return true;
            }
            std::string now = j.dump();
            if (now != last) {
              const std::string ev = "data: " + now + "\n\n";
              if (!sink.write(ev.data(), ev.size())) return false;
              last = std::move(now);
            }
            const std::string state = j["state"];
            if (state != "queued" && state != "running") {
              sink.done();
              return true;
            }
            if (!sink.is_writable()) return false;
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
          }
        });
  });
  route("GET", "/api/jobs/{id}/plan", [&](const httplib::Request& req, httplib::Response& res) {
    const fs::path p = store.plan_path(id_of(req), version_param(req));
    res.set_content(read_file(p.string()), "application/json");
  });
  route("GET", "/api/jobs/{id}/luts", [&](const httplib::Request& req, httplib::Response& res) {
    const std::string id = id_of(req);
    const int v = version_param(req);
    const GradePlan p = store.plan(id, v);
    json list = json::array();
    for (const PlanLutFile& f : plan_lut_files(p))
      list.push_back({{"shot", f.shot},
                      {"kind", f.kind},
                      {"file", f.file},
                      {"excluded", p.shots[size_t(f.shot)].excluded},
                      {"url", fmt::format("/api/jobs/{}/luts/{}{}", id, f.file,
                                          v ? fmt::format("?version={}", v) : "")}});
    send_json(res, {{"luts", list}});
  });
  route("GET", "/api/jobs/{id}/luts/{file}",
        [&](const httplib::Request& req, httplib::Response& res) {
          const std::string file = req.matches[2];
          send_file(res, store.lut_path(id_of(req), file, version_param(req)),
                    "text/plain; charset=utf-8", file);
        });
  route("GET", "/api/jobs/{id}/luts.zip", [&](const httplib::Request& req, httplib::Response& res) {
    const std::string id = id_of(req);
    const int v = version_param(req);
    const fs::path plan_file = store.plan_path(id, v);
    std::vector<std::pair<std::string, std::string>> files;
    for (const PlanLutFile& f : plan_lut_files(store.plan(id, v)))
      files.emplace_back(f.file, read_file(store.lut_path(id, f.file, v).string()));
    const std::string stem = plan_file.stem().string();  // plan.vN
    res.set_header("Content-Disposition",
                   "attachment; filename=\"luts" + stem.substr(stem.find('.')) + ".zip\"");
    res.set_content(zip_stored(files), "application/zip");
  });
  route("GET", "/api/jobs/{id}/output", [&](const httplib::Request& req, httplib::Response& res) {
    const fs::path p = store.output_path(id_of(req), version_param(req));
    send_file(res, p, "video/mp4", "graded." + p.filename().string());
  });
  route("GET", "/api/jobs/{id}/report", [&](const httplib::Request& req, httplib::Response& res) {
    const std::string format = req.get_param_value("format");
    if (!format.empty() && format != "html" && format != "pdf")
      throw HttpError(400, "format must be html or pdf, not '" + format + "'");
    const std::string ext = format.empty() ? opt.report_ext : "." + format;
    send_file(res, store.report_path(id_of(req), ext), report_type(ext));
  });
  route("POST", "/api/jobs/{id}/refine", [&](const httplib::Request& req, httplib::Response& res) {
    const json body = json_body(req.get_header_value("Content-Type"), req.body);
    send_json(res, store.refine(id_of(req), parse_refinement(body)), 201);
  });
  route("POST", "/api/jobs/{id}/undo", [&](const httplib::Request& req, httplib::Response& res) {
    (void)json_body(req.get_header_value("Content-Type"), req.body);
    send_json(res, store.undo(id_of(req)));
  });
  route("POST", "/api/jobs/{id}/render", [&](const httplib::Request& req, httplib::Response& res) {
    (void)json_body(req.get_header_value("Content-Type"), req.body);
    send_json(res, store.render(id_of(req)), 202);
  });
  route("POST", "/api/jobs/{id}/preview", [&](const httplib::Request& req, httplib::Response& res) {
    json body = json_body(req.get_header_value("Content-Type"), req.body);
    if (!body.contains("shot")) throw HttpError(400, "shot: required");
    const int shot = body["shot"].is_number_integer() ? body["shot"].get<int>() : -1;
    if (shot < 0) throw HttpError(400, "shot: expected a shot number (0, 1, ...)");
    const Lut3D lut = store.preview_lut(id_of(req), parse_refinement(body), shot);
    res.set_header("X-Lut-Size", std::to_string(lut.size));
    res.set_header("Cache-Control", "no-store");
    res.set_content(lut_bytes(lut), "application/octet-stream");
  });
  route("GET", "/api/jobs/{id}/shots/{shot}/frame.png",
        [&](const httplib::Request& req, httplib::Response& res) {
          send_file(res, store.frame_path(id_of(req), shot_param(req.matches[2])), "image/png");
        });
  route("GET", "/api/jobs/{id}/shots/{shot}/render.png",
        [&](const httplib::Request& req, httplib::Response& res) {
          // The server's render of the shot's frame through the version's LUT: the engine (the
          // plan's interpolation) on the same 8-bit frame the browser previews.
          const std::string id = id_of(req);
          const int shot = shot_param(req.matches[2]);
          const fs::path frame = store.frame_path(id, shot);
          const GradePlan p = store.plan(id, version_param(req));
          if (shot >= int(p.shots.size()))
            throw HttpError(404, fmt::format("job {} has no shot {}", id, shot));
          const ShotPlan& s = p.shots[size_t(shot)];
          ImageF image = read_image(frame.string()).image;
          const Lut3D lut = plan_luts(p).at(size_t(shot));
          (void)s;
          make_renderer(lut, PixelFormat{SampleType::F32, Layout::Packed, image.channels}, p.interp)
              .apply(image);
          res.set_header("Cache-Control", "no-store");
          res.set_content(encode_png(image), "image/png");
        });
  route("POST", "/api/jobs/{id}/shots/{shot}/exclude",
        [&](const httplib::Request& req, httplib::Response& res) {
          const json body = json_body(req.get_header_value("Content-Type"), req.body);
          bool excluded = true;
          for (const auto& [k, v] : body.items()) {
            if (k != "excluded" || !v.is_boolean())
              throw HttpError(400, "expected {\"excluded\": true|false}");
            excluded = v.get<bool>();
          }
          send_json(res, store.set_excluded(id_of(req), shot_param(req.matches[2]), excluded), 201);
        });

  route("POST", "/api/jobs/{id}/shots/{shot}/reference",
        [&](const httplib::Request& req, httplib::Response& res) {
          if (!req.is_multipart_form_data())
            throw HttpError(415, "expected multipart/form-data with the field 'reference'");
          for (const auto& [name, part] : req.files) {
            if (name != "reference")
              throw HttpError(400, fmt::format("unknown form field '{}' (reference)", name));
            if (auto p = path_problem(part.filename))
              throw HttpError(400, fmt::format("reference: file name '{}' {}", part.filename, *p));
          }
          if (!req.has_file("reference"))
            throw HttpError(400, "missing the form field 'reference'");
          const auto ref = req.get_file_value("reference");
          if (sniff_media(ref.content) != "image")
            throw HttpError(415, fmt::format("reference '{}': not a supported still (png, jpeg, "
                                             "tiff, exr, dpx)",
                                             ref.filename));
          send_json(res,
                    store.set_shot_reference(id_of(req), shot_param(req.matches[2]), ref.content,
                                             media_extension(ref.content), ref.filename),
                    202);
        });

  const int port = opt.port == 0 ? svr.bind_to_any_port(opt.host)
                                 : (svr.bind_to_port(opt.host, opt.port) ? opt.port : -1);
  if (port < 0)
    throw_usage(fmt::format("cannot listen on {}:{} (in use, or not an address of this machine)",
                            opt.host, opt.port));
  fmt::print("listening on http://{}:{}/\n",
             opt.host.find(':') != std::string::npos ? "[" + opt.host + "]" : opt.host, port);
  std::fflush(stdout);
  if (!svr.listen_after_bind()) throw_internal("the server stopped listening");
}

}  // namespace autograde::server

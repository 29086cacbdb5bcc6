#pragma once
// The API routes the server registers, as OpenAPI paths ("/api/jobs/{id}"): the test checks
// that openapi.json documents each, and run_server refuses to register one missing here.
#include <string>
#include <vector>

namespace autograde::server {

struct RouteInfo {
  std::string method;  // "GET", "POST", "DELETE"
  std::string path;
};

const std::vector<RouteInfo>& api_routes();

}  // namespace autograde::server

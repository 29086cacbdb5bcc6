#pragma once
// The files compiled into the binary (CMakeLists.txt: the web UI and openapi.json).
#include <optional>
#include <string_view>

namespace autograde::server {

// The bytes of the embedded file called `name` (no folders: "index.html"), or nullopt.
std::optional<std::string_view> embedded_asset(std::string_view name);

}  // namespace autograde::server

#pragma once
// A .zip archive of a few small files, stored without compression (the LUT download: .cube text
// is small, and a stored zip opens everywhere). Deterministic: fixed timestamps (1980-01-01).
#include <string>
#include <utility>
#include <vector>

namespace autograde::server {

// (name inside the archive, bytes) → the archive's bytes. Names are plain file names.
std::string zip_stored(const std::vector<std::pair<std::string, std::string>>& files);

}  // namespace autograde::server

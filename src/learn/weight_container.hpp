#pragma once
// Internal to ag_learn: the container both weight formats share (mlp.hpp's AGNN, lutgen.hpp's
// AGLG): an 8-byte magic, the JSON header's length as a little-endian uint32, the JSON header,
// then the payload of float32 little-endian values (this code targets little-endian hosts).
#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace autograde::learn::detail {

struct WeightContainer {
  nlohmann::json header;
  size_t payload_offset = 0;  // where the floats start in the bytes
  size_t payload_bytes = 0;
};

// Splits `bytes`; Error(BadInput) naming `src` for a wrong magic (the message names `magic`
// and `kind`), an out-of-range header length or a header that is not JSON.
WeightContainer open_weight_container(const std::string& bytes, const char (&magic)[9],
                                      const std::string& kind, const std::string& src);

// Error(BadInput) naming `src` unless the payload holds exactly `floats` values.
void require_payload(const WeightContainer& c, size_t floats, const std::string& src);

// `n` floats from `bytes` at `at`; Error(BadInput) naming `src` and `what` on a non-finite one.
std::vector<float> read_floats(const std::string& bytes, size_t at, size_t n,
                               const std::string& src, const std::string& what);

// magic | header length | header; the caller appends the payload with append_floats.
std::string begin_weight_container(const char (&magic)[9], const nlohmann::json& header);
void append_floats(std::string& out, const std::vector<float>& values);

}  // namespace autograde::learn::detail

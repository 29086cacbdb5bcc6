#pragma once
// Base64 (RFC 4648 section 4: the standard alphabet, '=' padding, no line breaks), in which the
// plan stores a Look's residual lattice (look.hpp says why). OpenImageIO's Strutil has an
// encoder but no decoder, so both live here.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace autograde {

std::string base64_encode(std::span<const std::uint8_t> bytes);

// The bytes of canonical base64 text, or nullopt when it is not: a length that is not a multiple
// of 4, a character outside the alphabet, padding anywhere but the last one or two places, or
// pad bits that are not zero (so each byte string has exactly one accepted text).
std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text);

}  // namespace autograde

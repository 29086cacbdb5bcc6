// libFuzzer target for the .cube parser (cube_io.hpp). Every input either parses into LUTs that
// pass validate() and survive a write/read round trip through format_cube, or is rejected with
// Error(BadInput) whose message names the file.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "autograde/lut/cube_io.hpp"
#include "fuzz_common.hpp"

using namespace autograde;

namespace {

bool same_table(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return false;
  for (size_t k = 0; k < a.size(); ++k)
    if (!(std::abs(a[k] - b[k]) <= 6e-9f + 1e-6f * std::abs(a[k]))) return false;
  return true;
}

bool uniform(const Rgb& v) { return v[0] == v[1] && v[1] == v[2]; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  LutFile f;
  try {
    f = parse_cube(text, "fuzz.cube");
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::BadInput) fuzz::fail(e.what());
    fuzz::require(std::string_view(e.what()).starts_with("fuzz.cube"),
                  "error message does not name the file");
    return 0;
  } catch (const std::exception& e) {
    fuzz::fail(e.what());
  }
  fuzz::require(f.cube || f.shaper, "parsed a file with no table");
  if (!fuzz::accepts([&] {
        if (f.cube) validate(*f.cube, "fuzz.cube");
        if (f.shaper) validate(*f.shaper, "fuzz.cube");
      }))
    fuzz::fail("parse_cube accepted a LUT that validate() rejects");
  // What we accept we can write, and read back the same; the Resolve shaper+cube form cannot
  // hold per-channel domains, so those are not round-tripped.
  const bool per_channel_shaper =
      f.shaper && f.cube &&
      !(uniform(f.shaper->domain_min) && uniform(f.shaper->domain_max) &&
        uniform(f.cube->domain_min) && uniform(f.cube->domain_max));
  if (per_channel_shaper) return 0;
  LutFile back;
  if (!fuzz::accepts([&] { back = parse_cube(format_cube(f), "rewritten.cube"); }))
    fuzz::fail("format_cube wrote a file parse_cube rejects");
  fuzz::require(bool(back.cube) == bool(f.cube) && bool(back.shaper) == bool(f.shaper),
                "round trip changed which tables the file holds");
  if (f.cube) {
    fuzz::require(same_table(back.cube->table, f.cube->table), "3D table changed");
    fuzz::require(back.cube->domain_min == f.cube->domain_min &&
                      back.cube->domain_max == f.cube->domain_max,
                  "3D domain changed");
  }
  if (f.shaper) {
    fuzz::require(same_table(back.shaper->table, f.shaper->table), "1D table changed");
    fuzz::require(back.shaper->domain_min == f.shaper->domain_min &&
                      back.shaper->domain_max == f.shaper->domain_max,
                  "1D domain changed");
  }
  return 0;
}

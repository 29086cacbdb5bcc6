// libFuzzer target for .3dl LUTs, which the product reads through OpenColorIO
// (read_lut_with_ocio, src/lut/lut_ocio_io.cpp). Decision: fuzz our reading path through OCIO
// anyway. OCIO is linked as Debian builds it — not instrumented — so libFuzzer's coverage counts
// only our code (the table extraction, the 1D/3D/bake branches, validate) and the mutation is
// close to blind inside OCIO's parser; ASan still sees any bad access OCIO makes through memory
// it gets from our side, and a crash or a non-OCIO exception escaping OCIO is reported like any
// other. What this checks is our contract: every file is either read into LUTs that pass
// validate(), or rejected with Error(BadInput).
//
// OCIO reads by path, so each input is written to a private temp file; its file cache is
// cleared each time (the path repeats, and the cache would otherwise keep the first result).
#include <OpenColorIO/OpenColorIO.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>

#include "autograde/lut/load.hpp"
#include "fuzz_common.hpp"

using namespace autograde;

namespace {

const std::string& temp_path() {
  static const std::string path =
      (std::filesystem::temp_directory_path() / ("autograde-fuzz-3dl-" + std::to_string(getpid()) +
                                                 ".3dl"))
          .string();
  return path;
}

}  // namespace

// OCIO 2.1.2 (Debian 12) leaks a few small blocks inside Config::getProcessor for some malformed
// files (found by this target: corpus/fuzz_3dl/regress-ocio-leak.3dl). That is OCIO's, so leaks
// whose allocation stack passes through OCIO are suppressed; leaks from our code still fail.
extern "C" const char* __lsan_default_suppressions() { return "leak:libOpenColorIO.so\n"; }

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string& path = temp_path();
  {
    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) fuzz::fail("cannot write the temp file");
    if (size && std::fwrite(data, 1, size, f) != size) fuzz::fail("short write to the temp file");
    std::fclose(f);
  }
  OCIO_NAMESPACE::ClearAllCaches();
  LutFile lut;
  const bool ok = fuzz::accepts([&] { lut = read_lut_with_ocio(path); });
  std::remove(path.c_str());
  if (!ok) return 0;
  fuzz::require(lut.cube || lut.shaper, "read_lut_with_ocio returned no table");
  if (!fuzz::accepts([&] {
        if (lut.cube) validate(*lut.cube, "fuzz.3dl");
        if (lut.shaper) validate(*lut.shaper, "fuzz.3dl");
      }))
    fuzz::fail("read_lut_with_ocio returned a LUT validate() rejects");
  return 0;
}

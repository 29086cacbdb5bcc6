// libFuzzer target for plan.json validation (plan_from_json, src/pipeline/plan.cpp, with the
// Look, metrics and continuity JSON it reads). The bytes are parsed as JSON without exceptions
// (invalid JSON gives a discarded value, which must be rejected too). Whatever is accepted must
// survive plan_to_json → text → plan_from_json.
#include <cstdint>
#include <nlohmann/json.hpp>

#include "autograde/pipeline/plan.hpp"
#include "fuzz_common.hpp"

using namespace autograde;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const nlohmann::json j = nlohmann::json::parse(data, data + size, nullptr, false);
  GradePlan plan;
  if (!fuzz::accepts([&] { plan = plan_from_json(j, "fuzz"); })) return 0;
  fuzz::require(!j.is_discarded(), "plan_from_json accepted invalid JSON");
  // Through text, as plan.json is written and read: a value JSON cannot hold (inf) comes back
  // as null.
  nlohmann::json again;
  try {
    again = nlohmann::json::parse(plan_to_json(plan).dump());
  } catch (const std::exception& e) {
    fuzz::fail(e.what());
  }
  if (!fuzz::accepts([&] { (void)plan_from_json(again, "fuzz (rewritten)"); }))
    fuzz::fail("plan_from_json rejects what plan_to_json wrote for a plan it accepted");
  return 0;
}

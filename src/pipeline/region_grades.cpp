#include "autograde/pipeline/region_grades.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>

#include "autograde/core/error.hpp"
#include "autograde/core/files.hpp"
#include "autograde/lut/lut_write.hpp"
#include "autograde/pipeline/shot_lut.hpp"
#include "autograde/semantic/region_luts.hpp"
#include "autograde/semantic/region_masks.hpp"

namespace fs = std::filesystem;

namespace autograde {

namespace {

Region region_of(const std::string& name) {
  const auto r = region_from_name(name);
  if (!r) throw_internal("unknown region '" + name + "'");
  return *r;
}

// How much of a sampled frame a region must cover before its shot gets a region grade: a
// person (or one face) is worth protecting even when small in frame; sky and foliage grades
// are looks of their own and need enough of the picture to matter.
constexpr double kPersonCoverage = 0.005;
constexpr float kFaceScore = 0.5f;
constexpr double kClassCoverage = 0.02;

}  // namespace

Lut3D ungraded_lut(const GradePlan& plan) {
  return bake_shot_lut(plan.input_colorspace, identity_look(), plan.lut_size);
}

Lut3D region_lut(const std::string& region, const Lut3D& shot_lut, const Lut3D& ungraded) {
  switch (region_of(region)) {
    case Region::Skin: return skin_region_lut(shot_lut, ungraded);
    case Region::Sky: return sky_region_lut(shot_lut, ungraded);
    case Region::Foliage: return foliage_region_lut(shot_lut, ungraded);
    default: throw_internal("no region LUT for '" + region + "'");
  }
}

std::vector<ShotRegionLuts> plan_region_luts(const GradePlan& plan, std::span<const Lut3D> luts) {
  const bool any = std::any_of(plan.shots.begin(), plan.shots.end(),
                               [](const ShotPlan& s) { return !s.regions.empty(); });
  if (!any) return {};
  if (luts.size() != plan.shots.size()) throw_internal("plan_region_luts: one LUT per shot");
  const Lut3D ungraded = ungraded_lut(plan);
  std::vector<ShotRegionLuts> out(plan.shots.size());
  for (size_t i = 0; i < plan.shots.size(); ++i)
    for (const ShotRegion& r : plan.shots[i].regions) {
      out[i].regions.push_back(region_of(r.region));
      LutFile f;
      f.cube = region_lut(r.region, luts[i], ungraded);
      out[i].luts.push_back(std::move(f));
      out[i].strengths.push_back(r.strength);
    }
  return out;
}

void assign_regions(GradePlan& plan, const std::vector<std::vector<ImageF>>& samples) {
  const RegionSettings& g = plan.regions;
  if (g.protect_skin <= 0.f && g.classes.empty()) return;
  std::vector<Region> wanted;
  if (g.protect_skin > 0.f) wanted.push_back(Region::Person);
  for (const std::string& c : g.classes) wanted.push_back(region_of(c));
  for (size_t i = 0; i < plan.shots.size() && i < samples.size(); ++i) {
    ShotPlan& sp = plan.shots[i];
    sp.regions.clear();
    if (sp.excluded) continue;
    double person = 0;
    float face = 0;
    std::map<std::string, double> cover;
    for (const ImageF& f : samples[i]) {
      const RegionMasks m = compute_region_masks(f, wanted);
      if (!m.person.empty()) person = std::max(person, mask_coverage(m.person));
      for (const FaceBox& b : m.faces) face = std::max(face, b.score);
      for (const std::string& c : g.classes)
        cover[c] = std::max(cover[c], mask_coverage(m.get(region_of(c))));
    }
    const std::string stem = fs::path(sp.lut_file).stem().string();
    nlohmann::json found = nlohmann::json::object();
    if (g.protect_skin > 0.f) {
      found["person"] = person;
      found["face_score"] = face;
      if (person >= kPersonCoverage || face >= kFaceScore)
        sp.regions.push_back({"skin", g.protect_skin, stem + "_skin.cube"});
    }
    for (const std::string& c : g.classes) {
      found[c] = cover[c];
      if (cover[c] >= kClassCoverage) sp.regions.push_back({c, 1.f, stem + "_" + c + ".cube"});
    }
    sp.match["regions"] = found;
  }
}

namespace {
std::string skin_protected_file(const ShotPlan& s) {
  return fs::path(s.lut_file).stem().string() + "_skin_protected.cube";
}
}  // namespace

std::vector<PlanLutFile> plan_lut_files(const GradePlan& plan) {
  std::vector<PlanLutFile> out;
  for (const ShotPlan& s : plan.shots) {
    out.push_back({s.index, "shot", s.lut_file});
    for (const ShotRegion& r : s.regions) {
      out.push_back({s.index, r.region, r.lut_file});
      if (r.region == "skin") out.push_back({s.index, "skin_protected", skin_protected_file(s)});
    }
  }
  return out;
}

std::vector<std::string> stage_region_luts(const GradePlan& plan, std::span<const Lut3D> luts,
                                           const std::string& dir, StagedOutputs& staged) {
  std::vector<std::string> paths;
  std::optional<Lut3D> ungraded;
  for (size_t i = 0; i < plan.shots.size(); ++i) {
    const ShotPlan& sp = plan.shots[i];
    if (sp.regions.empty()) continue;
    if (!ungraded) ungraded = ungraded_lut(plan);
    for (const ShotRegion& r : sp.regions) {
      const std::string where = fmt::format("plan: shots[{}].regions ({})", i, r.region);
      check_lut_file_name(r.lut_file, where);
      const std::string p = contained_path(dir, r.lut_file, where);
      write_lut(region_lut(r.region, luts[i], *ungraded), staged.stage(p));
      paths.push_back(p);
      if (r.region == "skin") {
        const std::string single = contained_path(dir, skin_protected_file(sp), where);
        write_lut(skin_protected_lut(luts[i], *ungraded, r.strength), staged.stage(single));
        paths.push_back(single);
      }
    }
  }
  return paths;
}

}  // namespace autograde

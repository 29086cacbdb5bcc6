#include "autograde/pipeline/handoff.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <random>
#include <filesystem>

#include "autograde/core/error.hpp"
#include "autograde/core/files.hpp"
#include "autograde/lut/cdl.hpp"
#include "autograde/lut/interpolate.hpp"
#include "autograde/lut/lut_write.hpp"
#include "autograde/pipeline/region_grades.hpp"
#include "autograde/pipeline/shot_lut.hpp"

namespace fs = std::filesystem;

namespace autograde {

std::vector<std::string> plan_lut_paths(const GradePlan& plan, const std::string& dir) {
  // Each name is resolved inside `dir`: a plan edited by hand or sent by a browser must not
  // write anywhere else.
  std::vector<std::string> paths;
  for (size_t i = 0; i < plan.shots.size(); ++i) {
    const std::string where = "plan: shots[" + std::to_string(i) + "].lut";
    check_lut_file_name(plan.shots[i].lut_file, where);
    paths.push_back(contained_path(dir, plan.shots[i].lut_file, where));
  }
  return paths;
}

std::vector<std::string> check_lut_formats(const std::vector<std::string>& formats) {
  std::vector<std::string> exts;
  for (std::string f : formats) {
    std::transform(f.begin(), f.end(), f.begin(), [](unsigned char c) { return std::tolower(c); });
    if (!f.empty() && f[0] != '.') f = "." + f;
    const auto& known = lut_output_formats();
    if (std::none_of(known.begin(), known.end(), [&](const LutFormat& k) { return k.extension == f; })) {
      std::string list;
      for (const LutFormat& k : known) list += (list.empty() ? "" : ", ") + k.extension.substr(1);
      throw_usage("LUT format '" + f.substr(f.empty() ? 0 : 1) + "' is not one we write (" + list + ")");
    }
    if (std::find(exts.begin(), exts.end(), f) == exts.end()) exts.push_back(f);
  }
  // The plan names the .cube files; the other formats are hand-off copies beside them.
  if (std::find(exts.begin(), exts.end(), ".cube") == exts.end()) exts.insert(exts.begin(), ".cube");
  return exts;
}

std::vector<std::string> stage_plan_luts(const GradePlan& plan, const std::vector<Lut3D>& luts,
                                         const std::string& dir,
                                         const std::vector<std::string>& formats,
                                         StagedOutputs& staged) {
  const std::vector<std::string> cubes = plan_lut_paths(plan, dir);
  const std::vector<std::string> exts = check_lut_formats(formats);
  std::vector<std::string> paths;
  for (size_t i = 0; i < cubes.size(); ++i)
    for (const std::string& ext : exts) {
      const std::string p = fs::path(cubes[i]).replace_extension(ext).string();
      const std::string title = fmt::format("autograde shot {}", i);
      write_lut(luts[i], staged.stage(p), ext == ".cube" ? "" : title);
      paths.push_back(p);
    }
  for (const std::string& p : stage_region_luts(plan, luts, dir, staged)) paths.push_back(p);
  return paths;
}

std::vector<std::string> write_plan_luts(const GradePlan& plan, const std::vector<Lut3D>& luts,
                                         const std::string& dir,
                                         const std::vector<std::string>& formats) {
  StagedOutputs staged;  // all files appear together or none do
  std::vector<std::string> paths = stage_plan_luts(plan, luts, dir, formats, staged);
  staged.commit_all();
  return paths;
}

namespace {

// The largest difference from the grade itself, over the nodes of a 17³ lattice and 4096 fixed
// pseudo-random inputs, of a way to apply it (`apply`: the .cube, or CDL then after-CDL LUT).
double worst_error(const std::function<Rgb(Rgb)>& grade, const std::function<Rgb(Rgb)>& apply) {
  double worst = 0;
  auto check = [&](Rgb x) {
    const Rgb a = apply(x), g = grade(x);
    for (int c = 0; c < 3; ++c) worst = std::max(worst, double(std::abs(a[c] - g[c])));
  };
  for (int i = 0; i < 17 * 17 * 17; ++i)
    check({float(i % 17) / 16.f, float(i / 17 % 17) / 16.f, float(i / 289) / 16.f});
  std::mt19937 rng(20261206);
  std::uniform_real_distribution<float> u(0.f, 1.f);
  for (int i = 0; i < 4096; ++i) check({u(rng), u(rng), u(rng)});
  return worst;
}

}  // namespace

CdlHandoffResult stage_cdl_handoff(const GradePlan& plan, const std::vector<Lut3D>& luts,
                                   const std::string& dir, const std::string& edl_path,
                                   const ShotList& shots, const ShotExportContext& edl_context,
                                   StagedOutputs& staged) {
  const std::vector<std::string> cubes = plan_lut_paths(plan, dir);
  CdlHandoffResult out;
  std::vector<std::pair<std::string, Cdl>> all;
  std::vector<EdlLook> looks;
  for (size_t i = 0; i < cubes.size(); ++i) {
    const ShotPlan& s = plan.shots[i];
    const Look* correction = s.correction ? &*s.correction : nullptr;
    const std::function<Rgb(Rgb)> grade = [&](Rgb x) {
      return shot_grade(plan.input_colorspace, s.look, correction, x);
    };
    // The pair must be about as faithful to the grade as the shot's .cube is (at most 1.5
    // times its error, or 2 8-bit code values): the closest CDL when its after-CDL LUT gets
    // there; else the closest CDL that clamps nothing inside the cube (invertible, so the LUT
    // after it can complete it); else the identity CDL with the shot's LUT after it.
    const int size = luts[i].size;
    const double cube_error =
        worst_error(grade, [&](Rgb x) { return sample_tetrahedral(luts[i], x); });
    const double tolerance = std::max(2.0 / 255.0, 1.5 * cube_error);
    Cdl cdl;
    Lut3D after = luts[i];
    double pair_error = cube_error, rms = 0;
    std::string how = "identity CDL (the after-CDL LUT is the shot's LUT)";
    for (const bool in_range : {false, true}) {
      const CdlFit fit = fit_cdl(luts[i], in_range);
      const Lut3D residual = cdl_residual(fit.cdl, size, grade);
      const double e = worst_error(grade, [&](Rgb x) {
        return sample_tetrahedral(residual, apply_cdl(fit.cdl, x));
      });
      if (e <= tolerance) {
        cdl = fit.cdl, after = residual, pair_error = e, rms = fit.rms_error;
        how = in_range ? "closest CDL that clamps nothing" : "closest CDL";
        break;
      }
    }
    if (rms == 0)
      out.warnings.push_back(fmt::format(
          "shot {}: no CDL with a LUT after it follows the grade as closely as its .cube; its "
          "CDL is the identity and the LUT after it carries the whole grade",
          i));
    const std::string id = fs::path(cubes[i]).stem().string();
    const std::string cdl_path = fs::path(cubes[i]).replace_extension(".cdl").string();
    const std::string after_path = fs::path(cubes[i]).replace_extension(".after_cdl.cube").string();
    write_file_atomic(
        staged.stage(cdl_path),
        format_cdl_xml(cdl, id,
                       fmt::format("autograde shot {}: {} (RMS {:.4f} from the shot's LUT alone); "
                                   "with the after-CDL LUT within {:.4f} of the grade, the .cube "
                                   "within {:.4f}",
                                   i, how, rms, pair_error, cube_error)));
    write_lut(after, staged.stage(after_path), "after " + id + ".cdl");
    out.paths.push_back(cdl_path);
    out.paths.push_back(after_path);
    all.emplace_back(id, cdl);
    looks.push_back({cdl, fs::path(after_path).filename().string()});
  }
  const std::string ccc = (fs::path(dir) / "shots.ccc").string();
  write_file_atomic(staged.stage(ccc), format_ccc_xml(all));
  out.paths.push_back(ccc);
  if (!edl_path.empty()) {
    write_file_atomic(staged.stage(edl_path), shots_to_edl(shots, edl_context, looks));
    out.paths.push_back(edl_path);
  }
  return out;
}

}  // namespace autograde

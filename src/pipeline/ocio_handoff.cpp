#include "autograde/pipeline/ocio_handoff.hpp"

#include <OpenColorIO/OpenColorIO.h>
#include <fmt/format.h>

#include <filesystem>
#include <sstream>

#include "autograde/color/camera_log_ocio.hpp"
#include "autograde/core/error.hpp"
#include "autograde/core/files.hpp"
#include "autograde/lut/cube_io.hpp"
#include "autograde/pipeline/handoff.hpp"

namespace fs = std::filesystem;
namespace OCIO = OCIO_NAMESPACE;

namespace autograde {

namespace {

constexpr const char* kDisplaySpace = "Rec.709 display";
constexpr const char* kReference = "ACES2065-1";
constexpr const char* kRaw = "Raw";
constexpr const char* kLinear709 = "Linear Rec.709";

OCIO::Interpolation ocio_interp(Interp i) {
  return i == Interp::Trilinear ? OCIO::INTERP_LINEAR : OCIO::INTERP_TETRAHEDRAL;
}

OCIO::ColorSpaceRcPtr colour_space(const std::string& name, const std::string& family,
                                   const std::string& description) {
  auto cs = OCIO::ColorSpace::Create();
  cs->setName(name.c_str());
  cs->setFamily(family.c_str());
  cs->setDescription(description.c_str());
  cs->setBitDepth(OCIO::BIT_DEPTH_F32);
  return cs;
}

OCIO::ConstConfigRcPtr build_config(const GradePlan& plan) {
  const bool camera = plan.input_colorspace != CameraLog::Rec709;
  const std::string input = camera_log_display_name(plan.input_colorspace);
  auto config = OCIO::Config::Create();
  config->setMajorVersion(2);
  config->setMinorVersion(1);
  config->setName(fmt::format("autograde {}", fs::path(plan.input_path).filename().string()).c_str());
  config->setDescription(
      fmt::format("autograde hand-off of {}: one look per shot (shot_000 ...; shots are numbered "
                  "from 0), each the shot's .cube, {} code values -> Rec.709 display code "
                  "values{}. Apply a look from and to '{}', or view it through display Rec.709, "
                  "view 'Shot look'.",
                  plan.input_path, input,
                  camera ? " with the display rendering included" : "", input)
          .c_str());
  config->setSearchPath(".");
  config->setStrictParsingEnabled(true);

  auto display = colour_space(
      kDisplaySpace, "Display",
      "Rec.709 display code values (BT.1886, gamma 2.4), 0..1: what every shot's look outputs");
  if (camera) {
    auto aces = colour_space(kReference, "ACES",
                             "ACES2065-1 (AP0, scene-linear): the scene reference of this config");
    config->addColorSpace(aces);
    auto in = colour_space(
        input, "Input",
        fmt::format("The clip's camera encoding ({} code values, full range 0..1): the looks' "
                    "process space. Converted to '{}' as autograde renders it.",
                    camera_log_name(plan.input_colorspace), kDisplaySpace));
    in->setTransform(camera_log_to_aces_transform(plan.input_colorspace),
                     OCIO::COLORSPACE_DIR_TO_REFERENCE);
    in->setEncoding("log");
    config->addColorSpace(in);
    display->setTransform(aces_to_rec709_display_transform(), OCIO::COLORSPACE_DIR_FROM_REFERENCE);
  } else {
    // OCIO requires a scene_linear role. For Rec.709 video autograde takes the code values as
    // camera-encoded (camera_log_to_linear_rec709): scene light is the BT.709 OETF undone
    // (ITU-R BT.709-6 item 1.2: V = 1.099 L^0.45 - 0.099 above L = 0.018, else 4.5 L).
    auto linear = colour_space(kLinear709, "Utility",
                               "Scene-linear Rec.709 (the BT.709 OETF undone): the scene "
                               "reference of this config");
    linear->setEncoding("scene-linear");
    config->addColorSpace(linear);
    auto oetf = OCIO::ExponentWithLinearTransform::Create();
    const double gamma[4] = {1 / 0.45, 1 / 0.45, 1 / 0.45, 1};
    const double offset[4] = {0.099, 0.099, 0.099, 0};
    oetf->setGamma(gamma);
    oetf->setOffset(offset);
    display->setTransform(oetf, OCIO::COLORSPACE_DIR_TO_REFERENCE);
  }
  display->setEncoding("sdr-video");
  config->addColorSpace(display);
  auto raw = colour_space(kRaw, "Utility", "Data: never converted");
  raw->setIsData(true);
  config->addColorSpace(raw);

  config->setRole(OCIO::ROLE_DEFAULT, input.c_str());
  config->setRole(OCIO::ROLE_COLOR_TIMING, input.c_str());
  config->setRole(OCIO::ROLE_DATA, kRaw);
  // Roles the tools look up (ociocheck lists the rest as not defined, which is allowed).
  config->setRole(OCIO::ROLE_COLOR_PICKING, kDisplaySpace);
  if (camera) {
    config->setRole(OCIO::ROLE_SCENE_LINEAR, kReference);
    config->setRole(OCIO::ROLE_REFERENCE, kReference);
    config->setRole(OCIO::ROLE_INTERCHANGE_SCENE, kReference);
    config->setRole(OCIO::ROLE_COMPOSITING_LOG, input.c_str());
  } else {
    config->setRole(OCIO::ROLE_SCENE_LINEAR, kLinear709);
    config->setRole(OCIO::ROLE_REFERENCE, kLinear709);
  }

  for (size_t i = 0; i < plan.shots.size(); ++i) {
    const ShotPlan& s = plan.shots[i];
    auto file = OCIO::FileTransform::Create();
    file->setSrc(s.lut_file.c_str());
    file->setInterpolation(ocio_interp(plan.interp));
    auto look = OCIO::Look::Create();
    look->setName(ocio_look_name(i).c_str());
    look->setProcessSpace(input.c_str());
    look->setTransform(file);
    std::string what = s.excluded ? (camera ? "excluded: no grade, the display rendering only"
                                            : "excluded: no grade (identity)")
                                  : (s.locked ? "locked: kept from the previous plan" : "graded");
    look->setDescription(fmt::format("shot {}, frames {}-{} ({:.3f}-{:.3f} s), {}: {} code values "
                                     "-> Rec.709 display code values",
                                     i, s.first_frame, s.last_frame, s.start_time, s.end_time,
                                     what, input)
                             .c_str());
    config->addLook(look);
  }

  config->addDisplayView("Rec.709", "Ungraded", kDisplaySpace, "");
  // The look already ends in display code values, so this view converts nothing after it: pick
  // the shot's look with it (e.g. Nuke's OCIODisplay "looks override").
  config->addDisplayView("Rec.709", "Shot look", input.c_str(), "");
  return config;
}

}  // namespace

std::string ocio_look_name(size_t shot) { return fmt::format("shot_{:03d}", shot); }

std::string ocio_config_text(const GradePlan& plan) {
  if (plan.shots.empty()) throw_internal("OCIO config: the plan has no shots");
  try {
    const OCIO::ConstConfigRcPtr config = build_config(plan);
    config->validate();
    std::ostringstream text;
    config->serialize(text);
    // What is published is the text: it must read back as the same, valid config.
    std::istringstream in(text.str());
    const OCIO::ConstConfigRcPtr back = OCIO::Config::CreateFromStream(in);
    back->validate();
    if (back->getNumLooks() != int(plan.shots.size()))
      throw_internal("OCIO config: the serialised config lost looks");
    return text.str();
  } catch (const OCIO::Exception& e) {
    throw_internal(std::string("OpenColorIO refused the hand-off config: ") + e.what());
  }
}

OcioHandoffResult stage_ocio_config(const GradePlan& plan, const std::vector<Lut3D>& luts,
                                    const std::string& dir, StagedOutputs& staged) {
  if (luts.size() != plan.shots.size()) throw_internal("OCIO config: one LUT per shot expected");
  const std::string text = ocio_config_text(plan);
  OcioHandoffResult out;
  // The plan's own names, resolved inside DIR (plan_lut_paths refuses names leading out).
  const std::vector<std::string> cubes = plan_lut_paths(plan, dir);
  const auto config = OCIO::Config::CreateRaw();
  for (size_t i = 0; i < cubes.size(); ++i) {
    const std::string tmp = staged.stage(cubes[i]);
    write_cube(luts[i], tmp);
    // Loaded by OCIO as the config will load it, so a file it cannot read is never published.
    try {
      auto file = OCIO::FileTransform::Create();
      file->setSrc(tmp.c_str());
      file->setInterpolation(ocio_interp(plan.interp));
      (void)config->getProcessor(file);
    } catch (const OCIO::Exception& e) {
      throw_internal(fmt::format("OpenColorIO cannot read the LUT of look {}: {}",
                                 ocio_look_name(i), e.what()));
    }
    out.paths.push_back(cubes[i]);
  }
  out.config_path = (fs::path(dir) / "config.ocio").string();
  write_file_atomic(staged.stage(out.config_path), text);
  out.paths.push_back(out.config_path);
  return out;
}

}  // namespace autograde

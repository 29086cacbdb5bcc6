#pragma once
// Internal to ag_look: the matching methods behind match_reference (match.hpp). Pixels are
// display-referred code values 0..1; each returns an unregularised LUT of `size`^3.
#include <Eigen/Core>
#include <vector>

#include "autograde/core/image.hpp"
#include "autograde/look/look.hpp"
#include "autograde/lut/lut.hpp"

namespace autograde::look_detail {

Lut3D reinhard_lut(const std::vector<Rgb>& source, const std::vector<Rgb>& reference, int size);
// Pitié & Kokaram 2007 MKL matrix between covariances (source cs, reference cr).
Eigen::Matrix3d mkl_transform(const Eigen::Matrix3d& cs, const Eigen::Matrix3d& cr);
Lut3D mkl_lut(const std::vector<Rgb>& source, const std::vector<Rgb>& reference, int size);
Lut3D hist_lut(const std::vector<Rgb>& source, const std::vector<Rgb>& reference, int size);
Lut3D idt_lut(const std::vector<Rgb>& source, const std::vector<Rgb>& reference, int size);

struct AutoFit {
  Look look;
  float confidence = 0.f;
  std::vector<std::string> notes;
};
// `source` may be empty (reference alone). `known_content` is a diagnostic for bench_match's
// oracle rows only: the reference's own ungraded pixels, so the grade is the plain difference
// of statistics (no prior, no shrinkage) — what `auto`'s Look family would do if it could tell
// content from grade perfectly.
AutoFit fit_auto_look(const std::vector<Rgb>& source, const std::vector<Rgb>& reference,
                      const std::vector<Rgb>* known_content = nullptr);

}  // namespace autograde::look_detail

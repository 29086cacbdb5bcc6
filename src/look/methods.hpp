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
// Sliced transport (Pitié, Kokaram & Dahyot 2005): `iterations` times, a random orthonormal
// basis from `seed`; along each of its axes the samples' 1-D projections are moved to the
// reference's quantiles of the same rank. IDT runs it in RGB, the transfer dial in CIELAB.
void sliced_transport(std::vector<Eigen::Vector3d>& samples, const std::vector<Eigen::Vector3d>& reference,
                      int iterations, unsigned seed);

// The transfer dial's far end (match_transfer.cpp): the reference's whole CIELAB distribution
// onto the source, smooth, monotone in lightness, black and white pinned to the reference's.
// The defaults were chosen on bench_transfer's development pairs (bench/transfer.cpp).
struct TransferTuning {
  size_t max_samples = 1 << 15;  // colours of each picture the transport sees
  int iterations = 20;           // random rotations of the sliced transport
  // Bounds of the L* tone curve's slope: past about 6x an 8-bit source's steps show as bands.
  double min_slope = 0.1, max_slope = 6;
  int tone_smooth_radius = 32;   // of 512 curve points (Gaussian sigma a third of it)
  double anchor_reach = 0.3;     // how far (in code values) the black/white pins fade out
  double extreme_quantile = 0.005;
  int fit_size = 17;
  float smoothness = 0.1f;       // lattice_fit's second-difference prior
  double table_smoothing = 1.2;  // Gaussian sigma, in steps of a 33-point table, of the last pass
};
Lut3D full_transfer_lut(const std::vector<Rgb>& source, const std::vector<Rgb>& reference, int size,
                        const TransferTuning& tuning = {});
// a blended towards b by t in 0..1, entry by entry in OKLab (Ottosson 2020), so halfway is
// perceptually halfway; t = 0 returns a unchanged.
Lut3D blend_perceptual(const Lut3D& a, const Lut3D& b, float t);

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

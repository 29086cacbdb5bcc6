#include "autograde/learn/corrector.hpp"

#include <algorithm>

#include "autograde/core/error.hpp"
#include "autograde/learn/features.hpp"
#include "autograde/lut/interpolate.hpp"

namespace autograde::learn {

LutCorrector::LutCorrector(Mlp mlp, const std::string& source_name) : mlp_(std::move(mlp)) {
  lattice_ = mlp_.meta.value("lattice", 0);
  if (lattice_ < 2 || lattice_ > 65)
    throw_bad_input(source_name, "correction model: meta.lattice must be 2..65");
  const int n = lattice_ * lattice_ * lattice_ * 3;
  if (mlp_.inputs() != kFeatureCount || mlp_.outputs() != n)
    throw_bad_input(source_name, "correction model must map " + std::to_string(kFeatureCount) +
                                     " features to " + std::to_string(n) + " lattice values (has " +
                                     std::to_string(mlp_.inputs()) + " -> " +
                                     std::to_string(mlp_.outputs()) + ")");
  if (mlp_.meta.value("feature_version", 0) != kFeatureVersion)
    throw_bad_input(source_name, "correction model was trained on another feature version");
}

LutCorrector LutCorrector::load(const std::string& path) { return LutCorrector(read_mlp(path), path); }

Lut3D LutCorrector::predict(const ImageF& image, float strength) const {
  return predict_features(image_features(image), strength);
}

Lut3D LutCorrector::predict_features(const std::vector<float>& features, float strength) const {
  const std::vector<float> residual = mlp_.forward(features);
  Lut3D lut = Lut3D::identity(lattice_);
  strength = std::clamp(strength, 0.f, 1.f);
  for (size_t i = 0; i < lut.table.size(); ++i)
    lut.table[i] = std::clamp(lut.table[i] + strength * residual[i], 0.f, 1.f);
  return lut;
}

float correction_strength(const Analysis& analysis) {
  return std::clamp(1.f - analysis.fine_confidence, 0.f, 1.f);
}

Lut3D resample_trilinear(const Lut3D& lut, int size) {
  Lut3D out = Lut3D::identity(size);
  for (int b = 0; b < size; ++b)
    for (int g = 0; g < size; ++g)
      for (int r = 0; r < size; ++r) {
        float* p = out.at(r, g, b);
        const Rgb v = sample_trilinear(lut, Rgb{p[0], p[1], p[2]});
        p[0] = v[0];
        p[1] = v[1];
        p[2] = v[2];
      }
  return out;
}

}  // namespace autograde::learn

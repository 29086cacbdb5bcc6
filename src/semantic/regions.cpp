#include "autograde/semantic/regions.hpp"

#include <numeric>

#include "autograde/core/error.hpp"

namespace autograde {

const char* region_name(Region r) {
  switch (r) {
    case Region::Person: return "person";
    case Region::Face: return "face";
    case Region::Skin: return "skin";
    case Region::Sky: return "sky";
    case Region::Foliage: return "foliage";
  }
  return "?";
}

std::optional<Region> region_from_name(std::string_view name) {
  for (Region r : kAllRegions)
    if (name == region_name(r)) return r;
  return std::nullopt;
}

const ImageF& RegionMasks::get(Region r) const {
  switch (r) {
    case Region::Person: return person;
    case Region::Face: return face;
    case Region::Skin: return skin;
    case Region::Sky: return sky;
    case Region::Foliage: return foliage;
  }
  throw Error(ErrorKind::Internal, "unknown region");
}

ImageF& RegionMasks::get(Region r) {
  return const_cast<ImageF&>(static_cast<const RegionMasks&>(*this).get(r));
}

double mask_coverage(const ImageF& mask) {
  if (mask.pixels.empty()) return 0.0;
  double sum = std::accumulate(mask.pixels.begin(), mask.pixels.end(), 0.0);
  return sum / double(mask.pixels.size());
}

}  // namespace autograde

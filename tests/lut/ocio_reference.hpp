#pragma once
// OpenColorIO as an independent reference: applies a LUT file through OCIO's own file readers
// and CPU renderers, so our parser and interpolators are checked against a second
// implementation rather than against themselves.
#include <OpenColorIO/OpenColorIO.h>

#include <string>
#include <vector>

#include "autograde/core/image.hpp"
#include "autograde/lut/interpolate.hpp"

namespace autograde::testing {

// Applies the LUT file at `path` to every colour (in the file's input encoding) with OCIO's
// CPU processor, without any lossy optimisation. Throws OCIO::Exception when OCIO cannot read
// the file.
inline std::vector<Rgb> ocio_apply(const std::string& path, Interp interp,
                                   const std::vector<Rgb>& colours) {
  namespace OCIO = OCIO_NAMESPACE;
  auto config = OCIO::Config::CreateRaw();
  auto ft = OCIO::FileTransform::Create();
  ft->setSrc(path.c_str());
  ft->setInterpolation(interp == Interp::Tetrahedral ? OCIO::INTERP_TETRAHEDRAL
                                                     : OCIO::INTERP_LINEAR);
  auto proc = config->getProcessor(ft);
  auto cpu = proc->getOptimizedCPUProcessor(OCIO::BIT_DEPTH_F32, OCIO::BIT_DEPTH_F32,
                                            OCIO::OPTIMIZATION_NONE);
  std::vector<Rgb> out = colours;
  OCIO::PackedImageDesc desc(out.data()->data(), long(out.size()), 1, 3);
  cpu->apply(desc);
  return out;
}

}  // namespace autograde::testing

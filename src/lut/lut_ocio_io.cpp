#include <OpenColorIO/OpenColorIO.h>

#include "autograde/core/error.hpp"
#include "autograde/lut/load.hpp"

namespace OCIO = OCIO_NAMESPACE;

namespace autograde {

namespace {
constexpr int kBakeSize = 65;  // lattice used when a file is more than one plain table

Lut3D bake_processor(const OCIO::ConstCPUProcessorRcPtr& cpu, int n) {
  Lut3D lut = Lut3D::identity(n);
  OCIO::PackedImageDesc desc(lut.table.data(), long(lut.table.size() / 3), 1, 3);
  cpu->apply(desc);
  return lut;
}
}  // namespace

LutFile read_lut_with_ocio(const std::string& path) {
  try {
    auto config = OCIO::Config::CreateRaw();
    auto ft = OCIO::FileTransform::Create();
    ft->setSrc(path.c_str());
    ft->setInterpolation(OCIO::INTERP_LINEAR);
    auto proc = config->getProcessor(ft);
    auto group = proc->createGroupTransform();
    LutFile out;
    if (group->getNumTransforms() == 1) {
      auto t = group->getTransform(0);
      if (auto l3 = OCIO::DynamicPtrCast<const OCIO::Lut3DTransform>(t)) {
        const int n = int(l3->getGridSize());
        Lut3D lut;
        lut.size = n;
        lut.table.resize(size_t(n) * n * n * 3);
        for (int b = 0; b < n; ++b)
          for (int g = 0; g < n; ++g)
            for (int r = 0; r < n; ++r) {
              float* e = lut.at(r, g, b);
              l3->getValue(r, g, b, e[0], e[1], e[2]);
            }
        validate(lut, path);
        out.cube = std::move(lut);
        return out;
      }
      if (auto l1 = OCIO::DynamicPtrCast<const OCIO::Lut1DTransform>(t);
          l1 && !l1->getInputHalfDomain() && l1->getLength() <= unsigned(kMaxLut1DSize)) {
        Lut1D lut;
        lut.size = int(l1->getLength());
        lut.table.resize(size_t(lut.size) * 3);
        for (int i = 0; i < lut.size; ++i)
          l1->getValue(i, lut.table[3 * i], lut.table[3 * i + 1], lut.table[3 * i + 2]);
        validate(lut, path);
        out.shaper = std::move(lut);
        return out;
      }
    }
    out.cube = bake_processor(proc->getDefaultCPUProcessor(), kBakeSize);
    validate(*out.cube, path);
    return out;
  } catch (const OCIO::Exception& e) {
    throw_bad_input(path, std::string("OpenColorIO cannot read it: ") + e.what());
  }
}

}  // namespace autograde

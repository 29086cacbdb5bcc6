#include "autograde/lut/lut_write.hpp"

#include <OpenColorIO/OpenColorIO.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <sstream>

#include "autograde/core/error.hpp"
#include "autograde/core/files.hpp"
#include "autograde/core/image_module.hpp"
#include "autograde/lut/cube_io.hpp"
#include "autograde/lut/interpolate.hpp"
#include "autograde/lut/load.hpp"

namespace OCIO = OCIO_NAMESPACE;

namespace autograde {

namespace {

enum class Writer { Cube, OcioBaker, OcioGroup, HaldImage };

struct FormatEntry {
  LutFormat format;
  Writer writer;
  // The OCIO writer's name (Baker::getFormatNameByIndex / GroupTransform::GetFormatNameByIndex
  // in OCIO 2.1); empty for our own writers.
  const char* ocio_name;
};

// OCIO 2.1's Baker also writes Houdini .lut (a VFX package, not an editor or grading tool) and
// a second .cube flavour (our own writer already covers .cube): both are left out.
const std::vector<FormatEntry>& entries() {
  static const std::vector<FormatEntry> table = {
      {{".cube",
        "Adobe/Resolve cube, text, 8 decimals (Resolve, Premiere, Final Cut, ffmpeg, OCIO)"},
       Writer::Cube,
       ""},
      // "flame" rather than "lustre": both store 12-bit integers (0..4095) under a 10-bit input
      // grid line (0..1023), but "lustre" adds a `Mesh` header whose input depth is
      // log2(size - 1), only meaningful for 2^k + 1 sizes (17, 33, 65). The plain "flame" form
      // holds any size and is the one Resolve, Flame, Lustre and Nuke all read.
      {{".3dl", "Autodesk 3dl, 12-bit integers 0..4095 (Flame, Lustre, Resolve, Nuke)"},
       Writer::OcioBaker,
       "flame"},
      {{".csp", "Rising Sun cinespace, text, 6 decimals (Nuke, OCIO)"},
       Writer::OcioBaker,
       "cinespace"},
      {{".itx", "Iridas ITX, text, 6 decimals (SpeedGrade, OCIO)"},
       Writer::OcioBaker,
       "iridas_itx"},
      {{".cub", "FilmLight Truelight cube, text, 6 decimals (Baselight, OCIO)"},
       Writer::OcioBaker,
       "truelight"},
      {{".clf", "Academy/ASC Common LUT Format, XML, 32-bit float (ACES tools, OCIO 2)"},
       Writer::OcioGroup,
       "Academy/ASC Common LUT Format"},
      {{".ctf", "Autodesk Color Transform Format, XML, 32-bit float (Flame, Maya, OCIO 2)"},
       Writer::OcioGroup,
       "Color Transform Format"},
      {{".png", "Hald CLUT image, 16 bits per channel (ffmpeg haldclut, ImageMagick, darktable)"},
       Writer::HaldImage,
       ""},
      {{".tif", "Hald CLUT image, 16 bits per channel (as .png)"}, Writer::HaldImage, ""},
      {{".tiff", "Hald CLUT image, 16 bits per channel (as .png)"}, Writer::HaldImage, ""},
  };
  return table;
}

std::string lower_extension(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return char(std::tolower(c)); });
  return ext;
}

std::string extension_list() {
  std::string out;
  for (const auto& e : entries()) out += (out.empty() ? "" : ", ") + e.format.extension;
  return out;
}

const FormatEntry& entry_for(const std::string& path) {
  const std::string ext = lower_extension(path);
  for (const auto& e : entries())
    if (e.format.extension == ext) return e;
  throw_usage(fmt::format("cannot write LUT '{}': {}; supported extensions: {}", path,
                          ext.empty() ? std::string("the name has no extension")
                                      : "'" + ext + "' is not a LUT format we write",
                          extension_list()));
}

void require_unit_domain(const Lut3D& lut, const std::string& path, const std::string& ext) {
  if (lut.has_default_domain()) return;
  throw_usage(
      fmt::format("cannot write LUT '{}': {} holds only a 0..1 input domain and this LUT's is "
                  "[{}, {}, {}]..[{}, {}, {}]; write .cube, .clf or .ctf instead",
                  path, ext, lut.domain_min[0], lut.domain_min[1], lut.domain_min[2],
                  lut.domain_max[0], lut.domain_max[1], lut.domain_max[2]));
}

// Our table as an OCIO transform. Tetrahedral, because the CLF/CTF writers store the
// interpolation in the file and tetrahedral is what `autograde apply`, ffmpeg's lut3d and
// Resolve use by default, so a consumer reproduces our rendering. (The Baker samples only the
// lattice nodes, where every interpolation returns the entry itself.)
OCIO::Lut3DTransformRcPtr lut_transform(const Lut3D& lut) {
  auto t = OCIO::Lut3DTransform::Create(unsigned(lut.size));
  t->setInterpolation(OCIO::INTERP_TETRAHEDRAL);
  for (int b = 0; b < lut.size; ++b)
    for (int g = 0; g < lut.size; ++g)
      for (int r = 0; r < lut.size; ++r) {
        const float* e = lut.at(r, g, b);
        t->setValue(r, g, b, e[0], e[1], e[2]);
      }
  return t;
}

// The Baker evaluates a processor between two colour spaces of a config, so our table becomes
// the only transform of a "graded" space seen from an untransformed "lattice" space. Neither
// may be a data space: OCIO bypasses every transform to or from one (the raw config's "raw").
std::string bake_with_ocio(const Lut3D& lut, const char* format) {
  auto config = OCIO::Config::CreateRaw()->createEditableCopy();
  auto lattice = OCIO::ColorSpace::Create();
  lattice->setName("lattice");
  config->addColorSpace(lattice);
  auto graded = OCIO::ColorSpace::Create();
  graded->setName("graded");
  graded->setTransform(lut_transform(lut), OCIO::COLORSPACE_DIR_FROM_REFERENCE);
  config->addColorSpace(graded);
  auto baker = OCIO::Baker::Create();
  baker->setConfig(config);
  baker->setFormat(format);
  baker->setInputSpace("lattice");
  baker->setTargetSpace("graded");
  // Same lattice as ours: the file's nodes are our entries, not a resampling of them.
  baker->setCubeSize(lut.size);
  std::ostringstream os;
  baker->bake(os);
  return os.str();
}

// CLF/CTF hold the table losslessly (GroupTransform::write refuses what it cannot write
// exactly), and a non-default domain as a matrix in front that maps it onto the table's 0..1
// input — the same clamp-to-domain behaviour as our interpolators.
std::string write_with_ocio_group(const Lut3D& lut, const char* format, const std::string& title) {
  auto group = OCIO::GroupTransform::Create();
  if (!title.empty()) {
    group->getFormatMetadata().addChildElement(OCIO::METADATA_DESCRIPTION, title.c_str());
  }
  if (!lut.has_default_domain()) {
    double m44[16] = {};
    double offset[4] = {};
    for (int c = 0; c < 3; ++c) {
      const double scale = 1.0 / (double(lut.domain_max[c]) - lut.domain_min[c]);
      m44[5 * c] = scale;
      offset[c] = -double(lut.domain_min[c]) * scale;
    }
    m44[15] = 1.0;
    auto domain = OCIO::MatrixTransform::Create();
    domain->setMatrix(m44);
    domain->setOffset(offset);
    group->appendTransform(domain);
  }
  group->appendTransform(lut_transform(lut));
  std::ostringstream os;
  group->write(OCIO::Config::CreateRaw(), format, os);
  return os.str();
}

// Hald CLUTs only exist for square lattice sizes (level^2 per axis). Other sizes go up to the
// next square, never down, so no lattice detail is lost: 33 → 36 (level 6, 216×216 pixels),
// 17 → 25, 65 → 81. The new nodes are sampled tetrahedrally, as `apply` would render them.
void write_hald(const Lut3D& lut, const std::string& path) {
  require_unit_domain(lut, path, lower_extension(path));
  int level = std::max(2, int(std::ceil(std::sqrt(double(lut.size)))));
  while (level * level < lut.size) ++level;  // guard against sqrt rounding down
  const Lut3D square =
      level * level == lut.size ? lut : resample(lut, level * level, Interp::Tetrahedral);
  const ImageF image = hald_image(square);
  PendingOutput pending(path);
  image_module::EncodeRequest r;
  r.path = path;
  r.temp_path = pending.temp_path();
  r.image = &image;
  // 16 bits: 8 would quantise every entry to 1/255, visible as banding in smooth gradients.
  r.format = SampleFormat::U16;
  r.bits_per_sample = 16;
  image_module::Status status;
  image_module::functions().write_image(r, status);
  image_module::check(status);
  pending.commit();
}

}  // namespace

const std::vector<LutFormat>& lut_output_formats() {
  static const std::vector<LutFormat> formats = [] {
    std::vector<LutFormat> out;
    for (const auto& e : entries()) out.push_back(e.format);
    return out;
  }();
  return formats;
}

std::string lut_output_formats_help() {
  std::string out;
  for (const auto& f : lut_output_formats())
    out += fmt::format("  {:<6} {}\n", f.extension, f.description);
  return out;
}

void check_lut_output_path(const std::string& path) { (void)entry_for(path); }

void write_lut(const Lut3D& lut, const std::string& path, const std::string& title) {
  const FormatEntry& e = entry_for(path);
  validate(lut, path);
  switch (e.writer) {
    case Writer::Cube:
      write_cube(lut, path, title);
      return;
    case Writer::HaldImage:
      write_hald(lut, path);
      return;
    case Writer::OcioBaker:
    case Writer::OcioGroup:
      break;
  }
  if (e.writer == Writer::OcioBaker) require_unit_domain(lut, path, e.format.extension);
  // A .3dl starts with its input-grid line, one number per lattice point; with 2 or 3 points
  // readers take it for a table row or reject it (OCIO 2.1 fails on both), so the smallest
  // .3dl that loads back is 4³.
  if (e.format.extension == ".3dl" && lut.size < 4)
    throw_usage(
        fmt::format("cannot write LUT '{}': a .3dl needs at least 4 lattice points per "
                    "axis (readers mistake a shorter input-grid line), this LUT has {}",
                    path, lut.size));
  std::string bytes;
  try {
    bytes = e.writer == Writer::OcioBaker ? bake_with_ocio(lut, e.ocio_name)
                                          : write_with_ocio_group(lut, e.ocio_name, title);
  } catch (const OCIO::Exception& ex) {
    throw_internal(fmt::format("cannot write LUT '{}': OpenColorIO: {}", path, ex.what()));
  }
  write_file_atomic(path, bytes);
}

}  // namespace autograde

// Skin: a generic colour likelihood learned from the corpus's masked faces (models/skin.md),
// adapted to every detected face by that face's own colour, so the decision follows the
// person in the picture rather than one population's average skin.
#include "autograde/semantic/skin_model.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "autograde/core/error.hpp"
#include "autograde/core/model_files.hpp"
#include "autograde/semantic/face_mesh.hpp"
#include "skin_internal.hpp"

namespace autograde {
namespace skin_detail {

namespace {

// The lightness below which chroma ratios are mostly noise: the divisor's floor keeps near
// black pixels (any hue at L ~ 0) from landing anywhere in the ratio plane.
constexpr float kLFloor = 0.08f;

float sigmoid(float x) { return 1.f / (1.f + std::exp(-x)); }

struct FaceColour {
  float mu = 0, mv = 0, mL = 0, su = 1, sv = 1, sL = 1;
  float cx = 0, cy = 0, rx = 1, ry = 1;  // the "near" ellipse
  bool mesh = false;  // the face has a mesh: its zone (FaceMeshMasks) is "near" instead
};

float median_of(std::vector<float>& v) {
  auto mid = v.begin() + std::ptrdiff_t(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  return *mid;
}

// Median and 1.4826 * MAD (a robust standard deviation), floored.
void robust(std::vector<float>& v, float floor_sigma, float& m, float& s) {
  m = median_of(v);
  for (float& x : v) x = std::fabs(x - m);
  s = std::max(floor_sigma, 1.4826f * median_of(v));
}

bool has_keypoints(const FaceBox& f) {
  const float dx = f.keypoints[1][0] - f.keypoints[0][0];
  const float dy = f.keypoints[1][1] - f.keypoints[0][1];
  return dx * dx + dy * dy > 4.f && (f.keypoints[3][0] != 0.f || f.keypoints[3][1] != 0.f);
}

// The face's own skin: the area between the eyes and the mouth (cheeks and nose), which is
// skin on nearly every face (no hair, brows, lips or eyes), read robustly so a few glasses or
// stubble pixels do not move it.
bool face_colour(const ColourTable& t, const SkinParams& p, const ImageF& lab, const FaceBox& f,
                 FaceColour& out) {
  float x0, x1, y0, y1;
  if (has_keypoints(f)) {
    const auto& re = f.keypoints[0];
    const auto& le = f.keypoints[1];
    const auto& mo = f.keypoints[3];
    const float ey = 0.5f * (re[1] + le[1]);
    const float dm = std::max(2.f, mo[1] - ey);
    x0 = std::min(re[0], le[0]);
    x1 = std::max(re[0], le[0]);
    y0 = ey + 0.25f * dm;
    y1 = mo[1] - 0.25f * dm;
  } else {
    const float w = f.x1 - f.x0, h = f.y1 - f.y0;
    x0 = f.x0 + 0.3f * w;
    x1 = f.x1 - 0.3f * w;
    y0 = f.y0 + 0.45f * h;
    y1 = f.y0 + 0.65f * h;
  }
  const int ix0 = std::clamp(int(std::floor(x0)), 0, lab.width - 1);
  const int ix1 = std::clamp(int(std::ceil(x1)), 0, lab.width - 1);
  const int iy0 = std::clamp(int(std::floor(y0)), 0, lab.height - 1);
  const int iy1 = std::clamp(int(std::ceil(y1)), 0, lab.height - 1);
  std::vector<float> us, vs, Ls;
  for (int y = iy0; y <= iy1; ++y)
    for (int x = ix0; x <= ix1; ++x) {
      const float* q = lab.at(x, y);
      float u, v;
      t.uv(q[0], q[1], q[2], u, v);
      us.push_back(u);
      vs.push_back(v);
      Ls.push_back(q[0]);
    }
  if (us.size() < 4) return false;
  robust(us, p.face_sigma_uv, out.mu, out.su);
  robust(vs, p.face_sigma_uv, out.mv, out.sv);
  robust(Ls, p.face_sigma_L, out.mL, out.sL);
  const float w = std::max(1.f, f.x1 - f.x0), h = std::max(1.f, f.y1 - f.y0);
  out.cx = 0.5f * (f.x0 + f.x1);
  out.cy = 0.5f * (f.y0 + f.y1) + p.near_dy * h;
  out.rx = std::max(1.f, p.near_rx * w);
  out.ry = std::max(1.f, p.near_ry * h);
  return true;
}

float getf(const nlohmann::json& j, const char* k, float dflt) {
  return j.contains(k) ? j.at(k).get<float>() : dflt;
}

}  // namespace

void ColourTable::uv(float L, float a, float b, float& u, float& v) const {
  if (ratio) {
    const float d = std::max(L, kLFloor);
    u = a / d;
    v = b / d;
  } else {
    u = a;
    v = b;
  }
}

float ColourTable::lookup(float L, float a, float b) const {
  float u, v;
  uv(L, a, b, u, v);
  const int li = std::clamp(int(L * float(nL)), 0, nL - 1);
  const float fu = std::clamp((u - u0) / (u1 - u0) * float(nu) - 0.5f, 0.f, float(nu - 1));
  const float fv = std::clamp((v - v0) / (v1 - v0) * float(nv) - 0.5f, 0.f, float(nv - 1));
  const int iu = std::min(int(fu), nu - 2), iv = std::min(int(fv), nv - 2);
  const float du = fu - float(iu), dv = fv - float(iv);
  const float* base = llr.data() + size_t(li) * size_t(nu * nv);
  const float* r0 = base + size_t(iu) * size_t(nv) + size_t(iv);
  const float* r1 = r0 + nv;
  return (1 - du) * ((1 - dv) * r0[0] + dv * r0[1]) + du * ((1 - dv) * r1[0] + dv * r1[1]);
}

SkinModelData load_skin_model(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(ErrorKind::BadInput, "cannot open skin model " + path);
  nlohmann::json j;
  try {
    in >> j;
  } catch (const std::exception& e) {
    throw Error(ErrorKind::BadInput, "skin model " + path + " is not JSON: " + e.what());
  }
  if (j.value("format", "") != "autograde-skin-v1")
    throw Error(ErrorKind::BadInput, "skin model " + path + ": unknown format");
  SkinModelData m;
  const auto& t = j.at("table");
  m.table.nL = t.at("nL").get<int>();
  m.table.nu = t.at("nu").get<int>();
  m.table.nv = t.at("nv").get<int>();
  m.table.u0 = t.at("u0").get<float>();
  m.table.u1 = t.at("u1").get<float>();
  m.table.v0 = t.at("v0").get<float>();
  m.table.v1 = t.at("v1").get<float>();
  m.table.ratio = t.at("ratio").get<bool>();
  m.table.llr = t.at("llr").get<std::vector<float>>();
  if (m.table.nL < 1 || m.table.nu < 2 || m.table.nv < 2 ||
      m.table.llr.size() != size_t(m.table.nL) * size_t(m.table.nu) * size_t(m.table.nv))
    throw Error(ErrorKind::BadInput, "skin model " + path + ": table size mismatch");
  const auto& p = j.at("params");
  SkinParams& s = m.params;
  s.gen_bias = getf(p, "gen_bias", s.gen_bias);
  s.gen_gain = getf(p, "gen_gain", s.gen_gain);
  s.face_k = getf(p, "face_k", s.face_k);
  s.face_wL = getf(p, "face_wL", s.face_wL);
  s.face_sigma_uv = getf(p, "face_sigma_uv", s.face_sigma_uv);
  s.face_sigma_L = getf(p, "face_sigma_L", s.face_sigma_L);
  s.near_rx = getf(p, "near_rx", s.near_rx);
  s.near_ry = getf(p, "near_ry", s.near_ry);
  s.near_dy = getf(p, "near_dy", s.near_dy);
  s.gate = getf(p, "gate", s.gate);
  s.far_weight = getf(p, "far_weight", s.far_weight);
  s.far_k = getf(p, "far_k", s.far_k);
  s.no_face_conf = getf(p, "no_face_conf", s.no_face_conf);
  s.other_weight = getf(p, "other_weight", s.other_weight);
  s.smooth_frac = getf(p, "smooth_frac", s.smooth_frac);
  s.smooth_eps = getf(p, "smooth_eps", s.smooth_eps);
  return m;
}

void save_skin_model(const SkinModelData& m, const std::string& path) {
  nlohmann::json j;
  j["format"] = "autograde-skin-v1";
  const ColourTable& t = m.table;
  std::vector<double> llr;
  llr.reserve(t.llr.size());
  for (float v : t.llr) llr.push_back(std::round(double(v) * 1000.0) / 1000.0);
  j["table"] = {{"nL", t.nL}, {"nu", t.nu}, {"nv", t.nv}, {"u0", t.u0}, {"u1", t.u1},
                {"v0", t.v0}, {"v1", t.v1}, {"ratio", t.ratio}, {"llr", llr}};
  const SkinParams& s = m.params;
  j["params"] = {{"gen_bias", s.gen_bias},         {"gen_gain", s.gen_gain},
                 {"face_k", s.face_k},             {"face_wL", s.face_wL},
                 {"face_sigma_uv", s.face_sigma_uv}, {"face_sigma_L", s.face_sigma_L},
                 {"near_rx", s.near_rx},           {"near_ry", s.near_ry},
                 {"near_dy", s.near_dy},           {"gate", s.gate},
                 {"far_weight", s.far_weight},     {"far_k", s.far_k},
                 {"no_face_conf", s.no_face_conf},
                 {"other_weight", s.other_weight}, {"smooth_frac", s.smooth_frac},
                 {"smooth_eps", s.smooth_eps}};
  std::ofstream out(path);
  if (!out) throw Error(ErrorKind::BadInput, "cannot write " + path);
  out << j.dump() << "\n";
}

const SkinModelData& bundled_skin_model() {
  static const SkinModelData m = load_skin_model(model_path("skin_model.json"));
  return m;
}

ImageF skin_mask_with(const SkinModelData& m, const ImageF& rgb_full,
                      std::span<const FaceBox> faces_full, const ImageF& person) {
  if (rgb_full.empty() || rgb_full.channels < 3)
    throw Error(ErrorKind::BadInput, "skin_mask: an RGB picture is required");
  const SkinParams& p = m.params;
  // Above kFeatherSide the decision is made on a smaller copy (faces scaled with it) and the
  // result is brought up to full size by the fast guided filter.
  const int long_full = std::max(rgb_full.width, rgb_full.height);
  const float scale = long_full > kFeatherSide ? float(kFeatherSide) / float(long_full) : 1.f;
  const ImageF small = scale < 1.f ? resize_image(rgb_full, std::max(1, int(std::lround(rgb_full.width * scale))),
                                                  std::max(1, int(std::lround(rgb_full.height * scale))))
                                   : ImageF{};
  const ImageF& rgb = scale < 1.f ? small : rgb_full;
  std::vector<FaceBox> faces(faces_full.begin(), faces_full.end());
  if (scale < 1.f)
    for (FaceBox& f : faces) {
      f.x0 *= scale, f.y0 *= scale, f.x1 *= scale, f.y1 *= scale;
      for (auto& k : f.keypoints) k[0] *= scale, k[1] *= scale;
      for (auto& k : f.mesh) k[0] *= scale, k[1] *= scale;
    }
  const int W = rgb.width, H = rgb.height;
  const ImageF lab = to_oklab(rgb);

  std::vector<FaceColour> fc;
  for (const FaceBox& f : faces) {
    FaceColour c;
    if (face_colour(m.table, p, lab, f, c)) {
      c.mesh = f.mesh.size() == size_t(kFaceMeshPoints);
      fc.push_back(c);
    }
  }
  const FaceMeshMasks mesh = face_mesh_masks(W, H, faces);

  // The person mask, dilated a little: segmenters cut hands and hairlines tight.
  ImageF pd;
  if (!person.empty()) {
    pd = person.width == W && person.height == H ? person : resize_image(person, W, H);
    pd = dilate_mask(pd, std::max(1, int(0.01f * float(std::max(W, H)))));
  }

  const float kmax = std::max(p.face_k, p.far_k);
  const float cutoff = 36.f * kmax * kmax;
  ImageF out(W, H, 1);
  for (int y = 0; y < H; ++y) {
    const float* q = lab.row(y);
    float* o = out.row(y);
    const float* pr = pd.empty() ? nullptr : pd.row(y);
    for (int x = 0; x < W; ++x, q += 3) {
      const float g = sigmoid((m.table.lookup(q[0], q[1], q[2]) - p.gen_bias) * p.gen_gain);
      float val;
      if (fc.empty()) {
        val = g * (pr ? 1.f : p.no_face_conf);
      } else {
        float u, v;
        m.table.uv(q[0], q[1], q[2], u, v);
        // Within the person (when known) the same person's other skin counts fully.
        const float far_w = pr ? std::max(p.far_weight, pr[x]) : p.far_weight;
        val = p.other_weight * g;
        for (const FaceColour& c : fc) {
          const float du = (u - c.mu) / c.su, dv = (v - c.mv) / c.sv, dL = (q[0] - c.mL) / c.sL;
          const float d2 = du * du + dv * dv + p.face_wL * dL * dL;
          if (d2 > cutoff) continue;  // both similarities below exp(-18): nothing to add
          const float f = std::exp(-0.5f * d2 / (p.face_k * p.face_k));
          const float ff = std::exp(-0.5f * d2 / (p.far_k * p.far_k));
          // Where the face's own colour decides alone: 1 inside the ellipse, fading to 0 at 1.3
          // times its radii, or with a mesh the face's zone. The ellipse reaches the hair
          // beside and above the face, which the face's colour alone cannot always tell from
          // skin (brown hair by a brown face, fair hair by a pale one); the zone stops at the
          // hairline (validation, landmark IoU medium / dark: 0.718 / 0.719 with the ellipse,
          // 0.757 / 0.739 with the zone).
          float s;
          if (c.mesh) {
            s = mesh.zone.pixels[size_t(y) * size_t(W) + size_t(x)];
          } else {
            const float ex = (float(x) - c.cx) / c.rx, ey = (float(y) - c.cy) / c.ry;
            const float e = ex * ex + ey * ey;
            s = std::clamp((1.69f - e) / 0.69f, 0.f, 1.f);
          }
          const float near = f * (1.f - p.gate + p.gate * g);
          const float far = far_w * ff * g;
          val = std::max(val, s * near + (1.f - s) * far);
        }
      }
      if (pr) val *= std::min(1.f, pr[x]);
      o[x] = std::min(1.f, val);
    }
  }
  // Where a face mesh was found, its outline decides inside the face: the oval is skin whatever
  // the colour model made of shading and highlights, and the eyes, brows and lips are not,
  // however skin-like their colour.
  for (size_t i = 0; i < out.pixels.size(); ++i)
    out.pixels[i] = std::max(out.pixels[i], mesh.skin.pixels[i]) * (1.f - mesh.features.pixels[i]);
  const int r = int(std::lround(p.smooth_frac * float(std::max(W, H))));
  if (scale < 1.f) return guided_upsample(luma_of(rgb_full), out, r, p.smooth_eps);
  if (r >= 1) out = guided_filter(luma_of(rgb), out, r, p.smooth_eps);
  return out;
}

}  // namespace skin_detail

ImageF skin_mask(const ImageF& rgb, std::span<const FaceBox> faces, const ImageF& person) {
  return skin_detail::skin_mask_with(skin_detail::bundled_skin_model(), rgb, faces, person);
}

}  // namespace autograde

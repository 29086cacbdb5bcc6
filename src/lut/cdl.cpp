#include "autograde/lut/cdl.hpp"

#include <fmt/format.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>

#include "autograde/core/error.hpp"
#include "autograde/lut/interpolate.hpp"

namespace autograde {

namespace {

// ASC CDL v1.2 §"Saturation": luma with the Rec.709 weights, whatever the material.
constexpr std::array<double, 3> kLuma{0.2126, 0.7152, 0.0722};

// Written so that NaN fails both comparisons and becomes 0, as OCIO's CDL_ASC renderer does.
double clamp01(double v) { return v > 0 ? (v < 1 ? v : 1) : 0; }

// The fit's parameter vector: slope rgb, offset rgb, power rgb, saturation.
constexpr int kParams = 10;
using Params = Eigen::Matrix<double, kParams, 1>;
constexpr std::array<double, kParams> kLower{0, 0, 0, -1, -1, -1, 0.1, 0.1, 0.1, 0};
constexpr std::array<double, kParams> kUpper{4, 4, 4, 1, 1, 1, 4, 4, 4, 4};

Params to_params(const Cdl& c) {
  Params p;
  for (int i = 0; i < 3; ++i) {
    p[i] = c.slope[i];
    p[3 + i] = c.offset[i];
    p[6 + i] = c.power[i];
  }
  p[9] = c.saturation;
  return p;
}

Cdl to_cdl(const Params& p) {
  Cdl c;
  for (int i = 0; i < 3; ++i) {
    c.slope[i] = p[i];
    c.offset[i] = p[3 + i];
    c.power[i] = p[6 + i];
  }
  c.saturation = p[9];
  return c;
}

// `in_range`: no clamp can act inside the unit cube — offset >= 0 and slope + offset <= 1
// keep in·slope + offset within 0..1, the power maps 0..1 onto itself, and saturation <= 1 mixes
// a colour with its own luma — so the CDL is one-to-one there and a residual can undo it.
Params project(Params p, bool in_range) {
  for (int i = 0; i < kParams; ++i) p[i] = std::clamp(p[i], kLower[i], kUpper[i]);
  if (in_range) {
    for (int c = 0; c < 3; ++c) {
      p[3 + c] = std::clamp(p[3 + c], 0.0, 0.5);
      p[c] = std::min(p[c], 1.0 - p[3 + c]);
    }
    p[9] = std::min(p[9], 1.0);
  }
  return p;
}

// One CDL evaluation in double with its derivatives by the ten parameters. A clamp that is
// active has zero derivative (one-sided at the boundary itself: the fit then moves the
// parameter off the clamp only if the other nodes ask for it).
struct Evaluation {
  std::array<double, 3> y{};
  Eigen::Matrix<double, 3, kParams> jacobian;
  bool clamped = false;  // some input was folded by a clamp (not invertible there)
};

void evaluate(const Params& p, const std::array<double, 3>& x, bool want_jacobian, Evaluation& e) {
  std::array<double, 3> w{}, dw_ds{}, dw_do{}, dw_dp{};
  e.clamped = false;
  for (int c = 0; c < 3; ++c) {
    const double a = x[c] * p[c] + p[3 + c];
    if (a < 0 || a > 1) e.clamped = true;
    const double u = clamp01(a);
    const double power = p[6 + c];
    w[c] = u > 0 ? std::pow(u, power) : 0.0;
    if (!want_jacobian) continue;
    // Strictly inside: at u = 0 the power's derivative is unbounded for power < 1.
    if (a > 0 && a < 1) {
      const double dw_du = power * w[c] / u;
      dw_ds[c] = dw_du * x[c];
      dw_do[c] = dw_du;
    }
    dw_dp[c] = u > 0 ? w[c] * std::log(u) : 0.0;
  }
  const double luma = kLuma[0] * w[0] + kLuma[1] * w[1] + kLuma[2] * w[2];
  const double sat = p[9];
  if (want_jacobian) e.jacobian.setZero();
  for (int c = 0; c < 3; ++c) {
    const double v = luma + sat * (w[c] - luma);
    if (v < 0 || v > 1) e.clamped = true;
    e.y[c] = clamp01(v);
    if (!want_jacobian || v < 0 || v > 1) continue;
    for (int j = 0; j < 3; ++j) {
      const double dv_dw = kLuma[j] * (1 - sat) + (c == j ? sat : 0.0);
      e.jacobian(c, j) = dv_dw * dw_ds[j];
      e.jacobian(c, 3 + j) = dv_dw * dw_do[j];
      e.jacobian(c, 6 + j) = dv_dw * dw_dp[j];
    }
    e.jacobian(c, 9) = w[c] - luma;
  }
}

struct Sample {
  std::array<double, 3> x;  // LUT input at a lattice node
  std::array<double, 3> t;  // the LUT's entry there
};

std::vector<Sample> lattice_samples(const Lut3D& lut) {
  std::vector<Sample> out;
  out.reserve(size_t(lut.size) * lut.size * lut.size);
  const double step = 1.0 / (lut.size - 1);
  for (int b = 0; b < lut.size; ++b)
    for (int g = 0; g < lut.size; ++g)
      for (int r = 0; r < lut.size; ++r) {
        Sample s;
        const int idx[3] = {r, g, b};
        for (int c = 0; c < 3; ++c) {
          const double lo = lut.domain_min[c], hi = lut.domain_max[c];
          s.x[c] = lo + (hi - lo) * idx[c] * step;
          s.t[c] = lut.at(r, g, b)[c];
        }
        out.push_back(s);
      }
  return out;
}

double cost(const Params& p, const std::vector<Sample>& samples) {
  double sum = 0;
  Evaluation e;
  for (const Sample& s : samples) {
    evaluate(p, s.x, false, e);
    for (int c = 0; c < 3; ++c) sum += (e.y[c] - s.t[c]) * (e.y[c] - s.t[c]);
  }
  return sum;
}

// Levenberg–Marquardt (Marquardt's scaling of the diagonal) with every trial point projected
// onto the bounds; a step is kept only when it lowers the cost, so the projection can slow
// the descent at a bound but never make it worse.
Params levenberg_marquardt(Params p, const std::vector<Sample>& samples, bool in_range,
                           int& iterations) {
  double current = cost(p, samples);
  double lambda = 1e-3;
  Evaluation e;
  for (iterations = 0; iterations < 300; ++iterations) {
    Eigen::Matrix<double, kParams, kParams> jtj = Eigen::Matrix<double, kParams, kParams>::Zero();
    Params jtr = Params::Zero();
    for (const Sample& s : samples) {
      evaluate(p, s.x, true, e);
      Eigen::Vector3d r(e.y[0] - s.t[0], e.y[1] - s.t[1], e.y[2] - s.t[2]);
      jtj.noalias() += e.jacobian.transpose() * e.jacobian;
      jtr.noalias() += e.jacobian.transpose() * r;
    }
    bool improved = false;
    double previous = current;
    while (lambda < 1e12) {
      Eigen::Matrix<double, kParams, kParams> a = jtj;
      // The small absolute floor keeps a parameter no node responds to (e.g. the slope of a
      // channel clamped everywhere) from making the system singular; its step is then zero.
      for (int i = 0; i < kParams; ++i) a(i, i) += lambda * (jtj(i, i) + 1e-12);
      const Params trial = project(p + a.ldlt().solve(-jtr), in_range);
      const double trial_cost = cost(trial, samples);
      if (trial_cost < current) {
        const double moved = (trial - p).cwiseAbs().maxCoeff();
        p = trial;
        current = trial_cost;
        lambda = std::max(lambda / 3, 1e-12);
        improved = true;
        if (moved < 1e-12) return p;
        break;
      }
      lambda *= 4;
    }
    if (!improved || current <= 1e-24 || previous - current <= 1e-14 * previous) break;
  }
  return p;
}

// A preimage of y under the CDL: exact where y is an output of the CDL and the CDL is
// invertible there. Elsewhere it continues the inverse smoothly instead of clamping it
// (luma-keeping saturation inverse unclamped, w^(1/power) mirrored for w < 0, slope inverse
// unclamped), so that residual nodes just outside the CDL's image continue the residual
// rather than fold it; the result is kept within one domain width of the LUT's domain.
std::array<double, 3> inverse_cdl(const Cdl& cdl, const std::array<double, 3>& y,
                                  const Lut3D& lut) {
  const double luma = kLuma[0] * y[0] + kLuma[1] * y[1] + kLuma[2] * y[2];
  std::array<double, 3> x{};
  for (int c = 0; c < 3; ++c) {
    // Saturation keeps luma (the weights sum to 1), so it inverts around the output's luma.
    // At saturation 0 only grey comes out and any chroma is a preimage: keep y's.
    const double w = cdl.saturation > 1e-9 ? luma + (y[c] - luma) / cdl.saturation : y[c];
    const double u = std::copysign(std::pow(std::abs(w), 1.0 / cdl.power[c]), w);
    const double lo = lut.domain_min[c], hi = lut.domain_max[c];
    // A slope of 0 loses the channel: every input is a preimage, take the domain's middle.
    const double in = cdl.slope[c] > 1e-12 ? (u - cdl.offset[c]) / cdl.slope[c] : 0.5 * (lo + hi);
    const double width = std::abs(hi - lo);
    x[c] = std::clamp(in, std::min(lo, hi) - width, std::max(lo, hi) + width);
  }
  return x;
}

// lut − CDL at every lattice node, in double: what the residual has to add.
struct Difference {
  int size = 0;
  std::array<double, 3> lo{}, hi{};
  std::vector<double> d;  // same layout as Lut3D::table
};

// Tetrahedral interpolation of the difference (the same six-tetrahedra split of each cell as
// sample_tetrahedral, so identical inside the domain), continued linearly outside it from the
// boundary cell instead of clamping: an affine difference, such as a hue rotation against a
// power-1 CDL, is then reproduced exactly up to the CDL image's edge.
std::array<double, 3> sample_difference(const Difference& t, const std::array<double, 3>& x) {
  std::array<int, 3> i0{};
  std::array<double, 3> f{};
  for (int c = 0; c < 3; ++c) {
    const double pos = (x[c] - t.lo[c]) / (t.hi[c] - t.lo[c]) * (t.size - 1);
    i0[c] = std::clamp(int(std::floor(pos)), 0, t.size - 2);
    f[c] = pos - i0[c];
  }
  auto at = [&](std::array<int, 3> k) {
    return t.d.data() + 3 * ((size_t(k[2]) * t.size + k[1]) * t.size + k[0]);
  };
  // Walk from the cell's low corner towards the high one, axis by axis in decreasing fraction.
  std::array<int, 3> order{0, 1, 2};
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return f[a] > f[b]; });
  std::array<int, 3> k = i0;
  const double* prev = at(k);
  std::array<double, 3> out{prev[0], prev[1], prev[2]};
  for (int axis : order) {
    ++k[axis];
    const double* next = at(k);
    for (int c = 0; c < 3; ++c) out[c] += f[axis] * (next[c] - prev[c]);
    prev = next;
  }
  return out;
}

Rgb to_rgb(const std::array<double, 3>& v) { return {float(v[0]), float(v[1]), float(v[2])}; }

// Fixed 6 decimals through fmt, which never consults the locale for "{:.6f}"; a value that
// rounds to zero is printed without a sign ("-0.000000" confuses some parsers and people).
std::string number(double v) {
  std::string s = fmt::format("{:.6f}", v);
  if (s == "-0.000000") s.erase(0, 1);
  return s;
}

std::string triple(const std::array<double, 3>& v) {
  return number(v[0]) + " " + number(v[1]) + " " + number(v[2]);
}

std::string xml_escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += ch;
    }
  }
  return out;
}

// One <ColorCorrection> element as the ASC CDL v1.2 schema lays it out (SOPNode with Slope,
// Offset, Power in that order, then SatNode), indented by `indent` spaces.
std::string color_correction_xml(const Cdl& cdl, const std::string& id,
                                 const std::string& description, int indent) {
  const std::string i0(size_t(indent), ' '), i1 = i0 + "  ", i2 = i1 + "  ";
  std::string out = fmt::format("{}<ColorCorrection id=\"{}\">\n", i0, xml_escape(id));
  out += i1 + "<SOPNode>\n";
  if (!description.empty())
    out += fmt::format("{}<Description>{}</Description>\n", i2, xml_escape(description));
  out += fmt::format("{}<Slope>{}</Slope>\n", i2, triple(cdl.slope));
  out += fmt::format("{}<Offset>{}</Offset>\n", i2, triple(cdl.offset));
  out += fmt::format("{}<Power>{}</Power>\n", i2, triple(cdl.power));
  out += i1 + "</SOPNode>\n";
  out += i1 + "<SatNode>\n";
  out += fmt::format("{}<Saturation>{}</Saturation>\n", i2, number(cdl.saturation));
  out += i1 + "</SatNode>\n";
  out += i0 + "</ColorCorrection>\n";
  return out;
}

}  // namespace

void validate(const Cdl& cdl, const std::string& what) {
  auto bad = [&](const std::string& why) { throw_bad_input(what, "invalid ASC CDL: " + why); };
  for (int c = 0; c < 3; ++c) {
    if (!std::isfinite(cdl.slope[c]) || !std::isfinite(cdl.offset[c]) ||
        !std::isfinite(cdl.power[c]))
      bad("slope, offset and power must be finite numbers");
    if (cdl.slope[c] < 0) bad(fmt::format("slope {} is negative", cdl.slope[c]));
    if (cdl.power[c] <= 0) bad(fmt::format("power {} is not positive", cdl.power[c]));
  }
  if (!std::isfinite(cdl.saturation) || cdl.saturation < 0)
    bad(fmt::format("saturation {} is not a finite number >= 0", cdl.saturation));
}

Rgb apply_cdl(const Cdl& cdl, Rgb in) {
  std::array<double, 3> w{};
  for (int c = 0; c < 3; ++c) {
    const double u = clamp01(double(in[c]) * cdl.slope[c] + cdl.offset[c]);
    w[c] = std::pow(u, cdl.power[c]);
  }
  const double luma = kLuma[0] * w[0] + kLuma[1] * w[1] + kLuma[2] * w[2];
  Rgb out{};
  for (int c = 0; c < 3; ++c) out[c] = float(clamp01(luma + cdl.saturation * (w[c] - luma)));
  return out;
}

CdlFit fit_cdl(const Lut3D& lut, bool in_range, int residual_size) {
  if (residual_size != 0 && (residual_size < 2 || residual_size > kMaxLut3DSize))
    throw_usage("CDL residual size must be 2.." + std::to_string(kMaxLut3DSize));
  validate(lut, "LUT to fit a CDL to");
  const std::vector<Sample> samples = lattice_samples(lut);
  CdlFit fit;
  const Params p = levenberg_marquardt(to_params(Cdl{}), samples, in_range, fit.iterations);
  fit.cdl = to_cdl(p);

  Evaluation e;
  double sum = 0;
  for (const Sample& s : samples) {
    evaluate(p, s.x, false, e);
    fit.clamped_nodes += e.clamped;
    for (int c = 0; c < 3; ++c) {
      const double d = std::abs(e.y[c] - s.t[c]);
      sum += d * d;
      fit.max_error = std::max(fit.max_error, d);
    }
  }
  fit.rms_error = std::sqrt(sum / (3.0 * double(samples.size())));

  // residual(y) = y + (lut − CDL)(preimage of y). Where y = CDL(x) with x a preimage this
  // is lut(x), and interpolating the difference rather than the LUT itself keeps the LUT's
  // own interpolation error out: for a LUT that is exactly a CDL the residual is the identity.
  Difference diff{lut.size,
                  {lut.domain_min[0], lut.domain_min[1], lut.domain_min[2]},
                  {lut.domain_max[0], lut.domain_max[1], lut.domain_max[2]},
                  std::vector<double>(lut.table.size())};
  for (size_t i = 0; i < samples.size(); ++i) {
    evaluate(p, samples[i].x, false, e);
    for (int c = 0; c < 3; ++c) diff.d[3 * i + size_t(c)] = samples[i].t[c] - e.y[c];
  }
  fit.residual = Lut3D::identity(residual_size > 0 ? residual_size : lut.size);
  for (size_t i = 0; i < fit.residual.table.size(); i += 3) {
    const std::array<double, 3> y{fit.residual.table[i], fit.residual.table[i + 1],
                                  fit.residual.table[i + 2]};
    const std::array<double, 3> d = sample_difference(diff, inverse_cdl(fit.cdl, y, lut));
    for (int c = 0; c < 3; ++c) fit.residual.table[i + size_t(c)] = float(y[c] + d[c]);
  }
  // Measured through apply_cdl in float, exactly the path a consumer of the pair takes.
  for (const Sample& s : samples) {
    const Rgb v = sample_tetrahedral(fit.residual, apply_cdl(fit.cdl, to_rgb(s.x)));
    for (int c = 0; c < 3; ++c)
      fit.residual_max_error = std::max(fit.residual_max_error, std::abs(v[c] - s.t[c]));
  }
  return fit;
}

std::string format_cdl_xml(const Cdl& cdl, const std::string& id, const std::string& description) {
  validate(cdl, "CDL '" + id + "'");
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<ColorDecisionList xmlns=\"urn:ASC:CDL:v1.01\">\n";
  out += "  <ColorDecision>\n";
  out += color_correction_xml(cdl, id, description, 4);
  out += "  </ColorDecision>\n";
  out += "</ColorDecisionList>\n";
  return out;
}

std::string format_ccc_xml(const std::vector<std::pair<std::string, Cdl>>& corrections) {
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<ColorCorrectionCollection xmlns=\"urn:ASC:CDL:v1.01\">\n";
  for (const auto& [id, cdl] : corrections) {
    validate(cdl, "CDL '" + id + "'");
    out += color_correction_xml(cdl, id, "", 2);
  }
  out += "</ColorCorrectionCollection>\n";
  return out;
}

std::string edl_asc_lines(const Cdl& cdl) {
  validate(cdl, "CDL for an EDL event");
  // The spec's EDL form: no space after '*', none between the three parenthesised groups.
  return fmt::format("*ASC_SOP ({})({})({})\n*ASC_SAT {}\n", triple(cdl.slope), triple(cdl.offset),
                     triple(cdl.power), number(cdl.saturation));
}

Lut3D cdl_residual(const Cdl& cdl, int size, const std::function<Rgb(Rgb)>& grade) {
  validate(cdl, "CDL");
  Lut3D out = Lut3D::identity(size);
  const Lut3D unit = Lut3D::identity(2);  // inverse_cdl reads only the 0..1 domain from it
  for (size_t i = 0; i < out.table.size(); i += 3) {
    const std::array<double, 3> x =
        inverse_cdl(cdl, {out.table[i], out.table[i + 1], out.table[i + 2]}, unit);
    const Rgb g = grade({float(std::clamp(x[0], 0.0, 1.0)), float(std::clamp(x[1], 0.0, 1.0)),
                         float(std::clamp(x[2], 0.0, 1.0))});
    for (int c = 0; c < 3; ++c) out.table[i + size_t(c)] = g[c];
  }
  validate(out, "after-CDL LUT");
  return out;
}

}  // namespace autograde

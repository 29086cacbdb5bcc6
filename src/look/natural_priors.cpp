// Priors of natural-image statistics used by `auto` (image_stats.hpp): the content mean and
// spread of ungraded photographs and the Wiener transfer matrix Σg (Σg + Σc)^-1.
// Fitted by `bench_match --fit-priors` on held-in halves only: content statistics from the
// even-indexed files of ../shared/data/images (Kodak, scikit-image, Debian wallpapers),
// grade effects from the even-indexed creative LUTs of ../shared/data/luts applied to those
// images. Covariances are diagonal (too few LUTs for cross terms), so the matrix is diagonal.
// `bench_match --half odd` checks on the other images and LUTs.
// Order: 7 tone quantiles (grey code value at 1/5/25/50/75/95/99 %), OKLab (a, b) means for
// shadows / midtones / highlights, log(mean OKLab chroma + 0.01).
// content: 33 images; grade: 528 (LUT, image) pairs from 16 LUTs
#include "image_stats.hpp"

namespace autograde::look_detail {

const NaturalPriors& natural_priors() {
  static const NaturalPriors p{
      {0.14985f, 0.20649f, 0.33449f, 0.45514f, 0.58519f, 0.76578f, 0.85175f, 0.00610f, 0.01397f, 0.00435f, 0.01823f, 0.00203f, 0.02279f, -2.78841f},
      {0.13450f, 0.13738f, 0.14708f, 0.16031f, 0.16921f, 0.16709f, 0.13164f, 0.03242f, 0.04630f, 0.03293f, 0.04701f, 0.03115f, 0.04623f, 0.46521f},
      {{{0.29161f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f},
        {0.00000f, 0.28477f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f},
        {0.00000f, 0.00000f, 0.27615f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f},
        {0.00000f, 0.00000f, 0.00000f, 0.24527f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f},
        {0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.20722f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f},
        {0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.15700f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f},
        {0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.17382f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f},
        {0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.45927f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f},
        {0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.30895f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f},
        {0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.41853f, 0.00000f, 0.00000f, 0.00000f, 0.00000f},
        {0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.29740f, 0.00000f, 0.00000f, 0.00000f},
        {0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.39301f, 0.00000f, 0.00000f},
        {0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.30667f, 0.00000f},
        {0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.00000f, 0.75128f}}}};
  return p;
}

}  // namespace autograde::look_detail

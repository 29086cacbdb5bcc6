#pragma once
// A LUT prepared for the kernels of one input encoding: domains folded into multiply-add
// coefficients, the shaper tabulated per code value for integer inputs. Internal to ag_engine.
#include <vector>

#include "autograde/lut/interpolate.hpp"
#include "autograde/lut/lut.hpp"

namespace autograde::engine_detail {

struct PreparedLut {
  Interp interp = Interp::Tetrahedral;

  // Stage 1, one of: per-code shaper outputs (integer inputs with a shaper; planar, channel c
  // at [c * code_count, (c + 1) * code_count)), a 1D shaper interpolated per pixel, or nothing.
  std::vector<float> code_table;
  int code_count = 0;
  int size1 = 0;
  std::vector<float> table1;                   // planar, channel c at [c * size1, (c + 1) * size1)
  float a1[3] = {1, 1, 1}, b1[3] = {0, 0, 0};  // shaper lattice t = raw * a1 + b1

  // Stage 2: the 3D table (size3 == 0: none, the output is stage 1's).
  int size3 = 0;
  std::vector<float> table3;  // interleaved RGB, red fastest (Lut3D order)
  std::vector<float> table4;  // the same entries as RGB0 (16 bytes): one 128-bit load per vertex
  float a3[3] = {1, 1, 1}, b3[3] = {0, 0, 0};  // lattice t = value * a3 + b3
};

// in_scale maps raw samples to 0..1 (1/max for integer codes, 1 for float); code_count > 0
// (integer inputs: max + 1) lets a shaper be tabulated per code value.
PreparedLut prepare_lut(const LutFile& lut, Interp interp, float in_scale, int code_count);

}  // namespace autograde::engine_detail

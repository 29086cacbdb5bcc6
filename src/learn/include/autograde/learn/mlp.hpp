#pragma once
// A small multilayer perceptron run in plain C++ (Eigen), and its weight file, so inference
// needs no libtorch (training does: src/learn/training).
//
// Weight file format "AGNN" version 1 (all integers and floats little-endian):
//   bytes 0..7   magic "AGNN0001"
//   bytes 8..11  uint32 H: length of the header
//   next H bytes UTF-8 JSON header:
//     {"format": "autograde-mlp", "version": 1, "task": "...", "inputs": F,
//      "layers": [{"in": F, "out": N1, "activation": "relu"}, ..., {"activation": "linear"}],
//      "meta": {... free-form: training data, seed, metrics, output layout ...}}
//   then float32 payload, exactly: input mean [F], input std [F] (inputs are standardised as
//   (x - mean) / std before the first layer), then for each layer its weights [out x in]
//   (row-major: out rows of `in` floats) followed by its bias [out]. Nothing may follow.
// Every value must be finite and every std > 0; anything else is Error(BadInput) naming the file.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace autograde::learn {

enum class Activation { Linear, Relu };

struct DenseLayer {
  int in = 0, out = 0;
  Activation activation = Activation::Linear;
  std::vector<float> weights;  // out x in, row-major
  std::vector<float> bias;     // out
};

struct Mlp {
  std::string task;
  std::vector<float> input_mean, input_std;
  std::vector<DenseLayer> layers;
  nlohmann::json meta = nlohmann::json::object();

  int inputs() const { return int(input_mean.size()); }
  int outputs() const { return layers.empty() ? 0 : layers.back().out; }
  // Standardises `x` and runs every layer. Error(Internal) if x has the wrong length.
  std::vector<float> forward(const std::vector<float>& x) const;
};

// Error(BadInput) naming `path` for a missing, truncated or inconsistent file.
Mlp read_mlp(const std::string& path);
// Parses bytes already in memory; `source_name` names them in errors.
Mlp parse_mlp(const std::string& bytes, const std::string& source_name);
std::string serialise_mlp(const Mlp& mlp);
void write_mlp(const std::string& path, const Mlp& mlp);  // atomic (temp + rename)

}  // namespace autograde::learn

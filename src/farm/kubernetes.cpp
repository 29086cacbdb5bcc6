#include "autograde/farm/kubernetes.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "autograde/core/error.hpp"

namespace fs = std::filesystem;

namespace autograde {

namespace {

// A Kubernetes object name: lowercase letters, digits and '-', at most 63 characters.
std::string dns_label(const std::string& s) {
  std::string out;
  for (char c : s) {
    const unsigned char u = static_cast<unsigned char>(c);
    out += std::isalnum(u) ? char(std::tolower(u)) : '-';
  }
  while (!out.empty() && out.front() == '-') out.erase(out.begin());
  if (out.size() > 52) out.resize(52);  // room for the "-tasks" / "-join" suffixes
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? "autograde" : out;
}

// A YAML double-quoted scalar.
std::string yq(const std::string& s) {
  std::string q = "\"";
  for (char c : s) q += c == '"' || c == '\\' ? std::string("\\") + c : std::string(1, c);
  return q + "\"";
}

std::string pod_spec(const std::string& command, const KubernetesOptions& o) {
  return fmt::format(
      "      restartPolicy: Never\n"
      "      containers:\n"
      "        - name: autograde\n"
      "          image: {}\n"
      "          command: [\"/bin/sh\", \"-c\", {}]\n"
      "          resources:\n"
      "            requests: {{cpu: {}, memory: {}}}\n"
      "          volumeMounts:\n"
      "            - {{name: shared, mountPath: {}}}\n"
      "      volumes:\n"
      "        - name: shared\n"
      "          persistentVolumeClaim: {{claimName: {}}}\n",
      yq(o.image), yq(command), yq(o.cpu), yq(o.memory), yq(o.mount), yq(o.claim));
}

}  // namespace

std::string kubernetes_manifests(const FarmJob& job, const KubernetesOptions& o) {
  if (o.mount.empty() || !fs::path(o.mount).is_absolute())
    throw_usage("the shared volume's mount path must be absolute");
  // Pods see only the volume: the clip, the output and the job folder must all be on it.
  const GradePlan plan = read_plan((fs::path(job.dir) / "plan.json").string());
  for (const auto& [what, path] : {std::pair{"the input clip", plan.input_path},
                                   std::pair{"the output", job.output},
                                   std::pair{"the job folder", job.dir}}) {
    const std::string rel =
        fs::path(path).lexically_normal().lexically_relative(o.mount).string();
    if (rel.empty() || rel.rfind("..", 0) == 0)
      throw_usage(fmt::format("{} '{}' is not on the shared volume ('{}'), which is all a pod sees",
                              what, path, o.mount));
  }
  const std::string name = dns_label(fs::path(job.dir).filename().string());
  const int tasks = int(job.tasks.size());
  const int parallel = o.parallelism > 0 ? std::min(o.parallelism, tasks) : tasks;
  std::string y = fmt::format(
      "# autograde farm job {} for {}: {} tasks, then the join.\n"
      "# kubectl apply -f this --selector=step=tasks; kubectl wait --for=condition=complete\n"
      "#   job/{}-tasks --timeout=24h; then kubectl apply -f this --selector=step=join\n"
      "apiVersion: batch/v1\n"
      "kind: Job\n"
      "metadata:\n"
      "  name: {}-tasks\n"
      "  labels: {{app: autograde, step: tasks}}\n"
      "spec:\n"
      "  completionMode: Indexed\n"
      "  completions: {}\n"
      "  parallelism: {}\n"
      "  backoffLimitPerIndex: {}\n"
      "  template:\n"
      "    spec:\n",
      job.dir, job.output, tasks, name, name, tasks, parallel, o.retries_per_task);
  y += pod_spec(fmt::format("autograde farm task '{}' \"$JOB_COMPLETION_INDEX\"", job.dir), o);
  y += fmt::format(
      "---\n"
      "apiVersion: batch/v1\n"
      "kind: Job\n"
      "metadata:\n"
      "  name: {}-join\n"
      "  labels: {{app: autograde, step: join}}\n"
      "spec:\n"
      "  backoffLimit: 1\n"
      "  template:\n"
      "    spec:\n",
      name);
  y += pod_spec(fmt::format("autograde farm join '{}'", job.dir), o);
  return y;
}

}  // namespace autograde

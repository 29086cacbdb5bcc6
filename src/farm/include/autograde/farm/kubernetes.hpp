#pragma once
// The farm's split mapped to Kubernetes (issue 23, on paper: generated, not run here;
// docs/scale-out.md): the tasks as an Indexed Job (one pod per task index,
// JOB_COMPLETION_INDEX naming the task), the join as a second Job the submitter creates once
// the first completes (`kubectl wait --for=condition=complete`), since Jobs have no dependencies.
// Every pod mounts one ReadWriteMany volume at the same path as the submitting machine, so the
// absolute paths in job.json and plan.json (the input clip, the output, the job folder) mean
// the same everywhere.
#include <string>

#include "autograde/farm/farm_job.hpp"

namespace autograde {

struct KubernetesOptions {
  std::string image = "autograde:latest";  // an image with the autograde binary on PATH
  std::string claim = "autograde-shared";  // the ReadWriteMany PersistentVolumeClaim
  std::string mount;                       // where it is mounted: the shared root (absolute)
  int parallelism = 0;                     // pods at once; 0 = one per task
  int retries_per_task = 3;                // backoffLimitPerIndex (Kubernetes 1.28+)
  std::string cpu = "2", memory = "4Gi";   // each pod's requests
};

// Two YAML documents: the tasks' Indexed Job and the join's Job. Error(Usage) when the input
// clip, the output or the job folder is not under `mount`.
std::string kubernetes_manifests(const FarmJob& job, const KubernetesOptions& options);

}  // namespace autograde

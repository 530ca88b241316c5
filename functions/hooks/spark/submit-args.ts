// spark-submit's command line from a job spec, as Airflow's SparkSubmitHook builds it. Only what
// may be seen goes here: the secrets of a job travel in its environment, never as arguments.
import type { SparkJobSpec } from "./spark-job";

export function sparkSubmitArgs(master: string, spec: SparkJobSpec, deployMode?: string): string[] {
  const args = ["--master", master];
  if (deployMode) args.push("--deploy-mode", deployMode);
  if (spec.name) args.push("--name", spec.name);
  if (spec.jars.length) args.push("--jars", spec.jars.join(","));
  if (spec.packages.length) args.push("--packages", spec.packages.join(","));
  if (spec.pyFiles.length) args.push("--py-files", spec.pyFiles.join(","));
  if (spec.files.length) args.push("--files", spec.files.join(","));
  if (spec.driverMemory) args.push("--driver-memory", spec.driverMemory);
  if (spec.driverCores !== undefined) args.push("--driver-cores", String(spec.driverCores));
  if (spec.executorMemory) args.push("--executor-memory", spec.executorMemory);
  if (spec.executorCores !== undefined) args.push("--executor-cores", String(spec.executorCores));
  if (spec.numExecutors !== undefined) args.push("--num-executors", String(spec.numExecutors));
  // A standalone master sizes a job by its total cores, not by executor count.
  if (spec.numExecutors !== undefined && master.startsWith("spark://")) {
    args.push("--total-executor-cores", String(spec.numExecutors * (spec.executorCores ?? 1)));
  }
  for (const [key, value] of Object.entries(spec.conf)) args.push("--conf", `${key}=${value}`);
  args.push(spec.application, ...spec.applicationArgs);
  return args;
}

// The shape every local service has, so up/down/status treat them alike.
import type { ServiceSettings } from "./settings";

export const SERVICE_NAMES = ["azurite", "postgres", "kafka", "spark", "spark-cluster"] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export interface ServicePort {
  port: number;
  /** The setting that moves it, named in the "port taken" message. */
  setting: string;
}

export interface LaunchedProcess {
  pid: number;
  /** A fragment of the leader's command line that identifies it (see pid-files.ts). */
  marker: string;
}

export interface LocalService {
  name: ServiceName;
  /** Where clients reach it, for the status table. */
  endpoint(settings: ServiceSettings): string;
  ports(settings: ServiceSettings): ServicePort[];
  logFile(settings: ServiceSettings): string;
  /** Downloads, installs and initialises what the service needs; cheap when already done. */
  prepare(settings: ServiceSettings): Promise<void>;
  /** Starts the long-running process; absent for services with nothing to run (Spark runs per job). */
  launch?(settings: ServiceSettings): Promise<LaunchedProcess>;
  /** One-time work once it answers (e.g. creating the database). */
  afterReady?(settings: ServiceSettings): Promise<void>;
  /** A cheap check that it answers (or, for Spark, that it is installed). Rejects when not. */
  ping(settings: ServiceSettings): Promise<void>;
  /** A real round trip through the service; resolves with a short detail for the status table. */
  probe(settings: ServiceSettings): Promise<string>;
  readyTimeoutMs: number;
  stop: { signal: NodeJS.Signals; leaderOnly: boolean; graceMs: number };
  /** Started only when named (`services up spark-cluster`), not by a bare `up`, the tests or the demo. */
  onDemand?: boolean;
}

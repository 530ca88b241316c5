// azflow's local runtime: run the app's functions and Durable orchestrations without the
// Functions host. Typical use:
//
//   const app = loadApp();                                  // package.json `main`, as the host does
//   const engine = createEngine({ registry: app.registry, mode: "test", appRoot: app.appRoot });
//   const id = await engine.start("my_dag", { logicalDate }, "my_dag__manual_1");
//   const status = await engine.waitForCompletion(id);      // virtual time skips timers
//
// `startHost()` serves the same app as a long-running host (HTTP, timers, blob triggers, the
// Durable HTTP API) with state under .local/devhost.
import "./core-stub";

export { loadApp, resolveEntry, type LoadedApp } from "./load-app";
export { FunctionRegistry, describeFunction, type RegisteredFunction, type Binding } from "./registry";
export { readHostConfig, parseTimeSpan, type HostConfig } from "./host-config";
export { invokeFunction, createInvocationContext, FunctionTimeoutError } from "./invoke";
export { createEngine, DurableEngine, EngineError, type EngineOptions, type EngineMode, type InstanceQuery, type InstanceStatus } from "./engine/engine";
export { MemoryInstanceStore, FileInstanceStore, instanceFileName, isTerminal, type InstanceStore, type InstanceRecord, type RuntimeStatus } from "./engine/instance-store";
export { VirtualClock, RealClock, type Clock } from "./engine/clock";
export { EventType, type HistoryEvent, type FailureDetails } from "./engine/history";
export { startHost, loadLocalSettings, HostPortError, type HostOptions, type RunningHost } from "./host";
export { lockStateDir, StateDirLockedError, type StateLock } from "./state-lock";
export { DurableHttpApi, type DurableClientInputData } from "./client-api";
export { parseSchedule, type Schedule } from "./ncrontab";

// console.log and friends in task code, routed to the task's logger while the task runs, so what
// a callable prints is masked and carries the task-instance key like every other task log line
// (Airflow captures a task's stdout into its log the same way). Several tasks run at once in one
// process: the logger is found through the async context the task's code runs in, and console
// calls outside any task (the host's own) go to the console as before.
import { AsyncLocalStorage } from "node:async_hooks";
import { format } from "node:util";
import type { LogLevel } from "../telemetry/records";

export type ConsoleWriter = (level: LogLevel, message: string) => void;

interface Route {
  write: ConsoleWriter;
  /** Cleared when the task's code returns: late callbacks it left behind print as before. */
  open: boolean;
}

const routes = new AsyncLocalStorage<Route>();
const LEVELS: Record<"log" | "info" | "debug" | "warn" | "error", LogLevel> = { log: "info", info: "info", debug: "info", warn: "warning", error: "error" };
let installed = false;
/** Set while a routed line is written: whatever the sinks print themselves goes to the real console. */
let writing = false;

function install(): void {
  if (installed) return;
  installed = true;
  for (const [method, level] of Object.entries(LEVELS) as [keyof typeof LEVELS, LogLevel][]) {
    const original = console[method].bind(console);
    console[method] = (...args: unknown[]): void => {
      const route = routes.getStore();
      if (!route?.open || writing) {
        original(...args);
        return;
      }
      writing = true;
      try {
        route.write(level, format(...args));
      } finally {
        writing = false;
      }
    };
  }
}

/**
 * Runs `print` with console output going to the real console even inside a task's async context:
 * for the task logger's sinks, whose own printing (the invocation log, the CLI's live lines) is
 * the host's output, not the task's.
 */
export function asHostOutput(print: () => void): void {
  if (writing) {
    print();
    return;
  }
  writing = true;
  try {
    print();
  } finally {
    writing = false;
  }
}

/**
 * Runs task code with its console output going to `write`, until the code returns or `until`
 * aborts (an attempt cut off by its timeout, whose code may go on printing after its log closed).
 */
export async function withTaskConsole<T>(write: ConsoleWriter, body: () => Promise<T>, until?: AbortSignal): Promise<T> {
  install();
  const route: Route = { write, open: true };
  const close = (): void => {
    route.open = false;
  };
  until?.addEventListener("abort", close, { once: true });
  try {
    return await routes.run(route, body);
  } finally {
    close();
    until?.removeEventListener("abort", close);
  }
}

// A starter that records what it was asked to start (and can be told to fail), for tests of the
// decisions around starting; the durable path itself is tested through the devhost.
import type { OrchestrationStarter } from "../../../functions/runs/orchestration-starter";
import type { DagRunInput } from "../../../orchestrations/runtime/orchestrator/run-input";

export interface StartCall {
  orchestration: string;
  instanceId: string;
  input: DagRunInput;
  restart?: boolean;
}

export class RecordingStarter implements OrchestrationStarter {
  readonly calls: StartCall[] = [];
  failWith: Error | undefined;

  async start(orchestration: string, instanceId: string, input: DagRunInput): Promise<"started" | "exists"> {
    if (this.failWith) throw this.failWith;
    if (this.calls.some((c) => c.instanceId === instanceId)) return "exists";
    this.calls.push({ orchestration, instanceId, input });
    return "started";
  }

  async restart(orchestration: string, instanceId: string, input: DagRunInput): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.calls.push({ orchestration, instanceId, input, restart: true });
  }
}

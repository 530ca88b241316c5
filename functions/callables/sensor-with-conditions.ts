// The sensors' failure callback: says which sensor gave up and why.
import { registerCallback } from "../activities/callbacks";

registerCallback("sensor_with_conditions.log_timeout", (info, log) => {
  log(`Sensor ${info.taskId} of ${info.dagId} (${info.runId}) ended ${info.state}: ${info.reason ?? "no reason given"}`);
});

// A test app with one blob prefix sensor that pokes only every 10 minutes: if its run finishes
// quickly after a blob lands, the blob trigger woke it.
import "../../../functions/activities";
import { registerDag } from "../../../functions/register-dag";
import { blobPrefixSensor, dag, empty } from "../../../orchestrations/runtime";

export const WATCHED_CONTAINER = "blob-wake-test";

registerDag(dag({
  dagId: "blob_wake",
  schedule: null,
  startDate: "2024-01-01",
  tasks: (t) => {
    t.sensor("wait_for_file", blobPrefixSensor({ container: WATCHED_CONTAINER, prefix: "{{ run_id | replace(':', '_') }}/" }), {
      pokeInterval: "10m", timeout: "1h", mode: "reschedule",
    }).then(t.task("after", empty()));
  },
}));

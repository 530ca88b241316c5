// finance_generate_and_upload (seed 000 "Financial ML", step 1): generate the day's mock Stripe
// charges and satisfaction scores, create the private containers, upload each file (mapped) under
// charge/ and satisfaction/. A file is a pure function of (seed, index), so each upload task
// generates its own file and streams it to the blob: no shared folder between tasks. Fix: the
// seed made its containers publicly readable; ours are private.
import { FINANCE } from "./finance";
import { blobCreateContainers, dag, python } from "./runtime";

export default dag({
  dagId: "finance_generate_and_upload",
  description: "Generate mock Stripe charges and satisfaction scores, upload them to blob storage",
  schedule: "@daily",
  startDate: "2024-09-03",
  catchup: false,
  // files: the seed's 10 pairs; seed: empty means the run's date (the same day gives the same files).
  params: { files: 10, seed: "" },
  defaultArgs: { retries: 1, retryDelay: "30s" },
  tags: ["financial-elt", "ingestion"],
  tasks: (t) => {
    const generate = t.task("generate_mock_data", python("finance_generate_and_upload.generate_mock_data", {
      files: "{{ params.files }}", seed: "{{ params.seed or ds }}",
    }));
    const uploadList = t.task("prepare_upload_list", python("finance_generate_and_upload.prepare_upload_list", { generated: generate.output }));
    const containers = t.task("create_storage_container", blobCreateContainers({ containers: [FINANCE.dataContainer, FINANCE.archiveContainer] }));
    const upload = t.task("upload_mock_data", python("finance_generate_and_upload.upload_file", { container: FINANCE.dataContainer }), {
      expandKwargs: uploadList.output,
    });
    containers.then(upload);
  },
});

// Blob operators: create container (always private), upload, list, copy and move. Copies are
// server-side; a move deletes the source only after the copy is verified, so a crash mid-move
// leaves the blob in at least one place and a rerun finishes the job.
import type { ContainerClient } from "@azure/storage-blob";
import * as fs from "node:fs";
import * as path from "node:path";
import { instanceIdFor } from "../../orchestrations/runtime/time/run-ids";
import { blobService } from "../hooks/blob";
import { blobSensorListener } from "../../orchestrations/runtime/orchestrator/task-invocation";
import { addSensorWait, removeSensorWait } from "../sensors/sensor-waits";
import { blobField, checkBlobName, checkBlobPrefix, checkContainer, containerField, prefixField } from "./blob-config";
import { ConfigError, ConfigReader } from "./config-reader";
import { OperatorDefinition } from "./operator";

async function ensureContainer(container: ContainerClient): Promise<boolean> {
  // No `access` option: containers are private; public read is never granted.
  const result = await container.createIfNotExists();
  return result.succeeded;
}

export const createContainersOperator: OperatorDefinition<{ connId: string; containers: string[] }> = {
  name: "blob_create_containers",
  templateFields: ["containers"],
  parse(config, where) {
    const c = new ConfigReader(config, where).only(["conn_id", "containers"]);
    const containers = c.stringList("containers");
    if (!containers.length) throw new ConfigError(`${where}: 'containers' is empty.`);
    for (const name of containers) checkContainer(where, "containers", name);
    return { connId: c.string("conn_id", "wasb_default"), containers };
  },
  async execute(config, ctx) {
    const created: string[] = [];
    for (const name of config.containers) {
      if (await ensureContainer(blobService(config.connId).getContainerClient(name))) created.push(name);
      ctx.log(`Container ${name} ready (private).`);
    }
    return { created };
  },
};

export interface UploadConfig {
  connId: string;
  container: string;
  blob: string;
  data?: string;
  file?: string;
  overwrite: boolean;
}

export const uploadOperator: OperatorDefinition<UploadConfig> = {
  name: "blob_upload",
  templateFields: ["container", "blob", "data", "file"],
  parse(config, where) {
    const c = new ConfigReader(config, where).only(["conn_id", "container", "blob", "data", "file", "overwrite"]);
    if (c.has("data") === c.has("file")) throw new ConfigError(`${where}: give exactly one of 'data' or 'file'.`);
    const data = c.raw("data");
    return {
      connId: c.string("conn_id", "wasb_default"),
      container: containerField(c, "container", where),
      blob: blobField(c, "blob", where),
      data: data === undefined ? undefined : typeof data === "string" ? data : JSON.stringify(data),
      file: c.optionalString("file"),
      overwrite: c.boolean("overwrite", true),
    };
  },
  async execute(config, ctx) {
    const container = blobService(config.connId).getContainerClient(config.container);
    await ensureContainer(container);
    const blob = container.getBlockBlobClient(config.blob);
    const conditions = config.overwrite ? {} : { conditions: { ifNoneMatch: "*" } };
    if (config.file !== undefined) {
      const file = path.resolve(ctx.appRoot, config.file);
      // Streamed in blocks: memory stays flat whatever the file size.
      await blob.uploadStream(fs.createReadStream(file), 4 * 1024 * 1024, 4, { ...conditions, abortSignal: ctx.signal });
    } else {
      await blob.upload(config.data!, Buffer.byteLength(config.data!), { ...conditions, abortSignal: ctx.signal });
    }
    ctx.log(`Uploaded ${config.container}/${config.blob}.`);
    return `${config.container}/${config.blob}`;
  },
};

export const listOperator: OperatorDefinition<{ connId: string; container: string; prefixes: string[] }> = {
  name: "blob_list",
  templateFields: ["container", "prefix"],
  parse(config, where) {
    const c = new ConfigReader(config, where).only(["conn_id", "container", "prefix"]);
    return { connId: c.string("conn_id", "wasb_default"), container: containerField(c, "container", where), prefixes: c.stringList("prefix").map((p) => checkBlobPrefix(where, "prefix", p)) };
  },
  async execute(config) {
    const container = blobService(config.connId).getContainerClient(config.container);
    const names: string[] = [];
    for (const prefix of config.prefixes.length ? config.prefixes : [""]) {
      for await (const b of container.listBlobsFlat({ prefix })) names.push(b.name);
    }
    return names;
  },
};

export interface CopyConfig {
  connId: string;
  sourceContainer: string;
  sourceBlob: string;
  destContainer: string;
  destBlob: string;
  deleteSource: boolean;
}

function parseCopy(config: unknown, where: string, deleteSource: boolean): CopyConfig {
  const c = new ConfigReader(config, where).only(["conn_id", "source_container", "source_blob", "dest_container", "dest_blob", "dest_prefix"]);
  if (c.has("dest_blob") === c.has("dest_prefix")) throw new ConfigError(`${where}: give exactly one of 'dest_blob' or 'dest_prefix'.`);
  const sourceBlob = blobField(c, "source_blob", where);
  return {
    connId: c.string("conn_id", "wasb_default"),
    sourceContainer: containerField(c, "source_container", where),
    sourceBlob,
    destContainer: containerField(c, "dest_container", where),
    // A mapped copy names each source; the prefix keeps its path under the destination.
    destBlob: c.has("dest_prefix") ? checkBlobName(where, "dest_prefix", `${prefixField(c, "dest_prefix", where)}${sourceBlob}`) : blobField(c, "dest_blob", where),
    deleteSource,
  };
}

async function copyBlob(config: CopyConfig, signal: AbortSignal): Promise<{ copied: boolean }> {
  const service = blobService(config.connId);
  const source = service.getContainerClient(config.sourceContainer).getBlobClient(config.sourceBlob);
  const destContainer = service.getContainerClient(config.destContainer);
  await ensureContainer(destContainer);
  const dest = destContainer.getBlobClient(config.destBlob);
  if (!(await source.exists({ abortSignal: signal }))) {
    // A rerun after a crash between copy and delete: the destination already holds it.
    if (config.deleteSource && (await dest.exists({ abortSignal: signal }))) return { copied: false };
    throw new Error(`Source blob ${config.sourceContainer}/${config.sourceBlob} does not exist.`);
  }
  const poller = await dest.beginCopyFromURL(source.url, { abortSignal: signal, intervalInMs: 500 });
  await poller.pollUntilDone();
  const [s, d] = await Promise.all([source.getProperties(), dest.getProperties()]);
  // The copy's own status first (the seed checked it), then size and MD5 against the source.
  if (d.copyStatus !== undefined && d.copyStatus !== "success") {
    throw new Error(`Copy of ${config.sourceBlob} ended ${d.copyStatus}${d.copyStatusDescription ? ` (${d.copyStatusDescription})` : ""}; source kept.`);
  }
  if (s.contentLength !== d.contentLength || (s.contentMD5 && d.contentMD5 && Buffer.compare(Buffer.from(s.contentMD5), Buffer.from(d.contentMD5)) !== 0)) {
    throw new Error(`Copy of ${config.sourceBlob} did not verify (size or MD5 differ); source kept.`);
  }
  if (config.deleteSource) await source.delete({ abortSignal: signal });
  return { copied: true };
}

export const copyOperator: OperatorDefinition<CopyConfig> = {
  name: "blob_copy",
  templateFields: ["source_container", "source_blob", "dest_container", "dest_blob", "dest_prefix"],
  parse: (config, where) => parseCopy(config, where, false),
  async execute(config, ctx) {
    await copyBlob(config, ctx.signal);
    return `${config.destContainer}/${config.destBlob}`;
  },
};

export const moveOperator: OperatorDefinition<CopyConfig> = {
  name: "blob_move",
  templateFields: ["source_container", "source_blob", "dest_container", "dest_blob", "dest_prefix"],
  parse: (config, where) => parseCopy(config, where, true),
  async execute(config, ctx) {
    const { copied } = await copyBlob(config, ctx.signal);
    ctx.log(copied ? `Moved to ${config.destContainer}/${config.destBlob}.` : `Already moved to ${config.destContainer}/${config.destBlob}.`);
    return `${config.destContainer}/${config.destBlob}`;
  },
};

export const prefixSensor: OperatorDefinition<{ connId: string; container: string; prefix: string }> = {
  name: "blob_prefix_sensor",
  templateFields: ["container", "prefix"],
  parse(config, where) {
    const c = new ConfigReader(config, where).only(["conn_id", "container", "prefix"]);
    return { connId: c.string("conn_id", "wasb_default"), container: containerField(c, "container", where), prefix: prefixField(c, "prefix", where) };
  },
  async execute(config, ctx) {
    const wait = {
      container: config.container,
      prefix: config.prefix,
      instanceId: instanceIdFor(ctx.dagId, ctx.runId),
      listener: blobSensorListener(ctx.taskId, ctx.mapIndex),
    };
    // Registered before looking, so a blob written while we look still wakes this run.
    await addSensorWait(wait);
    const container = blobService(config.connId).getContainerClient(config.container);
    if (await container.exists()) {
      for await (const b of container.listBlobsFlat({ prefix: config.prefix })) {
        ctx.log(`Poke: found ${b.name}.`);
        await removeSensorWait(wait);
        return { done: true, value: b.name };
      }
    }
    ctx.log(`Poke: nothing under ${config.container}/${config.prefix} yet.`);
    return { done: false };
  },
};

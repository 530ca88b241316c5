// user_processing's process_user: the seed's field picking from results[0], with the password
// replaced by a salted scrypt hash (memory-hard: N=2^15, r=8, so 32 MiB per guess). The plain
// password never reaches the CSV, the XCom or a log line, and the raw extract in blob storage is
// rewritten without it once the CSV is written.
import { randomBytes, scrypt as scryptCallback, type ScryptOptions } from "node:crypto";
import type { BlobClient, ContainerClient } from "@azure/storage-blob";
import { blobService } from "../hooks/blob";
import { quarantine } from "../activities/quarantine";
import { checkBlobName, checkContainer } from "../activities/blob-config";
import { registerCallable } from "../activities/callable";

const SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;
const KEY_BYTES = 32;
/** Login fields of the API's answer that are the password or derived from it. */
const SECRET_LOGIN_FIELDS = ["password", "salt", "md5", "sha1", "sha256"];

function scrypt(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scryptCallback(password, salt, KEY_BYTES, options, (err, key) => (err ? reject(err) : resolve(key))));
}

/** PHC-style: scrypt$ln=15,r=8,p=1$<salt>$<hash>, base64 without padding. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, SCRYPT);
  const b64 = (b: Buffer) => b.toString("base64").replace(/=+$/, "");
  return `scrypt$ln=${Math.log2(SCRYPT.N)},r=${SCRYPT.r},p=${SCRYPT.p}$${b64(salt)}$${b64(key)}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const m = /^scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([^$]+)\$([^$]+)$/.exec(stored);
  if (!m) return false;
  const key = await scrypt(password, Buffer.from(m[4], "base64"), { N: 2 ** Number(m[1]), r: Number(m[2]), p: Number(m[3]), maxmem: SCRYPT.maxmem });
  return key.equals(Buffer.from(m[5], "base64"));
}

function csvLine(values: string[]): string {
  return `${values.map((v) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)).join(",")}\n`;
}

/** Where in the text a JSON.parse position falls, as "line L, column C". */
function position(text: string, message: string): string {
  const at = /position (\d+)/.exec(message);
  const offset = at ? Number(at[1]) : text.length;
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return `line ${line}, column ${offset - before.lastIndexOf("\n")}`;
}

function field(user: Record<string, unknown>, path: string, source: string): string {
  let value: unknown = user;
  for (const key of path.split(".")) value = value && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined;
  if (typeof value !== "string" || value === "") throw new Error(`${source}: results[0].${path} is missing or not a string.`);
  return value;
}

/** Bad answers of the API are kept under quarantine/ with the reason; the error says where. */
async function rejectAnswer(container: ContainerClient, raw: BlobClient, message: string): Promise<never> {
  const kept = await quarantine(container, raw, message);
  throw new Error(`${message} The answer is kept in ${kept}, with the reason.`);
}

registerCallable("user_processing.process_user", async (kwargs, ctx) => {
  const extracted = kwargs.extracted as { container?: string; blob?: string; source?: string } | null;
  if (!extracted?.container || !extracted.blob) throw new Error(`process_user expects extract_user's XCom ({container, blob}), got ${JSON.stringify(extracted)}.`);
  const where = `${ctx.dagId}.${ctx.taskId}`;
  const container = checkContainer(where, "container", String(kwargs.container));
  const outBlob = checkBlobName(where, "blob", String(kwargs.blob));
  checkContainer(where, "extracted.container", extracted.container);
  checkBlobName(where, "extracted.blob", extracted.blob);
  const service = blobService("wasb_default");
  const rawContainer = service.getContainerClient(extracted.container);
  const raw = rawContainer.getBlockBlobClient(extracted.blob);
  const source = `${extracted.source ?? "the user API"} (stored as ${extracted.container}/${extracted.blob})`;
  const text = (await raw.downloadToBuffer(0, undefined, { abortSignal: ctx.signal })).toString("utf8");
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    return rejectAnswer(rawContainer, raw, `${source}: not valid JSON at ${position(text, (err as Error).message)} (${(err as Error).message}).`);
  }
  const results = (body as { results?: unknown })?.results;
  if (!Array.isArray(results)) return rejectAnswer(rawContainer, raw, `${source}: the answer has no 'results' list.`);
  if (!results.length) return rejectAnswer(rawContainer, raw, `${source}: the API answered an empty results list; no user to process.`);
  const user = results[0] as Record<string, unknown>;
  const login = user.login as Record<string, unknown> | undefined;
  if (login && !("password" in login)) throw new Error(`${source}: the password was already removed from this extract; run extract_user again.`);
  let fields: { firstname: string; lastname: string; country: string; username: string; password: string; email: string };
  try {
    fields = {
      firstname: field(user, "name.first", source),
      lastname: field(user, "name.last", source),
      country: field(user, "location.country", source),
      username: field(user, "login.username", source),
      password: field(user, "login.password", source),
      email: field(user, "email", source),
    };
  } catch (err) {
    return rejectAnswer(rawContainer, raw, (err as Error).message);
  }
  const row = { ...fields, password: await hashPassword(fields.password) };
  const csv = csvLine(Object.values(row));
  const out = service.getContainerClient(container);
  await out.createIfNotExists();
  await out.getBlockBlobClient(outBlob).upload(csv, Buffer.byteLength(csv), { abortSignal: ctx.signal });
  // The extract stays for inspection, without the password or its unsalted digests.
  for (const r of results as Record<string, unknown>[]) {
    const l = r.login as Record<string, unknown> | undefined;
    if (l) for (const k of SECRET_LOGIN_FIELDS) delete l[k];
  }
  const redacted = JSON.stringify(body);
  const props = await raw.getProperties();
  await raw.upload(redacted, Buffer.byteLength(redacted), { abortSignal: ctx.signal, metadata: props.metadata, conditions: { ifMatch: props.etag } });
  ctx.log(`Processed user ${row.username} (${row.country}); password stored as a salted scrypt hash.`);
  return { username: row.username, country: row.country, container, blob: outBlob };
});

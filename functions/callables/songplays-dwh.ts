// songplays_dwh's own task code: the song catalog download (an S3 listing, then one JSON record
// per track, streamed into one JSON-lines blob), the report (CSV files and a PNG chart in blob
// storage) and the failure notification (a webhook).
import { PassThrough } from "node:stream";
import { blobService } from "../hooks/blob";
import { endpointUrl, httpTarget } from "../hooks/http";
import { postgresPool } from "../hooks/postgres";
import { checkBlobName, checkContainer } from "../activities/blob-config";
import { registerCallable } from "../activities/callable";
import { registerCallback } from "../activities/callbacks";
import { webhookNotifier } from "../activities/webhook-notifier";

/** Tracks fetched at once: enough to hide latency, few enough to be polite to the source. */
const CONCURRENCY = 8;

function xmlText(text: string): string {
  return text.replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

/** Keys under a prefix through S3's ListObjectsV2, page by page (anonymous, as the public bucket allows). */
async function* listKeys(base: string, headers: Record<string, string>, prefix: string, signal: AbortSignal): AsyncGenerator<string> {
  let token: string | null = null;
  do {
    const url = new URL(`${base}/`);
    url.searchParams.set("list-type", "2");
    url.searchParams.set("prefix", prefix);
    if (token) url.searchParams.set("continuation-token", token);
    const res = await fetch(url, { headers, signal });
    const body = await res.text();
    if (!res.ok) throw new Error(`Listing ${prefix} at ${base} answered ${res.status} ${res.statusText}: ${body.slice(0, 200)}`);
    // ListBucketResult's flat, documented shape: Key elements, and NextContinuationToken while truncated.
    for (const m of body.matchAll(/<Key>([^<]*)<\/Key>/g)) yield xmlText(m[1]);
    const truncated = /<IsTruncated>true<\/IsTruncated>/.test(body);
    token = truncated ? xmlText(/<NextContinuationToken>([^<]*)<\/NextContinuationToken>/.exec(body)?.[1] ?? "") : null;
    if (truncated && !token) throw new Error(`Listing ${prefix} at ${base} is truncated but gives no continuation token.`);
  } while (token);
}

registerCallable("songplays_dwh.download_songs", async (kwargs, ctx) => {
  const connId = String(kwargs.conn_id ?? "song_data");
  const prefix = String(kwargs.prefix ?? "song_data/");
  const where = `${ctx.dagId}.${ctx.taskId}`;
  const container = blobService("wasb_default").getContainerClient(checkContainer(where, "container", String(kwargs.container)));
  const blob = checkBlobName(where, "blob", String(kwargs.blob));
  const target = httpTarget(connId);
  const base = endpointUrl(target, "").replace(/\/$/, "");
  await container.createIfNotExists();
  const out = new PassThrough();
  const upload = container.getBlockBlobClient(blob).uploadStream(out, 4 * 1024 * 1024, 2, {
    abortSignal: ctx.signal, metadata: { source: encodeURIComponent(`${base}/${prefix}`) },
  });
  const fetchRecord = async (key: string): Promise<string> => {
    const url = endpointUrl(target, key);
    const res = await fetch(url, { headers: target.headers, signal: ctx.signal });
    const text = await res.text();
    if (!res.ok) throw new Error(`GET ${url} answered ${res.status} ${res.statusText}.`);
    try {
      const record: unknown = JSON.parse(text);
      if (!record || typeof record !== "object" || Array.isArray(record)) throw new Error("not a JSON object");
      return `${JSON.stringify(record)}\n`;
    } catch (err) {
      throw new Error(`${url} line 1: ${(err as Error).message}.`);
    }
  };
  let files = 0;
  try {
    // A window of requests in flight; records are written in key order.
    const window: Promise<string>[] = [];
    const drain = async (): Promise<void> => {
      const line = await window.shift()!;
      if (!out.write(line)) await new Promise((r) => out.once("drain", r));
      files++;
    };
    for await (const key of listKeys(base, target.headers, prefix, ctx.signal)) {
      if (!key.endsWith(".json")) continue;
      window.push(fetchRecord(key));
      if (window.length >= CONCURRENCY) await drain();
    }
    while (window.length) await drain();
    out.end();
  } catch (err) {
    out.destroy(err as Error);
    await upload.catch(() => undefined);
    throw err;
  }
  await upload;
  if (!files) throw new Error(`No song records under ${base}/${prefix}.`);
  ctx.log(`Downloaded ${files} song record(s) from ${base}/${prefix} into ${String(kwargs.container)}/${blob}.`);
  return { files, container: String(kwargs.container), blob };
});

function csv(header: string[], rows: unknown[][]): string {
  const cell = (v: unknown) => {
    const s = v === null || v === undefined ? "" : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [header, ...rows].map((r) => r.map(cell).join(",")).join("\n") + "\n";
}

registerCallable("songplays_dwh.publish_report", async (kwargs, ctx) => {
  const ds = String(ctx.templateContext.ds);
  const where = `${ctx.dagId}.${ctx.taskId}`;
  const prefix = checkBlobName(where, "prefix", String(kwargs.prefix));
  const pool = postgresPool("postgres_default");
  const top = await pool.query({
    text: `SELECT COALESCE(s.title, '(not in catalog)') AS title, COALESCE(a.name, '') AS artist, count(*)::int AS plays
           FROM dwh.songplays p LEFT JOIN dwh.songs s ON s.song_id = p.song_id LEFT JOIN dwh.artists a ON a.artist_id = p.artist_id
           WHERE p.start_time >= $1::date AND p.start_time < $1::date + 1 AND p.song_id IS NOT NULL
           GROUP BY 1, 2 ORDER BY plays DESC, title LIMIT 10`,
    values: [ds], rowMode: "array",
  });
  const levels = await pool.query({ text: "SELECT level, count(*)::int AS users FROM dwh.users GROUP BY level ORDER BY level", rowMode: "array" });
  const topRows = top.rows as [string, string, number][];
  const levelRows = levels.rows as [string, number][];
  // Chart.js and Skia load with the first report, not with the app.
  const { barChartsPng } = await import("../activities/chart-png");
  const png = barChartsPng([
    { title: `Top songs on ${ds}`, labels: topRows.map(([t, a]) => `${t} - ${a}`), series: [{ label: "plays", values: topRows.map((r) => r[2]) }], horizontal: true },
    { title: "Users by level", labels: levelRows.map((r) => r[0]), series: [{ label: "users", values: levelRows.map((r) => r[1]), color: "#59a14f" }] },
  ]);
  const container = blobService("wasb_default").getContainerClient(checkContainer(where, "container", String(kwargs.container)));
  await container.createIfNotExists();
  const files: [string, string | Buffer, string][] = [
    [`${prefix}/top_songs.csv`, csv(["title", "artist", "plays"], topRows), "text/csv"],
    [`${prefix}/users_by_level.csv`, csv(["level", "users"], levelRows), "text/csv"],
    [`${prefix}/report.png`, png, "image/png"],
  ];
  for (const [name, body, type] of files) {
    await container.getBlockBlobClient(name).upload(body, Buffer.byteLength(body), { blobHTTPHeaders: { blobContentType: type }, abortSignal: ctx.signal });
  }
  ctx.log(`Report for ${ds}: ${topRows.length} top song(s), ${levelRows.length} level(s), ${files.map((f) => f[0]).join(", ")}.`);
  // XComs from upstream tasks, echoed so the report's XCom tells the whole day at a glance.
  return {
    blobs: files.map((f) => `${String(kwargs.container)}/${f[0]}`),
    songplays: kwargs.songplays, song_files: (kwargs.songs as { files?: number } | null)?.files ?? null,
    top_song: topRows[0] ? { title: topRows[0][0], artist: topRows[0][1], plays: topRows[0][2] } : null,
    users_by_level: Object.fromEntries(levelRows),
  };
});

registerCallback("songplays_dwh.notify_failure", webhookNotifier("songplays_alerts"));

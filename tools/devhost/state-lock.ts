// One owner per state directory. Two hosts on the same orchestration state would both run every
// instance they load (tasks run twice) and overwrite each other's files, so a host takes this
// lock before it reads anything there and a second one is refused with one line naming the owner.
//
// The lock is a local socket the owner listens on (a Unix socket, or a named pipe on Windows),
// named after the state directory: binding is atomic, and whether the owner still lives is
// answered by connecting to it. A host killed with SIGKILL leaves the socket file behind, but
// nobody accepts on it any more: that stale lock is removed (under a short claim file, so two
// hosts recovering at once cannot both win) and taken over.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

export interface StateLockOwner {
  pid: number;
  hostname: string;
  since: string;
  /** What the owner serves, for the message ("port 7071"). */
  serving?: string;
}

export class StateDirLockedError extends Error {
  constructor(readonly stateDir: string, readonly owner: StateLockOwner | null) {
    super(
      `the state directory ${stateDir} is in use by another azflow host` +
        (owner ? ` (pid ${owner.pid} on ${owner.hostname}${owner.serving ? `, ${owner.serving}` : ""}, since ${owner.since})` : "") +
        "; stop that host first, or give this one its own --state-dir.",
    );
    this.name = "StateDirLockedError";
  }
}

export interface StateLock {
  readonly stateDir: string;
  /** Records what the owner serves, for the message a second host gets. */
  describe(serving: string): void;
  release(): Promise<void>;
}

const OWNER_FILE = "host.lock";
/** A claim older than this was left by a process that died while taking a stale lock over. */
const STALE_CLAIM_MS = 10_000;

/** Where the lock's socket lives: short enough for any state directory (Unix socket paths are limited to about 100 bytes). */
export function lockSocketPath(stateDir: string): string {
  const id = createHash("sha256").update(fs.realpathSync(stateDir)).digest("hex").slice(0, 24);
  return process.platform === "win32" ? `\\\\.\\pipe\\azflow-host-${id}` : path.join(os.tmpdir(), `azflow-host-${id}.sock`);
}

function listen(server: net.Server, socketPath: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(socketPath, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

interface Probe {
  alive: boolean;
  /** What the live owner says of itself: read from it, so never a record half written or left by a dead host. */
  owner: StateLockOwner | null;
}

/** Whether a live process accepts on the socket, and the owner record it answers with. */
function probe(socketPath: string): Promise<Probe> {
  return new Promise((resolve) => {
    const socket = net.connect(socketPath);
    let text = "";
    let connected = false;
    const done = (result: Probe) => {
      socket.destroy();
      resolve(result);
    };
    socket.setEncoding("utf8");
    socket.once("connect", () => (connected = true));
    socket.on("data", (chunk: string) => (text += chunk));
    socket.once("end", () => done({ alive: true, owner: parseOwner(text) }));
    socket.once("error", () => done({ alive: connected, owner: null }));
    socket.setTimeout(2000, () => done({ alive: true, owner: null }));
  });
}

function parseOwner(text: string): StateLockOwner | null {
  try {
    const owner = JSON.parse(text) as StateLockOwner;
    return typeof owner?.pid === "number" ? owner : null;
  } catch {
    return null;
  }
}

function readOwner(stateDir: string): StateLockOwner | null {
  try {
    return parseOwner(fs.readFileSync(path.join(stateDir, OWNER_FILE), "utf8"));
  } catch {
    return null;
  }
}

/** Removes a dead owner's socket, holding the claim file while it looks, so only one process does. Returns false when someone else is at it. */
function removeStale(socketPath: string, stillDead: () => Promise<boolean>): Promise<boolean> {
  const claim = `${socketPath}.claim`;
  let fd: number;
  try {
    fd = fs.openSync(claim, "wx");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    const age = Date.now() - (fs.statSync(claim, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    if (age > STALE_CLAIM_MS) fs.rmSync(claim, { force: true });
    return Promise.resolve(false);
  }
  return (async () => {
    try {
      // The path cannot come alive while the dead socket's file holds it: binding it fails.
      if (await stillDead()) fs.rmSync(socketPath, { force: true });
      return true;
    } finally {
      fs.closeSync(fd);
      fs.rmSync(claim, { force: true });
    }
  })();
}

/** Takes the state directory's lock, or throws StateDirLockedError naming the live owner. */
export async function lockStateDir(stateDir: string): Promise<StateLock> {
  fs.mkdirSync(stateDir, { recursive: true });
  const socketPath = lockSocketPath(stateDir);
  let owner: StateLockOwner = { pid: process.pid, hostname: os.hostname(), since: new Date().toISOString() };
  for (let attempt = 0; attempt < 50; attempt++) {
    // A second host asking is told who holds the lock by the holder itself.
    const server = net.createServer((socket) => socket.end(JSON.stringify(owner)));
    try {
      await listen(server, socketPath);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EADDRINUSE") throw err;
      const found = await probe(socketPath);
      if (found.alive) throw new StateDirLockedError(stateDir, found.owner ?? readOwner(stateDir));
      // A host killed without closing (kill -9): its socket file stays, but nobody answers.
      if (!(await removeStale(socketPath, async () => !(await probe(socketPath)).alive))) await new Promise((r) => setTimeout(r, 100));
      continue;
    }
    // The lock must not keep a process alive that has nothing else to do.
    server.unref();
    owner = { ...owner, since: new Date().toISOString() };
    // For people reading the directory; written whole (renamed into place), never seen half written.
    const write = () => {
      const file = path.join(stateDir, OWNER_FILE);
      fs.writeFileSync(`${file}.${process.pid}.tmp`, JSON.stringify(owner) + "\n");
      fs.renameSync(`${file}.${process.pid}.tmp`, file);
    };
    write();
    return {
      stateDir,
      describe(serving) {
        owner = { ...owner, serving };
        write();
      },
      async release() {
        if (readOwner(stateDir)?.pid === process.pid) fs.rmSync(path.join(stateDir, OWNER_FILE), { force: true });
        await new Promise<void>((resolve) => server.close(() => resolve()));
      },
    };
  }
  throw new Error(`could not take the lock of the state directory ${stateDir}: another process keeps taking it over.`);
}

import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";

/** An object as `git cat-file --batch` prints it. */
interface GitObject {
  oid: string;
  type: string;
  content: Buffer;
}

interface Pending {
  resolve: (object: GitObject | null) => void;
  reject: (error: Error) => void;
}

/** One running `git cat-file --batch` and the requests it still owes answers to, in order. */
interface Session {
  child: ChildProcessWithoutNullStreams;
  queue: Pending[];
  chunks: Buffer[];
  buffered: number;
  /** Bytes the oldest unanswered request needs buffered before it can be answered (0: unknown). */
  needed: number;
  /** Writes are held until the end of the tick. */
  corked: boolean;
}

// Close the idle `git cat-file` so the CLI can exit without an explicit close().
const idleMs = 250;

/**
 * Reads many blobs through one long-lived `git cat-file --batch` (no shell): one process
 * for a whole diff instead of one `git show` per file. Requests are answered in order.
 */
export class GitCatFile {
  private session: Session | null = null;
  private idleTimer: NodeJS.Timeout | null = null;

  constructor(private readonly repo: string) {}

  /**
   * Blob content of `<rev>:<path>`, or null when it does not exist (or is not a blob).
   * The buffer is a view into what git wrote: decode it, or copy it to keep it.
   */
  async read(rev: string, path: string): Promise<Buffer | null> {
    const object = await this.request(`${rev}:${path}`);
    return object?.type === "blob" ? object.content : null;
  }

  /** The full SHA of the commit `rev` names, or null when it names none. */
  async commit(rev: string): Promise<string | null> {
    const object = await this.request(`${rev}^{commit}`);
    return object?.type === "commit" ? object.oid : null;
  }

  private request(name: string): Promise<GitObject | null> {
    if (/[\r\n]/.test(name)) return Promise.resolve(null);
    const session = this.ensureSession();
    if (this.idleTimer) {
      clearTimeout(this.idleTimer);
      this.idleTimer = null;
    }
    // Requests made in one tick go out in one write (readers answered together ask together).
    if (!session.corked) {
      session.corked = true;
      session.child.stdin.cork();
      process.nextTick(() => {
        session.corked = false;
        session.child.stdin.uncork();
      });
    }
    return new Promise((resolve, reject) => {
      session.queue.push({ resolve, reject });
      session.child.stdin.write(`${name}\n`);
    });
  }

  /** Ends the git process once it has answered what it was asked. */
  close(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    this.session?.child.stdin.end();
    this.session = null;
  }

  private ensureSession(): Session {
    if (this.session) return this.session;
    const child = spawn("git", ["-C", this.repo, "cat-file", "--batch"], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    const session: Session = {
      child,
      queue: [],
      chunks: [],
      buffered: 0,
      needed: 0,
      corked: false,
    };
    this.session = session;
    child.stdout.on("data", (chunk: Buffer) => {
      session.chunks.push(chunk);
      session.buffered += chunk.length;
      // A large blob arrives in many chunks: join them once it is complete, not per chunk.
      if (session.buffered >= session.needed) this.drain(session);
    });
    const fail = (error: Error) => {
      if (this.session === session) this.session = null;
      for (const pending of session.queue.splice(0)) pending.reject(error);
    };
    child.on("error", fail);
    // git exits at once outside a repository: writing a request then fails with EPIPE, which
    // would otherwise be an unhandled stream error that ends the process.
    child.stdin.on("error", fail);
    child.on("close", (code) => {
      if (session.queue.length > 0) fail(new Error(`git cat-file exited with code ${code}`));
      if (this.session === session) this.session = null;
    });
    return session;
  }

  private drain(session: Session): void {
    let buffer = session.chunks.length === 1 ? session.chunks[0]! : Buffer.concat(session.chunks);
    session.needed = 0;
    while (session.queue.length > 0) {
      const newline = buffer.indexOf(10);
      if (newline < 0) break;
      const header = buffer.subarray(0, newline).toString("utf8");
      if (header.endsWith(" missing") || header.endsWith(" ambiguous")) {
        buffer = buffer.subarray(newline + 1);
        session.queue.shift()!.resolve(null);
        continue;
      }
      const [oid = "", type = "", sizeText] = header.split(" ");
      const size = Number(sizeText);
      if (buffer.length < newline + 1 + size + 1) {
        session.needed = newline + 1 + size + 1;
        break;
      }
      // A view, not a copy: readers decode it at once and drop it.
      const content = buffer.subarray(newline + 1, newline + 1 + size);
      buffer = buffer.subarray(newline + 1 + size + 1);
      session.queue.shift()!.resolve({ oid, type, content });
    }
    session.chunks = buffer.length > 0 ? [buffer] : [];
    session.buffered = buffer.length;
    if (session.queue.length === 0 && this.session === session && !this.idleTimer) {
      this.idleTimer = setTimeout(() => this.close(), idleMs);
      this.idleTimer.unref();
    }
  }
}

import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";

interface Pending {
  resolve: (content: Buffer | null) => void;
  reject: (error: Error) => void;
}

// Close the idle `git cat-file` so the CLI can exit without an explicit close().
const idleMs = 250;

/**
 * Reads many blobs through one long-lived `git cat-file --batch` (no shell): one process
 * for a whole diff instead of one `git show` per file. Requests are answered in order.
 */
export class GitCatFile {
  private child: ChildProcessWithoutNullStreams | null = null;
  private readonly queue: Pending[] = [];
  private buffer: Buffer = Buffer.alloc(0);
  private idleTimer: NodeJS.Timeout | null = null;

  constructor(private readonly repo: string) {}

  /** Blob content of `<rev>:<path>`, or null when it does not exist (or is not a blob). */
  read(rev: string, path: string): Promise<Buffer | null> {
    if (/[\r\n]/.test(rev) || /[\r\n]/.test(path)) return Promise.resolve(null);
    const child = this.ensureChild();
    if (this.idleTimer) {
      clearTimeout(this.idleTimer);
      this.idleTimer = null;
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ resolve, reject });
      child.stdin.write(`${rev}:${path}\n`);
    });
  }

  close(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    this.child?.stdin.end();
    this.child = null;
  }

  private ensureChild(): ChildProcessWithoutNullStreams {
    if (this.child) return this.child;
    const child = spawn("git", ["-C", this.repo, "cat-file", "--batch"], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    this.child = child;
    this.buffer = Buffer.alloc(0);
    child.stdout.on("data", (chunk: Buffer) => {
      this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
      this.drain();
    });
    const fail = (error: Error) => {
      if (this.child === child) this.child = null;
      for (const pending of this.queue.splice(0)) pending.reject(error);
    };
    child.on("error", fail);
    child.on("close", (code) => {
      if (this.queue.length > 0) fail(new Error(`git cat-file exited with code ${code}`));
      if (this.child === child) this.child = null;
    });
    return child;
  }

  private drain(): void {
    while (this.queue.length > 0) {
      const newline = this.buffer.indexOf(10);
      if (newline < 0) return;
      const header = this.buffer.subarray(0, newline).toString("utf8");
      if (header.endsWith(" missing") || header.endsWith(" ambiguous")) {
        this.buffer = this.buffer.subarray(newline + 1);
        this.queue.shift()!.resolve(null);
        continue;
      }
      const [, type, sizeText] = header.split(" ");
      const size = Number(sizeText);
      if (this.buffer.length < newline + 1 + size + 1) return;
      const content = this.buffer.subarray(newline + 1, newline + 1 + size);
      this.buffer = this.buffer.subarray(newline + 1 + size + 1);
      this.queue.shift()!.resolve(type === "blob" ? Buffer.from(content) : null);
    }
    if (this.queue.length === 0 && this.child && !this.idleTimer) {
      this.idleTimer = setTimeout(() => this.close(), idleMs);
      this.idleTimer.unref();
    }
  }
}

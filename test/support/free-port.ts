import { createServer } from "node:net";

/**
 * A free TCP port on 127.0.0.1, for servers that must be told their port up front (Probot's
 * Server treats port 0 as "use 3000"; redis-server and child processes need one too).
 */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

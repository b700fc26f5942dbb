import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** A port on which nothing listens: taken from the system, then released (for "connection refused" and for a child's HEALTH_PORT). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

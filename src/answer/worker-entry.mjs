// Entry of the build worker. Under tsx (npm start) a worker does not inherit the TypeScript loader,
// so it registers it before importing the TypeScript module; compiled JavaScript imports directly.
import { workerData } from "node:worker_threads";

if (workerData.entry.endsWith(".ts")) {
  const { register } = await import("tsx/esm/api");
  register();
}
await import(workerData.entry);

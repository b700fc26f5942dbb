// Entry of the worker threads. Under tsx (npm run dev, the tests) a worker does not inherit the TypeScript
// loader, so it registers it before importing the TypeScript module; the compiled code in dist/ (npm start)
// imports directly and never loads tsx.
import { workerData } from "node:worker_threads";

if (workerData.entry.endsWith(".ts")) {
  const { register } = await import("tsx/esm/api");
  register();
}
await import(workerData.entry);

// Loaded with `--import` into the bot process by the soak run (bench/soak.ts), never in production: it
// answers the soak's "sample" messages over the IPC channel with the process's memory, after full garbage
// collections (the soak starts the bot with --expose-gc) so that samples taken minutes apart compare.
process.on("message", (message) => {
  if (message?.type !== "sample") return;
  if (typeof globalThis.gc === "function") {
    globalThis.gc();
    globalThis.gc();
  }
  const { heapUsed, rss, external, arrayBuffers } = process.memoryUsage();
  process.send?.({ type: "memory", heapUsed, rss, external, arrayBuffers });
});
// The IPC channel must not keep a bot that was told to stop alive; and a bot whose soak run is gone
// (it crashed, or was killed) stops the way SIGTERM stops it.
process.channel?.unref();
process.on("disconnect", () => process.kill(process.pid, "SIGTERM"));

// `npm start`: runs the compiled bot (dist/, built by `npm ci` through the `prepare` script) when it is
// up to date with src/, for a fast start; otherwise the TypeScript sources through tsx, so that an edit
// is never run stale and a checkout that was never built still starts.
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const built = path.join(root, "dist", "main.js");

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(full) : statSync(full).mtimeMs);
  }
  return newest;
}

if (existsSync(built) && statSync(built).mtimeMs >= newestSource(path.join(root, "src"))) {
  await import(built);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import(path.join(root, "src", "main.ts"));
}

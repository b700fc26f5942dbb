// `npm ci` and `npm install` run this (the `prepare` script). With the dev dependencies installed (a clone,
// CI) it builds dist/, so that `npm ci && npm start` works on a fresh clone. A production install
// (`npm ci --omit=dev`) has no TypeScript: there it only checks that dist/ was built beforehand.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");

function installed(name) {
  try {
    createRequire(path.join(root, "package.json")).resolve(`${name}/package.json`);
    return true;
  } catch {
    return false;
  }
}

if (!existsSync(path.join(root, "src"))) {
  // The container's build stage installs before it copies the sources (a layer that changes with the lock only).
  process.exit(0);
} else if (installed("typescript")) {
  // npm passes its own entry script; running it with this Node avoids depending on PATH.
  const npm = process.env.npm_execpath;
  const build = npm
    ? spawnSync(process.execPath, [npm, "run", "build"], { cwd: root, stdio: "inherit" })
    : spawnSync("npm run build", { cwd: root, stdio: "inherit", shell: true });
  process.exit(build.status ?? 1);
} else if (!existsSync(path.join(root, "dist", "main.js"))) {
  process.stderr.write(
    "prepare: dist/ is not built, and this install has no TypeScript to build it (npm ci --omit=dev).\n" +
      "Build first with the dev dependencies: npm ci && npm run build; then npm ci --omit=dev.\n",
  );
  process.exit(1);
}

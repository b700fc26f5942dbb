import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "coverage/", ".scratch/", ".cache/"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
  },
  {
    // Plain JavaScript modules run on Node (the worker entry, the compiled-bot benchmark).
    files: ["**/*.mjs"],
    languageOptions: { globals: { process: "readonly", performance: "readonly", console: "readonly" } },
  },
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      // async marks methods that serve a promise interface (the engine over RPC): a throw must become a rejection.
      "@typescript-eslint/require-await": "off",
      // node:test's describe/test return promises the runner awaits itself.
      "@typescript-eslint/no-floating-promises": [
        "error",
        {
          allowForKnownSafeCalls: [
            { from: "package", package: "node:test", name: ["describe", "test", "it", "suite", "before", "after", "beforeEach", "afterEach"] },
          ],
        },
      ],
      "no-restricted-imports": "off",
    },
  },
  {
    // Architecture rule: only the Discord adapter talks to discord.js, only the search module to MiniSearch.
    files: ["src/**/*.ts"],
    ignores: ["src/discord/**"],
    rules: {
      "no-restricted-imports": ["error", { paths: [{ name: "discord.js", message: "Only src/discord may import discord.js." }] }],
    },
  },
  {
    files: ["src/**/*.ts"],
    ignores: ["src/search/**", "src/discord/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [
            { name: "minisearch", message: "Only src/search may import MiniSearch." },
            { name: "discord.js", message: "Only src/discord may import discord.js." },
          ],
        },
      ],
    },
  },
  {
    files: ["src/discord/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { paths: [{ name: "minisearch", message: "Only src/search may import MiniSearch." }] }],
    },
  },
  {
    // Tests compare recorded Discord JSON (plain numbers) with discord-api-types enums on purpose.
    files: ["test/**/*.ts"],
    rules: { "@typescript-eslint/no-unsafe-enum-comparison": "off" },
  },
  // Plain JavaScript has no types to check.
  { files: ["**/*.js", "**/*.mjs"], ...tseslint.configs.disableTypeChecked },
);

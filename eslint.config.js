import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "coverage/", ".scratch/", ".cache/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Plain JavaScript modules run on Node (the worker entry, the compiled-bot benchmark).
    files: ["**/*.mjs"],
    languageOptions: { globals: { process: "readonly", performance: "readonly", console: "readonly" } },
  },
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
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
      "no-restricted-imports": ["error", {
        paths: [
          { name: "minisearch", message: "Only src/search may import MiniSearch." },
          { name: "discord.js", message: "Only src/discord may import discord.js." },
        ],
      }],
    },
  },
  {
    files: ["src/discord/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { paths: [{ name: "minisearch", message: "Only src/search may import MiniSearch." }] }],
    },
  },
);

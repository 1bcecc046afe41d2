#!/usr/bin/env node
// `npx nostromo` from the repository: the esbuild bundle when it has been built (`npm run build -w
// @nostromo/cli`, the shipped artifact), otherwise the TypeScript sources through tsx.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const bundle = fileURLToPath(new URL("../dist/nostromo.mjs", import.meta.url));
if (existsSync(bundle) && !process.env.NOSTROMO_CLI_FROM_SOURCE) {
  await import(bundle);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import("../src/main.ts");
}

// Writes the API's OpenAPI document — what GET /api/openapi.json serves, generated from the same route
// tree — to packages/client/openapi.json (or the file named on the command line), so the typed client can
// be generated from it (`npm run client:generate`). test/integration/contract.test.ts fails when the
// committed file and the served document differ.
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { app } from "../workers/app.ts";

const out = resolve(process.argv[2] ?? resolve(import.meta.dirname, "../packages/client/openapi.json"));
const env = {
  ENVIRONMENT: "production",
  NOSTROMO_VERSION: "0.1.0",
  DATABASE_URL: "postgres://unused@127.0.0.1:1/none",
  DB_ENCRYPTION_KEY: "openapi-document-only-0123456789abcdef",
};
const res = await app.request("/api/openapi.json", {}, env);
if (res.status !== 200) throw new Error(`openapi.json answered ${res.status}: ${await res.text()}`);
writeFileSync(out, `${JSON.stringify(await res.json(), null, 2)}\n`);
console.log(`wrote ${out}`);

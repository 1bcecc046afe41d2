// `npm run db:migrate`: applies every migration (control plane, tenant schema) and the predefined roles to
// the database in DATABASE_URL. Safe to run again.
import { migratePlatform } from "./node.ts";

const url = process.env.DATABASE_URL;
if (!url) {
  console.error("DATABASE_URL is not set (e.g. postgres://user:pass@127.0.0.1:5432/nostromo)");
  process.exit(2);
}
await migratePlatform(url);
console.log("migrations applied");

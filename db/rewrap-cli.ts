// `npm run keys:rewrap`: see db/rewrap.ts.
import { nodeDb } from "./node.ts";
import { rewrapAll } from "./rewrap.ts";

const { DATABASE_URL, DB_ENCRYPTION_KEY_OLD, DB_ENCRYPTION_KEY_NEW } = process.env;
if (!DATABASE_URL || !DB_ENCRYPTION_KEY_OLD || !DB_ENCRYPTION_KEY_NEW) {
  console.error("set DATABASE_URL, DB_ENCRYPTION_KEY_OLD and DB_ENCRYPTION_KEY_NEW");
  process.exit(2);
}
const { db, pool } = nodeDb(DATABASE_URL);
try {
  const r = await rewrapAll(db, DB_ENCRYPTION_KEY_OLD, DB_ENCRYPTION_KEY_NEW);
  console.log(`re-wrapped ${r.rewrapped} tenant keys (${r.already} already under ${r.masterKeyId})`);
} finally {
  await pool.end();
}

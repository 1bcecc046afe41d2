// The health probe's one statement: a real round trip to the platform database, bounded in time so that a
// hung connection reports "down" instead of hanging the probe.
import { sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";

export const DB_TIMEOUT_MS = 3_000;

export async function databaseUp(db: Db): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      db.execute(sql`select 1`),
      new Promise((_, rej) => {
        timer = setTimeout(() => rej(new Error("timeout")), DB_TIMEOUT_MS);
      }),
    ]);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

// Master-key rotation: re-wraps every tenant's data key from the old master key to the new one, in one
// transaction. Tenant ciphertexts (database credentials, connection secrets, TOTP secrets) are under the
// data keys and stay valid. Run: DATABASE_URL=… DB_ENCRYPTION_KEY_OLD=… DB_ENCRYPTION_KEY_NEW=… npm run keys:rewrap
// then deploy DB_ENCRYPTION_KEY=<new> (DB_ENCRYPTION_KEY_PREVIOUS=<old> may stay during the roll-out).

import { ciphertextKeyId, loadMasterKey, rewrapDataKey } from "@nostromo/crypto";
import { eq } from "drizzle-orm";
import type { NodePgDatabase } from "drizzle-orm/node-postgres";
import { tenants } from "./schema/control/tenants.ts";

export async function rewrapAll(db: NodePgDatabase, oldSecret: string, newSecret: string) {
  const from = await loadMasterKey(oldSecret);
  const to = await loadMasterKey(newSecret);
  return db.transaction(async (tx) => {
    const rows = await tx.select({ id: tenants.id, wrapped: tenants.dataKeyWrapped }).from(tenants);
    let rewrapped = 0;
    let already = 0;
    for (const row of rows) {
      const kid = ciphertextKeyId(row.wrapped);
      if (kid === to.id) {
        already += 1;
        continue;
      }
      const wrapped = await rewrapDataKey([from], to, row.wrapped);
      await tx
        .update(tenants)
        .set({ dataKeyWrapped: wrapped, masterKeyId: to.id })
        .where(eq(tenants.id, row.id));
      rewrapped += 1;
    }
    return { rewrapped, already, masterKeyId: to.id };
  });
}

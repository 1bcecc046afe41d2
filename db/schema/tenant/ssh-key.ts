// SSH_KEY: private keys for connections; private key and passphrase encrypted with the tenant's data key.
import { index, integer, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, ts, updatedAt } from "./columns.ts";
import { organization } from "./organization.ts";
import { user } from "./user.ts";

export const sshKey = pgTable(
  "ssh_key",
  {
    id: id(),
    name: text("name").notNull(),
    fingerprint: text("fingerprint").notNull(),
    publicKey: text("public_key").notNull(),
    privateKeyEncrypted: text("private_key_encrypted").notNull(),
    passphraseEncrypted: text("passphrase_encrypted"),
    keyType: text("key_type").notNull(),
    bits: integer("bits").notNull(),
    userId: uuid("user_id")
      .notNull()
      .references(() => user.id),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    lastUsed: ts("last_used"),
    deletedAt: ts("deleted_at"),
  },
  (t) => [index("idx_ssh_key_organization").on(t.organizationId), index("idx_ssh_key_user").on(t.userId)],
);

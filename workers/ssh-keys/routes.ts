// /api/ssh-keys: guards and the contract; the work in service.ts. Reading needs connection:read, creating
// connection:create; deleting follows connection:delete with its "only their own" rule (a Technician
// deletes only keys they own).

import { Permission } from "@nostromo/permissions";
import { Hono } from "hono";
import { assertMayActOn, currentUser, requirePermission } from "../auth/guard.ts";
import { op } from "../contract/op.ts";
import { generateEd25519, importPrivateKey } from "../crypto/ssh-keys.ts";
import type { AppEnv } from "../env.ts";
import { idParam, readJson, readQuery } from "../lib/validate.ts";
import { requestTenant } from "../tenancy/context.ts";
import { GenerateSshKeyBody, ImportSshKeyBody, SshKey, SshKeyPage, SshKeyQuery } from "./schemas.ts";
import { deleteSshKey, getSshKey, listSshKeys, parseKey, storeSshKey } from "./service.ts";

const tag = "SSH keys";
const badKey = [
  "SSH_KEY_MALFORMED",
  "SSH_KEY_PASSPHRASE_REQUIRED",
  "SSH_KEY_BAD_PASSPHRASE",
  "SSH_KEY_UNSUPPORTED",
] as const;

export const sshKeysRoutes = new Hono<AppEnv>()
  .get(
    "/",
    op({
      tag,
      summary: "List the organization's SSH keys",
      access: "connection:read",
      query: SshKeyQuery,
      responses: { 200: SshKeyPage },
      errors: ["FORBIDDEN", "VALIDATION_ERROR"],
    }),
    requirePermission(Permission.READ_CONNECTION),
    async (c) => c.json(await listSshKeys(requestTenant(c), readQuery(c, SshKeyQuery))),
  )

  .get(
    "/:id",
    op({
      tag,
      summary: "Read an SSH key (its public half)",
      access: "connection:read",
      responses: { 200: SshKey },
      errors: ["FORBIDDEN", "NOT_FOUND"],
    }),
    requirePermission(Permission.READ_CONNECTION),
    async (c) => c.json(await getSshKey(requestTenant(c), idParam(c))),
  )

  .post(
    "/",
    op({
      tag,
      summary: "Import an OpenSSH or PEM private key",
      description: "The private key and passphrase are encrypted with the tenant's key and never returned.",
      access: "connection:create",
      body: ImportSshKeyBody,
      responses: { 201: SshKey },
      errors: ["FORBIDDEN", "VALIDATION_ERROR", "CONFLICT", ...badKey],
    }),
    requirePermission(Permission.CREATE_CONNECTION),
    async (c) => {
      const b = await readJson(c, ImportSshKeyBody);
      const passphrase = b.passphrase ?? null;
      const parsed = await parseKey(() => importPrivateKey(b.private_key, passphrase, b.comment));
      return c.json(await storeSshKey(requestTenant(c), b.name, parsed, passphrase, "imported"), 201);
    },
  )

  .post(
    "/generate",
    op({
      tag,
      summary: "Generate an ed25519 key",
      access: "connection:create",
      body: GenerateSshKeyBody,
      responses: { 201: SshKey },
      errors: ["FORBIDDEN", "VALIDATION_ERROR", "CONFLICT"],
    }),
    requirePermission(Permission.CREATE_CONNECTION),
    async (c) => {
      const b = await readJson(c, GenerateSshKeyBody);
      // ssh-keygen's habit: the comment names the key, so it can be recognised in authorized_keys.
      const parsed = await parseKey(() => generateEd25519(b.comment ?? b.name));
      return c.json(await storeSshKey(requestTenant(c), b.name, parsed, null, "generated"), 201);
    },
  )

  .delete(
    "/:id",
    op({
      tag,
      summary: "Delete an SSH key no connection uses",
      access: "connection:delete (Technicians: their own)",
      responses: { 204: null },
      errors: ["FORBIDDEN", "NOT_FOUND", "CONFLICT"],
    }),
    requirePermission(Permission.DELETE_CONNECTION),
    async (c) => {
      const user = currentUser(c);
      await deleteSshKey(requestTenant(c), idParam(c), (owner) =>
        assertMayActOn(c, user, Permission.DELETE_CONNECTION, owner),
      );
      return c.body(null, 204);
    },
  );

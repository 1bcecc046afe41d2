// /api/auth/tokens: the signed-in principal's API tokens (tenant users and super admins alike). Audited in
// the tenant's trail for a tenant user, in the platform's for a super admin.
import { type Context, Hono } from "hono";
import { audit, platformAudit } from "../audit/audit.ts";
import { op } from "../contract/op.ts";
import { Ok } from "../contract/schemas.ts";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";
import { idParam, readJson, readQuery } from "../lib/validate.ts";
import { currentUser } from "./guard.ts";
import type { Principal } from "./principal.ts";
import { NewApiToken, TokenBody, TokenPage, TokenQuery } from "./schemas.ts";
import { createToken, listTokens, revokeToken } from "./token-service.ts";

const TAG = "API tokens";
const ACCESS = "any signed-in principal (a token cannot mint tokens)";

/** The signed-in principal; a tenant user must not be confined to 2FA enrolment. */
function signedIn(c: Context<AppEnv>): Principal {
  const p = c.var.principal;
  if (!p) throw new ApiError("UNAUTHORIZED", "Authentication required");
  if (p.kind === "user") currentUser(c);
  return p;
}

async function auditToken(
  c: Context<AppEnv>,
  p: Principal,
  e: { type: "api_token.created" | "api_token.revoked"; action: string; description: string },
  metadata: Record<string, unknown>,
) {
  if (p.kind === "user") await audit(c, { ...e, metadata });
  else await platformAudit(c, { ...e, metadata: { tokenId: metadata.tokenId } });
}

export const tokenRoutes = new Hono<AppEnv>()
  .get(
    "/tokens",
    op({
      tag: TAG,
      summary: "List your API tokens",
      access: ACCESS,
      query: TokenQuery,
      responses: { 200: TokenPage },
      errors: ["UNAUTHORIZED", "VALIDATION_ERROR"],
    }),
    async (c) => c.json(await listTokens(c.var.db, signedIn(c), readQuery(c, TokenQuery))),
  )
  .post(
    "/tokens",
    op({
      tag: TAG,
      summary: "Create an API token",
      description:
        "The token is in the answer once and never again. A tenant user's token carries a subset of the " +
        "user's permissions (default: all of them) and needs the tenant's api_tokens feature.",
      access: ACCESS,
      body: TokenBody,
      responses: { 201: NewApiToken },
      errors: ["UNAUTHORIZED", "FORBIDDEN", "FEATURE_DISABLED", "VALIDATION_ERROR"],
    }),
    async (c) => {
      const p = c.var.principal;
      if (!p) throw new ApiError("UNAUTHORIZED", "Authentication required");
      if (p.via === "bearer") throw new ApiError("FORBIDDEN", "API tokens cannot mint API tokens");
      const body = await readJson(c, TokenBody);
      const made = await createToken(c.var.db, signedIn(c), c.var.tenant?.features ?? [], body);
      await auditToken(
        c,
        p,
        {
          type: "api_token.created",
          action: "create",
          description: `${p.email} created API token "${body.name}"`,
        },
        { tokenId: made.id, permissions: made.permissions },
      );
      return c.json(made, 201);
    },
  )
  .delete(
    "/tokens/:id",
    op({
      tag: TAG,
      summary: "Revoke one of your API tokens",
      access: ACCESS,
      responses: { 200: Ok },
      errors: ["UNAUTHORIZED", "NOT_FOUND"],
    }),
    async (c) => {
      const p = signedIn(c);
      const id = idParam(c);
      await revokeToken(c.var.db, p, id);
      await auditToken(
        c,
        p,
        { type: "api_token.revoked", action: "revoke", description: `${p.email} revoked an API token` },
        { tokenId: id },
      );
      return c.json({ ok: true as const });
    },
  );

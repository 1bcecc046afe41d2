// API tokens of the signed-in principal: list, mint (a tenant user's token carries a subset of the user's
// own permissions and needs the tenant's api_tokens feature; a token cannot mint tokens), revoke. The token
// itself is shown once at creation; only its hash is stored.

import { isPermission } from "@nostromo/permissions";
import type { Db } from "../../db/client.ts";
import { iso, isoOrNull, type PageQuery, pageOf } from "../contract/schemas.ts";
import { ApiError } from "../errors.ts";
import { FEATURES } from "../tenancy/features.ts";
import type { Principal } from "./principal.ts";
import type { ApiToken, TokenBody } from "./schemas.ts";
import { type TokenOwner, type TokenRow, tokenStore } from "./token-store.ts";
import { hashToken, newApiToken } from "./tokens.ts";

export function presentToken(t: TokenRow): ApiToken {
  return {
    id: t.id,
    name: t.name,
    prefix: t.prefix,
    permissions: t.permissions,
    last_used_at: isoOrNull(t.lastUsedAt),
    expires_at: isoOrNull(t.expiresAt),
    revoked_at: isoOrNull(t.revokedAt),
    created_at: iso(t.createdAt),
  };
}

export function ownerOf(p: Principal): TokenOwner {
  return { kind: p.kind, id: p.id, tenantId: p.kind === "user" ? p.tenantId : null };
}

export async function listTokens(control: Db, p: Principal, q: PageQuery) {
  const { rows, total } = await tokenStore(control).list(ownerOf(p), q);
  return pageOf(q, rows.map(presentToken), total);
}

/** The permissions a new token of `p` carries: for a tenant user, a subset of the user's own. */
function tokenPermissions(p: Principal, features: readonly string[], wanted: string[] | undefined): string[] {
  if (p.kind !== "user") return [];
  if (!features.includes(FEATURES.API_TOKENS))
    throw new ApiError(
      "FEATURE_DISABLED",
      `The feature "${FEATURES.API_TOKENS}" is not enabled for this tenant`,
      {
        feature: FEATURES.API_TOKENS,
      },
    );
  const list = wanted ?? p.permissions;
  const unknown = list.filter((x) => !isPermission(x));
  if (unknown.length)
    throw new ApiError("VALIDATION_ERROR", "Unknown permissions", {
      fields: [{ path: "permissions", message: `unknown: ${unknown.join(", ")}`, code: "custom" }],
    });
  const held: readonly string[] = p.permissions;
  const beyond = list.filter((x) => !held.includes(x));
  if (beyond.length)
    throw new ApiError("FORBIDDEN", "A token can only carry permissions you have", { beyond });
  return [...new Set(list)];
}

export async function createToken(control: Db, p: Principal, features: readonly string[], body: TokenBody) {
  if (p.via === "bearer") throw new ApiError("FORBIDDEN", "API tokens cannot mint API tokens");
  const permissions = tokenPermissions(p, features, body.permissions);
  const token = newApiToken();
  const row = await tokenStore(control).create(ownerOf(p), {
    name: body.name,
    prefix: token.slice(0, 8),
    tokenHash: await hashToken(token),
    permissions,
    expiresAt: body.expires_in_days ? new Date(Date.now() + body.expires_in_days * 86_400_000) : null,
  });
  return { ...presentToken(row), token };
}

export async function revokeToken(control: Db, p: Principal, id: string): Promise<void> {
  if (!(await tokenStore(control).revoke(ownerOf(p), id))) throw new ApiError("NOT_FOUND", "No such token");
}

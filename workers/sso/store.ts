// The SSO tables of one tenant: the identity-provider rows (one writer), the sign-ins in flight and the
// SAML assertions already accepted. An auth request is consumed by deleting it (single use: a replayed
// state finds nothing); an assertion id is inserted once (a second insert finds the first: a replay).
// Expired rows of both are swept whenever a new one is written, so the tables stay as small as the
// sign-ins of the last minutes.
import { eq, gt, lt, or, sql } from "drizzle-orm";
import { organization } from "../../db/schema/tenant/organization.ts";
import { role } from "../../db/schema/tenant/role.ts";
import { ssoAuthRequest, ssoProvider, ssoSamlAssertion } from "../../db/schema/tenant/sso-provider.ts";
import type { TenantContext } from "../tenancy/context.ts";
import { scoped } from "../tenancy/scoped.ts";

export type SsoProviderRow = typeof ssoProvider.$inferSelect;
export type NewSsoProvider = Omit<typeof ssoProvider.$inferInsert, "organizationId" | "id">;
export type SsoProviderChange = Partial<NewSsoProvider>;
export type NewAuthRequest = Omit<typeof ssoAuthRequest.$inferInsert, "organizationId" | "id">;

export function ssoStore(ctx: Pick<TenantContext, "tenant" | "db">) {
  const providers = scoped(ctx, ssoProvider);
  const requests = scoped(ctx, ssoAuthRequest);
  const assertions = scoped(ctx, ssoSamlAssertion);
  const { db } = ctx;
  return {
    async list(): Promise<SsoProviderRow[]> {
      return db.select().from(ssoProvider).where(providers.where()).orderBy(ssoProvider.createdAt);
    },

    async get(id: string): Promise<SsoProviderRow | null> {
      const [row] = await db
        .select()
        .from(ssoProvider)
        .where(providers.where(eq(ssoProvider.id, id)));
      return row ?? null;
    },

    async byType(type: "oidc" | "saml"): Promise<SsoProviderRow | null> {
      const [row] = await db
        .select()
        .from(ssoProvider)
        .where(providers.where(eq(ssoProvider.type, type)));
      return row ?? null;
    },

    async create(values: NewSsoProvider): Promise<SsoProviderRow> {
      const [row] = await db.insert(ssoProvider).values(providers.values(values)).returning();
      if (!row) throw new Error("sso_provider insert returned nothing");
      return row;
    },

    async change(id: string, set: SsoProviderChange): Promise<SsoProviderRow | null> {
      const [row] = await db
        .update(ssoProvider)
        .set(set)
        .where(providers.where(eq(ssoProvider.id, id)))
        .returning();
      return row ?? null;
    },

    async remove(id: string): Promise<boolean> {
      const rows = await db
        .delete(ssoProvider)
        .where(providers.where(eq(ssoProvider.id, id)))
        .returning({ id: ssoProvider.id });
      return rows.length > 0;
    },

    /** The organization's email domain (its row is filtered by the tenant id: it has no organization_id). */
    async organizationDomain(): Promise<string | null> {
      const [row] = await db
        .select({ domain: organization.domain })
        .from(organization)
        .where(eq(organization.id, ctx.tenant.id));
      return row?.domain ?? null;
    },

    /** Whether a provider gives `roleId` (as the default role or in its mapping): it may not be deleted. */
    async refersToRole(roleId: string): Promise<boolean> {
      const [row] = await db
        .select({ id: ssoProvider.id })
        .from(ssoProvider)
        .where(
          providers.where(
            or(
              eq(ssoProvider.defaultRoleId, roleId),
              sql`${ssoProvider.roleMapping} @> ${JSON.stringify([{ role_id: roleId }])}::jsonb`,
            ),
          ),
        )
        .limit(1);
      return row !== undefined;
    },

    /** Whether `roleId` is a role this tenant may assign (a predefined one or its own). */
    async roleVisible(roleId: string): Promise<boolean> {
      const [row] = await db.select({ org: role.organizationId }).from(role).where(eq(role.id, roleId));
      return row !== undefined && (row.org === null || row.org === ctx.tenant.id);
    },

    async saveRequest(values: NewAuthRequest): Promise<void> {
      await db.delete(ssoAuthRequest).where(requests.where(lt(ssoAuthRequest.expiresAt, new Date())));
      await db.insert(ssoAuthRequest).values(requests.values(values));
    },

    /** The CLI loopback address of an unexpired request (null for a browser's, or none). */
    async cliRedirectOf(stateHash: string): Promise<string | null> {
      const [row] = await db
        .select({ cli: ssoAuthRequest.cliRedirect })
        .from(ssoAuthRequest)
        .where(
          requests.where(eq(ssoAuthRequest.stateHash, stateHash), gt(ssoAuthRequest.expiresAt, new Date())),
        );
      return row?.cli ?? null;
    },

    /** The unexpired request with this state hash, deleted as it is read (null when absent or used). */
    async consumeRequest(stateHash: string) {
      const [row] = await db
        .delete(ssoAuthRequest)
        .where(
          requests.where(eq(ssoAuthRequest.stateHash, stateHash), gt(ssoAuthRequest.expiresAt, new Date())),
        )
        .returning();
      return row ?? null;
    },

    /** Records an accepted SAML assertion until it expires: false when it was already recorded (a replay). */
    async useAssertion(providerId: string, assertionHash: string, expiresAt: Date): Promise<boolean> {
      await db.delete(ssoSamlAssertion).where(assertions.where(lt(ssoSamlAssertion.expiresAt, new Date())));
      const rows = await db
        .insert(ssoSamlAssertion)
        .values(assertions.values({ providerId, assertionHash, expiresAt }))
        .onConflictDoNothing()
        .returning({ id: ssoSamlAssertion.id });
      return rows.length > 0;
    },
  };
}

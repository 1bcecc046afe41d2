// Legal hold: while an organization's hold is in place the retention job deletes nothing of it (recordings,
// commands, audit events), whatever their age. Placing and releasing it are privileged (settings:manage,
// the same people who set the retention windows it overrides) and audited in the `system` category. It is
// kept in the organization's settings (JSONB), so every tenant database — pooled or dedicated — carries its
// own hold beside its own data, and the settings PATCH cannot change it (its schema does not name it).
import { recordAudit } from "../audit/audit.ts";
import type { TenantContext } from "../tenancy/context.ts";
import { invalidateOrganization } from "../tenancy/organization.ts";
import type { Organization } from "./schemas.ts";
import { readOrganization } from "./service.ts";
import { settingsStore } from "./store.ts";

function actorName(ctx: TenantContext): string {
  return ctx.actor.kind === "user" || ctx.actor.kind === "super_admin" ? ctx.actor.email : "the platform";
}

/** Places (or re-states the reason of) the hold. */
export async function placeLegalHold(
  ctx: TenantContext,
  reason: string,
  now = new Date(),
): Promise<Organization> {
  const who = actorName(ctx);
  const before = await settingsStore(ctx).change((current) => {
    const hold = current.settings.legal_hold ?? { placed_at: now.toISOString(), placed_by: who, reason };
    return {
      set: { settings: { ...current.settings, legal_hold: { ...hold, reason } } },
      result: current.settings.legal_hold ?? null,
    };
  });
  invalidateOrganization(ctx.tenant.id);
  await recordAudit(ctx, {
    type: "legal_hold.placed",
    action: "legal_hold.place",
    description: `${who} ${before ? "restated" : "placed"} a legal hold: retention deletes nothing until it is released`,
    category: "system",
    metadata: { reason, previous_reason: before?.reason ?? null },
  });
  return readOrganization(ctx);
}

/** Releases the hold; retention resumes at its next run. Releasing when none is placed changes nothing. */
export async function releaseLegalHold(ctx: TenantContext): Promise<Organization> {
  const who = actorName(ctx);
  const released = await settingsStore(ctx).change((current) => {
    const { legal_hold, ...rest } = current.settings;
    return { set: { settings: rest }, result: legal_hold ?? null };
  });
  invalidateOrganization(ctx.tenant.id);
  if (released) {
    await recordAudit(ctx, {
      type: "legal_hold.released",
      action: "legal_hold.release",
      description: `${who} released the legal hold placed by ${released.placed_by}`,
      category: "system",
      metadata: { reason: released.reason, placed_at: released.placed_at, placed_by: released.placed_by },
    });
  }
  return readOrganization(ctx);
}

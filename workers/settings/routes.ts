// /api/settings: the organization. Any user of the tenant reads it; settings:manage changes it and places or
// releases a legal hold.

import { Permission } from "@nostromo/permissions";
import { Hono } from "hono";
import { currentUser, requirePermission } from "../auth/guard.ts";
import { op } from "../contract/op.ts";
import type { AppEnv } from "../env.ts";
import { readJson } from "../lib/validate.ts";
import { requestTenant } from "../tenancy/context.ts";
import { placeLegalHold, releaseLegalHold } from "./legal-hold.ts";
import { LegalHoldPlace, Organization, SettingsPatchDoc, settingsPatch } from "./schemas.ts";
import { readOrganization, updateOrganization } from "./service.ts";

const TAG = "Settings";

export const settingsRoutes = new Hono<AppEnv>()
  .get(
    "/",
    op({
      tag: TAG,
      summary: "Read the organization and its settings",
      access: "any user of the tenant",
      responses: { 200: Organization },
      errors: ["UNAUTHORIZED", "TENANT_NOT_FOUND"],
    }),
    async (c) => {
      currentUser(c);
      return c.json(await readOrganization(requestTenant(c)));
    },
  )
  .patch(
    "/",
    op({
      tag: TAG,
      summary: "Change the organization and its settings",
      description:
        "Settings are merged into the stored ones (null clears an optional one). Refused with " +
        "422 UNPROCESSABLE when allowed_ip_ranges would lock out the caller's own address. Webhook URLs " +
        "must be https outside development.",
      access: "settings:manage",
      body: SettingsPatchDoc,
      responses: { 200: Organization },
      errors: ["FORBIDDEN", "VALIDATION_ERROR", "UNPROCESSABLE"],
    }),
    requirePermission(Permission.MANAGE_SETTINGS),
    async (c) => {
      const body = await readJson(c, settingsPatch(c.env));
      return c.json(await updateOrganization(requestTenant(c), body));
    },
  )
  .put(
    "/legal-hold",
    op({
      tag: TAG,
      summary: "Place a legal hold: retention deletes nothing of the organization until it is released",
      description:
        "Placing it again restates the reason and keeps when and by whom it was first placed. Audited.",
      access: "settings:manage",
      body: LegalHoldPlace,
      responses: { 200: Organization },
      errors: ["FORBIDDEN", "VALIDATION_ERROR"],
    }),
    requirePermission(Permission.MANAGE_SETTINGS),
    async (c) => {
      const body = await readJson(c, LegalHoldPlace);
      return c.json(await placeLegalHold(requestTenant(c), body.reason));
    },
  )
  .delete(
    "/legal-hold",
    op({
      tag: TAG,
      summary: "Release the legal hold: retention resumes at its next run",
      access: "settings:manage",
      responses: { 200: Organization },
      errors: ["FORBIDDEN"],
    }),
    requirePermission(Permission.MANAGE_SETTINGS),
    async (c) => c.json(await releaseLegalHold(requestTenant(c))),
  );

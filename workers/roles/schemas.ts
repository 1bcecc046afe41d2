// The contract of /api/roles: the seed's ROLE (predefined roles shared by every organization, custom roles
// of one) as the API shows it, with the "only their own" rules of the predefined ones, and the bodies that
// create and change custom roles.

import { ALL_PERMISSIONS, isPermission } from "@nostromo/permissions";
import { z } from "zod";
import { Id, pageQuery, pageSchema, Timestamp } from "../contract/schemas.ts";

export const PermissionName = z
  .enum(ALL_PERMISSIONS as [string, ...string[]])
  .meta({ id: "Permission", description: "A permission of the seed's Permission enum" });

/** Any strings in, the known permissions out (in the enum's order); an unknown one is a field error. */
const permissionsField = z
  .array(z.string())
  .max(100)
  .superRefine((list, ctx) => {
    list.forEach((p, i) => {
      if (!isPermission(p))
        ctx.addIssue({ code: "custom", path: [i], message: `unknown permission "${p.slice(0, 64)}"` });
    });
  })
  .transform((list) => ALL_PERMISSIONS.filter((p) => list.includes(p)));

const NAME = z
  .string()
  .trim()
  .min(1)
  .max(64)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), "no control characters");
const COLOR = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a hex colour like "#5bc2e7"');
const DESCRIPTION = z.string().trim().max(500);

export const RoleCreate = z
  .object({
    name: NAME,
    description: DESCRIPTION.optional(),
    permissions: permissionsField,
    color: COLOR.optional(),
  })
  .strict();
export type RoleCreate = z.output<typeof RoleCreate>;

export const RoleUpdate = z
  .object({
    name: NAME.optional(),
    description: DESCRIPTION.optional(),
    permissions: permissionsField.optional(),
    color: COLOR.optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, "name at least one field to change");
export type RoleUpdate = z.output<typeof RoleUpdate>;

export const Role = z
  .object({
    id: Id,
    name: z.string(),
    description: z.string(),
    permissions: z.array(PermissionName),
    /** Permissions that hold only for the user's own resources (predefined Technician). */
    own_only: z.array(PermissionName),
    color: z.string(),
    is_system: z.boolean(),
    /** null for the predefined roles every organization shares. */
    organization_id: Id.nullable(),
    user_count: z.number().int().min(0),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .meta({ id: "Role" });
export type Role = z.infer<typeof Role>;

export const RoleQuery = pageQuery;
export type RoleQuery = z.output<typeof RoleQuery>;

export const RolePage = pageSchema(Role).extend({
  /** Every permission there is, for building a role. */
  permissions: z.array(PermissionName),
});

export const RoleDeleted = z.object({ deleted: z.object({ id: Id, name: z.string() }) });

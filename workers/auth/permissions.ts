// The seed's Permission enum and the three predefined roles with exactly the seed's role matrix
// (trident-sra-data-model.md, "Permisos por Rol"). "Only their own" rules are enforced by the routes.
export const Permission = {
  CREATE_CONNECTION: "connection:create",
  READ_CONNECTION: "connection:read",
  UPDATE_CONNECTION: "connection:update",
  DELETE_CONNECTION: "connection:delete",
  START_SESSION: "session:start",
  JOIN_SESSION: "session:join",
  VIEW_SESSION: "session:view",
  RECORD_SESSION: "session:record",
  END_SESSION: "session:end",
  CREATE_USER: "user:create",
  READ_USER: "user:read",
  UPDATE_USER: "user:update",
  DELETE_USER: "user:delete",
  MANAGE_ROLES: "user:manage_roles",
  VIEW_AUDIT: "audit:view",
  EXPORT_AUDIT: "audit:export",
  MANAGE_SETTINGS: "settings:manage",
  MANAGE_POLICIES: "policies:manage",
} as const;
export type Permission = (typeof Permission)[keyof typeof Permission];
export const ALL_PERMISSIONS: readonly Permission[] = Object.values(Permission);

export function isPermission(value: string): value is Permission {
  return (ALL_PERMISSIONS as readonly string[]).includes(value);
}

export interface PredefinedRole {
  name: "Admin" | "Technician" | "Observer";
  description: string;
  color: string;
  permissions: readonly Permission[];
  // Permissions that hold only for resources the user owns (the matrix's "⚠️ Solo propias").
  ownOnly: readonly Permission[];
}

const P = Permission;

export const PREDEFINED_ROLES: readonly PredefinedRole[] = [
  {
    name: "Admin",
    description: "Todos los permisos",
    color: "#e74c3c",
    permissions: ALL_PERMISSIONS,
    ownOnly: [],
  },
  {
    name: "Technician",
    description: "Gestión de conexiones y sesiones, visualización de usuarios",
    color: "#5bc2e7",
    permissions: [
      P.CREATE_CONNECTION,
      P.READ_CONNECTION,
      P.UPDATE_CONNECTION,
      P.DELETE_CONNECTION,
      P.START_SESSION,
      P.JOIN_SESSION,
      P.VIEW_SESSION,
      P.RECORD_SESSION,
      P.END_SESSION,
      P.READ_USER,
      P.VIEW_AUDIT,
    ],
    ownOnly: [P.DELETE_CONNECTION, P.END_SESSION],
  },
  {
    name: "Observer",
    description: "Solo visualización (read-only)",
    color: "#95a5a6",
    permissions: [P.READ_CONNECTION, P.JOIN_SESSION, P.VIEW_SESSION, P.READ_USER, P.VIEW_AUDIT],
    ownOnly: [],
  },
];

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

export type Cell = "yes" | "own" | "no";
export type PredefinedRoleName = PredefinedRole["name"];

export interface MatrixRow {
  /** The action as the seed's table names it. */
  action: string;
  /** The permission the server checks for it. */
  permission: Permission;
  cells: Record<PredefinedRoleName, Cell>;
}

const row = (action: string, permission: Permission, admin: Cell, tech: Cell, observer: Cell): MatrixRow => ({
  action,
  permission,
  cells: { Admin: admin, Technician: tech, Observer: observer },
});

/**
 * The seed's "Permisos por Rol" table, each action tied to the permission its routes require. "Ejecutar
 * comandos" is session:start: typing into a shell is driving a session, which the Observer (who may join and
 * watch) may not do. The predefined roles above are checked against this table by a unit test.
 */
export const ROLE_MATRIX: readonly MatrixRow[] = [
  row("Crear conexión", P.CREATE_CONNECTION, "yes", "yes", "no"),
  row("Editar conexión", P.UPDATE_CONNECTION, "yes", "yes", "no"),
  row("Eliminar conexión", P.DELETE_CONNECTION, "yes", "own", "no"),
  row("Iniciar sesión", P.START_SESSION, "yes", "yes", "no"),
  row("Unirse a sesión", P.JOIN_SESSION, "yes", "yes", "yes"),
  row("Ver sesión", P.VIEW_SESSION, "yes", "yes", "yes"),
  row("Ejecutar comandos", P.START_SESSION, "yes", "yes", "no"),
  row("Terminar sesión", P.END_SESSION, "yes", "own", "no"),
  row("Crear usuario", P.CREATE_USER, "yes", "no", "no"),
  row("Ver usuarios", P.READ_USER, "yes", "yes", "yes"),
  row("Editar usuario", P.UPDATE_USER, "yes", "no", "no"),
  row("Ver auditoría", P.VIEW_AUDIT, "yes", "yes", "yes"),
  row("Exportar auditoría", P.EXPORT_AUDIT, "yes", "no", "no"),
  row("Gestionar políticas", P.MANAGE_POLICIES, "yes", "no", "no"),
];

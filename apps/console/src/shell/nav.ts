// Which sections a caller sees: the Command Center for super admins, the tenant console's sections by the
// role's permissions. Hiding is a courtesy; the server enforces every permission on its own.
import type { Me } from "../api/auth.ts";

export interface NavItem {
  href: string;
  label: string;
}

const TENANT_SECTIONS: { href: string; label: string; needs: string[] }[] = [
  {
    href: "/dashboard",
    label: "Dashboard",
    needs: ["connection:read", "session:view", "session:join", "audit:view"],
  },
  { href: "/connections", label: "Connections", needs: ["connection:read"] },
  { href: "/live", label: "Live sessions", needs: ["session:view", "session:join"] },
  { href: "/agents", label: "Agents", needs: ["settings:manage"] },
  { href: "/ssh-keys", label: "SSH keys", needs: ["connection:create"] },
  { href: "/users", label: "Users", needs: ["user:read"] },
  { href: "/roles", label: "Roles", needs: ["user:read"] },
  { href: "/settings", label: "Settings", needs: ["settings:manage"] },
  { href: "/policies", label: "Policies", needs: ["policies:manage"] },
  { href: "/commands", label: "Commands", needs: ["session:view", "audit:view"] },
  { href: "/audit", label: "Audit log", needs: ["audit:view"] },
  { href: "/recordings", label: "Recordings", needs: ["session:view"] },
];

export function navFor(user: Me): NavItem[] {
  if (user.kind === "super_admin")
    return [
      { href: "/cc/sessions", label: "Sessions" },
      { href: "/cc/monitoring", label: "Monitoring" },
      { href: "/cc/tenants", label: "Tenants" },
    ];
  return TENANT_SECTIONS.filter((s) => s.needs.some((p) => user.permissions.includes(p))).map(
    ({ href, label }) => ({
      href,
      label,
    }),
  );
}

/** Where a caller lands after signing in (or on "/"). */
export function homeFor(user: Me): string {
  return navFor(user)[0]?.href ?? "/welcome";
}

export const can = (user: Me | null | undefined, permission: string): boolean =>
  !!user && user.kind === "user" && user.permissions.includes(permission);

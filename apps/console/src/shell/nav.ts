// Which sections a caller sees: the Command Center for super admins, the tenant console's sections by the
// role's permissions. Hiding is a courtesy; the server enforces every permission on its own.
// The tenant console's thirteen sections do not fit one bar at 1280 px, so they are grouped (Sessions,
// Access, Governance, Admin) under disclosure menus; a group left with one section is shown as that link.
import type { Me } from "../api/auth.ts";

export interface NavItem {
  href: string;
  label: string;
}

export interface NavGroup {
  label: string;
  items: NavItem[];
}

export type NavEntry = NavItem | NavGroup;

interface Section extends NavItem {
  needs: string[];
}

const section = (href: string, label: string, ...needs: string[]): Section => ({ href, label, needs });

const TENANT_NAV: (Section | { label: string; sections: Section[] })[] = [
  section("/dashboard", "Dashboard", "connection:read", "session:view", "session:join", "audit:view"),
  {
    label: "Sessions",
    sections: [
      section("/live", "Live sessions", "session:view", "session:join"),
      section("/commands", "Commands", "session:view", "audit:view"),
      section("/recordings", "Recordings", "session:view"),
    ],
  },
  {
    label: "Access",
    sections: [
      section("/connections", "Connections", "connection:read"),
      section("/ssh-keys", "SSH keys", "connection:create"),
      section("/agents", "Agents", "settings:manage"),
    ],
  },
  {
    label: "Governance",
    sections: [
      section("/policies", "Policies", "policies:manage"),
      section("/audit", "Audit log", "audit:view"),
    ],
  },
  {
    label: "Admin",
    sections: [
      section("/users", "Users", "user:read"),
      section("/roles", "Roles", "user:read"),
      section("/settings", "Settings", "settings:manage"),
    ],
  },
];

const COMMAND_CENTER: NavItem[] = [
  { href: "/cc/sessions", label: "Sessions" },
  { href: "/cc/monitoring", label: "Monitoring" },
  { href: "/cc/tenants", label: "Tenants" },
];

export const isGroup = (e: NavEntry): e is NavGroup => "items" in e;

/** The navigation bar of this caller: links and groups of links, only what the role may use. */
export function navEntriesFor(user: Me): NavEntry[] {
  if (user.kind === "super_admin") return COMMAND_CENTER;
  const allowed = (s: Section) => s.needs.some((p) => user.permissions.includes(p));
  const link = ({ href, label }: Section): NavItem => ({ href, label });
  const out: NavEntry[] = [];
  for (const entry of TENANT_NAV) {
    if (!("sections" in entry)) {
      if (allowed(entry)) out.push(link(entry));
      continue;
    }
    const items = entry.sections.filter(allowed).map(link);
    if (items.length === 1 && items[0]) out.push(items[0]);
    else if (items.length > 1) out.push({ label: entry.label, items });
  }
  return out;
}

/** Every section this caller may open, in the bar's order. */
export function navFor(user: Me): NavItem[] {
  return navEntriesFor(user).flatMap((e) => (isGroup(e) ? e.items : [e]));
}

/** Where a caller lands after signing in (or on "/"). */
export function homeFor(user: Me): string {
  return navFor(user)[0]?.href ?? "/welcome";
}

export const can = (user: Me | null | undefined, permission: string): boolean =>
  !!user && user.kind === "user" && user.permissions.includes(permission);

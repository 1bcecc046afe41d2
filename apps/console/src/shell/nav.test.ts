import { describe, expect, it } from "vitest";
import type { Me } from "../api/auth.ts";
import { can, homeFor, navEntriesFor, navFor } from "./nav.ts";

const base: Me = {
  kind: "user",
  id: "u",
  email: "a@b.c",
  name: "A",
  tenantId: "t",
  role: "Observer",
  permissions: [],
  pendingStep: null,
};

describe("nav", () => {
  it("gives super admins the Command Center", () => {
    const admin: Me = { ...base, kind: "super_admin", tenantId: null };
    expect(navFor(admin).map((n) => n.label)).toEqual(["Sessions", "Monitoring", "Tenants"]);
    expect(homeFor(admin)).toBe("/cc/sessions");
    expect(can(admin, "connection:create")).toBe(false);
  });

  it("shows a tenant user only the sections their role can read", () => {
    expect(navFor(base)).toEqual([]);
    expect(homeFor(base)).toBe("/welcome");
    const tech: Me = { ...base, permissions: ["connection:read", "connection:create"] };
    expect(navFor(tech).map((n) => n.href)).toEqual(["/dashboard", "/connections", "/ssh-keys"]);
    expect(homeFor(tech)).toBe("/dashboard");
    const watcher: Me = { ...base, permissions: ["session:join"] };
    expect(navFor(watcher).map((n) => n.label)).toEqual(["Dashboard", "Live sessions"]);
    const auditor: Me = { ...base, permissions: ["audit:view"] };
    expect(navFor(auditor).map((n) => n.href)).toEqual(["/dashboard", "/commands", "/audit"]);
    const admin: Me = { ...base, permissions: ["policies:manage", "session:view", "audit:view"] };
    expect(navFor(admin).map((n) => n.label)).toEqual([
      "Dashboard",
      "Live sessions",
      "Commands",
      "Recordings",
      "Policies",
      "Audit log",
    ]);
    expect(can(tech, "connection:create")).toBe(true);
    expect(can(base, "connection:create")).toBe(false);
  });

  it("shows the administration sections by their permissions", () => {
    const observer: Me = { ...base, permissions: ["connection:read", "user:read"] };
    expect(navFor(observer).map((n) => n.label)).toEqual(["Dashboard", "Connections", "Users", "Roles"]);
    const admin: Me = { ...base, permissions: ["settings:manage"] };
    expect(navFor(admin).map((n) => n.href)).toEqual(["/agents", "/settings"]);
  });

  it("groups the sections, and shows a group left with one section as that link", () => {
    const all: Me = {
      ...base,
      permissions: [
        "connection:read",
        "connection:create",
        "session:view",
        "audit:view",
        "policies:manage",
        "settings:manage",
        "user:read",
      ],
    };
    expect(navEntriesFor(all)).toEqual([
      { href: "/dashboard", label: "Dashboard" },
      {
        label: "Sessions",
        items: [
          { href: "/live", label: "Live sessions" },
          { href: "/commands", label: "Commands" },
          { href: "/recordings", label: "Recordings" },
        ],
      },
      {
        label: "Access",
        items: [
          { href: "/connections", label: "Connections" },
          { href: "/ssh-keys", label: "SSH keys" },
          { href: "/agents", label: "Agents" },
        ],
      },
      {
        label: "Governance",
        items: [
          { href: "/policies", label: "Policies" },
          { href: "/audit", label: "Audit log" },
        ],
      },
      {
        label: "Admin",
        items: [
          { href: "/users", label: "Users" },
          { href: "/roles", label: "Roles" },
          { href: "/settings", label: "Settings" },
        ],
      },
    ]);
    const observer: Me = { ...base, permissions: ["connection:read", "session:join", "user:read"] };
    expect(navEntriesFor(observer).map((e) => e.label)).toEqual([
      "Dashboard",
      "Live sessions",
      "Connections",
      "Admin",
    ]);
  });
});

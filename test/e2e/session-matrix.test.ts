// The session rows of the seed's role matrix, on the real routes with a real agent and sshd (they need a
// live session, so they live here rather than in test/integration/permission-matrix.test.ts):
// Iniciar sesión, Unirse a sesión, Ver sesión, Ejecutar comandos, Terminar sesión (Technician: own only).

import type { Viewer } from "@nostromo/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Http } from "./harness.ts";
import { type LiveEnv, openViewer, startLive } from "./live.ts";

let live: LiveEnv;
const viewers: Viewer[] = [];
const users: Record<"Admin" | "Technician" | "Observer", Http> = {} as Record<
  "Admin" | "Technician" | "Observer",
  Http
>;

beforeAll(async () => {
  live = await startLive("matrix");
  const roles = await live.admin.call<{ data: { id: string; name: string }[] }>("GET", "/api/roles");
  for (const role of ["Admin", "Technician", "Observer"] as const) {
    const email = `${role.toLowerCase()}-matrix@demo-e2e.example`;
    const r = await live.admin.call("POST", "/api/users", {
      email,
      name: `${role} Matrix`,
      password: "matrix-password-1",
      role_id: roles.body.data.find((x) => x.name === role)?.id,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    users[role] = new Http(live.e2e.stack.url, live.e2e.stack.demoTenantId);
    await users[role].login(email, "matrix-password-1");
  }
}, 240_000);

afterAll(async () => {
  for (const v of viewers) v.close();
  await live?.close();
});

const start = (c: Http) =>
  c.call<{ id: string }>("POST", "/api/remote-sessions", {
    connection_id: live.connectionId,
    cols: 80,
    rows: 24,
  });

describe("Iniciar sesión (session:start)", () => {
  it("Admin ✅", async () => expect((await start(users.Admin)).status).toBe(201));
  it("Technician ✅", async () => expect((await start(users.Technician)).status).toBe(201));
  it("Observer ❌", async () => expect((await start(users.Observer)).status).toBe(403));
});

describe("Unirse a sesión / Ver sesión (session:join, session:view)", () => {
  for (const role of ["Admin", "Technician", "Observer"] as const) {
    it(`${role} ✅ joins and sees the screen`, async () => {
      const { body } = await start(live.admin);
      const v = await openViewer(users[role], body.id, viewers);
      await v.until("snapshot", () => Boolean(v.frame("snapshot")));
      expect(v.frame("hello")).toMatchObject({ you: { canSee: true } });
      const list = await users[role].call("GET", `/api/remote-sessions/${body.id}`);
      expect(list.status).toBe(200);
    });
  }
});

describe("Ejecutar comandos (typing in a session one may run commands in)", () => {
  for (const [role, allowed] of [
    ["Admin", true],
    ["Technician", true],
    ["Observer", false],
  ] as const) {
    it(`${role} ${allowed ? "✅" : "❌"}`, async () => {
      const { body } = await start(live.admin);
      // Invited as collaborator: typing then depends only on the role's right to run commands.
      const me = await users[role].call<{ principal: { id: string } }>("GET", "/api/auth/me");
      const inv = await live.admin.call("POST", `/api/remote-sessions/${body.id}/participants`, {
        user_id: me.body.principal.id,
        role: "collaborator",
      });
      expect(inv.status, JSON.stringify(inv.body)).toBe(200);
      // The invitee finds it among their invitations (the owner does not), until they join.
      type Invites = { data: { id: string; role: string; type: string }[] };
      const pending = (who: (typeof users)[typeof role]) =>
        who.call<Invites>("GET", "/api/remote-sessions/invitations").then((r) => r.body.data);
      expect((await pending(users[role])).find((i) => i.id === body.id)).toMatchObject({
        role: "collaborator",
        type: "ssh",
      });
      expect((await pending(live.admin)).map((i) => i.id)).not.toContain(body.id);
      const v = await openViewer(users[role], body.id, viewers);
      expect(v.frame("hello")).toMatchObject({ you: { canType: allowed } });
      expect((await pending(users[role])).map((i) => i.id)).not.toContain(body.id);
      await new Promise((r) => setTimeout(r, 1500));
      v.type(`echo typed-by-${role.toLowerCase()}-$((20+3))\r`);
      if (allowed) await v.until("ran", () => v.text().includes(`typed-by-${role.toLowerCase()}-23`));
      else {
        await v.until("refused", () => v.frames.some((f) => f.t === "error" && f.code === "FORBIDDEN"));
        await new Promise((r) => setTimeout(r, 800));
        expect(v.text()).not.toContain(`typed-by-${role.toLowerCase()}-23`);
      }
    });
  }
});

describe("Terminar sesión (session:end; Technician only their own)", () => {
  it("Admin ✅ any session", async () => {
    const { body } = await start(users.Technician);
    expect((await users.Admin.call("DELETE", `/api/remote-sessions/${body.id}`)).status).toBe(200);
  });
  it("Technician ⚠️ its own ✅", async () => {
    const { body } = await start(users.Technician);
    expect((await users.Technician.call("DELETE", `/api/remote-sessions/${body.id}`)).status).toBe(200);
  });
  it("Technician ⚠️ someone else's ❌", async () => {
    const { body } = await start(users.Admin);
    expect((await users.Technician.call("DELETE", `/api/remote-sessions/${body.id}`)).status).toBe(403);
  });
  it("Observer ❌", async () => {
    const { body } = await start(users.Admin);
    expect((await users.Observer.call("DELETE", `/api/remote-sessions/${body.id}`)).status).toBe(403);
  });
});

describe("what a session shows each caller (GET /api/remote-sessions, GET /api/remote-sessions/:id)", () => {
  type Row = { id: string; client_ip?: string; user_agent?: string; login_session_id?: unknown };
  it("never shows login session ids; client IP and user agent only to the owner and to audit:view", async () => {
    const role = await live.admin.call<{ id: string }>("POST", "/api/roles", {
      name: "Session watcher",
      permissions: ["session:view", "session:start"],
    });
    expect(role.status, JSON.stringify(role.body)).toBe(201);
    const email = "watcher-matrix@demo-e2e.example";
    const created = await live.admin.call("POST", "/api/users", {
      email,
      name: "Watcher Matrix",
      password: "matrix-password-1",
      role_id: role.body.id,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const watcher = new Http(live.e2e.stack.url, live.e2e.stack.demoTenantId);
    await watcher.login(email, "matrix-password-1");
    const others = (await start(live.admin)).body.id;
    const own = (await start(watcher)).body.id;

    const seen = async (c: Http) => {
      const list = await c.call<{ data: Row[] }>("GET", "/api/remote-sessions?page_size=200");
      expect(list.status, JSON.stringify(list.body)).toBe(200);
      const one = async (id: string) => (await c.call<Row>("GET", `/api/remote-sessions/${id}`)).body;
      const find = (id: string) => list.body.data.find((r) => r.id === id);
      return { others: [find(others), await one(others)], own: [find(own), await one(own)] };
    };
    const asWatcher = await seen(watcher);
    for (const r of asWatcher.others) {
      expect(r).toBeDefined();
      expect(r).not.toHaveProperty("client_ip");
      expect(r).not.toHaveProperty("user_agent");
      expect(r).not.toHaveProperty("login_session_id");
    }
    for (const r of asWatcher.own) {
      expect(r?.client_ip).toEqual(expect.any(String));
      expect(r?.user_agent).toEqual(expect.any(String));
      expect(r).not.toHaveProperty("login_session_id");
    }
    const asAdmin = await seen(live.admin);
    for (const r of [...asAdmin.others, ...asAdmin.own]) {
      expect(r?.client_ip).toEqual(expect.any(String));
      expect(r).not.toHaveProperty("login_session_id");
    }
  });
});

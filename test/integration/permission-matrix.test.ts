// The seed's "Permisos por Rol" matrix, one test per cell (14 actions × Admin, Technician, Observer), each
// on the real route as a real logged-in user of that role: allowed → 2xx, denied → 403, "solo propias" →
// allowed on their own resource and 403 on another's. The session actions have no HTTP route yet: their
// cells are checked on the permissions the server gives that role's real login (GET /api/auth/me) with the
// same mayActOn the routes will call; their HTTP form is a todo until the remote-sessions routes exist.

import { type Cell, type Permission, type PredefinedRoleName, ROLE_MATRIX } from "@nostromo/permissions";
import { beforeAll, describe, expect, it } from "vitest";
import { can, mayActOn } from "../../workers/auth/guard.ts";
import type { UserPrincipal } from "../../workers/auth/principal.ts";
import {
  type Client,
  createUser,
  loginAs,
  type ProvisionedTenant,
  provision,
  roleIdOf,
  superAdmin,
  type TestUser,
  tenantClient,
  unique,
} from "../support/api.ts";

type Err = { error: { code: string } };
const ROLES: PredefinedRoleName[] = ["Admin", "Technician", "Observer"];

let t: ProvisionedTenant;
let admin: Client;
const as = {} as Record<PredefinedRoleName, Client>;
const principal = {} as Record<PredefinedRoleName, UserPrincipal>;
let target: TestUser;

beforeAll(async () => {
  t = await provision(await superAdmin());
  admin = await tenantClient(t);
  as.Admin = await loginAs(t, await createUser(admin, "Admin"));
  as.Technician = await loginAs(t, await createUser(admin, "Technician"));
  as.Observer = await loginAs(t, await createUser(admin, "Observer"));
  target = await createUser(admin, "Observer");
  for (const role of ROLES) {
    const me = await as[role].get<{
      principal: { id: string; permissions: Permission[]; own_only: Permission[] };
    }>("/api/auth/me");
    const { id, permissions, own_only } = me.body.principal;
    // The guard's own view of the principal, built from what the API shows of it.
    principal[role] = { id, permissions, ownOnly: own_only } as UserPrincipal;
  }
});

/** A connection owned by `owner` (the tenant's first Admin unless named). */
async function connectionOf(owner: Client = admin): Promise<string> {
  const r = await owner.post<{ id: string }>("/api/connections", {
    name: unique("conn"),
    hostname: "10.20.30.40",
    username: "deploy",
    auth_method: "password",
    password: "s3cret",
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.id;
}

function expectAllowed(r: { status: number; body: unknown }, status: number) {
  expect(r.status, JSON.stringify(r.body).slice(0, 200)).toBe(status);
}

function expectDenied(r: { status: number; body: unknown }) {
  expect(r.status, JSON.stringify(r.body).slice(0, 200)).toBe(403);
  expect((r.body as Err).error.code).toBe("FORBIDDEN");
}

type Probe = (role: PredefinedRoleName, cell: Cell) => Promise<void>;

/** A cell of a session action, on the permissions of the role's real login. */
const sessionProbe =
  (perm: (typeof ROLE_MATRIX)[number]["permission"]): Probe =>
  async (role, cell) => {
    const p = principal[role];
    const someoneElse = principal[role === "Admin" ? "Technician" : "Admin"].id;
    if (cell === "no") {
      expect(can(p, perm)).toBe(false);
      expect(mayActOn(p, perm, p.id)).toBe(false);
    } else if (cell === "own") {
      expect(mayActOn(p, perm, p.id)).toBe(true);
      expect(mayActOn(p, perm, someoneElse)).toBe(false);
    } else {
      expect(mayActOn(p, perm, p.id)).toBe(true);
      expect(mayActOn(p, perm, someoneElse)).toBe(true);
    }
  };

/** session:start — and over HTTP the refusal, which needs no agent (an allowed start needs a live one). */
const startProbe: Probe = async (role, cell) => {
  await sessionProbe("session:start")(role, cell);
  if (cell === "no") expectDenied(await as[role].post("/api/remote-sessions", {}));
};

const probes: Record<string, { probe: Probe; http: boolean }> = {
  "Crear conexión": {
    http: true,
    probe: async (role, cell) => {
      const r = await as[role].post("/api/connections", {
        name: unique("conn"),
        hostname: "server.example",
        username: "ops",
        auth_method: "password",
        password: "pw",
      });
      if (cell === "no") expectDenied(r);
      else expectAllowed(r, 201);
    },
  },
  "Editar conexión": {
    http: true,
    probe: async (role, cell) => {
      const id = await connectionOf();
      const r = await as[role].patch(`/api/connections/${id}`, { description: `edited by ${role}` });
      if (cell === "no") expectDenied(r);
      else expectAllowed(r, 200);
    },
  },
  "Eliminar conexión": {
    http: true,
    probe: async (role, cell) => {
      const others = await connectionOf();
      const r = await as[role].delete(`/api/connections/${others}`);
      if (cell === "yes") return expectAllowed(r, 204);
      expectDenied(r);
      if (cell === "own") {
        const mine = await connectionOf(as[role]);
        expectAllowed(await as[role].delete(`/api/connections/${mine}`), 204);
      }
    },
  },
  "Iniciar sesión": { http: false, probe: startProbe },
  "Unirse a sesión": { http: false, probe: sessionProbe("session:join") },
  "Ver sesión": {
    http: false,
    probe: async (role, cell) => {
      await sessionProbe("session:view")(role, cell);
      const r = await as[role].get("/api/remote-sessions");
      if (cell === "no") expectDenied(r);
      else expectAllowed(r, 200);
    },
  },
  "Ejecutar comandos": { http: false, probe: startProbe },
  "Terminar sesión": { http: false, probe: sessionProbe("session:end") },
  "Crear usuario": {
    http: true,
    probe: async (role, cell) => {
      const r = await as[role].post("/api/users", {
        email: `${unique("matrix").toLowerCase()}@example.com`,
        password: "matrix-password-1",
        name: "Matrix",
        role_id: await roleIdOf(admin, "Observer"),
      });
      if (cell === "no") expectDenied(r);
      else expectAllowed(r, 201);
    },
  },
  "Ver usuarios": {
    http: true,
    probe: async (role, cell) => {
      const list = await as[role].get("/api/users");
      const one = await as[role].get(`/api/users/${target.id}`);
      if (cell === "no") expectDenied(list);
      else {
        expectAllowed(list, 200);
        expectAllowed(one, 200);
      }
    },
  },
  "Editar usuario": {
    http: true,
    probe: async (role, cell) => {
      const r = await as[role].patch(`/api/users/${target.id}`, { bio: `edited by ${role}` });
      if (cell === "no") expectDenied(r);
      else expectAllowed(r, 200);
    },
  },
  "Ver auditoría": {
    http: true,
    probe: async (role, cell) => {
      const r = await as[role].get("/api/audit?page_size=5");
      if (cell === "no") expectDenied(r);
      else expectAllowed(r, 200);
    },
  },
  "Exportar auditoría": {
    http: true,
    probe: async (role, cell) => {
      const r = await as[role].get("/api/audit/export?format=csv");
      if (cell === "no") expectDenied(r);
      else expectAllowed(r, 200);
    },
  },
  "Gestionar políticas": {
    http: true,
    probe: async (role, cell) => {
      const r = await as[role].post("/api/policies", { name: unique("policy") });
      if (cell === "no") expectDenied(r);
      else expectAllowed(r, 201);
    },
  },
};

const SYMBOL: Record<Cell, string> = { yes: "✅ allowed", own: "⚠️ only their own", no: "❌ denied" };

describe.each(ROLE_MATRIX)("$action ($permission)", (row) => {
  const entry = probes[row.action];
  if (!entry) throw new Error(`no probe for ${row.action}`);
  for (const role of ROLES) {
    const cell = row.cells[role];
    it(`${role}: ${SYMBOL[cell]}${entry.http ? "" : " (the real login's permissions)"}`, () =>
      entry.probe(role, cell));
  }
  // Rows without an HTTP probe here need a live session (an online agent): every one of their cells is
  // tested over HTTP and WebSocket in test/e2e/session-matrix.test.ts.
});

describe("denials are audited", () => {
  it("every 403 above left a security.unauthorized event naming the missing permission", async () => {
    const r = await admin.get<{ data: { user_id: string; metadata: { missing?: string[] } }[] }>(
      `/api/audit?type=security.unauthorized&user=${principal.Observer.id}&page_size=200`,
    );
    const missing = r.body.data.flatMap((a) => a.metadata.missing ?? []);
    expect(missing).toEqual(
      expect.arrayContaining([
        "connection:create",
        "user:create",
        "user:update",
        "audit:export",
        "policies:manage",
      ]),
    );
  });
});

// The migrated database against the data-model seed: every entity a table, every field a column, every
// enum's values, every recommended index (partial ones with their predicate), plus the control plane.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ENTITY_TABLES, loadSeed, unionValues } from "./seed-model.ts";

const seed = loadSeed();
let client: pg.Client;

beforeAll(async () => {
  client = new pg.Client({ connectionString: inject("databaseUrl") });
  await client.connect();
});
afterAll(() => client.end());

async function columns(schema: string, table: string) {
  const r = await client.query<{
    column_name: string;
    udt_name: string;
    data_type: string;
    is_nullable: string;
  }>(
    "select column_name, udt_name, data_type, is_nullable from information_schema.columns where table_schema = $1 and table_name = $2",
    [schema, table],
  );
  return new Map(r.rows.map((row) => [row.column_name, row]));
}

async function enumValues(name: string): Promise<string[]> {
  const r = await client.query<{ enumlabel: string }>(
    "select e.enumlabel from pg_enum e join pg_type t on t.oid = e.enumtypid where t.typname = $1 order by e.enumsortorder",
    [name.replace(/^_/, "")],
  );
  return r.rows.map((x) => x.enumlabel);
}

// Fields that are relations in the seed's interfaces, not columns of their own table.
const RELATION_FIELDS = new Set(["Policy.blocked_commands"]);

// Documented extensions of the seed's literal unions: values appended after the seed's own, each named
// here on purpose (docs/policy-engine.md: the `command` rule form). Anything else must equal the seed.
const ENUM_EXTENSIONS: Readonly<Record<string, readonly string[]>> = {
  "blocked_command.pattern_type": ["command"],
};

describe("seed entities", () => {
  it("has the 12 entities", () => {
    for (const entity of Object.keys(ENTITY_TABLES)) expect(seed.interfaces.has(entity), entity).toBe(true);
  });

  for (const [entity, table] of Object.entries(ENTITY_TABLES)) {
    it(`${entity} → public.${table}: every field is a column, every literal union an enum`, async () => {
      const cols = await columns("public", table);
      expect(cols.size, `table ${table} exists`).toBeGreaterThan(0);
      const fields = seed.interfaces.get(entity) ?? [];
      expect(fields.length).toBeGreaterThan(3);
      for (const field of fields) {
        if (RELATION_FIELDS.has(`${entity}.${field.name}`)) continue;
        const col = cols.get(field.name);
        expect(col, `${table}.${field.name}`).toBeDefined();
        if (!col) continue;
        if (!field.optional) expect(col.is_nullable, `${table}.${field.name} NOT NULL`).toBe("NO");
        const union = unionValues(field.type);
        if (union) {
          const extra = ENUM_EXTENSIONS[`${table}.${field.name}`] ?? [];
          expect(await enumValues(col.udt_name), `${table}.${field.name} values`).toEqual([
            ...union,
            ...extra,
          ]);
        }
        if (field.type.endsWith("[]"))
          expect(col.data_type, `${table}.${field.name} is an array`).toBe("ARRAY");
        if (field.type === "Date") expect(col.data_type).toBe("timestamp with time zone");
        if (field.type === "boolean") expect(col.data_type).toBe("boolean");
        if (field.type === "number") expect(["integer", "bigint", "real"]).toContain(col.data_type);
      }
    });
  }

  it("extends POLICY with uncheckable_action (documented extension, safe default)", async () => {
    const col = (await columns("public", "policy")).get("uncheckable_action");
    expect(col?.is_nullable).toBe("NO");
    expect(await enumValues(col?.udt_name ?? "")).toEqual(["allow", "require_approval", "block"]);
    const r = await client.query<{ d: string }>(
      "select column_default d from information_schema.columns where table_name = 'policy' and column_name = 'uncheckable_action'",
    );
    expect(r.rows[0]?.d).toContain("require_approval");
  });

  it("soft deletes where the seed has deleted_at", async () => {
    for (const table of ["user", "connection", "ssh_key"]) {
      expect((await columns("public", table)).get("deleted_at")?.is_nullable).toBe("YES");
    }
  });

  it("keeps OrganizationSettings as the settings document with every seed key by default", async () => {
    const keys = (seed.interfaces.get("OrganizationSettings") ?? [])
      .filter((f) => !f.optional)
      .map((f) => f.name);
    expect(keys.length).toBeGreaterThan(3);
    const r = await client.query<{ d: string }>(
      "select column_default d from information_schema.columns where table_name = 'organization' and column_name = 'settings'",
    );
    for (const k of keys) expect(r.rows[0]?.d).toContain(`"${k}"`);
  });
});

describe("seed enums", () => {
  const byColumn: Record<string, [string, string]> = {
    ConnectionType: ["connection", "type"],
    CommandStatus: ["command", "status"],
    AuditEventType: ["audit_log", "event_type"],
  };
  for (const [name, [table, column]] of Object.entries(byColumn)) {
    it(`${name} values are all accepted by ${table}.${column}`, async () => {
      const col = (await columns("public", table)).get(column);
      const values = await enumValues(col?.udt_name ?? "");
      const expected = seed.enums.get(name) ?? [];
      expect(expected.length).toBeGreaterThan(0);
      for (const v of expected) expect(values).toContain(v);
    });
  }

  it("Permission values are exactly the predefined Admin role's permissions", async () => {
    const r = await client.query<{ permissions: string[] }>(
      "select permissions from role where name = 'Admin' and organization_id is null",
    );
    expect([...(r.rows[0]?.permissions ?? [])].sort()).toEqual(
      [...(seed.enums.get("Permission") ?? [])].sort(),
    );
  });
});

describe("seed indexes", () => {
  it("lists the recommended indexes", () => expect(seed.indexes.length).toBe(22));
  for (const ix of seed.indexes) {
    it(`${ix.name} on ${ix.table}(${ix.columns.join(", ")})${ix.where ? ` where ${ix.where}` : ""}`, async () => {
      const r = await client.query<{ tablename: string; indexdef: string }>(
        "select tablename, indexdef from pg_indexes where schemaname = 'public' and indexname = $1",
        [ix.name],
      );
      expect(r.rows).toHaveLength(1);
      const def = r.rows[0]?.indexdef ?? "";
      expect(r.rows[0]?.tablename).toBe(ix.table);
      const cols = /USING btree \((.*?)\)( WHERE|$)/.exec(def)?.[1] ?? "";
      expect(cols.split(",").map((c) => c.trim().split(" ")[0]?.replace(/"/g, ""))).toEqual(ix.columns);
      if (ix.desc) expect(cols).toMatch(/DESC/);
      if (ix.where) {
        const [col, value] = ix.where.split("=").map((s) => s.trim());
        expect(def).toMatch(new RegExp(`WHERE \\(?${col} = ${value}`));
      } else {
        expect(def).not.toMatch(/WHERE/);
      }
    });
  }
});

describe("control plane", () => {
  it("has the command, auth and monitoring schemas with their tables and views", async () => {
    const r = await client.query<{ s: string; t: string }>(
      "select table_schema s, table_name t from information_schema.tables where table_schema in ('command','auth','monitoring')",
    );
    const names = r.rows.map((x) => `${x.s}.${x.t}`);
    for (const t of [
      "command.tenants",
      "command.tenant_features",
      "command.super_admins",
      "command.agents",
      "command.agent_enrollment_tokens",
      "auth.user_sessions",
      "auth.api_tokens",
      "auth.v_active_sessions",
      "monitoring.agent_metrics",
      "monitoring.agent_health",
      "monitoring.error_log",
      "monitoring.v_dashboard_summary",
    ]) {
      expect(names).toContain(t);
    }
    const tenantCols = await columns("command", "tenants");
    for (const c of [
      "subdomain",
      "tier",
      "status",
      "contact_email",
      "rut",
      "db_config_encrypted",
      "data_key_wrapped",
    ]) {
      expect(tenantCols.has(c), c).toBe(true);
    }
    const summary = await columns("monitoring", "v_dashboard_summary");
    for (const c of [
      "total_tenants",
      "active_users",
      "cpu_load_pct",
      "memory_usage_pct",
      "disk_usage_pct",
      "active_connections",
    ]) {
      expect(summary.has(c), c).toBe(true);
    }
  });
});

/// <reference types="vite/client" />
// /api/ssh-keys against real PostgreSQL in workerd: keys made by ssh-keygen (test/fixtures/ssh, with the
// `ssh-keygen -lf` output recorded beside them) imported through the API must come back with exactly
// ssh-keygen's fingerprint, public key and -lf line; private material never leaves, and is not plaintext
// at rest; bad keys get their precise error; deletion is soft and refused while a connection uses the key.
import { beforeAll, describe, expect, it } from "vitest";
import expected from "../fixtures/ssh/expected.json";
import {
  type Client,
  type ProvisionedTenant,
  provision,
  superAdmin,
  tenantClient,
  unique,
  userWithRole,
  withTestDb,
} from "../support/api.ts";

type Err = { error: { code: string; message: string; details?: { fields?: { path: string }[] } } };
type Key = {
  id: string;
  name: string;
  fingerprint: string;
  public_key: string;
  key_type: string;
  bits: number;
  comment: string;
  keygen: string;
  has_passphrase: boolean;
  user_id: string;
};

const files = import.meta.glob("../fixtures/ssh/*", {
  query: "?raw",
  import: "default",
  eager: true,
}) as Record<string, string>;
const keyText = (file: string): string => {
  const text = files[`../fixtures/ssh/${file}`];
  if (!text) throw new Error(`fixture ${file} missing`);
  return text;
};

/** A line from the middle of the armour: present in any leak of the private key text. */
const bodyLine = (text: string): string => {
  const lines = text.trim().split("\n");
  return lines[Math.floor(lines.length / 2)] as string;
};

async function sha256Fingerprint(publicKeyLine: string): Promise<string> {
  const blob = Uint8Array.from(atob(publicKeyLine.split(" ")[1] as string), (ch) => ch.charCodeAt(0));
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", blob));
  return `SHA256:${btoa(String.fromCharCode(...digest)).replace(/=+$/, "")}`;
}

let t: ProvisionedTenant;
let admin: Client;

beforeAll(async () => {
  t = await provision(await superAdmin());
  admin = await tenantClient(t);
});

describe("import", () => {
  for (const k of expected.keys) {
    it(`${k.file}: fingerprint, public key and -lf line exactly as ssh-keygen prints them`, async () => {
      const text = keyText(k.file);
      const r = await admin.post<Key>("/api/ssh-keys", {
        name: unique(k.file),
        private_key: text,
        ...(k.passphrase ? { passphrase: k.passphrase } : {}),
        // PEM files carry no comment: give the one ssh-keygen wrote into the .pub.
        ...(k.format === "pem" ? { comment: k.comment } : {}),
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      expect(r.body).toMatchObject({
        fingerprint: k.fingerprint,
        public_key: k.public_key,
        keygen: k.keygen,
        key_type: k.type,
        bits: k.bits,
        comment: k.comment,
        has_passphrase: Boolean(k.passphrase),
      });
      const got = await admin.get<Key>(`/api/ssh-keys/${r.body.id}`);
      expect(got.body).toEqual(r.body);
      const everything = JSON.stringify([
        r.body,
        got.body,
        (await admin.get("/api/ssh-keys?page_size=100")).body,
      ]);
      expect(everything).not.toContain(bodyLine(text));
      expect(everything).not.toContain("PRIVATE KEY");
      if (k.passphrase) expect(everything).not.toContain(k.passphrase);

      const [row] = await withTestDb(
        async (pool) =>
          (
            await pool.query<{ private_key_encrypted: string; passphrase_encrypted: string | null }>(
              "select private_key_encrypted, passphrase_encrypted from ssh_key where id = $1",
              [r.body.id],
            )
          ).rows,
      );
      expect(row?.private_key_encrypted).not.toContain(bodyLine(text));
      expect(row?.private_key_encrypted).not.toContain("PRIVATE KEY");
      if (k.passphrase) {
        expect(row?.passphrase_encrypted).toBeTruthy();
        expect(row?.passphrase_encrypted).not.toContain(k.passphrase);
      } else {
        expect(row?.passphrase_encrypted).toBeNull();
      }
    });
  }

  it("refuses a key stored already in the organization, not one stored by another", async () => {
    const own = await tenantClient(await provision(await superAdmin()));
    expect(
      (await own.post("/api/ssh-keys", { name: unique("dup"), private_key: keyText("ed25519") })).status,
    ).toBe(201);
    const again = await own.post<Err>("/api/ssh-keys", {
      name: unique("dup"),
      private_key: keyText("ed25519"),
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("CONFLICT");
    const other = await tenantClient(await provision(await superAdmin()));
    expect(
      (await other.post("/api/ssh-keys", { name: "mine", private_key: keyText("ed25519") })).status,
    ).toBe(201);
  });

  it("refuses a malformed key, a missing or wrong passphrase and unsupported formats with the key's code", async () => {
    const enc = keyText("ed25519-passphrase");
    const pem = keyText("ecdsa-p256-pem-passphrase");
    const truncated = keyText("rsa-3072").slice(0, 900);
    const cases: [Record<string, unknown>, string][] = [
      [{ private_key: "hello world" }, "SSH_KEY_MALFORMED"],
      [{ private_key: truncated }, "SSH_KEY_MALFORMED"],
      [{ private_key: expected.keys[0]?.public_key }, "SSH_KEY_MALFORMED"],
      [{ private_key: enc }, "SSH_KEY_PASSPHRASE_REQUIRED"],
      [{ private_key: enc, passphrase: "" }, "SSH_KEY_PASSPHRASE_REQUIRED"],
      [{ private_key: enc, passphrase: "wrong horse" }, "SSH_KEY_BAD_PASSPHRASE"],
      [{ private_key: pem, passphrase: "wrong" }, "SSH_KEY_BAD_PASSPHRASE"],
      [{ private_key: "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\n" }, "SSH_KEY_UNSUPPORTED"],
    ];
    for (const [body, code] of cases) {
      const r = await admin.post<Err>("/api/ssh-keys", { name: unique("bad"), ...body });
      expect(r.status, code).toBe(400);
      expect(r.body.error.code).toBe(code);
      expect(r.body.error.message.length).toBeGreaterThan(10);
    }
  });

  it("refuses bad input field by field", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ private_key: keyText("ed25519") }, "name"],
      [{ name: "", private_key: keyText("ed25519") }, "name"],
      [{ name: "k\u0000", private_key: keyText("ed25519") }, "name"],
      [{ name: "k" }, "private_key"],
      [{ name: "k", private_key: "x".repeat(70 * 1024) }, "private_key"],
      [{ name: "k", private_key: keyText("ed25519"), passphrase: 5 }, "passphrase"],
      [{ name: "k", private_key: keyText("ed25519"), comment: "a\nb" }, "comment"],
      [{ name: "k", private_key: keyText("ed25519"), user_id: t.id }, ""],
    ];
    for (const [body, field] of cases) {
      const r = await admin.post<Err>("/api/ssh-keys", body);
      expect(r.status, field).toBe(400);
      expect(r.body.error.code).toBe("VALIDATION_ERROR");
      expect(r.body.error.details?.fields?.map((f) => f.path)).toContain(field);
    }
    const gen = await admin.post<Err>("/api/ssh-keys/generate", { name: "k", private_key: "x" });
    expect(gen.status).toBe(400);
  });
});

describe("generate", () => {
  it("makes an ed25519 key whose fingerprint is the SHA-256 of its public blob; only the public half is shown", async () => {
    const name = unique("generated");
    const r = await admin.post<Key>("/api/ssh-keys/generate", { name });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ key_type: "ed25519", bits: 256, comment: name, has_passphrase: false });
    expect(r.body.public_key).toMatch(/^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI[A-Za-z0-9+/]{43} /);
    expect(r.body.fingerprint).toBe(await sha256Fingerprint(r.body.public_key));
    expect(r.body.keygen).toBe(`256 ${r.body.fingerprint} ${name} (ED25519)`);
    expect(JSON.stringify(r.body)).not.toContain("PRIVATE");
    const [row] = await withTestDb(
      async (pool) =>
        (await pool.query("select private_key_encrypted, user_id from ssh_key where id = $1", [r.body.id]))
          .rows,
    );
    expect(row.private_key_encrypted).not.toContain("OPENSSH");
    const other = await admin.post<Key>("/api/ssh-keys/generate", {
      name: unique("generated"),
      comment: "ops@example",
    });
    expect(other.body.comment).toBe("ops@example");
    expect(other.body.fingerprint).not.toBe(r.body.fingerprint);
  });
});

describe("delete, isolation and roles", () => {
  it("is refused while a live connection uses the key, then soft", async () => {
    const key = await admin.post<Key>("/api/ssh-keys/generate", { name: unique("used") });
    const conn = await admin.post<{ id: string }>("/api/connections", {
      name: unique("c"),
      hostname: "db.example",
      username: "root",
      auth_method: "ssh_key",
      ssh_key_id: key.body.id,
    });
    expect(conn.status).toBe(201);
    const busy = await admin.delete<Err & { error: { details: { connection_ids: string[] } } }>(
      `/api/ssh-keys/${key.body.id}`,
    );
    expect(busy.status).toBe(409);
    expect(busy.body.error.details.connection_ids).toEqual([conn.body.id]);
    expect((await admin.delete(`/api/connections/${conn.body.id}`)).status).toBe(204);
    expect((await admin.delete(`/api/ssh-keys/${key.body.id}`)).status).toBe(204);
    expect((await admin.get(`/api/ssh-keys/${key.body.id}`)).status).toBe(404);
    const [row] = await withTestDb(
      async (pool) => (await pool.query("select deleted_at from ssh_key where id = $1", [key.body.id])).rows,
    );
    expect(row.deleted_at).not.toBeNull();
    const events = await withTestDb(
      async (pool) =>
        (
          await pool.query<{ event_type: string }>(
            "select event_type from audit_log where organization_id = $1 and metadata->>'ssh_key_id' = $2 order by created_at",
            [t.id, key.body.id],
          )
        ).rows,
    );
    expect(events.map((e) => e.event_type)).toEqual(["ssh_key.created", "ssh_key.deleted"]);
  });

  it("another tenant's keys are 404 and never listed", async () => {
    const key = await admin.post<Key>("/api/ssh-keys/generate", { name: unique("private") });
    const them = await tenantClient(await provision(await superAdmin()));
    expect((await them.get(`/api/ssh-keys/${key.body.id}`)).status).toBe(404);
    expect((await them.delete(`/api/ssh-keys/${key.body.id}`)).status).toBe(404);
    const list = await them.get<{ data: Key[]; pagination: { total: number } }>("/api/ssh-keys");
    expect(list.body.data).toEqual([]);
    expect(list.body.pagination.total).toBe(0);
    expect((await admin.get(`/api/ssh-keys/${key.body.id}`)).status).toBe(200);
  });

  it("Observer reads; Technician creates and deletes only their own; Admin deletes any", async () => {
    const observer = await userWithRole(t, admin, "Observer");
    const tech = await userWithRole(t, admin, "Technician");
    const adminKey = await admin.post<Key>("/api/ssh-keys/generate", { name: unique("admin") });
    expect((await observer.client.get("/api/ssh-keys")).status).toBe(200);
    expect((await observer.client.get(`/api/ssh-keys/${adminKey.body.id}`)).status).toBe(200);
    expect((await observer.client.post("/api/ssh-keys/generate", { name: "o" })).status).toBe(403);
    expect(
      (await observer.client.post("/api/ssh-keys", { name: "o", private_key: keyText("rsa-3072") })).status,
    ).toBe(403);
    expect((await observer.client.delete(`/api/ssh-keys/${adminKey.body.id}`)).status).toBe(403);

    const techKey = await tech.client.post<Key>("/api/ssh-keys/generate", { name: unique("tech") });
    expect(techKey.status).toBe(201);
    expect(techKey.body.user_id).toBe(tech.id);
    expect((await tech.client.delete(`/api/ssh-keys/${adminKey.body.id}`)).status).toBe(403);
    expect((await tech.client.delete(`/api/ssh-keys/${techKey.body.id}`)).status).toBe(204);
    const techKey2 = await tech.client.post<Key>("/api/ssh-keys/generate", { name: unique("tech") });
    expect((await admin.delete(`/api/ssh-keys/${techKey2.body.id}`)).status).toBe(204);
  });
});

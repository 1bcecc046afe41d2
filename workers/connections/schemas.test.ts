import { describe, expect, it } from "vitest";
import { authIssues, createBody, isHostname, listQuery } from "./schemas.ts";

describe("isHostname", () => {
  it("takes DNS names, IPv4 and IPv6 addresses", () => {
    for (const h of ["web-01.internal.example", "localhost", "10.0.0.7", "fd00::7", "::1"]) {
      expect(isHostname(h), h).toBe(true);
    }
  });

  it("refuses a dotted all-digit name that is not an IPv4 address, and junk", () => {
    for (const h of ["10.0.0.256", "1.2.3", "999", "a b", "-lead.example", "under_score.example"]) {
      expect(isHostname(h), h).toBe(false);
    }
  });
});

describe("authIssues", () => {
  it("needs the method's secret unless it is stored already", () => {
    expect(authIssues({ type: "ssh", auth_method: "password" })).toEqual([
      { path: "password", message: "password is required when auth_method is password" },
    ]);
    expect(authIssues({ type: "ssh", auth_method: "password" }, { password: true })).toEqual([]);
    expect(authIssues({ type: "ssh", auth_method: "ssh_key", ssh_key_id: "k" })).toEqual([]);
  });

  it("refuses another method's secret and SSH keys on non-ssh connections", () => {
    const issues = authIssues({ type: "rdp", auth_method: "ssh_key", ssh_key_id: "k", password: "p" });
    expect(issues.map((i) => i.path).sort()).toEqual(["auth_method", "password"]);
  });
});

describe("telnet connections", () => {
  it("need no secret and no auth_method; the method reads as password", () => {
    const b = createBody.parse({ name: "t", type: "telnet", hostname: "h", username: "u" });
    expect(b.auth_method).toBe("password");
    expect(b.password).toBeUndefined();
    expect(authIssues({ type: "telnet", auth_method: "password" })).toEqual([]);
  });

  it("refuse any secret: the user logs in at the server's prompt", () => {
    const r = createBody.safeParse({
      name: "t",
      type: "telnet",
      hostname: "h",
      username: "u",
      auth_method: "password",
      password: "p",
    });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join("."))).toEqual(["password"]);
    const cert = authIssues({ type: "telnet", auth_method: "certificate", certificate: "c" });
    expect(cert.map((i) => i.path).sort()).toEqual(["auth_method", "certificate"]);
  });

  it("other types still need auth_method", () => {
    const r = createBody.safeParse({ name: "s", hostname: "h", username: "u" });
    expect(r.error?.issues.map((i) => i.path.join("."))).toEqual(["auth_method"]);
  });
});

describe("createBody and listQuery", () => {
  it("defaults type, tags, environment and status, and lower-cases the hostname", () => {
    const b = createBody.parse({
      name: "web",
      hostname: "DB.Example.COM",
      username: "deploy",
      auth_method: "password",
      password: "x",
    });
    expect(b).toMatchObject({
      type: "ssh",
      hostname: "db.example.com",
      tags: [],
      environment: "development",
      status: "active",
    });
  });

  it("pages with page and page_size, not pageSize", () => {
    expect(listQuery.parse({})).toMatchObject({ page: 1, page_size: 50 });
    expect(listQuery.parse({ page: "2", page_size: "200" })).toMatchObject({ page: 2, page_size: 200 });
    expect(listQuery.safeParse({ page_size: "201" }).success).toBe(false);
  });
});

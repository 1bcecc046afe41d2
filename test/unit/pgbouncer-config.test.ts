// The local pooler's configuration (infra/dev/pgbouncer.ts): transaction pooling in front of the given
// PostgreSQL, a bounded server pool and client wait, cleartext only on loopback, credentials quoted for
// PgBouncer's auth file, and the Worker's URL naming the pooler instead of the server.
import { describe, expect, it } from "vitest";
import { pgbouncerConfig } from "../../infra/dev/pgbouncer.ts";

describe("pgbouncerConfig", () => {
  const cfg = pgbouncerConfig("postgres://app%40x:pa%22ss%20w@127.0.0.1:54329/nostromo", 6500, "/tmp/u.txt");

  it("pools in transaction mode in front of the server, listening on loopback only", () => {
    expect(cfg.ini).toContain("* = host=127.0.0.1 port=54329\n");
    expect(cfg.ini).toContain("pool_mode = transaction\n");
    expect(cfg.ini).toContain("listen_addr = 127.0.0.1\n");
    expect(cfg.ini).toContain("listen_port = 6500\n");
    expect(cfg.ini).toContain("auth_file = /tmp/u.txt\n");
    expect(cfg.ini).toMatch(/\ndefault_pool_size = \d+\n/);
    expect(cfg.ini).toMatch(/\nquery_wait_timeout = \d+\n/);
  });

  it("writes the decoded credentials with PgBouncer's quoting", () => {
    expect(cfg.auth).toBe('"app@x" "pa""ss w"\n');
  });

  it("gives the Worker the same database and credentials through the pooler's port", () => {
    const u = new URL(cfg.url);
    expect([u.hostname, u.port, u.pathname]).toEqual(["127.0.0.1", "6500", "/nostromo"]);
    expect([decodeURIComponent(u.username), decodeURIComponent(u.password)]).toEqual(["app@x", 'pa"ss w']);
  });

  it("defaults the server port to PostgreSQL's", () => {
    expect(pgbouncerConfig("postgres://u:p@localhost/db", 1, "/a").ini).toContain(
      "host=localhost port=5432\n",
    );
  });
});

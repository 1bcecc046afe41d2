// Environment validation: defaults, normalisation, and errors that name the variable at fault.
import { describe, expect, it } from "vitest";
import { edgeWebSocketUrl, formatConfigErrors, loadConfig } from "../../containers/agent/src/config";

const base = { NOSTROMO_URL: "https://edge.example.com" };

describe("agent config", () => {
  it("applies the documented defaults", () => {
    const result = loadConfig(base);
    expect(result).toEqual({
      ok: true,
      config: {
        url: "https://edge.example.com",
        enrollToken: null,
        stateDir: "/var/lib/nostromo-agent",
        metricsIntervalMs: 10_000,
        heartbeatIntervalMs: 15_000,
        logLevel: "info",
        agentName: null,
      },
    });
  });

  it("reads every variable, trims a trailing slash and keeps a path prefix", () => {
    const result = loadConfig({
      NOSTROMO_URL: "http://127.0.0.1:8787/edge/",
      NOSTROMO_ENROLL_TOKEN: "tok_123",
      NOSTROMO_STATE_DIR: "/tmp/agent",
      NOSTROMO_METRICS_INTERVAL_MS: "1000",
      NOSTROMO_HEARTBEAT_INTERVAL_MS: "2000",
      NOSTROMO_LOG_LEVEL: "debug",
      NOSTROMO_AGENT_NAME: "rack-3",
    });
    if (!result.ok) throw new Error(result.errors.join("; "));
    expect(result.config).toMatchObject({
      url: "http://127.0.0.1:8787/edge",
      stateDir: "/tmp/agent",
      metricsIntervalMs: 1000,
      heartbeatIntervalMs: 2000,
      logLevel: "debug",
      agentName: "rack-3",
    });
    expect(result.config.enrollToken?.reveal()).toBe("tok_123");
    expect(JSON.stringify(result.config)).not.toContain("tok_123");
    expect(edgeWebSocketUrl(result.config.url, "/api/agents/link")).toBe(
      "ws://127.0.0.1:8787/edge/api/agents/link",
    );
    expect(edgeWebSocketUrl("https://e.example", "/x")).toBe("wss://e.example/x");
  });

  it("treats empty values as unset", () => {
    const result = loadConfig({
      ...base,
      NOSTROMO_ENROLL_TOKEN: "",
      NOSTROMO_AGENT_NAME: " ",
      NOSTROMO_LOG_LEVEL: "",
    });
    expect(result).toMatchObject({
      ok: true,
      config: { enrollToken: null, agentName: null, logLevel: "info" },
    });
  });

  it.each([
    [{}, /^NOSTROMO_URL is required/],
    [{ NOSTROMO_URL: "edge.example.com" }, /^NOSTROMO_URL must be an http:\/\/ or https:\/\/ URL/],
    [{ NOSTROMO_URL: "ftp://edge.example.com" }, /^NOSTROMO_URL must be an http:\/\/ or https:\/\/ URL/],
    [{ NOSTROMO_URL: "https://u:p@edge.example.com" }, /^NOSTROMO_URL must not contain credentials/],
    [
      { ...base, NOSTROMO_METRICS_INTERVAL_MS: "500" },
      /^NOSTROMO_METRICS_INTERVAL_MS must be at least 1000 ms/,
    ],
    [
      { ...base, NOSTROMO_METRICS_INTERVAL_MS: "10s" },
      /^NOSTROMO_METRICS_INTERVAL_MS must be a whole number/,
    ],
    [
      { ...base, NOSTROMO_HEARTBEAT_INTERVAL_MS: "-5" },
      /^NOSTROMO_HEARTBEAT_INTERVAL_MS must be a whole number/,
    ],
    [
      { ...base, NOSTROMO_LOG_LEVEL: "verbose" },
      /^NOSTROMO_LOG_LEVEL must be one of debug, info, warn, error/,
    ],
    [{ ...base, NOSTROMO_STATE_DIR: "state" }, /^NOSTROMO_STATE_DIR must be an absolute path/],
  ])("rejects %j with a readable message", (env, message) => {
    const result = loadConfig(env);
    if (result.ok) throw new Error("expected a configuration error");
    expect(result.errors[0]).toMatch(message);
  });

  it("reports every bad variable at once", () => {
    const result = loadConfig({ NOSTROMO_LOG_LEVEL: "loud", NOSTROMO_METRICS_INTERVAL_MS: "1" });
    if (result.ok) throw new Error("expected a configuration error");
    expect(result.errors).toHaveLength(3);
    expect(formatConfigErrors(result.errors)).toMatch(
      /^nostromo-agent: invalid configuration\n {2}- NOSTROMO_URL/,
    );
  });
});

import { describe, expect, it } from "vitest";
import { dockerRunLine, shellQuote } from "./docker-run.ts";

describe("dockerRunLine", () => {
  it("passes the edge URL and the token as the agent's variables, with its state volume", () => {
    expect(dockerRunLine({ url: "https://acme.example.com", token: "abc_DEF-123" })).toBe(
      [
        "docker run -d --name nostromo-agent --restart unless-stopped",
        "-e NOSTROMO_URL=https://acme.example.com",
        "-e NOSTROMO_ENROLL_TOKEN=abc_DEF-123",
        "-v nostromo-agent:/var/lib/nostromo-agent nostromo-agent",
      ].join(" \\\n  "),
    );
  });

  it("quotes a name the shell would split or expand", () => {
    const line = dockerRunLine({ url: "http://x", token: "t", name: "web 1 $(id)" });
    expect(line).toContain("-e 'NOSTROMO_AGENT_NAME=web 1 $(id)'");
  });
});

describe("shellQuote", () => {
  it("escapes single quotes inside quotes", () => {
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
  });
});

// Protocol evolution: an unknown frame type is told apart from garbage, without throwing.
import { describe, expect, it } from "vitest";
import { AGENT_FRAME_TYPES, EDGE_FRAME_TYPES } from "./agent";
import { AGENT_DATA_FRAME_TYPES, EDGE_DATA_FRAME_TYPES } from "./agent-data";
import { unknownFrameType } from "./evolution";
import { MAX_FRAME_BYTES } from "./frame";

describe("unknownFrameType", () => {
  it("names the type of a well-formed frame this version does not know", () => {
    expect(unknownFrameType('{"t":"session.paused","sessionId":"x"}', AGENT_FRAME_TYPES)).toBe(
      "session.paused",
    );
    expect(unknownFrameType('{"t":"snapshot.request"}', EDGE_FRAME_TYPES)).toBe("snapshot.request");
  });

  it("a known type with a bad shape is garbage, not unknown", () => {
    expect(unknownFrameType('{"t":"metrics","cpu_load_pct":"lots"}', AGENT_FRAME_TYPES)).toBeNull();
    expect(unknownFrameType('{"t":"ready","resumed":"yes"}', AGENT_DATA_FRAME_TYPES)).toBeNull();
  });

  it("garbage of every kind is null, never a throw", () => {
    for (const g of [
      "{not json",
      "[]",
      "null",
      '"t"',
      '{"t":5}',
      '{"t":""}',
      `{"t":"${"x".repeat(65)}"}`,
      '{"__proto__":{"t":"x"}}',
      `{"t":"big","pad":"${"x".repeat(MAX_FRAME_BYTES)}"}`,
      new ArrayBuffer(4),
      undefined,
    ])
      expect(unknownFrameType(g, AGENT_FRAME_TYPES)).toBeNull();
  });

  it("every type of this version is known to both sides' sets", () => {
    expect([...AGENT_FRAME_TYPES].sort()).toContain("heartbeat");
    expect([...EDGE_FRAME_TYPES].sort()).toContain("session.open");
    expect([...EDGE_DATA_FRAME_TYPES].sort()).toEqual(["close", "resize", "resume"]);
    expect([...AGENT_DATA_FRAME_TYPES].sort()).toEqual(["error", "exit", "ready"]);
  });
});

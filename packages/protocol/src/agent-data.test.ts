// Data-socket control frames: round-trips in both directions, garbage rejected without throwing.
import { describe, expect, it } from "vitest";
import {
  type AgentDataFrame,
  type EdgeDataFrame,
  encodeAgentDataFrame,
  encodeEdgeDataFrame,
  parseAgentDataFrame,
  parseEdgeDataFrame,
} from "./agent-data";

describe("data socket frames", () => {
  const fromEdge: EdgeDataFrame[] = [
    { t: "resize", cols: 132, rows: 43 },
    { t: "close", reason: "session ended" },
  ];
  const fromAgent: AgentDataFrame[] = [
    { t: "ready" },
    { t: "ready", resumed: true },
    { t: "exit", code: 0, signal: null },
    { t: "exit", code: null, signal: "KILL" },
    { t: "error", code: "INTERNAL", message: "shell could not start" },
  ];

  it.each(fromEdge.map((f) => [f.t, f] as const))("edge %s round-trips", (_t, frame) => {
    expect(parseEdgeDataFrame(encodeEdgeDataFrame(frame))).toEqual({ ok: true, msg: frame });
  });

  it.each(fromAgent.map((f) => [f.t, f] as const))("agent %s round-trips", (_t, frame) => {
    expect(parseAgentDataFrame(encodeAgentDataFrame(frame))).toEqual({ ok: true, msg: frame });
  });

  it.each([
    ["non-JSON", "\u001b[A"],
    ["a resize without rows", '{"t":"resize","cols":80}'],
    ["a negative size", '{"t":"resize","cols":-1,"rows":24}'],
    ["a fractional size", '{"t":"resize","cols":80.5,"rows":24}'],
    ["an agent frame sent by the edge", '{"t":"ready"}'],
    ["binary data", new Uint8Array([1, 2, 3])],
  ])("rejects %s from the edge", (_name, data) => {
    expect(parseEdgeDataFrame(data).ok).toBe(false);
  });

  it("rejects an exit frame with an unknown error code", () => {
    expect(parseAgentDataFrame('{"t":"error","code":"OOPS","message":"x"}').ok).toBe(false);
  });
});

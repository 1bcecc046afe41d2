// The RDP session's frames: `rdp.open` on the control link (a path and a host, never a URL the data token
// could be sent to elsewhere) and the few text frames of its data socket.
import { describe, expect, it } from "vitest";
import { parseEdgeFrame } from "./agent";
import { AGENT_RDP_DATA_FRAME_TYPES, parseAgentRdpDataFrame, parseEdgeRdpDataFrame } from "./rdp";

const open = {
  t: "rdp.open",
  sessionId: "0b9c2f8e-8a43-4df4-9d67-6a3e7c5d2e10",
  dataUrl: "/api/remote-sessions/0b9c2f8e-8a43-4df4-9d67-6a3e7c5d2e10/agent",
  dataToken: "tok",
  host: "10.0.0.5",
  port: 3389,
};

describe("rdp.open", () => {
  it("parses as an edge frame", () => {
    expect(parseEdgeFrame(JSON.stringify(open))).toEqual({ ok: true, msg: open });
  });

  it("refuses an absolute data URL, a host with a path or credentials, and a bad port", () => {
    for (const bad of [
      { dataUrl: "https://evil.example/x" },
      { dataUrl: "//evil.example/x" },
      { host: "evil.example/x" },
      { host: "user@10.0.0.5" },
      { port: 0 },
      { port: 65536 },
    ])
      expect(parseEdgeFrame(JSON.stringify({ ...open, ...bad })).ok).toBe(false);
  });
});

describe("the RDP data socket", () => {
  it("the agent says ready and error; the edge says close", () => {
    expect(parseAgentRdpDataFrame('{"t":"ready"}').ok).toBe(true);
    expect(parseAgentRdpDataFrame('{"t":"error","code":"CONNECT_FAILED","message":"refused"}').ok).toBe(true);
    expect(parseAgentRdpDataFrame('{"t":"error","code":"NOPE","message":"x"}').ok).toBe(false);
    expect(parseAgentRdpDataFrame('{"t":"tcp.open","stream":1}').ok).toBe(false);
    expect([...AGENT_RDP_DATA_FRAME_TYPES].sort()).toEqual(["error", "ready"]);
    expect(parseEdgeRdpDataFrame('{"t":"close","reason":"ended"}').ok).toBe(true);
    expect(parseEdgeRdpDataFrame("not json").ok).toBe(false);
  });
});

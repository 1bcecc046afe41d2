import { describe, expect, it } from "vitest";
import { EscapeReader } from "./escape.ts";

const feed = (r: EscapeReader, s: string) => {
  const { send, actions } = r.feed(Buffer.from(s));
  return { send: send.toString(), actions };
};

describe("ssh-style escapes", () => {
  it("disconnects on ~. at the start and right after Enter, sending what came before", () => {
    expect(feed(new EscapeReader(), "~.")).toEqual({ send: "", actions: ["disconnect"] });
    expect(feed(new EscapeReader(), "ls\r~.rest")).toEqual({ send: "ls\r", actions: ["disconnect"] });
  });

  it("leaves ~ alone in the middle of a line, and Ctrl-C always", () => {
    expect(feed(new EscapeReader(), "cd ~.\x03")).toEqual({ send: "cd ~.\x03", actions: [] });
  });

  it("~~ sends one ~, ~x sends both, ~? asks for help", () => {
    const r = new EscapeReader();
    expect(feed(r, "~~")).toEqual({ send: "~", actions: [] });
    expect(feed(new EscapeReader(), "~x")).toEqual({ send: "~x", actions: [] });
    expect(feed(new EscapeReader(), "\r~?")).toEqual({ send: "\r", actions: ["help"] });
  });

  it("recognizes an escape split across chunks", () => {
    const r = new EscapeReader();
    expect(feed(r, "echo\r")).toEqual({ send: "echo\r", actions: [] });
    expect(feed(r, "~")).toEqual({ send: "", actions: [] });
    expect(feed(r, ".")).toEqual({ send: "", actions: ["disconnect"] });
  });
});

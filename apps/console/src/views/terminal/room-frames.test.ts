import { describe, expect, it } from "vitest";
import { isOver, readRoomFrame } from "./room-frames.ts";

describe("room frames", () => {
  it("reads the frames the console uses", () => {
    const hello = JSON.stringify({
      t: "hello",
      you: { userId: "u", role: "owner", canType: true, canSee: true, canShare: true },
      session: { id: "s", publicId: "p", status: "active", cols: 120, rows: 30, recording: true },
    });
    expect(readRoomFrame(hello)).toEqual({
      t: "hello",
      canType: true,
      role: "owner",
      status: "active",
      cols: 120,
      rows: 30,
    });
    expect(readRoomFrame('{"t":"snapshot","data":"$ ","cols":100,"rows":20}')).toEqual({
      t: "snapshot",
      data: "$ ",
      cols: 100,
      rows: 20,
    });
    expect(readRoomFrame('{"t":"status","status":"ended","reason":"killed"}')).toEqual({
      t: "status",
      status: "ended",
      reason: "killed",
    });
    expect(
      readRoomFrame('{"t":"presence","participants":[{"name":"A","role":"viewer","canType":false},3]}'),
    ).toEqual({
      t: "presence",
      participants: [{ name: "A", role: "viewer", canType: false }],
    });
  });

  it("ignores what it does not know instead of throwing", () => {
    expect(readRoomFrame("not json")).toBeNull();
    expect(readRoomFrame("[1,2]")).toBeNull();
    expect(readRoomFrame('{"t":"approval-result"}')).toBeNull();
    expect(readRoomFrame('{"t":"resize","cols":"x"}')).toEqual({ t: "resize", cols: 80, rows: 24 });
    expect(isOver("ended")).toBe(true);
    expect(isOver("active")).toBe(false);
  });
});

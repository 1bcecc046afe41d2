import { describe, expect, it } from "vitest";
import { isOver, readRoomFrame } from "./room-frames.ts";

describe("room frames", () => {
  it("reads the frames the console uses", () => {
    const hello = JSON.stringify({
      t: "hello",
      you: { userId: "u", role: "owner", canType: true, canSee: true, canShare: true, canApprove: false },
      session: { id: "s", publicId: "p", status: "active", cols: 120, rows: 30, recording: true },
    });
    expect(readRoomFrame(hello)).toEqual({
      t: "hello",
      userId: "u",
      canType: true,
      canShare: true,
      canApprove: false,
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
      readRoomFrame(
        '{"t":"presence","participants":[{"userId":"a","name":"A","role":"viewer","canType":false,"mayType":true},3]}',
      ),
    ).toEqual({
      t: "presence",
      participants: [{ userId: "a", name: "A", role: "viewer", canType: false, mayType: true }],
    });
  });

  it("reads a blocked notice's rule and reason, and the approval frames", () => {
    const blocked = JSON.stringify({
      t: "notice",
      level: "error",
      code: "COMMAND_BLOCKED",
      message: 'Blocked by "No rm": rm -rf /',
      data: { rule: "No rm", severity: "critical", reason: "Matches a blocked pattern" },
    });
    expect(readRoomFrame(blocked)).toEqual({
      t: "notice",
      level: "error",
      code: "COMMAND_BLOCKED",
      message: 'Blocked by "No rm": rm -rf /',
      rule: "No rm",
      reason: "Matches a blocked pattern",
    });
    const approval = JSON.stringify({
      t: "approval",
      commandId: "c1",
      command: "touch x",
      typist: { userId: "u", name: "Tess" },
      rule: "Needs approval",
      expiresAt: 1,
    });
    expect(readRoomFrame(approval)).toEqual({
      t: "approval",
      commandId: "c1",
      command: "touch x",
      typist: { userId: "u", name: "Tess" },
      rule: "Needs approval",
    });
    expect(readRoomFrame('{"t":"approval-result","commandId":"c1","approved":false,"by":null}')).toEqual({
      t: "approval-result",
      commandId: "c1",
      approved: false,
      by: null,
    });
  });

  it("ignores what it does not know instead of throwing", () => {
    expect(readRoomFrame("not json")).toBeNull();
    expect(readRoomFrame("[1,2]")).toBeNull();
    expect(readRoomFrame('{"t":"approval"}')).toBeNull();
    expect(readRoomFrame('{"t":"later-frame"}')).toBeNull();
    expect(readRoomFrame('{"t":"resize","cols":"x"}')).toEqual({ t: "resize", cols: 80, rows: 24 });
    expect(readRoomFrame('{"t":"notice","message":"m"}')).toEqual({
      t: "notice",
      level: "info",
      message: "m",
      code: "",
      rule: null,
      reason: null,
    });
    expect(isOver("ended")).toBe(true);
    expect(isOver("active")).toBe(false);
  });
});

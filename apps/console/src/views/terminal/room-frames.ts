// The text frames a session room sends a viewer (packages/protocol viewer.ts RoomFrame), read defensively:
// a frame that is not JSON, or not one the console knows, is ignored rather than thrown on, so a newer
// server cannot break an open terminal.
export interface Participant {
  userId: string;
  name: string;
  role: string;
  canType: boolean;
  /** Their role may run commands: only then can typing be handed to them. */
  mayType: boolean;
}

export type RoomEvent =
  | {
      t: "hello";
      userId: string;
      canType: boolean;
      canShare: boolean;
      canApprove: boolean;
      role: string;
      status: string;
      cols: number;
      rows: number;
    }
  | { t: "snapshot"; data: string; cols: number; rows: number }
  | { t: "resize"; cols: number; rows: number }
  | { t: "status"; status: string; reason: string | null }
  | { t: "presence"; participants: Participant[] }
  | { t: "notice"; level: string; message: string; code: string; rule: string | null; reason: string | null }
  | { t: "error"; code: string; message: string }
  | {
      t: "approval";
      commandId: string;
      command: string;
      typist: { userId: string; name: string };
      rule: string | null;
    }
  | { t: "approval-result"; commandId: string; approved: boolean; by: string | null }
  | { t: "pong" };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null;
const num = (v: unknown, fallback: number) => (typeof v === "number" && Number.isFinite(v) ? v : fallback);
const text = (v: unknown) => (typeof v === "string" ? v : "");
const textOrNull = (v: unknown) => (typeof v === "string" ? v : null);

function hello(f: Obj): RoomEvent {
  const you = isObj(f.you) ? f.you : {};
  const session = isObj(f.session) ? f.session : {};
  return {
    t: "hello",
    userId: text(you.userId),
    canType: you.canType === true,
    canShare: you.canShare === true,
    canApprove: you.canApprove === true,
    role: text(you.role),
    status: text(session.status),
    cols: num(session.cols, 80),
    rows: num(session.rows, 24),
  };
}

function notice(f: Obj): RoomEvent {
  const data = isObj(f.data) ? f.data : {};
  return {
    t: "notice",
    level: text(f.level) || "info",
    message: text(f.message),
    code: text(f.code),
    rule: textOrNull(data.rule),
    reason: textOrNull(data.reason),
  };
}

export function readRoomFrame(raw: string): RoomEvent | null {
  let f: unknown;
  try {
    f = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!isObj(f)) return null;
  switch (f.t) {
    case "hello":
      return hello(f);
    case "snapshot":
      return { t: "snapshot", data: text(f.data), cols: num(f.cols, 80), rows: num(f.rows, 24) };
    case "resize":
      return { t: "resize", cols: num(f.cols, 80), rows: num(f.rows, 24) };
    case "status":
      return { t: "status", status: text(f.status), reason: textOrNull(f.reason) };
    case "presence":
      return {
        t: "presence",
        participants: (Array.isArray(f.participants) ? f.participants : []).filter(isObj).map((p) => ({
          userId: text(p.userId),
          name: text(p.name),
          role: text(p.role),
          canType: p.canType === true,
          mayType: p.mayType === true,
        })),
      };
    case "notice":
      return notice(f);
    case "error":
      return { t: "error", code: text(f.code), message: text(f.message) };
    case "approval": {
      const typist = isObj(f.typist) ? f.typist : {};
      if (!text(f.commandId)) return null;
      return {
        t: "approval",
        commandId: text(f.commandId),
        command: text(f.command),
        typist: { userId: text(typist.userId), name: text(typist.name) },
        rule: textOrNull(f.rule),
      };
    }
    case "approval-result":
      return {
        t: "approval-result",
        commandId: text(f.commandId),
        approved: f.approved === true,
        by: textOrNull(f.by),
      };
    case "pong":
      return { t: "pong" };
    default:
      return null;
  }
}

export const isOver = (status: string): boolean => status === "ended" || status === "error";

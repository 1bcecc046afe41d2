// The text frames a session room sends a viewer (workers/protocol/viewer.ts RoomFrame), read defensively:
// a frame that is not JSON, or not one the console knows, is ignored rather than thrown on, so a newer
// server cannot break an open terminal.
export type RoomEvent =
  | { t: "hello"; canType: boolean; role: string; status: string; cols: number; rows: number }
  | { t: "snapshot"; data: string; cols: number; rows: number }
  | { t: "resize"; cols: number; rows: number }
  | { t: "status"; status: string; reason: string | null }
  | { t: "presence"; participants: { name: string; role: string; canType: boolean }[] }
  | { t: "notice"; level: string; message: string }
  | { t: "error"; code: string; message: string }
  | { t: "pong" };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null;
const num = (v: unknown, fallback: number) => (typeof v === "number" && Number.isFinite(v) ? v : fallback);
const text = (v: unknown) => (typeof v === "string" ? v : "");

export function readRoomFrame(raw: string): RoomEvent | null {
  let f: unknown;
  try {
    f = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!isObj(f)) return null;
  switch (f.t) {
    case "hello": {
      const you = isObj(f.you) ? f.you : {};
      const session = isObj(f.session) ? f.session : {};
      return {
        t: "hello",
        canType: you.canType === true,
        role: text(you.role),
        status: text(session.status),
        cols: num(session.cols, 80),
        rows: num(session.rows, 24),
      };
    }
    case "snapshot":
      return { t: "snapshot", data: text(f.data), cols: num(f.cols, 80), rows: num(f.rows, 24) };
    case "resize":
      return { t: "resize", cols: num(f.cols, 80), rows: num(f.rows, 24) };
    case "status":
      return { t: "status", status: text(f.status), reason: typeof f.reason === "string" ? f.reason : null };
    case "presence":
      return {
        t: "presence",
        participants: (Array.isArray(f.participants) ? f.participants : []).filter(isObj).map((p) => ({
          name: text(p.name),
          role: text(p.role),
          canType: p.canType === true,
        })),
      };
    case "notice":
      return { t: "notice", level: text(f.level) || "info", message: text(f.message) };
    case "error":
      return { t: "error", code: text(f.code), message: text(f.message) };
    case "pong":
      return { t: "pong" };
    default:
      return null;
  }
}

export const isOver = (status: string): boolean => status === "ended" || status === "error";

// The viewer WebSocket protocol of a live session (browser console, CLI): binary frames carry raw terminal
// bytes (keystrokes in, output out); text frames are these zod-validated JSON messages.
import { z } from "zod";
import { type ParseResult, parseFrame } from "./frame.ts";

const size = { cols: z.number().int().min(10).max(1000), rows: z.number().int().min(2).max(500) };
const userId = z.uuid();

export const ViewerFrameSchema = z.discriminatedUnion("t", [
  z.object({
    t: z.literal("input"),
    data: z
      .string()
      .min(1)
      .max(64 * 1024),
  }),
  z.object({ t: z.literal("resize"), ...size }),
  z.object({ t: z.literal("set-role"), userId, role: z.enum(["collaborator", "viewer"]) }),
  z.object({ t: z.literal("set-typing"), userId, canType: z.boolean() }),
  z.object({ t: z.literal("approve"), commandId: z.uuid(), approve: z.boolean() }),
  z.object({ t: z.literal("ping") }),
]);
export type ViewerFrame = z.infer<typeof ViewerFrameSchema>;

export function parseViewerFrame(data: unknown): ParseResult<ViewerFrame> {
  return parseFrame(ViewerFrameSchema, data);
}

export interface ParticipantView {
  userId: string;
  name: string;
  role: "owner" | "collaborator" | "viewer";
  canType: boolean;
  /** Their role may run commands (session:start): only then can typing be handed to them. */
  mayType: boolean;
  canSee: boolean;
  canShare: boolean;
  connections: number;
}

export type RoomFrame =
  | {
      t: "hello";
      you: {
        userId: string;
        role: string;
        canType: boolean;
        canSee: boolean;
        canShare: boolean;
        /** May approve or deny a command held for approval (policies:manage). */
        canApprove: boolean;
      };
      session: {
        id: string;
        publicId: string;
        status: string;
        cols: number;
        rows: number;
        recording: boolean;
      };
    }
  | { t: "snapshot"; data: string; cols: number; rows: number }
  | { t: "presence"; participants: ParticipantView[] }
  /** `exitCode`: the remote shell's exit status, when it exited (status "ended"). */
  | { t: "status"; status: string; reason?: string; exitCode?: number }
  | { t: "resize"; cols: number; rows: number }
  | {
      t: "notice";
      level: "info" | "warn" | "error";
      message: string;
      code?: string;
      data?: Record<string, unknown>;
    }
  | { t: "error"; code: string; message: string }
  | {
      t: "approval";
      commandId: string;
      command: string;
      typist: { userId: string; name: string };
      rule: string | null;
      expiresAt: number;
    }
  | { t: "approval-result"; commandId: string; approved: boolean; by: string | null }
  | { t: "pong" };

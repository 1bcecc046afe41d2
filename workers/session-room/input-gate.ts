// Bounds on what typists may send into a live session. A frame larger than any keystroke burst or paste a
// terminal produces is refused whole (never relayed: the agent's data socket refuses frames over 1 MiB, and
// a shell fed megabytes of typed input is not a use), and so is input arriving faster than the command
// tracker judges it. Refusals are `error` frames with a stable code; the session goes on.
import type { RoomFrame } from "@nostromo/protocol";

/** The largest binary input frame (the JSON `input` frame has the same cap). */
export const MAX_INPUT_FRAME = 64 * 1024;
/** Input received and not yet judged, across typists. */
export const MAX_INPUT_BACKLOG = 1024 * 1024;

export function refuseInput(bytes: number, backlog: number): RoomFrame | null {
  if (bytes > MAX_INPUT_FRAME)
    return {
      t: "error",
      code: "INPUT_TOO_LARGE",
      message: `Input frames are limited to ${MAX_INPUT_FRAME} bytes (got ${bytes}); nothing of it was sent — split large pastes`,
    };
  if (backlog + bytes > MAX_INPUT_BACKLOG)
    return {
      t: "error",
      code: "INPUT_TOO_LARGE",
      message: "Input is arriving faster than it can be checked; this frame was not sent",
    };
  return null;
}

/** The notice a typist gets when input sent after a refused line was dropped. */
export function droppedNotice(bytes: number): RoomFrame {
  return {
    t: "notice",
    level: "warn",
    code: "INPUT_DROPPED",
    message: `${bytes} byte${bytes === 1 ? "" : "s"} typed after a line that was not let through ${bytes === 1 ? "was" : "were"} not sent`,
    data: { bytes },
  };
}

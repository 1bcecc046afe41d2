// What the end-to-end tests do with a session's recording: wait until it is ready, download it as its
// owner's browser would (cookie and tenant), read its output back, and replay it through a terminal model
// to compare with the screen the viewers saw.
import { Terminal } from "@xterm/headless";
import { parseCast } from "../../workers/session-room/asciicast.ts";
import { type Http, waitFor } from "./harness.ts";

type Cast = ReturnType<typeof parseCast>;

/** The recording's row once its status is ready. */
export function recordingReady(client: Http, recordingId: string) {
  return waitFor("recording ready", async () => {
    const r = await client.call<{ status: string; file_size_bytes: number }>(
      "GET",
      `/api/recordings/${recordingId}`,
    );
    return r.body.status === "ready" ? r.body : null;
  });
}

/** The recording's download, parsed; the HTTP status for the caller to check. */
export async function downloadCast(
  client: Http,
  recordingId: string,
): Promise<{ status: number; cast: Cast }> {
  const file = await fetch(`${client.base}/api/recordings/${recordingId}/download`, {
    headers: { cookie: `sid=${client.cookie}`, "x-tenant-id": client.tenantId ?? "" },
  });
  return { status: file.status, cast: parseCast(await file.text()) };
}

/** Every output event's data, in order. */
export function castOutput(cast: Cast): string {
  return cast.events
    .filter(([, type]) => type === "o")
    .map(([, , data]) => data)
    .join("");
}

/** The screen an empty terminal of this size shows after the recording's output, line by line. */
export async function replayScreen(cast: Cast, cols: number, rows: number): Promise<string[]> {
  const t = new Terminal({ cols, rows, allowProposedApi: true });
  for (const [, type, data] of cast.events)
    if (type === "o") await new Promise<void>((r) => t.write(data, r));
  const screen: string[] = [];
  for (let i = 0; i < rows; i++)
    screen.push(t.buffer.active.getLine(t.buffer.active.viewportY + i)?.translateToString(true) ?? "");
  return screen;
}

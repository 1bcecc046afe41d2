// An RDP session's recording played in the page by IronRDP's client, built as the live view builds it with
// the recorded desktop size, through a stand-in socket that answers with the recorded server bytes
// (rdp-replay.ts) — the picture is drawn by the same code that drew it live; fetching, states and Play
// again are the shared player's (../player/player-frame.tsx).
import { RecordingPlayer } from "../player/player-frame.tsx";
import { parseRdpRecording, ReplaySocket } from "./rdp-replay.ts";
import "./desktop.css";

export function RdpPlayer({ id }: { id: string }) {
  return (
    <RecordingPlayer
      id={id}
      load={() => import("./rdp-client.ts")}
      play={async (text, host, { mountRdp }, on) => {
        const recording = parseRdpRecording(text);
        let socket: ReplaySocket | null = null;
        const client = await mountRdp(
          host,
          "ws://recording.invalid/",
          recording.clipboard,
          {
            connected: on.playing,
            resized: () => {},
            ended: () => {},
            failed: (why) => on.failed(new Error(why)),
          },
          {
            size: { width: recording.width, height: recording.height },
            socket: (url) => {
              socket = new ReplaySocket(url, recording, on.done);
              return socket;
            },
          },
        );
        return () => {
          client.close();
          (socket as ReplaySocket | null)?.close();
        };
      }}
      classes={{ section: "desktop-page", bar: "toolbar", host: "desktop-host" }}
      testId="rdp-replay"
    />
  );
}

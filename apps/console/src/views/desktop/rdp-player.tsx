// An RDP session's recording played in the page: the file is fetched through the API module (the same bytes
// `/api/recordings/:id/download` serves) and played by IronRDP's client, built as the live view builds it
// with the recorded desktop size, through a stand-in socket that answers with the recorded server bytes
// (rdp-replay.ts) — the picture is drawn by the same code that drew it live.
import { useEffect, useRef, useState } from "preact/hooks";
import { downloadRecording } from "../../api/index.ts";
import { PlayerFrame, type PlayerState } from "../player/player-frame.tsx";
import { parseRdpRecording, ReplaySocket } from "./rdp-replay.ts";
import "./desktop.css";

export function RdpPlayer({ id }: { id: string }) {
  const box = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<PlayerState>("loading");
  const [run, setRun] = useState(0);
  useEffect(() => {
    let gone = false;
    let stop = () => {};
    const failed = (error: unknown) => !gone && setState({ error });
    Promise.all([downloadRecording(id).then(({ blob }) => blob.text()), import("./rdp-client.ts")])
      .then(async ([text, { mountRdp }]) => {
        const host = box.current;
        if (gone || !host) return;
        const recording = parseRdpRecording(text);
        let socket: ReplaySocket | null = null;
        const client = await mountRdp(
          host,
          "ws://recording.invalid/",
          recording.clipboard,
          {
            connected: () => !gone && setState("playing"),
            resized: () => {},
            ended: () => {},
            failed: (why) => failed(new Error(why)),
          },
          {
            size: { width: recording.width, height: recording.height },
            socket: (url) => {
              socket = new ReplaySocket(url, recording, () => !gone && setState("done"));
              return socket;
            },
          },
        );
        stop = () => {
          client.close();
          (socket as ReplaySocket | null)?.close();
        };
        if (gone) stop();
      })
      .catch(failed);
    return () => {
      gone = true;
      stop();
    };
  }, [id, run]);
  return (
    <PlayerFrame
      state={state}
      replay={() => setRun((n) => n + 1)}
      classes={{ section: "desktop-page", bar: "toolbar", host: "desktop-host" }}
      host={box}
      testId="rdp-replay"
    />
  );
}

// A VNC session's recording played in the page: the file is fetched through the API module (the same bytes
// `/api/recordings/:id/download` serves) and played by noVNC through a stand-in socket (replay.ts), so the
// picture is drawn by the same code that drew it live.
import { useEffect, useRef, useState } from "preact/hooks";
import { downloadRecording } from "../../api/index.ts";
import { PlayerFrame, type PlayerState } from "../player/player-frame.tsx";
import { loadRfb } from "./novnc.ts";
import { parseRecording, ReplayChannel } from "./replay.ts";
import "./vnc.css";

export function VncPlayer({ id }: { id: string }) {
  const box = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<PlayerState>("loading");
  const [run, setRun] = useState(0);
  useEffect(() => {
    let gone = false;
    let stop = () => {};
    Promise.all([downloadRecording(id).then(({ blob }) => blob.text()), loadRfb()])
      .then(([text, RFB]) => {
        if (gone || !box.current) return;
        const channel = new ReplayChannel(parseRecording(text), () => {
          if (!gone) setState("done");
        });
        const rfb = new RFB(box.current, channel);
        let connected = true;
        rfb.addEventListener("disconnect", () => {
          connected = false;
        });
        rfb.viewOnly = true;
        rfb.scaleViewport = true;
        setState("playing");
        // noVNC reports an error when told to disconnect twice; its disconnect closes the channel.
        stop = () => {
          if (connected) rfb.disconnect();
          channel.close();
        };
      })
      .catch((error: unknown) => {
        if (!gone) setState({ error });
      });
    return () => {
      gone = true;
      stop();
    };
  }, [id, run]);
  return (
    <PlayerFrame
      state={state}
      replay={() => setRun((n) => n + 1)}
      classes={{ section: "vnc-view", bar: "vnc-bar", host: "vnc-screen" }}
      host={box}
      testId="vnc-replay"
    />
  );
}

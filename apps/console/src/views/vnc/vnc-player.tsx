// A VNC session's recording played in the page by noVNC through a stand-in socket (replay.ts), so the
// picture is drawn by the same code that drew it live; fetching, states and Play again are the shared
// player's (../player/player-frame.tsx).
import { RecordingPlayer } from "../player/player-frame.tsx";
import { loadRfb } from "./novnc.ts";
import { parseRecording, ReplayChannel } from "./replay.ts";
import "./vnc.css";

export function VncPlayer({ id }: { id: string }) {
  return (
    <RecordingPlayer
      id={id}
      load={loadRfb}
      play={async (text, host, RFB, on) => {
        const channel = new ReplayChannel(parseRecording(text), on.done);
        const rfb = new RFB(host, channel);
        let connected = true;
        rfb.addEventListener("disconnect", () => {
          connected = false;
        });
        rfb.viewOnly = true;
        rfb.scaleViewport = true;
        on.playing();
        // noVNC reports an error when told to disconnect twice; its disconnect closes the channel.
        return () => {
          if (connected) rfb.disconnect();
          channel.close();
        };
      }}
      classes={{ section: "vnc-view", bar: "vnc-bar", host: "vnc-screen" }}
      testId="vnc-replay"
    />
  );
}

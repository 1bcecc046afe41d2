// A recording played in the page by asciinema-player (its own lazy chunk with its stylesheet). The file is
// fetched through the API module — the same bytes `/api/recordings/:id/download` serves, with the login
// cookie and the tenant header — and handed to the player as data, so the player itself makes no request.
import "asciinema-player/dist/bundle/asciinema-player.css";
import { create } from "asciinema-player";
import { useEffect, useRef, useState } from "preact/hooks";
import { downloadRecording } from "../../api/index.ts";
import { Failed, Loading } from "../../ui/states.tsx";

export function RecordingPlayer({ id }: { id: string }) {
  const box = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<"loading" | "ready" | { error: unknown }>("loading");
  useEffect(() => {
    let player: { dispose(): void } | null = null;
    let gone = false;
    downloadRecording(id)
      .then(async ({ blob }) => {
        const text = await blob.text();
        if (gone || !box.current) return;
        player = create({ data: text }, box.current, {
          fit: "width",
          idleTimeLimit: 1,
          preload: true,
          controls: true,
        });
        setState("ready");
      })
      .catch((error: unknown) => {
        if (!gone) setState({ error });
      });
    return () => {
      gone = true;
      player?.dispose();
    };
  }, [id]);
  return (
    <section class="player" aria-label="Recording player">
      {state === "loading" && <Loading what="the recording" />}
      {typeof state === "object" && <Failed error={state.error} />}
      <div ref={box} />
    </section>
  );
}

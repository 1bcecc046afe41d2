// What both desktop players share (VNC's and RDP's): fetching the recording (the same bytes
// `/api/recordings/:id/download` serves) beside the player's client code, starting it once both are here,
// stopping it when the page goes or Play again restarts it, and the frame it draws in — loading and
// failure states, "Playing" / "End of recording" and Play again. Each player only says how its own client
// plays the file through its stand-in socket (`play`) and how to stop it.
import type { Ref } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { downloadRecording } from "../../api/index.ts";
import { Failed, Loading } from "../../ui/states.tsx";

type PlayerState = "loading" | "playing" | "done" | { error: unknown };

/** What a player tells the frame; each is ignored once the player is gone. */
export interface PlayerEvents {
  playing(): void;
  done(): void;
  failed(error: unknown): void;
}

export function RecordingPlayer<Client>(props: {
  id: string;
  /** The player's client code, loaded beside the file. */
  load: () => Promise<Client>;
  /** Starts playing `text` in `host`; resolves with how to stop it. */
  play: (text: string, host: HTMLDivElement, client: Client, on: PlayerEvents) => Promise<() => void>;
  /** The view's own classes (its stylesheet's), for the section, its bar and the drawing host. */
  classes: { section: string; bar: string; host: string };
  testId: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<PlayerState>("loading");
  const [run, setRun] = useState(0);
  const { id, load, play } = props;
  // `load` and `play` are new closures on every render: only a new recording or Play again restarts it.
  useEffect(() => {
    let gone = false;
    let stop = () => {};
    const on: PlayerEvents = {
      playing: () => !gone && setState("playing"),
      done: () => !gone && setState("done"),
      failed: (error) => !gone && setState({ error }),
    };
    Promise.all([downloadRecording(id).then(({ blob }) => blob.text()), load()])
      .then(async ([text, client]) => {
        const host = box.current;
        if (gone || !host) return;
        stop = await play(text, host, client, on);
        if (gone) stop();
      })
      .catch(on.failed);
    return () => {
      gone = true;
      stop();
    };
  }, [id, run]);
  return <PlayerFrame state={state} replay={() => setRun((n) => n + 1)} host={box} {...props} />;
}

function PlayerFrame(props: {
  state: PlayerState;
  replay: () => void;
  classes: { section: string; bar: string; host: string };
  host: Ref<HTMLDivElement>;
  testId: string;
}) {
  const { state } = props;
  return (
    <section class={`player ${props.classes.section}`} aria-label="Recording player">
      {state === "loading" && <Loading what="the recording" />}
      {typeof state === "object" && <Failed error={state.error} />}
      <div class={props.classes.bar}>
        <output class="grow">
          {state === "playing" ? "Playing" : state === "done" ? "End of recording" : ""}
        </output>
        {state === "done" && (
          <button type="button" class="small" onClick={props.replay}>
            Play again
          </button>
        )}
      </div>
      <div class={props.classes.host} ref={props.host} data-testid={props.testId} />
    </section>
  );
}

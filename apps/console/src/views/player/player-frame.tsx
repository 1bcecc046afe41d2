// The frame both desktop players draw in (VNC's and RDP's): loading and failure states, "Playing" / "End
// of recording" and Play again; the caller's host element is where its client draws. Each player keeps
// its own client and stand-in socket; only the page around them is shared.
import type { Ref } from "preact";
import { Failed, Loading } from "../../ui/states.tsx";

export type PlayerState = "loading" | "playing" | "done" | { error: unknown };

export function PlayerFrame(props: {
  state: PlayerState;
  replay: () => void;
  /** The view's own classes (its stylesheet's), for the section, its bar and the drawing host. */
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

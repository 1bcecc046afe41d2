// A confirmation as a native modal <dialog>: focus moves into it and stays there, Escape cancels, and the
// page behind is inert — what a hand-made overlay would have to rebuild.
import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { Failed } from "./states.tsx";

export function Confirm(props: {
  title: string;
  children: ComponentChildren;
  confirmLabel: string;
  danger?: boolean;
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);
  return (
    <dialog
      ref={ref}
      class="confirm"
      aria-labelledby="confirm-title"
      onCancel={(e) => {
        e.preventDefault();
        props.onCancel();
      }}
    >
      <h2 id="confirm-title">{props.title}</h2>
      <div>{props.children}</div>
      <div class="actions">
        <button type="button" onClick={props.onCancel} disabled={props.busy}>
          Cancel
        </button>
        <button
          type="button"
          class={props.danger ? "danger" : "primary"}
          onClick={props.onConfirm}
          disabled={props.busy}
        >
          {props.busy ? "Working…" : props.confirmLabel}
        </button>
      </div>
    </dialog>
  );
}

/** What MutationConfirm reads of a TanStack mutation. */
interface PendingAction {
  isPending: boolean;
  isError: boolean;
  error: unknown;
  reset: () => void;
}

/** A Confirm for one mutation: busy while it runs, its failure shown inside, and cancelling clears the
 * failure before closing — the kill, end, suspend and delete dialogs all follow it. */
export function MutationConfirm(props: {
  title: string;
  children: ComponentChildren;
  confirmLabel: string;
  danger?: boolean;
  action: PendingAction;
  onConfirm: () => void;
  onClose: () => void;
}) {
  const { action } = props;
  return (
    <Confirm
      title={props.title}
      confirmLabel={props.confirmLabel}
      danger={props.danger}
      busy={action.isPending}
      onConfirm={props.onConfirm}
      onCancel={() => {
        action.reset();
        props.onClose();
      }}
    >
      {props.children}
      {action.isError && <Failed error={action.error} />}
    </Confirm>
  );
}

// A form that saves through one mutation: its title, the fields (disabled while saving), the server's
// field problems under their fields (a FormErrors context that Field reads by name), a failure that names
// no field above the buttons, a status of the form's own above them (saved, a progress display), and
// Cancel / the submit button with its busy wording. The forms of the console differ in their fields only.
import type { ComponentChildren } from "preact";
import { createContext } from "preact";
import { useContext, useId } from "preact/hooks";
import { ApiFailure } from "../api/index.ts";
import { fieldErrors } from "../api/messages.ts";
import { Failed } from "./states.tsx";

/** The failed save's problems by field path (`name`, `blocked_commands.0.pattern`), for Field to show. */
export const FormErrors = createContext<Record<string, string>>({});

export const useFieldError = (name: string | undefined): string | undefined => {
  const errors = useContext(FormErrors);
  return name ? errors[name] : undefined;
};

export interface SaveState {
  isPending: boolean;
  isError: boolean;
  error: unknown;
}

export function errorsOf(save: SaveState): Record<string, string> {
  return save.error instanceof ApiFailure ? fieldErrors(save.error) : {};
}

export function Form(props: {
  /** The form's heading; without it, `label` names the form (a page whose h1 says what it is). */
  title?: string;
  label?: string;
  save: SaveState;
  onSubmit: () => void;
  onCancel?: () => void;
  /** Cancel as a link back (a form that is a page of its own). */
  cancelHref?: string;
  submitLabel: string;
  busyLabel?: string;
  class?: string;
  /** What the form says of its save above the buttons (e.g. "Settings saved.", a progress display). */
  status?: ComponentChildren;
  /** Buttons besides Cancel and submit (e.g. "Delete"), placed before them. */
  extraActions?: ComponentChildren;
  children: ComponentChildren;
}) {
  const titleId = useId();
  const { save } = props;
  const errors = errorsOf(save);
  return (
    <form
      class={props.class ?? "form card"}
      aria-labelledby={props.title ? titleId : undefined}
      aria-label={props.title ? undefined : props.label}
      onSubmit={(e) => {
        e.preventDefault();
        props.onSubmit();
      }}
    >
      {props.title && <h2 id={titleId}>{props.title}</h2>}
      <FormErrors.Provider value={errors}>
        <fieldset class="form-body" disabled={save.isPending}>
          {props.children}
        </fieldset>
      </FormErrors.Provider>
      {save.isError && Object.keys(errors).length === 0 && <Failed error={save.error} />}
      {props.status}
      <div class="actions">
        {props.extraActions}
        {props.cancelHref && (
          <a class="button" href={props.cancelHref}>
            Cancel
          </a>
        )}
        {props.onCancel && (
          <button type="button" onClick={props.onCancel}>
            Cancel
          </button>
        )}
        <button type="submit" class="primary" disabled={save.isPending}>
          {save.isPending ? (props.busyLabel ?? "Saving…") : props.submitLabel}
        </button>
      </div>
    </form>
  );
}

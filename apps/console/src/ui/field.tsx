// A labelled form field with its hint and its error tied to the control (aria-describedby, aria-invalid),
// so a screen reader reads the problem with the field. Inside a Form, `name` picks the server's problem for
// this field; `error` sets one directly. The control (the one child) gets its aria attributes here, so no
// form repeats them.
import type { ComponentChildren, VNode } from "preact";
import { cloneElement, isValidElement } from "preact";
import { useFieldError } from "./form.tsx";

export const describedBy = (id: string, hint?: string, error?: string) =>
  [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;

export function Field(props: {
  id: string;
  label: string;
  hint?: string;
  /** The field's path in the server's VALIDATION_ERROR (e.g. `hostname`). */
  name?: string;
  error?: string | undefined;
  children: ComponentChildren;
}) {
  const fromForm = useFieldError(props.name);
  const error = props.error ?? fromForm;
  const control = isValidElement(props.children)
    ? cloneElement(props.children as VNode<Record<string, unknown>>, {
        "aria-invalid": error ? true : undefined,
        "aria-describedby": describedBy(props.id, props.hint, error),
      })
    : props.children;
  return (
    <div class={`field${error ? " invalid" : ""}`}>
      <label for={props.id}>{props.label}</label>
      {control}
      {props.hint && (
        <small id={`${props.id}-hint`} class="hint">
          {props.hint}
        </small>
      )}
      {error && (
        <small id={`${props.id}-error`} class="field-error">
          {error}
        </small>
      )}
    </div>
  );
}

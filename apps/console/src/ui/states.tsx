// The three states every data view has besides its data: loading, empty, failed (the server's wording for
// its error code, the request id to quote to an operator, and a retry).
import type { ComponentChildren } from "preact";
import { ApiFailure } from "../api/index.ts";
import { describe } from "../api/messages.ts";

export function Loading({ what }: { what: string }) {
  return (
    <output class="state">
      <span class="spinner" aria-hidden="true" /> Loading {what}…
    </output>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <div class="state empty">{children}</div>;
}

export function Failed({ error, retry }: { error: unknown; retry?: () => void }) {
  const failure = error instanceof ApiFailure ? error : null;
  return (
    <div class="state error" role="alert">
      <p>{failure ? describe(failure) : String(error)}</p>
      {failure?.requestId && <small class="muted request-id">Request id: {failure.requestId}</small>}
      {retry && (
        <button type="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Alert({
  children,
  kind = "error",
}: {
  children: ComponentChildren;
  kind?: "error" | "info" | "ok";
}) {
  return (
    <div class={`alert ${kind}`} role={kind === "error" ? "alert" : "status"}>
      {children}
    </div>
  );
}

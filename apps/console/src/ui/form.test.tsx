import { ApiError } from "@nostromo/client";
import { cleanup, render, screen } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import { userEvent } from "vitest/browser";
import { ApiFailure } from "../api/index.ts";
import { Field } from "./field.tsx";
import { Form, type SaveState } from "./form.tsx";

const idle: SaveState = { isPending: false, isError: false, error: null };
const failed = (code: string, details: unknown): SaveState => ({
  isPending: false,
  isError: true,
  error: new ApiFailure(new ApiError(400, code, "Request body failed validation", "req-7", details), null),
});

function Sample({ save, onSubmit = () => undefined }: { save: SaveState; onSubmit?: () => void }) {
  return (
    <Form title="New thing" save={save} onSubmit={onSubmit} onCancel={() => undefined} submitLabel="Create">
      <Field id="t-name" label="Name" name="name" hint="Short.">
        <input id="t-name" />
      </Field>
      <Field id="t-host" label="Host" name="hostname">
        <input id="t-host" />
      </Field>
    </Form>
  );
}

afterEach(cleanup);

describe("Form and Field", () => {
  it("submits without reloading the page", async () => {
    const onSubmit = vi.fn();
    render(<Sample save={idle} onSubmit={onSubmit} />);
    expect(screen.getByRole("form", { name: "New thing" })).toBeTruthy();
    await userEvent.click(screen.getByRole("button", { name: "Create" }));
    expect(onSubmit).toHaveBeenCalledOnce();
    expect(screen.getByLabelText("Name").getAttribute("aria-describedby")).toBe("t-name-hint");
  });

  it("puts the server's problem under its field, tied to the input, and no form-level alert", () => {
    render(
      <Sample
        save={failed("VALIDATION_ERROR", { fields: [{ path: "hostname", message: "is not a host" }] })}
      />,
    );
    const host = screen.getByLabelText("Host");
    expect(host.getAttribute("aria-invalid")).toBe("true");
    expect(host.getAttribute("aria-describedby")).toBe("t-host-error");
    expect(document.getElementById("t-host-error")?.textContent).toBe("is not a host");
    expect(screen.getByLabelText("Name").getAttribute("aria-invalid")).toBeNull();
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("shows a failure that names no field above the buttons, and the busy label while saving", () => {
    const { rerender } = render(<Sample save={failed("CONFLICT", null)} />);
    expect(screen.getByRole("alert").textContent).toContain("Request id: req-7");
    rerender(<Sample save={{ ...idle, isPending: true }} />);
    expect(screen.getByRole("button", { name: "Saving…" })).toBeTruthy();
    expect(screen.getByLabelText("Name").matches(":disabled")).toBe(true);
  });

  it("shows the form's own status (a saved notice, a progress display) between the fields and the buttons", () => {
    render(
      <Form
        label="Settings"
        save={idle}
        onSubmit={() => undefined}
        submitLabel="Save"
        status={<output>Saved.</output>}
      >
        <Field id="t-x" label="X">
          <input id="t-x" />
        </Field>
      </Form>,
    );
    const status = screen.getByRole("status");
    expect(status.textContent).toBe("Saved.");
    const after = (a: Node, b: Node) =>
      (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING) !== 0;
    expect(after(screen.getByLabelText("X"), status)).toBe(true);
    expect(after(status, screen.getByRole("button", { name: "Save" }))).toBe(true);
  });
});

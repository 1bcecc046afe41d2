import { ApiError } from "@nostromo/client";
import { cleanup, render, screen } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import { userEvent } from "vitest/browser";
import { ApiFailure } from "../api/index.ts";
import { type Column, DataTable, type LoadState } from "./data-table.tsx";

interface Row {
  id: string;
  name: string;
}
const done: LoadState = { isPending: false, isError: false, error: null, refetch: () => undefined };
const columns: (Column<Row> | false)[] = [
  { label: "Name", cell: (r) => <strong>{r.name}</strong> },
  false,
  { label: "Actions", actions: true, cell: (r) => <button type="button">Open {r.name}</button> },
];
const table = (query: LoadState, rows: Row[] | undefined, extra = {}) =>
  render(
    <DataTable
      query={query}
      rows={rows}
      what="things"
      empty="Nothing yet."
      rowKey={(r) => r.id}
      columns={columns}
      {...extra}
    />,
  );

afterEach(cleanup);

describe("DataTable", () => {
  it("shows loading, then the empty state", () => {
    const { rerender } = table({ ...done, isPending: true }, undefined);
    expect(screen.getByRole("status").textContent).toContain("Loading things");
    rerender(
      <DataTable
        query={done}
        rows={[]}
        what="things"
        empty="Nothing yet."
        rowKey={(r: Row) => r.id}
        columns={columns}
      />,
    );
    expect(screen.getByText("Nothing yet.")).toBeTruthy();
    expect(screen.queryByRole("table")).toBeNull();
  });

  it("shows a failure in words with its request id, and retries", async () => {
    const refetch = vi.fn();
    const error = new ApiFailure(new ApiError(503, "DATABASE_UNAVAILABLE", "down", "req-42"), null);
    table({ ...done, isError: true, error, refetch }, undefined);
    const alert = screen.getByRole("alert");
    expect(alert.textContent).toContain("The service is busy or restarting (DATABASE_UNAVAILABLE)");
    expect(alert.textContent).toContain("Request id: req-42");
    await userEvent.click(screen.getByRole("button", { name: "Try again" }));
    expect(refetch).toHaveBeenCalledOnce();
  });

  it("labels each cell with its column, leaves out a false column, and keeps actions unlabelled", () => {
    table(done, [
      { id: "1", name: "alpha" },
      { id: "2", name: "beta" },
    ]);
    const heads = screen.getAllByRole("columnheader").map((h) => h.textContent);
    expect(heads).toEqual(["Name", "Actions"]);
    const cells = screen.getAllByRole("cell");
    expect(cells.map((c) => c.getAttribute("data-label"))).toEqual(["Name", null, "Name", null]);
    expect(screen.getByRole("button", { name: "Open beta" })).toBeTruthy();
  });

  it("opens a detail row under its row and pages", async () => {
    const onPage = vi.fn();
    table(done, [{ id: "1", name: "alpha" }], {
      detail: (r: Row) => ({ id: `d-${r.id}`, content: <p>detail of {r.name}</p> }),
      paging: { page: 1, pages: 3, onPage },
    });
    const detail = document.getElementById("d-1");
    expect(detail?.textContent).toBe("detail of alpha");
    expect(detail?.querySelector("td")?.colSpan).toBe(2);
    expect(screen.getByText("Page 1 of 3")).toBeTruthy();
    expect((screen.getByRole("button", { name: "Previous" }) as HTMLButtonElement).disabled).toBe(true);
    await userEvent.click(screen.getByRole("button", { name: "Next" }));
    expect(onPage).toHaveBeenCalledWith(2);
  });
});

import { cleanup, render, screen } from "@testing-library/preact";
import { afterEach, describe, expect, it } from "vitest";
import { userEvent } from "vitest/browser";
import { NavMenu } from "./nav-menu.tsx";

const group = {
  label: "Sessions",
  items: [
    { href: "/live", label: "Live sessions" },
    { href: "/commands", label: "Commands" },
    { href: "/recordings", label: "Recordings" },
  ],
};

function Bar() {
  return (
    <nav aria-label="Main">
      <ul>
        <NavMenu group={group} path="/commands" />
        <li>
          <a href="/after">After</a>
        </li>
      </ul>
    </nav>
  );
}

const focused = () => document.activeElement?.textContent;

afterEach(cleanup);

describe("NavMenu", () => {
  it("is a closed disclosure that marks the group of the current page", () => {
    render(<Bar />);
    const button = screen.getByRole("button", { name: "Sessions" });
    expect(button.getAttribute("aria-expanded")).toBe("false");
    expect(screen.queryByRole("link", { name: "Commands" })).toBeNull();
    expect(button.closest("li")?.classList.contains("here")).toBe(true);
    const list = document.getElementById(button.getAttribute("aria-controls") ?? "");
    expect(list?.hidden).toBe(true);
  });

  it("opens with ArrowDown on the first link; arrows, Home and End move; Escape closes back to the button", async () => {
    render(<Bar />);
    const button = screen.getByRole("button", { name: "Sessions" });
    button.focus();
    await userEvent.keyboard("{ArrowDown}");
    expect(button.getAttribute("aria-expanded")).toBe("true");
    await expect.poll(focused).toBe("Live sessions");
    await userEvent.keyboard("{ArrowDown}");
    expect(focused()).toBe("Commands");
    expect(screen.getByRole("link", { name: "Commands" }).getAttribute("aria-current")).toBe("page");
    await userEvent.keyboard("{End}");
    expect(focused()).toBe("Recordings");
    await userEvent.keyboard("{ArrowDown}");
    expect(focused()).toBe("Live sessions");
    await userEvent.keyboard("{ArrowUp}");
    expect(focused()).toBe("Recordings");
    await userEvent.keyboard("{Home}");
    expect(focused()).toBe("Live sessions");
    await userEvent.keyboard("{Escape}");
    expect(button.getAttribute("aria-expanded")).toBe("false");
    expect(focused()).toBe("Sessions");
  });

  it("toggles with Enter, and closes when focus leaves the group", async () => {
    render(<Bar />);
    const button = screen.getByRole("button", { name: "Sessions" });
    button.focus();
    await userEvent.keyboard("{Enter}");
    expect(button.getAttribute("aria-expanded")).toBe("true");
    expect(focused()).toBe("Sessions");
    await userEvent.tab();
    await userEvent.tab();
    await userEvent.tab();
    await userEvent.tab();
    expect(focused()).toBe("After");
    expect(button.getAttribute("aria-expanded")).toBe("false");
  });
});

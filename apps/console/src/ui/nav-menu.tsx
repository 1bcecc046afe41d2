// A group of navigation links behind a button: the WAI-ARIA disclosure pattern for site navigation (a
// button with aria-expanded and aria-controls, a plain list of links), not an application menu, so screen
// readers read the links as links and the browser's history works as everywhere else. Keyboard: Enter or
// Space toggles; ArrowDown on the button opens it on the first link; ArrowUp/ArrowDown, Home and End move
// between the links; Escape closes it and returns to the button; leaving the group (Tab, a click elsewhere)
// closes it; so does following a link.
import { useEffect, useId, useLayoutEffect, useRef, useState } from "preact/hooks";

export interface NavMenuGroup {
  label: string;
  items: { href: string; label: string }[];
}

export function NavMenu({ group, path }: { group: NavMenuGroup; path: string }) {
  const [open, setOpen] = useState(false);
  const [focusFirst, setFocusFirst] = useState(false);
  const id = useId();
  const box = useRef<HTMLLIElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const here = group.items.some((i) => path.startsWith(i.href));

  useEffect(() => setOpen(false), [path]);
  // Focus moves as the list is shown (a layout effect runs with the render, not a frame later), so a key
  // pressed right after ArrowDown already acts on the first link.
  useLayoutEffect(() => {
    if (!open || !focusFirst) return;
    links()[0]?.focus();
    setFocusFirst(false);
  }, [open, focusFirst]);
  useEffect(() => {
    if (!open) return;
    const away = (e: PointerEvent) => {
      if (!box.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("pointerdown", away);
    return () => document.removeEventListener("pointerdown", away);
  }, [open]);

  const links = () => [...(box.current?.querySelectorAll<HTMLAnchorElement>("ul a") ?? [])];
  const move = (to: (at: number, count: number) => number) => {
    const all = links();
    const at = all.indexOf(document.activeElement as HTMLAnchorElement);
    all[(to(at, all.length) + all.length) % all.length]?.focus();
  };

  function onKeyDown(e: KeyboardEvent) {
    const onButton = e.target === button.current;
    if (e.key === "Escape" && open) {
      setOpen(false);
      button.current?.focus();
    } else if (e.key === "ArrowDown" && onButton) {
      setOpen(true);
      setFocusFirst(true);
    } else if (!open || onButton) return;
    else if (e.key === "ArrowDown") move((at) => at + 1);
    else if (e.key === "ArrowUp") move((at) => at - 1);
    else if (e.key === "Home") move(() => 0);
    else if (e.key === "End") move((_, n) => n - 1);
    else return;
    e.preventDefault();
  }

  return (
    <li
      ref={box}
      class={`nav-group${here ? " here" : ""}`}
      onKeyDown={onKeyDown}
      onFocusOut={(e) => {
        if (!box.current?.contains(e.relatedTarget as Node | null)) setOpen(false);
      }}
    >
      <button
        ref={button}
        type="button"
        aria-expanded={open}
        aria-controls={id}
        onClick={() => setOpen(!open)}
      >
        {group.label}
        <span class="caret" aria-hidden="true" />
      </button>
      <ul id={id} hidden={!open}>
        {group.items.map((item) => (
          <li key={item.href}>
            <a href={item.href} aria-current={path.startsWith(item.href) ? "page" : undefined}>
              {item.label}
            </a>
          </li>
        ))}
      </ul>
    </li>
  );
}

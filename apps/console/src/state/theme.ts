// Light, dark, or the system's choice; remembered per browser. Applied as <html data-theme>, which the
// stylesheet's variables follow.
import { signal } from "@preact/signals";

export type Theme = "system" | "light" | "dark";
const KEY = "nostromo.theme";

function stored(): Theme {
  const v = localStorage.getItem(KEY);
  return v === "light" || v === "dark" ? v : "system";
}

export const theme = signal<Theme>(stored());

export function applyTheme(t: Theme): void {
  theme.value = t;
  if (t === "system") {
    document.documentElement.removeAttribute("data-theme");
    localStorage.removeItem(KEY);
  } else {
    document.documentElement.setAttribute("data-theme", t);
    localStorage.setItem(KEY, t);
  }
}

export const nextTheme = (t: Theme): Theme => (t === "system" ? "dark" : t === "dark" ? "light" : "system");

// The browser terminal: xterm.js 6 (the same major as the server's @xterm/headless, whose serialized snapshot
// it replays exactly) with fit, search, clickable links and Unicode 11 widths; the WebGL renderer when the
// browser gives a WebGL2 context, else xterm's DOM renderer.
import { FitAddon } from "@xterm/addon-fit";
import { SearchAddon } from "@xterm/addon-search";
import { Unicode11Addon } from "@xterm/addon-unicode11";
import { WebLinksAddon } from "@xterm/addon-web-links";
import { WebglAddon } from "@xterm/addon-webgl";
import { Terminal } from "@xterm/xterm";
import "@xterm/xterm/css/xterm.css";

export interface BrowserTerminal {
  term: Terminal;
  fit: FitAddon;
  search: SearchAddon;
  renderer: "webgl" | "dom";
  dispose(): void;
}

export function createTerminal(host: HTMLElement, dark: boolean): BrowserTerminal {
  const term = new Terminal({
    allowProposedApi: true,
    cursorBlink: true,
    fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace',
    fontSize: 14,
    scrollback: 5000,
    theme: dark
      ? { background: "#0d1117", foreground: "#e6edf3", cursor: "#e6edf3" }
      : { background: "#ffffff", foreground: "#1f2328", cursor: "#1f2328", selectionBackground: "#b6d7ff" },
  });
  const fit = new FitAddon();
  const search = new SearchAddon();
  term.loadAddon(fit);
  term.loadAddon(search);
  term.loadAddon(new WebLinksAddon());
  term.loadAddon(new Unicode11Addon());
  term.unicode.activeVersion = "11";
  term.open(host);
  let renderer: "webgl" | "dom" = "dom";
  try {
    const webgl = new WebglAddon();
    webgl.onContextLoss(() => webgl.dispose());
    term.loadAddon(webgl);
    renderer = "webgl";
  } catch {
    // No WebGL2 (old GPU, blocked, headless): xterm keeps its DOM renderer.
  }
  fit.fit();
  return { term, fit, search, renderer, dispose: () => term.dispose() };
}

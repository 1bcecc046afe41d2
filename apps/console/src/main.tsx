// Entry: theme first (no flash of the wrong one), the stale-chunk reload, then who is signed in, then the app.
import { render } from "preact";
import { App } from "./app.tsx";
import { installChunkReload } from "./chunk-reload.ts";
import { boot } from "./state/session.ts";
import { applyTheme, theme } from "./state/theme.ts";
import "./styles.css";

applyTheme(theme.value);
installChunkReload();
void boot();
const root = document.getElementById("app");
if (root) render(<App />, root);

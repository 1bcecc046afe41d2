// The signed-in frame: a skip link, the header (where you are, the sections your role may use, the theme
// and sign-out), and the page. The navigation is plain links, some grouped behind disclosure buttons
// (ui/nav-menu.tsx), so the keyboard and the browser's history work as everywhere else.
import type { ComponentChildren } from "preact";
import { useLocation } from "preact-iso";
import type { Me } from "../api/index.ts";
import { leave, pickedTenant, site } from "../state/session.ts";
import { applyTheme, nextTheme, theme } from "../state/theme.ts";
import { NavMenu } from "../ui/nav-menu.tsx";
import { isGroup, navEntriesFor } from "./nav.ts";

const THEME_LABEL = { system: "Theme: system", dark: "Theme: dark", light: "Theme: light" } as const;

export function Shell({ user, children }: { user: Me; children: ComponentChildren }) {
  const { path, route } = useLocation();
  const here = site.value;
  const tenant = here?.kind === "tenant" ? here.tenant : pickedTenant.value;
  const where = user.kind === "super_admin" ? "Command Center" : (tenant?.company_name ?? "Console");
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <div class="brand">
          <span class="logo" aria-hidden="true">
            N
          </span>
          <span>
            Nostromo <span class="where">{where}</span>
          </span>
        </div>
        <nav aria-label="Main">
          <ul>
            {navEntriesFor(user).map((entry) =>
              isGroup(entry) ? (
                <NavMenu key={entry.label} group={entry} path={path} />
              ) : (
                <li key={entry.href}>
                  <a href={entry.href} aria-current={path.startsWith(entry.href) ? "page" : undefined}>
                    {entry.label}
                  </a>
                </li>
              ),
            )}
          </ul>
        </nav>
        <div class="me">
          <span class="who" title={user.email}>
            {user.name || user.email} <span class="role">{user.role}</span>
          </span>
          <button type="button" onClick={() => applyTheme(nextTheme(theme.value))}>
            {THEME_LABEL[theme.value]}
          </button>
          <button
            type="button"
            onClick={async () => {
              await leave();
              route("/sign-in", true);
            }}
          >
            Sign out
          </button>
        </div>
      </header>
      <main id="main" class="page" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}

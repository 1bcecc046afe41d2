// A row of headline figures ("3 tenants", "1 agent online"): each a labelled term/value pair in a
// description list, so a screen reader reads the label with its number. Optional link to the detail view.
import type { ComponentChildren } from "preact";
import "./stats.css";

export interface Stat {
  label: string;
  value: ComponentChildren;
  href?: string;
  tone?: "ok" | "warn" | "danger";
}

export function Stats({ label, items }: { label: string; items: Stat[] }) {
  return (
    <dl class="stats" aria-label={label}>
      {items.map((s) => (
        <div key={s.label} class={`stat${s.tone ? ` tone-${s.tone}` : ""}`}>
          <dt>{s.href ? <a href={s.href}>{s.label}</a> : s.label}</dt>
          <dd>{s.value}</dd>
        </div>
      ))}
    </dl>
  );
}

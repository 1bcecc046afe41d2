// Tenant console › Dashboard, the landing page: the organization's connections, the sessions live now,
// agents online, and the commands the policy blocked in the last 24 h with the latest few listed. Each
// figure is its own query, shown only when the caller's role may read it; all refresh every 10 s.
import { type UseQueryResult, useQuery } from "@tanstack/preact-query";
import {
  type CommandEntry,
  countAgents,
  listConnections,
  listLiveSessions,
  type Page,
  recentBlockedCommands,
} from "../../api/index.ts";
import { age } from "../../format.ts";
import { can } from "../../shell/nav.ts";
import { currentUser } from "../../state/session.ts";
import { DataTable } from "../../ui/data-table.tsx";
import { type Stat, Stats } from "../../ui/stats.tsx";

const REFRESH_MS = 10_000;
const DAY_MS = 86_400_000;

function figure<T>(
  q: { isPending: boolean; isError: boolean; data: T | undefined },
  show: (d: T) => string | number,
) {
  if (q.isPending) return "…";
  if (q.isError || q.data === undefined) return "—";
  return show(q.data);
}

function BlockedList({ q }: { q: UseQueryResult<Page<CommandEntry>> }) {
  const now = Date.now();
  return (
    <DataTable
      query={q}
      rows={q.data?.data}
      what="blocked commands"
      empty="No command was blocked in the last 24 hours."
      rowKey={(c) => c.id}
      columns={[
        { label: "Command", cell: (c) => <code>{c.command}</code> },
        { label: "Session", cell: (c) => <code>{c.session_public_id}</code> },
        { label: "Risk", cell: (c) => c.risk_level },
        { label: "Reason", cell: (c) => c.blocked_reason || "—" },
        { label: "When", cell: (c) => `${age(c.executed_at, now)} ago` },
      ]}
    />
  );
}

export function Dashboard() {
  const user = currentUser.value;
  const readConnections = can(user, "connection:read");
  const readSessions = can(user, "session:view") || can(user, "session:join");
  const readCommands = can(user, "session:view") || can(user, "audit:view");
  const since = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - DAY_MS).toISOString();
  const opts = { refetchInterval: REFRESH_MS };
  const connections = useQuery({
    queryKey: ["dashboard-connections"],
    queryFn: () => listConnections("", 1, 1),
    enabled: readConnections,
    ...opts,
  });
  const agents = useQuery({
    queryKey: ["dashboard-agents"],
    queryFn: countAgents,
    enabled: readConnections,
    ...opts,
  });
  const live = useQuery({
    queryKey: ["live-sessions"],
    queryFn: listLiveSessions,
    enabled: readSessions,
    ...opts,
  });
  const blocked = useQuery({
    queryKey: ["blocked-commands", since.slice(0, 13)],
    queryFn: () => recentBlockedCommands(since),
    enabled: readCommands,
    ...opts,
  });

  const items: Stat[] = [];
  if (readConnections) {
    items.push({
      label: "Connections",
      value: figure(connections, (d) => d.pagination.total),
      href: "/connections",
    });
    items.push({
      label: "Agents online",
      value: figure(agents, (d) => `${d.online} of ${d.total}`),
      tone: agents.data && agents.data.total > 0 ? (agents.data.online > 0 ? "ok" : "warn") : undefined,
    });
  }
  if (readSessions)
    items.push({ label: "Live sessions", value: figure(live, (d) => d.length), href: "/live" });
  if (readCommands)
    items.push({
      label: "Blocked (24 h)",
      value: figure(blocked, (d) => d.pagination.total),
      tone: blocked.data?.pagination.total ? "danger" : undefined,
    });

  return (
    <section aria-labelledby="dashboard-title">
      <div class="heading">
        <h1 id="dashboard-title">Dashboard</h1>
      </div>
      <p class="lead">Your organization right now. Refreshed every 10 s.</p>
      <Stats label="Organization summary" items={items} />
      {readCommands && (
        <>
          <h2>Recently blocked commands</h2>
          <BlockedList q={blocked} />
        </>
      )}
    </section>
  );
}

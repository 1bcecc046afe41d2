// Command Center › Monitoring: the platform's summary (tenants, active users, system health, errors in the
// last 24 h) and every agent — online or offline, where it runs, and its CPU, memory and disk over the last
// hour as a live chart. Both refresh every 10 s. This file (and uPlot with it) is its own lazy chunk.
import { useQuery } from "@tanstack/preact-query";
import { type AgentHealth, getDashboard, getMonitoring } from "../../../api/index.ts";
import { age } from "../../../format.ts";
import { Empty, Failed, Loading } from "../../../ui/states.tsx";
import { Stats } from "../../../ui/stats.tsx";
import { MetricChart } from "./metric-chart.tsx";
import { pct } from "./series.ts";

const REFRESH_MS = 10_000;

function Summary() {
  const q = useQuery({ queryKey: ["admin-dashboard"], queryFn: getDashboard, refetchInterval: REFRESH_MS });
  if (q.isPending) return <Loading what="the summary" />;
  if (q.isError) return <Failed error={q.error} retry={() => q.refetch()} />;
  const d = q.data;
  const h = d.system_health;
  return (
    <Stats
      label="Platform summary"
      items={[
        { label: "Tenants", value: d.total_tenants, href: "/cc/tenants" },
        { label: "Active users", value: d.active_users, href: "/cc/sessions" },
        { label: "Agents online", value: d.online_agents, tone: d.online_agents > 0 ? "ok" : "warn" },
        { label: "Errors (24 h)", value: d.errors_24h, tone: d.errors_24h > 0 ? "danger" : undefined },
        { label: "CPU (avg)", value: pct(h.cpu_load_pct) },
        { label: "Memory (avg)", value: pct(h.memory_usage_pct) },
        { label: "Disk (avg)", value: pct(h.disk_usage_pct) },
      ]}
    />
  );
}

function AgentCard({ agent, now }: { agent: AgentHealth; now: number }) {
  const state = agent.status === "revoked" ? "revoked" : agent.online ? "online" : "offline";
  return (
    <article class="agent-card" aria-label={`Agent ${agent.name}`}>
      <header>
        <h2>{agent.name}</h2>
        <span class={`badge status-${state}`}>{state}</span>
      </header>
      <p class="meta">
        {agent.tenant.subdomain} · {agent.hostname ?? "unknown host"}
        {agent.version && ` · v${agent.version}`} · last seen{" "}
        {agent.last_seen_at ? `${age(agent.last_seen_at, now)} ago` : "never"}
      </p>
      <MetricChart name={agent.name} history={agent.history} latest={agent.latest} />
    </article>
  );
}

export function Monitoring() {
  const q = useQuery({
    queryKey: ["admin-monitoring"],
    queryFn: () => getMonitoring(1),
    refetchInterval: REFRESH_MS,
  });
  const now = Date.now();
  return (
    <section aria-labelledby="monitoring-title">
      <div class="heading">
        <h1 id="monitoring-title">Monitoring</h1>
        {q.data && (
          <span class="count">
            {q.data.data.filter((a) => a.online).length} of {q.data.pagination.total} agents online
          </span>
        )}
      </div>
      <p class="lead">
        The platform at a glance, and every agent's load over the last hour. Refreshed every 10 s.
      </p>
      <Summary />
      {q.isPending ? (
        <Loading what="agents" />
      ) : q.isError ? (
        <Failed error={q.error} retry={() => q.refetch()} />
      ) : q.data.data.length === 0 ? (
        <Empty>No agent is enrolled yet.</Empty>
      ) : (
        <div class="agents">
          {q.data.data.map((a) => (
            <AgentCard key={a.id} agent={a} now={now} />
          ))}
        </div>
      )}
    </section>
  );
}

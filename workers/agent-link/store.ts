// What the AgentLink object writes to PostgreSQL: link state, heartbeats, metrics (latest + history),
// agent-reported errors — and TelemetryWriter, which bounds how often one agent's heartbeats and metrics
// reach the database (limits.ts).

import type { AgentErrorFrame, HelloFrame, MetricsFrame } from "@nostromo/protocol";
import { eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { agents } from "../../db/schema/control/agents.ts";
import { agentHealth, agentMetrics, errorLog } from "../../db/schema/control/monitoring.ts";
import type { Databases } from "../db/databases.ts";
import { ERROR_ROWS_PER_MINUTE, HEARTBEAT_WRITE_MS, METRICS_WRITE_MS, writeDue } from "./limits.ts";

export interface AgentIdentity {
  agentId: string;
  tenantId: string;
}

export async function markConnected(db: Db, a: AgentIdentity, connected: boolean): Promise<void> {
  const now = new Date();
  await db
    .insert(agentHealth)
    .values({ agentId: a.agentId, tenantId: a.tenantId, connected, lastHeartbeatAt: connected ? now : null })
    .onConflictDoUpdate({
      target: agentHealth.agentId,
      set: connected ? { connected, lastHeartbeatAt: now } : { connected },
    });
  await db
    .update(agents)
    .set(connected ? { lastConnectedAt: now, lastSeenAt: now } : { lastSeenAt: now })
    .where(eq(agents.id, a.agentId));
}

export async function recordHello(db: Db, a: AgentIdentity, hello: HelloFrame): Promise<void> {
  await db
    .update(agents)
    .set({
      hostname: hello.hostname,
      os: hello.os,
      version: hello.version,
      lastSeenAt: new Date(),
      hostFacts: {
        platform: hello.platform,
        arch: hello.arch,
        uptimeSec: hello.uptimeSec,
        name: hello.name ?? null,
      },
    })
    .where(eq(agents.id, a.agentId));
}

export async function recordHeartbeat(db: Db, a: AgentIdentity): Promise<void> {
  await db
    .update(agentHealth)
    .set({ lastHeartbeatAt: sql`now()`, connected: true })
    .where(eq(agentHealth.agentId, a.agentId));
  await db.update(agents).set({ lastSeenAt: sql`now()` }).where(eq(agents.id, a.agentId));
}

/**
 * One agent's heartbeat and metrics writes, bounded: a heartbeat is written at most every
 * HEARTBEAT_WRITE_MS (the others in between are dropped — they carry only "alive"); metrics at most every
 * METRICS_WRITE_MS, the latest sample of a window written at its end (coalesced). Writes never overlap,
 * and a failed one is logged, not thrown (the next one retries).
 */
export class TelemetryWriter {
  private lastHeartbeat = 0;
  private lastMetrics = 0;
  private pendingMetrics: { a: AgentIdentity; m: MetricsFrame } | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private writing: Promise<void> = Promise.resolve();
  private busy = false;
  private errorWindow = { start: 0, rows: 0, dropped: 0 };

  constructor(
    private readonly db: Databases,
    private readonly onError: (msg: string, err: unknown) => void,
  ) {}

  heartbeat(a: AgentIdentity, now = Date.now()): void {
    if (this.busy || !writeDue(this.lastHeartbeat, now, HEARTBEAT_WRITE_MS)) return;
    this.lastHeartbeat = now;
    this.run("heartbeat write failed", (db) => recordHeartbeat(db, a));
  }

  metrics(a: AgentIdentity, m: MetricsFrame, now = Date.now()): void {
    this.pendingMetrics = { a, m };
    if (this.timer) return;
    const wait = this.lastMetrics + METRICS_WRITE_MS - now;
    if (wait > 0) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.flushMetrics();
      }, wait);
      return;
    }
    this.flushMetrics();
  }

  /** An agent-reported error: at most ERROR_ROWS_PER_MINUTE rows, the rest counted into the next row. */
  error(a: AgentIdentity, e: AgentErrorFrame, now = Date.now()): void {
    const w = this.errorWindow;
    if (now - w.start >= 60_000) {
      w.start = now;
      w.rows = 0;
    }
    if (w.rows >= ERROR_ROWS_PER_MINUTE) {
      w.dropped += 1;
      return;
    }
    w.rows += 1;
    const dropped = w.dropped;
    w.dropped = 0;
    const context = dropped > 0 ? { ...e.context, errorsDroppedBefore: dropped } : e.context;
    this.run("agent error write failed", (db) => recordAgentError(db, a, { ...e, context }));
  }

  /** The link is gone: a sample still waiting is dropped (the agent is offline now). */
  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pendingMetrics = null;
  }

  private flushMetrics(): void {
    const p = this.pendingMetrics;
    if (!p) return;
    this.pendingMetrics = null;
    this.lastMetrics = Date.now();
    // A metrics write also counts as a heartbeat (it sets last_heartbeat_at).
    this.lastHeartbeat = this.lastMetrics;
    this.run("metrics write failed", (db) => recordMetrics(db, p.a, p.m));
  }

  private run(msg: string, fn: (db: Db) => Promise<void>): void {
    this.writing = this.writing.then(async () => {
      this.busy = true;
      try {
        await this.db.control(fn);
      } catch (err) {
        this.onError(msg, err);
      } finally {
        this.busy = false;
      }
    });
  }
}

export async function recordMetrics(db: Db, a: AgentIdentity, m: MetricsFrame): Promise<void> {
  const values = {
    cpuLoadPct: m.cpu_load_pct,
    memoryUsagePct: m.memory_usage_pct,
    diskUsagePct: m.disk_usage_pct,
    activeConnections: m.active_connections,
  };
  await db
    .insert(agentHealth)
    .values({
      agentId: a.agentId,
      tenantId: a.tenantId,
      ...values,
      hostname: m.hostname,
      connected: true,
      reportedAt: new Date(),
      lastHeartbeatAt: new Date(),
    })
    .onConflictDoUpdate({
      target: agentHealth.agentId,
      set: {
        ...values,
        hostname: m.hostname,
        connected: true,
        reportedAt: sql`now()`,
        lastHeartbeatAt: sql`now()`,
      },
    });
  await db
    .insert(agentMetrics)
    .values({ agentId: a.agentId, tenantId: a.tenantId, resolution: "raw", ...values });
  await db
    .update(agents)
    .set({
      lastSeenAt: sql`now()`,
      hostFacts: sql`coalesce(${agents.hostFacts}, '{}'::jsonb) || ${JSON.stringify({
        uptimeSec: m.uptime_sec,
        memoryTotalBytes: m.memory_total_bytes,
        diskTotalBytes: m.disk_total_bytes,
      })}::jsonb`,
    })
    .where(eq(agents.id, a.agentId));
}

export async function recordAgentError(
  db: Db,
  a: AgentIdentity,
  e: { level: string; message: string; context?: Record<string, unknown> },
): Promise<void> {
  await db.insert(errorLog).values({
    tenantId: a.tenantId,
    agentId: a.agentId,
    source: "agent",
    level: e.level,
    message: e.message.slice(0, 2000),
    metadata: e.context ?? {},
  });
}

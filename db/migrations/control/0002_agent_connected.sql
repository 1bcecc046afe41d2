DROP VIEW "monitoring"."v_dashboard_summary";--> statement-breakpoint
ALTER TABLE "monitoring"."agent_health" ADD COLUMN "connected" boolean DEFAULT false NOT NULL;--> statement-breakpoint
CREATE VIEW "monitoring"."v_dashboard_summary" AS (
    select
      (select count(*) from command.tenants t where t.deleted_at is null and t.status <> 'failed')::int as total_tenants,
      (select count(distinct (s.principal_type, s.user_id)) from auth.v_active_sessions s)::int as active_users,
      (select round(avg(h.cpu_load_pct)::numeric)::int from monitoring.agent_health h where h.connected and h.last_heartbeat_at > now() - interval '60 seconds') as cpu_load_pct,
      (select round(avg(h.memory_usage_pct)::numeric)::int from monitoring.agent_health h where h.connected and h.last_heartbeat_at > now() - interval '60 seconds') as memory_usage_pct,
      (select round(avg(h.disk_usage_pct)::numeric)::int from monitoring.agent_health h where h.connected and h.last_heartbeat_at > now() - interval '60 seconds') as disk_usage_pct,
      (select sum(h.active_connections)::int from monitoring.agent_health h where h.connected and h.last_heartbeat_at > now() - interval '60 seconds') as active_connections,
      (select count(*) from monitoring.agent_health h where h.connected and h.last_heartbeat_at > now() - interval '60 seconds')::int as online_agents,
      (select count(*) from monitoring.error_log e where e.created_at > now() - interval '24 hours')::int as errors_24h
  );
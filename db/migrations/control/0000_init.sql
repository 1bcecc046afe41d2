CREATE SCHEMA "auth";
--> statement-breakpoint
CREATE SCHEMA "command";
--> statement-breakpoint
CREATE SCHEMA "monitoring";
--> statement-breakpoint
CREATE TYPE "command"."agent_status" AS ENUM('active', 'revoked');--> statement-breakpoint
CREATE TYPE "auth"."principal_type" AS ENUM('super_admin', 'tenant_user');--> statement-breakpoint
CREATE TYPE "monitoring"."metric_resolution" AS ENUM('raw', '5m', '1h');--> statement-breakpoint
CREATE TYPE "command"."db_mode" AS ENUM('pooled', 'dedicated');--> statement-breakpoint
CREATE TYPE "command"."driver_type" AS ENUM('postgresql', 'mongodb');--> statement-breakpoint
CREATE TYPE "command"."tenant_status" AS ENUM('provisioning', 'active', 'suspended', 'failed');--> statement-breakpoint
CREATE TYPE "command"."tenant_tier" AS ENUM('free', 'silver', 'gold', 'platinum');--> statement-breakpoint
CREATE TABLE "command"."agent_enrollment_tokens" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"token_hash" text NOT NULL,
	"name" text,
	"created_by_user_id" uuid,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"used_by_agent_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "command"."agents" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"name" text NOT NULL,
	"public_key" text NOT NULL,
	"status" "command"."agent_status" DEFAULT 'active' NOT NULL,
	"hostname" text,
	"os" text,
	"version" text,
	"host_facts" jsonb,
	"last_seen_at" timestamp with time zone,
	"last_connected_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "auth"."api_tokens" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"principal_type" "auth"."principal_type" NOT NULL,
	"user_id" uuid NOT NULL,
	"tenant_id" uuid,
	"name" text NOT NULL,
	"prefix" text NOT NULL,
	"token_hash" text NOT NULL,
	"permissions" text[] DEFAULT '{}'::text[] NOT NULL,
	"last_used_at" timestamp with time zone,
	"expires_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "auth"."login_attempts" (
	"key" text NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"failures" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "auth"."user_sessions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"principal_type" "auth"."principal_type" NOT NULL,
	"user_id" uuid NOT NULL,
	"tenant_id" uuid,
	"email" text NOT NULL,
	"user_name" text DEFAULT '' NOT NULL,
	"role_name" text NOT NULL,
	"token_hash" text NOT NULL,
	"ip_address" text DEFAULT '' NOT NULL,
	"user_agent" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_activity_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"pending_step" text,
	"revoked_at" timestamp with time zone,
	"revoked_reason" text,
	"revoked_by" uuid
);
--> statement-breakpoint
CREATE TABLE "monitoring"."agent_health" (
	"agent_id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"cpu_load_pct" real,
	"memory_usage_pct" real,
	"disk_usage_pct" real,
	"active_connections" integer,
	"hostname" text,
	"reported_at" timestamp with time zone,
	"last_heartbeat_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "monitoring"."agent_metrics" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"agent_id" uuid NOT NULL,
	"tenant_id" uuid NOT NULL,
	"resolution" "monitoring"."metric_resolution" DEFAULT 'raw' NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"cpu_load_pct" real,
	"memory_usage_pct" real,
	"disk_usage_pct" real,
	"active_connections" integer
);
--> statement-breakpoint
CREATE TABLE "monitoring"."error_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" uuid,
	"agent_id" uuid,
	"source" text NOT NULL,
	"level" text DEFAULT 'error' NOT NULL,
	"message" text NOT NULL,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "command"."super_admins" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" text NOT NULL,
	"name" text NOT NULL,
	"password_hash" text NOT NULL,
	"is_active" boolean DEFAULT true NOT NULL,
	"last_login" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "command"."tenant_features" (
	"tenant_id" uuid NOT NULL,
	"feature" text NOT NULL,
	"enabled_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tenant_features_tenant_id_feature_pk" PRIMARY KEY("tenant_id","feature")
);
--> statement-breakpoint
CREATE TABLE "command"."tenants" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"company_name" text NOT NULL,
	"subdomain" text NOT NULL,
	"tier" "command"."tenant_tier" DEFAULT 'free' NOT NULL,
	"status" "command"."tenant_status" DEFAULT 'provisioning' NOT NULL,
	"status_reason" text,
	"contact_name" text,
	"contact_email" text,
	"contact_phone" text,
	"rut" text,
	"driver_type" "command"."driver_type" DEFAULT 'postgresql' NOT NULL,
	"db_mode" "command"."db_mode" DEFAULT 'pooled' NOT NULL,
	"db_config_encrypted" text,
	"data_key_wrapped" text NOT NULL,
	"master_key_id" text NOT NULL,
	"config" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "command"."agent_enrollment_tokens" ADD CONSTRAINT "agent_enrollment_tokens_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "command"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "command"."agent_enrollment_tokens" ADD CONSTRAINT "agent_enrollment_tokens_used_by_agent_id_agents_id_fk" FOREIGN KEY ("used_by_agent_id") REFERENCES "command"."agents"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "command"."agents" ADD CONSTRAINT "agents_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "command"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "command"."tenant_features" ADD CONSTRAINT "tenant_features_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "command"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "idx_agent_enrollment_tokens_hash" ON "command"."agent_enrollment_tokens" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "idx_agent_enrollment_tokens_tenant" ON "command"."agent_enrollment_tokens" USING btree ("tenant_id");--> statement-breakpoint
CREATE INDEX "idx_agents_tenant" ON "command"."agents" USING btree ("tenant_id");--> statement-breakpoint
CREATE UNIQUE INDEX "idx_api_tokens_hash" ON "auth"."api_tokens" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "idx_api_tokens_user" ON "auth"."api_tokens" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "idx_login_attempts_key_window" ON "auth"."login_attempts" USING btree ("key","window_start");--> statement-breakpoint
CREATE UNIQUE INDEX "idx_user_sessions_token" ON "auth"."user_sessions" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "idx_user_sessions_user" ON "auth"."user_sessions" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "idx_user_sessions_tenant" ON "auth"."user_sessions" USING btree ("tenant_id");--> statement-breakpoint
CREATE INDEX "idx_user_sessions_valid" ON "auth"."user_sessions" USING btree ("expires_at") WHERE "auth"."user_sessions"."revoked_at" is null;--> statement-breakpoint
CREATE INDEX "idx_agent_health_tenant" ON "monitoring"."agent_health" USING btree ("tenant_id");--> statement-breakpoint
CREATE INDEX "idx_agent_metrics_agent_time" ON "monitoring"."agent_metrics" USING btree ("agent_id","resolution","recorded_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "idx_error_log_created_at" ON "monitoring"."error_log" USING btree ("created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE UNIQUE INDEX "idx_super_admins_email" ON "command"."super_admins" USING btree ("email");--> statement-breakpoint
CREATE UNIQUE INDEX "idx_tenants_subdomain" ON "command"."tenants" USING btree ("subdomain");--> statement-breakpoint
CREATE INDEX "idx_tenants_status" ON "command"."tenants" USING btree ("status");--> statement-breakpoint
CREATE INDEX "idx_tenants_tier" ON "command"."tenants" USING btree ("tier");--> statement-breakpoint
CREATE VIEW "auth"."v_active_sessions" AS (select "id", "principal_type", "user_id", "tenant_id", "email", "user_name", "role_name", "token_hash", "ip_address", "user_agent", "created_at", "last_activity_at", "expires_at", "pending_step", "revoked_at", "revoked_reason", "revoked_by" from "auth"."user_sessions" where "auth"."user_sessions"."revoked_at" is null and "auth"."user_sessions"."expires_at" > now());--> statement-breakpoint
CREATE VIEW "monitoring"."v_dashboard_summary" AS (
    select
      (select count(*) from command.tenants t where t.deleted_at is null and t.status <> 'failed')::int as total_tenants,
      (select count(distinct (s.principal_type, s.user_id)) from auth.v_active_sessions s)::int as active_users,
      (select round(avg(h.cpu_load_pct)::numeric)::int from monitoring.agent_health h where h.last_heartbeat_at > now() - interval '60 seconds') as cpu_load_pct,
      (select round(avg(h.memory_usage_pct)::numeric)::int from monitoring.agent_health h where h.last_heartbeat_at > now() - interval '60 seconds') as memory_usage_pct,
      (select round(avg(h.disk_usage_pct)::numeric)::int from monitoring.agent_health h where h.last_heartbeat_at > now() - interval '60 seconds') as disk_usage_pct,
      (select sum(h.active_connections)::int from monitoring.agent_health h where h.last_heartbeat_at > now() - interval '60 seconds') as active_connections,
      (select count(*) from monitoring.agent_health h where h.last_heartbeat_at > now() - interval '60 seconds')::int as online_agents,
      (select count(*) from monitoring.error_log e where e.created_at > now() - interval '24 hours')::int as errors_24h
  );
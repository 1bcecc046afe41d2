CREATE TYPE "public"."audit_event_category" AS ENUM('auth', 'connection', 'session', 'user', 'system', 'security');--> statement-breakpoint
CREATE TYPE "public"."audit_event_type" AS ENUM('user.login', 'user.logout', 'user.login.failed', 'user.2fa.enabled', 'user.password.changed', 'user.created', 'user.updated', 'user.deleted', 'user.role.changed', 'connection.created', 'connection.updated', 'connection.deleted', 'connection.tested', 'session.started', 'session.ended', 'session.joined', 'session.shared', 'session.recording.started', 'session.recording.stopped', 'command.executed', 'command.blocked', 'command.failed', 'policy.created', 'policy.updated', 'policy.deleted', 'policy.violation', 'security.alert', 'security.unauthorized', 'security.suspicious', 'user.2fa.disabled', 'user.login.killed', 'role.created', 'role.updated', 'role.deleted', 'settings.updated', 'api_token.created', 'api_token.revoked', 'ssh_key.created', 'ssh_key.deleted', 'tenant.provisioned', 'tenant.updated', 'tenant.data.read', 'agent.enrolled', 'agent.revoked', 'command.approval.requested', 'command.approval.granted', 'command.approval.denied');--> statement-breakpoint
CREATE TYPE "public"."audit_status" AS ENUM('success', 'failure', 'warning');--> statement-breakpoint
CREATE TYPE "public"."auth_method" AS ENUM('password', 'ssh_key', 'certificate');--> statement-breakpoint
CREATE TYPE "public"."command_status" AS ENUM('executed', 'blocked', 'error', 'timeout');--> statement-breakpoint
CREATE TYPE "public"."command_type" AS ENUM('shell', 'system', 'file', 'network', 'admin');--> statement-breakpoint
CREATE TYPE "public"."connection_status" AS ENUM('active', 'inactive', 'archived');--> statement-breakpoint
CREATE TYPE "public"."connection_type" AS ENUM('ssh', 'rdp', 'vnc', 'telnet');--> statement-breakpoint
CREATE TYPE "public"."environment" AS ENUM('production', 'staging', 'development', 'test');--> statement-breakpoint
CREATE TYPE "public"."pattern_type" AS ENUM('exact', 'regex', 'contains');--> statement-breakpoint
CREATE TYPE "public"."plan" AS ENUM('free', 'pro', 'enterprise');--> statement-breakpoint
CREATE TYPE "public"."recording_status" AS ENUM('processing', 'ready', 'error');--> statement-breakpoint
CREATE TYPE "public"."risk_level" AS ENUM('low', 'medium', 'high', 'critical');--> statement-breakpoint
CREATE TYPE "public"."session_status" AS ENUM('active', 'ended', 'disconnected', 'error');--> statement-breakpoint
CREATE TYPE "public"."severity" AS ENUM('low', 'medium', 'high', 'critical');--> statement-breakpoint
CREATE TYPE "public"."viewer_role" AS ENUM('owner', 'collaborator', 'viewer');--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"user_id" uuid,
	"session_id" uuid,
	"connection_id" uuid,
	"event_type" "audit_event_type" NOT NULL,
	"event_category" "audit_event_category" NOT NULL,
	"action" text NOT NULL,
	"description" text NOT NULL,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"ip_address" text DEFAULT '' NOT NULL,
	"user_agent" text DEFAULT '' NOT NULL,
	"status" "audit_status" DEFAULT 'success' NOT NULL,
	"error_message" text,
	"timestamp" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "command" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"session_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"organization_id" uuid NOT NULL,
	"command" text NOT NULL,
	"command_type" "command_type" DEFAULT 'shell' NOT NULL,
	"status" "command_status" NOT NULL,
	"output" text,
	"output_truncated" boolean DEFAULT false NOT NULL,
	"exit_code" integer,
	"error_message" text,
	"risk_level" "risk_level" DEFAULT 'low' NOT NULL,
	"was_blocked" boolean DEFAULT false NOT NULL,
	"blocked_reason" text,
	"policy_id" uuid,
	"source" text DEFAULT 'interactive' NOT NULL,
	"approved_by_user_id" uuid,
	"executed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"duration_ms" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "connection" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"type" "connection_type" DEFAULT 'ssh' NOT NULL,
	"hostname" text NOT NULL,
	"port" integer NOT NULL,
	"username" text NOT NULL,
	"auth_method" "auth_method" NOT NULL,
	"password_encrypted" text,
	"ssh_key_id" uuid,
	"certificate" text,
	"description" text,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"environment" "environment" DEFAULT 'development' NOT NULL,
	"organization_id" uuid NOT NULL,
	"created_by_user_id" uuid NOT NULL,
	"agent_id" uuid,
	"host_key" text,
	"status" "connection_status" DEFAULT 'active' NOT NULL,
	"last_used" timestamp with time zone,
	"total_sessions" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "organization" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"slug" text NOT NULL,
	"domain" text,
	"logo_url" text,
	"plan" "plan" DEFAULT 'free' NOT NULL,
	"max_users" integer DEFAULT 5 NOT NULL,
	"max_connections" integer DEFAULT 10 NOT NULL,
	"settings" jsonb DEFAULT '{"session_timeout":1800000,"auto_record_sessions":false,"require_2fa":false,"allowed_ip_ranges":[],"sso_enabled":false}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "blocked_command" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"policy_id" uuid NOT NULL,
	"organization_id" uuid NOT NULL,
	"pattern" text NOT NULL,
	"pattern_type" "pattern_type" NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"severity" "severity" DEFAULT 'medium' NOT NULL,
	"examples" text[] DEFAULT '{}'::text[] NOT NULL,
	"applies_to_types" "connection_type"[] DEFAULT '{}'::connection_type[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "policy" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"organization_id" uuid NOT NULL,
	"is_active" boolean DEFAULT true NOT NULL,
	"applies_to_roles" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"applies_to_connections" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"allowed_commands" text[],
	"require_approval" boolean DEFAULT false NOT NULL,
	"auto_disconnect_on_violation" boolean DEFAULT false NOT NULL,
	"notify_on_violation" boolean DEFAULT true NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_by_user_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "role" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"permissions" text[] DEFAULT '{}'::text[] NOT NULL,
	"color" text DEFAULT '#5bc2e7' NOT NULL,
	"is_system" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "session" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"session_id" text NOT NULL,
	"connection_id" uuid NOT NULL,
	"initiated_by_user_id" uuid NOT NULL,
	"organization_id" uuid NOT NULL,
	"status" "session_status" DEFAULT 'active' NOT NULL,
	"status_reason" text,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ended_at" timestamp with time zone,
	"duration_seconds" integer,
	"is_recording" boolean DEFAULT false NOT NULL,
	"recording_url" text,
	"recording_size_bytes" bigint,
	"total_commands" integer DEFAULT 0 NOT NULL,
	"safe_commands" integer DEFAULT 0 NOT NULL,
	"blocked_commands" integer DEFAULT 0 NOT NULL,
	"client_ip" text NOT NULL,
	"user_agent" text NOT NULL,
	"agent_id" uuid,
	"login_session_id" uuid,
	"cols" integer DEFAULT 80 NOT NULL,
	"rows" integer DEFAULT 24 NOT NULL,
	"last_activity_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "session_recording" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"session_id" uuid NOT NULL,
	"organization_id" uuid NOT NULL,
	"file_url" text NOT NULL,
	"file_name" text NOT NULL,
	"file_size_bytes" bigint DEFAULT 0 NOT NULL,
	"mime_type" text DEFAULT 'application/x-asciicast' NOT NULL,
	"duration_seconds" real DEFAULT 0 NOT NULL,
	"frames_per_second" real DEFAULT 0 NOT NULL,
	"resolution" text NOT NULL,
	"codec" text DEFAULT 'asciicast-v2' NOT NULL,
	"status" "recording_status" DEFAULT 'processing' NOT NULL,
	"is_downloadable" boolean DEFAULT true NOT NULL,
	"retention_until" timestamp with time zone NOT NULL,
	"chunk_count" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "session_viewer" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"session_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"organization_id" uuid NOT NULL,
	"role" "viewer_role" NOT NULL,
	"joined_at" timestamp with time zone DEFAULT now() NOT NULL,
	"left_at" timestamp with time zone,
	"is_active" boolean DEFAULT true NOT NULL,
	"can_type" boolean DEFAULT false NOT NULL,
	"can_see" boolean DEFAULT true NOT NULL,
	"can_share" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ssh_key" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"fingerprint" text NOT NULL,
	"public_key" text NOT NULL,
	"private_key_encrypted" text NOT NULL,
	"passphrase_encrypted" text,
	"key_type" text NOT NULL,
	"bits" integer NOT NULL,
	"user_id" uuid NOT NULL,
	"organization_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used" timestamp with time zone,
	"deleted_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "user" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" text NOT NULL,
	"password_hash" text NOT NULL,
	"name" text NOT NULL,
	"avatar_url" text,
	"bio" text,
	"timezone" text DEFAULT 'UTC' NOT NULL,
	"role_id" uuid NOT NULL,
	"organization_id" uuid NOT NULL,
	"is_active" boolean DEFAULT true NOT NULL,
	"two_factor_enabled" boolean DEFAULT false NOT NULL,
	"two_factor_secret" text,
	"two_factor_pending_secret" text,
	"two_factor_recovery_codes" jsonb,
	"password_changed_at" timestamp with time zone,
	"last_login" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "command" ADD CONSTRAINT "command_session_id_session_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."session"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "command" ADD CONSTRAINT "command_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "command" ADD CONSTRAINT "command_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "command" ADD CONSTRAINT "command_policy_id_policy_id_fk" FOREIGN KEY ("policy_id") REFERENCES "public"."policy"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "command" ADD CONSTRAINT "command_approved_by_user_id_user_id_fk" FOREIGN KEY ("approved_by_user_id") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "connection" ADD CONSTRAINT "connection_ssh_key_id_ssh_key_id_fk" FOREIGN KEY ("ssh_key_id") REFERENCES "public"."ssh_key"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "connection" ADD CONSTRAINT "connection_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "connection" ADD CONSTRAINT "connection_created_by_user_id_user_id_fk" FOREIGN KEY ("created_by_user_id") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "blocked_command" ADD CONSTRAINT "blocked_command_policy_id_policy_id_fk" FOREIGN KEY ("policy_id") REFERENCES "public"."policy"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "blocked_command" ADD CONSTRAINT "blocked_command_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "policy" ADD CONSTRAINT "policy_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "policy" ADD CONSTRAINT "policy_created_by_user_id_user_id_fk" FOREIGN KEY ("created_by_user_id") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "role" ADD CONSTRAINT "role_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "session" ADD CONSTRAINT "session_connection_id_connection_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."connection"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "session" ADD CONSTRAINT "session_initiated_by_user_id_user_id_fk" FOREIGN KEY ("initiated_by_user_id") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "session" ADD CONSTRAINT "session_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "session_recording" ADD CONSTRAINT "session_recording_session_id_session_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."session"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "session_recording" ADD CONSTRAINT "session_recording_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "session_viewer" ADD CONSTRAINT "session_viewer_session_id_session_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."session"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "session_viewer" ADD CONSTRAINT "session_viewer_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "session_viewer" ADD CONSTRAINT "session_viewer_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ssh_key" ADD CONSTRAINT "ssh_key_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ssh_key" ADD CONSTRAINT "ssh_key_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user" ADD CONSTRAINT "user_role_id_role_id_fk" FOREIGN KEY ("role_id") REFERENCES "public"."role"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user" ADD CONSTRAINT "user_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "idx_audit_organization" ON "audit_log" USING btree ("organization_id");--> statement-breakpoint
CREATE INDEX "idx_audit_user" ON "audit_log" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "idx_audit_event_type" ON "audit_log" USING btree ("event_type");--> statement-breakpoint
CREATE INDEX "idx_audit_timestamp" ON "audit_log" USING btree ("timestamp" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "idx_audit_category" ON "audit_log" USING btree ("event_category");--> statement-breakpoint
CREATE INDEX "idx_command_session" ON "command" USING btree ("session_id");--> statement-breakpoint
CREATE INDEX "idx_command_user" ON "command" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "idx_command_blocked" ON "command" USING btree ("was_blocked") WHERE "command"."was_blocked" = true;--> statement-breakpoint
CREATE INDEX "idx_command_executed_at" ON "command" USING btree ("executed_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "idx_command_organization" ON "command" USING btree ("organization_id");--> statement-breakpoint
CREATE INDEX "idx_connection_organization" ON "connection" USING btree ("organization_id");--> statement-breakpoint
CREATE INDEX "idx_connection_type" ON "connection" USING btree ("type");--> statement-breakpoint
CREATE INDEX "idx_connection_status" ON "connection" USING btree ("status");--> statement-breakpoint
CREATE INDEX "idx_connection_created_by" ON "connection" USING btree ("created_by_user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "idx_organization_slug" ON "organization" USING btree ("slug");--> statement-breakpoint
CREATE INDEX "idx_blocked_command_policy" ON "blocked_command" USING btree ("policy_id");--> statement-breakpoint
CREATE INDEX "idx_policy_organization" ON "policy" USING btree ("organization_id");--> statement-breakpoint
CREATE INDEX "idx_role_organization" ON "role" USING btree ("organization_id");--> statement-breakpoint
CREATE UNIQUE INDEX "idx_role_org_name" ON "role" USING btree ("organization_id","name") WHERE "role"."organization_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "idx_role_system_name" ON "role" USING btree ("name") WHERE "role"."organization_id" is null;--> statement-breakpoint
CREATE INDEX "idx_session_connection" ON "session" USING btree ("connection_id");--> statement-breakpoint
CREATE INDEX "idx_session_user" ON "session" USING btree ("initiated_by_user_id");--> statement-breakpoint
CREATE INDEX "idx_session_status" ON "session" USING btree ("status");--> statement-breakpoint
CREATE INDEX "idx_session_started_at" ON "session" USING btree ("started_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "idx_session_active" ON "session" USING btree ("status") WHERE "session"."status" = 'active';--> statement-breakpoint
CREATE UNIQUE INDEX "idx_session_public_id" ON "session" USING btree ("organization_id","session_id");--> statement-breakpoint
CREATE INDEX "idx_session_recording_session" ON "session_recording" USING btree ("session_id");--> statement-breakpoint
CREATE INDEX "idx_session_recording_retention" ON "session_recording" USING btree ("retention_until");--> statement-breakpoint
CREATE INDEX "idx_session_viewer_session" ON "session_viewer" USING btree ("session_id");--> statement-breakpoint
CREATE INDEX "idx_session_viewer_user" ON "session_viewer" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "idx_ssh_key_organization" ON "ssh_key" USING btree ("organization_id");--> statement-breakpoint
CREATE INDEX "idx_ssh_key_user" ON "ssh_key" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "idx_user_email" ON "user" USING btree ("email");--> statement-breakpoint
CREATE INDEX "idx_user_organization" ON "user" USING btree ("organization_id");--> statement-breakpoint
CREATE INDEX "idx_user_role" ON "user" USING btree ("role_id");--> statement-breakpoint
CREATE INDEX "idx_user_active" ON "user" USING btree ("is_active") WHERE "user"."is_active" = true;--> statement-breakpoint
CREATE UNIQUE INDEX "idx_user_org_email_live" ON "user" USING btree ("organization_id","email") WHERE "user"."deleted_at" is null;
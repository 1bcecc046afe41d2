-- audit_log by month on "timestamp", command by ISO week (Monday, UTC) on "executed_at": PostgreSQL
-- declarative partitioning, which drizzle-kit does not model (docs/data-lifecycle.md, "Partitioning").
-- Each table is rebuilt: the old one steps aside, a partitioned one takes its name with the same columns,
-- a DEFAULT partition (an unexpected timestamp never fails an insert), one partition per period that has
-- rows (a stray old timestamp adds one partition, not one per period since) and the current period with
-- three months / four weeks ahead (workers/jobs/partitions.ts keeps that window, with the same names); the
-- rows are copied, then the primary key — now (id, partition key), as a
-- unique constraint on a partitioned table must contain the partition key —, the seed's indexes (created
-- on the parent, so every partition has them, present and future) and the foreign keys. No table has a
-- foreign key to audit_log or command, so none has to be recreated.
ALTER TABLE "audit_log" RENAME TO "audit_log_unpartitioned";--> statement-breakpoint
ALTER TABLE "audit_log_unpartitioned" RENAME CONSTRAINT "audit_log_pkey" TO "audit_log_unpartitioned_pkey";--> statement-breakpoint
DROP INDEX "idx_audit_organization", "idx_audit_user", "idx_audit_event_type", "idx_audit_timestamp", "idx_audit_category";--> statement-breakpoint
CREATE TABLE "audit_log" (LIKE "audit_log_unpartitioned" INCLUDING DEFAULTS) PARTITION BY RANGE ("timestamp");--> statement-breakpoint
CREATE TABLE "audit_log_default" PARTITION OF "audit_log" DEFAULT;--> statement-breakpoint
DO $$
DECLARE
  m timestamp;
BEGIN
  FOR m IN
    SELECT date_trunc('month', "timestamp" AT TIME ZONE 'UTC') FROM "audit_log_unpartitioned"
    UNION
    SELECT generate_series(date_trunc('month', now() AT TIME ZONE 'UTC'),
      date_trunc('month', now() AT TIME ZONE 'UTC') + interval '3 months', interval '1 month')
  LOOP
    EXECUTE format('CREATE TABLE %I PARTITION OF "audit_log" FOR VALUES FROM (%L) TO (%L)',
      'audit_log_p' || to_char(m, 'YYYYMM'), m AT TIME ZONE 'UTC', (m + interval '1 month') AT TIME ZONE 'UTC');
  END LOOP;
END $$;--> statement-breakpoint
INSERT INTO "audit_log" SELECT * FROM "audit_log_unpartitioned";--> statement-breakpoint
DROP TABLE "audit_log_unpartitioned";--> statement-breakpoint
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_id_timestamp_pk" PRIMARY KEY ("id", "timestamp");--> statement-breakpoint
CREATE INDEX "idx_audit_organization" ON "audit_log" USING btree ("organization_id");--> statement-breakpoint
CREATE INDEX "idx_audit_user" ON "audit_log" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "idx_audit_event_type" ON "audit_log" USING btree ("event_type");--> statement-breakpoint
CREATE INDEX "idx_audit_timestamp" ON "audit_log" USING btree ("timestamp" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "idx_audit_category" ON "audit_log" USING btree ("event_category");--> statement-breakpoint
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "command" RENAME TO "command_unpartitioned";--> statement-breakpoint
ALTER TABLE "command_unpartitioned" RENAME CONSTRAINT "command_pkey" TO "command_unpartitioned_pkey";--> statement-breakpoint
DROP INDEX "idx_command_session", "idx_command_user", "idx_command_blocked", "idx_command_executed_at", "idx_command_organization";--> statement-breakpoint
CREATE TABLE "command" (LIKE "command_unpartitioned" INCLUDING DEFAULTS) PARTITION BY RANGE ("executed_at");--> statement-breakpoint
CREATE TABLE "command_default" PARTITION OF "command" DEFAULT;--> statement-breakpoint
DO $$
DECLARE
  w timestamp;
BEGIN
  FOR w IN
    SELECT date_trunc('week', "executed_at" AT TIME ZONE 'UTC') FROM "command_unpartitioned"
    UNION
    SELECT generate_series(date_trunc('week', now() AT TIME ZONE 'UTC'),
      date_trunc('week', now() AT TIME ZONE 'UTC') + interval '4 weeks', interval '1 week')
  LOOP
    EXECUTE format('CREATE TABLE %I PARTITION OF "command" FOR VALUES FROM (%L) TO (%L)',
      'command_p' || to_char(w, 'YYYYMMDD'), w AT TIME ZONE 'UTC', (w + interval '1 week') AT TIME ZONE 'UTC');
  END LOOP;
END $$;--> statement-breakpoint
INSERT INTO "command" SELECT * FROM "command_unpartitioned";--> statement-breakpoint
DROP TABLE "command_unpartitioned";--> statement-breakpoint
ALTER TABLE "command" ADD CONSTRAINT "command_id_executed_at_pk" PRIMARY KEY ("id", "executed_at");--> statement-breakpoint
CREATE INDEX "idx_command_session" ON "command" USING btree ("session_id");--> statement-breakpoint
CREATE INDEX "idx_command_user" ON "command" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "idx_command_blocked" ON "command" USING btree ("was_blocked") WHERE "command"."was_blocked" = true;--> statement-breakpoint
CREATE INDEX "idx_command_executed_at" ON "command" USING btree ("executed_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "idx_command_organization" ON "command" USING btree ("organization_id");--> statement-breakpoint
ALTER TABLE "command" ADD CONSTRAINT "command_session_id_session_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."session"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "command" ADD CONSTRAINT "command_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "command" ADD CONSTRAINT "command_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "command" ADD CONSTRAINT "command_policy_id_policy_id_fk" FOREIGN KEY ("policy_id") REFERENCES "public"."policy"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "command" ADD CONSTRAINT "command_approved_by_user_id_user_id_fk" FOREIGN KEY ("approved_by_user_id") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;

ALTER TYPE "public"."audit_event_type" ADD VALUE 'retention.run';--> statement-breakpoint
ALTER TYPE "public"."audit_event_type" ADD VALUE 'legal_hold.placed';--> statement-breakpoint
ALTER TYPE "public"."audit_event_type" ADD VALUE 'legal_hold.released';--> statement-breakpoint
ALTER TABLE "session_recording" ADD COLUMN "deleted_at" timestamp with time zone;
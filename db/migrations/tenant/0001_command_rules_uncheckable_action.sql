CREATE TYPE "public"."uncheckable_action" AS ENUM('allow', 'require_approval', 'block');--> statement-breakpoint
ALTER TYPE "public"."pattern_type" ADD VALUE 'command';--> statement-breakpoint
ALTER TABLE "policy" ADD COLUMN "uncheckable_action" "uncheckable_action" DEFAULT 'require_approval' NOT NULL;
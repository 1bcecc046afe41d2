CREATE TABLE "sso_saml_assertion" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"provider_id" uuid NOT NULL,
	"assertion_hash" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "sso_auth_request" ALTER COLUMN "code_verifier_encrypted" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "sso_auth_request" ALTER COLUMN "nonce" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "sso_provider" ADD COLUMN "saml_sso_url" text;--> statement-breakpoint
ALTER TABLE "sso_provider" ADD COLUMN "saml_idp_certificate" text;--> statement-breakpoint
ALTER TABLE "sso_saml_assertion" ADD CONSTRAINT "sso_saml_assertion_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sso_saml_assertion" ADD CONSTRAINT "sso_saml_assertion_provider_id_sso_provider_id_fk" FOREIGN KEY ("provider_id") REFERENCES "public"."sso_provider"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "idx_sso_saml_assertion_hash" ON "sso_saml_assertion" USING btree ("organization_id","assertion_hash");--> statement-breakpoint
CREATE INDEX "idx_sso_saml_assertion_expires" ON "sso_saml_assertion" USING btree ("expires_at");
// The contract of /api/ssh-keys (the seed's SSH_KEY): import and generate bodies, the list query, and the
// key as the API shows it — its public half, fingerprint and ssh-keygen line; the private key and its
// passphrase are write-only (has_passphrase says whether one is kept).
import { z } from "zod";
import { Id, pageQuery, pageSchema, Timestamp } from "../contract/schemas.ts";
import { MAX_KEY_TEXT_LENGTH } from "../crypto/ssh-keys.ts";

// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;
const name = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .refine((v) => !CONTROL.test(v), "must not contain control characters");
const comment = z
  .string()
  .trim()
  .max(256)
  .refine((v) => !CONTROL.test(v), "must not contain control characters");

export const ImportSshKeyBody = z
  .object({
    name,
    private_key: z.string().min(1).max(MAX_KEY_TEXT_LENGTH),
    passphrase: z.string().max(1024).nullable().optional(),
    /** Replaces the comment of an OpenSSH key file; PEM files have none. */
    comment: comment.optional(),
  })
  .strict();

export const GenerateSshKeyBody = z.object({ name, comment: comment.optional() }).strict();

export const SshKeyQuery = pageQuery.extend({
  search: z.string().trim().min(1).max(200).optional().describe("Text in the key's name"),
  user_id: Id.optional().describe("Keys owned by this user"),
});
export type SshKeyQuery = z.output<typeof SshKeyQuery>;

export const SshKey = z
  .object({
    id: Id,
    name: z.string(),
    fingerprint: z.string(),
    public_key: z.string(),
    key_type: z.string(),
    bits: z.number().int(),
    comment: z.string(),
    /** What `ssh-keygen -lf` prints for the key. */
    keygen: z.string(),
    has_passphrase: z.boolean(),
    user_id: Id,
    created_at: Timestamp,
    updated_at: Timestamp,
    last_used: Timestamp.nullable(),
  })
  .meta({ id: "SshKey" });
export type SshKey = z.infer<typeof SshKey>;

export const SshKeyPage = pageSchema(SshKey);

// The contract of GET /api/health: liveness and the database's state, for probes and the dev supervisor.
import { z } from "zod";

export const Health = z
  .object({
    status: z.enum(["ok", "degraded"]),
    db: z.enum(["up", "down"]),
    version: z.string(),
  })
  .meta({ id: "Health" });
export type Health = z.infer<typeof Health>;

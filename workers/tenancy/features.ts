// Feature flags: what each tier gets at provisioning, and the names routes check with requireFeature().
export const FEATURES = {
  SSH: "ssh",
  RECORDING: "recording",
  COLLABORATION: "collaboration",
  EXEC: "exec",
  TENANT_DATA: "tenant-data",
  API_TOKENS: "api-tokens",
} as const;

export const TIER_FEATURES: Record<"free" | "silver" | "gold" | "platinum", string[]> = {
  free: [FEATURES.SSH],
  silver: [FEATURES.SSH, FEATURES.RECORDING, FEATURES.API_TOKENS],
  gold: [
    FEATURES.SSH,
    FEATURES.RECORDING,
    FEATURES.API_TOKENS,
    FEATURES.COLLABORATION,
    FEATURES.EXEC,
    FEATURES.TENANT_DATA,
  ],
  platinum: Object.values(FEATURES),
};

/** Tiers whose tenants get a dedicated database even when the caller supplies none. */
export const DEDICATED_TIERS = new Set(["platinum"]);

export const TIER_PLAN: Record<
  "free" | "silver" | "gold" | "platinum",
  { plan: "free" | "pro" | "enterprise"; maxUsers: number; maxConnections: number }
> = {
  free: { plan: "free", maxUsers: 5, maxConnections: 10 },
  silver: { plan: "pro", maxUsers: 25, maxConnections: 50 },
  gold: { plan: "pro", maxUsers: 100, maxConnections: 250 },
  platinum: { plan: "enterprise", maxUsers: 10_000, maxConnections: 10_000 },
};

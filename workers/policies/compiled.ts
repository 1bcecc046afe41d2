// The organization's compiled command policies, for the evaluate route and the live-session Durable Object.
// Compiling (regexes, literal index) happens once per policy stamp — a digest of every policy's id and
// version, which every change bumps — and the result is cached in-isolate (seed: POLICY cache TTL 15 min).
// Changes through this isolate invalidate at once; every REVALIDATE_MS the cheap stamp query is re-run, so
// a change made through another isolate is picked up within seconds, not after the whole TTL.
import type { Db } from "../../db/client.ts";
import { type CompiledPolicies, compilePolicies, type PolicyInput, type RuleInput } from "../policy/index.ts";
import { policyStore, type RuleRow } from "./store.ts";

export const POLICY_CACHE_TTL_MS = 15 * 60 * 1000;
export const POLICY_REVALIDATE_MS = 30_000;

interface Entry {
  stamp: string;
  compiled: CompiledPolicies;
  loadedAt: number;
  checkedAt: number;
}

const cache = new Map<string, Entry>();
// Bumped by every invalidation, so a load that began before a change never stores its stale result.
const generation = new Map<string, number>();

export function invalidatePolicies(organizationId: string): void {
  cache.delete(organizationId);
  generation.set(organizationId, (generation.get(organizationId) ?? 0) + 1);
}

/** The active policies of the organization with their rules, in the engine's input shape. */
async function loadPolicyInputs(db: Db, organizationId: string): Promise<PolicyInput[]> {
  const store = policyStore({ db, tenant: { id: organizationId } });
  const policies = await store.active();
  if (policies.length === 0) return [];
  const rules = await store.rulesOf(policies.map((p) => p.id));
  const input = (r: RuleRow): RuleInput => ({
    id: r.id,
    policyId: r.policyId,
    name: r.name,
    description: r.description,
    pattern: r.pattern,
    patternType: r.patternType,
    severity: r.severity,
    appliesToTypes: r.appliesToTypes,
    examples: r.examples,
  });
  return policies.map((p) => ({
    id: p.id,
    name: p.name,
    isActive: p.isActive,
    appliesToRoles: p.appliesToRoles,
    appliesToConnections: p.appliesToConnections,
    blockedCommands: (rules.get(p.id) ?? []).map(input),
    allowedCommands: p.allowedCommands,
    requireApproval: p.requireApproval,
    autoDisconnectOnViolation: p.autoDisconnectOnViolation,
    notifyOnViolation: p.notifyOnViolation,
    uncheckableAction: p.uncheckableAction,
  }));
}

/**
 * The compiled policy set of an organization. Throws PolicyCompileError when a stored rule cannot be
 * compiled (only rows written around the API can be): callers must fail closed.
 */
export async function loadCompiledPolicies(db: Db, organizationId: string): Promise<CompiledPolicies> {
  const now = Date.now();
  const hit = cache.get(organizationId);
  if (hit && now - hit.loadedAt < POLICY_CACHE_TTL_MS && now - hit.checkedAt < POLICY_REVALIDATE_MS) {
    return hit.compiled;
  }
  const gen = generation.get(organizationId) ?? 0;
  const stamp = await policyStore({ db, tenant: { id: organizationId } }).stamp();
  if (hit && hit.stamp === stamp && now - hit.loadedAt < POLICY_CACHE_TTL_MS) {
    hit.checkedAt = now;
    return hit.compiled;
  }
  const compiled = compilePolicies(await loadPolicyInputs(db, organizationId));
  if ((generation.get(organizationId) ?? 0) === gen) {
    cache.set(organizationId, { stamp, compiled, loadedAt: now, checkedAt: now });
  }
  return compiled;
}

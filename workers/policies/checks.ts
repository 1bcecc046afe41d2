// What a policy change must pass beyond its schema: each rule means what it says (the engine's checkRule:
// the regex compiles and is safe, the examples match), and the roles and connections a policy names are
// this organization's (or predefined roles). Failures name the offending field of the request body.
import { ApiError } from "../errors.ts";
import { checkRule, type PatternType } from "../policy/index.ts";
import { type PolicyScope, policyStore } from "./store.ts";

/** Refuses a rule the engine would not run as intended; `path` names it in the request body. */
export function assertRule(
  rule: { pattern: string; pattern_type: PatternType; examples: string[] },
  path: string,
): void {
  const r = checkRule({ pattern: rule.pattern, patternType: rule.pattern_type, examples: rule.examples });
  if (r.ok) return;
  const field =
    r.code === "EXAMPLE_NOT_MATCHED" && r.example !== undefined
      ? `${path}examples.${rule.examples.indexOf(r.example)}`
      : `${path}pattern`;
  throw new ApiError(r.code, r.message, {
    fields: [{ path: field, message: r.message, code: r.code }],
    ...(r.example === undefined ? {} : { example: r.example }),
  });
}

function invalid(fields: { path: string; message: string }[]): ApiError {
  return new ApiError("VALIDATION_ERROR", "Request body failed validation", {
    fields: fields.map((f) => ({ ...f, code: "custom" })),
  });
}

/** Role ids must be predefined roles or this organization's own; connection ids its live connections. */
export async function assertScope(
  ctx: PolicyScope,
  scope: { applies_to_roles?: string[]; applies_to_connections?: string[] },
): Promise<void> {
  const store = policyStore(ctx);
  const roles = scope.applies_to_roles ?? [];
  const conns = scope.applies_to_connections ?? [];
  const [knownRoles, knownConns] = await Promise.all([
    store.knownRoles(roles),
    store.knownConnections(conns),
  ]);
  const bad: { path: string; message: string }[] = [];
  roles.forEach((id, i) => {
    if (!knownRoles.has(id))
      bad.push({ path: `applies_to_roles.${i}`, message: "no such role in this organization" });
  });
  conns.forEach((id, i) => {
    if (!knownConns.has(id))
      bad.push({ path: `applies_to_connections.${i}`, message: "no such connection in this organization" });
  });
  if (bad.length > 0) throw invalid(bad);
}

/** A role the caller may evaluate as: predefined or the organization's own. */
export async function assertRole(ctx: PolicyScope, id: string): Promise<void> {
  const known = await policyStore(ctx).knownRoles([id]);
  if (!known.has(id)) throw invalid([{ path: "role_id", message: "no such role in this organization" }]);
}

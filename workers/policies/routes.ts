// /api/policies: the seed's POLICY with its BLOCKED_COMMAND rules, and POST /evaluate (the console's "test a
// command" box). Any tenant user reads and evaluates; changes need policies:manage. Every rule passes the
// engine's checkRule; every change bumps policy.version, invalidates the compiled set and is audited.

import { Permission } from "@nostromo/permissions";
import { Hono } from "hono";
import { currentUser, requirePermission, requireUser } from "../auth/guard.ts";
import { op } from "../contract/op.ts";
import type { AppEnv } from "../env.ts";
import { idParam, readJson, readQuery } from "../lib/validate.ts";
import { requestTenant } from "../tenancy/context.ts";
import {
  Decision,
  EvaluateBody,
  Policy,
  PolicyCreate,
  PolicyPage,
  PolicyQuery,
  PolicyUpdate,
  RuleChange,
  RuleCreate,
  RuleUpdate,
} from "./schemas.ts";
import {
  addRule,
  createPolicy,
  deletePolicy,
  deleteRule,
  evaluate,
  getPolicy,
  listPolicies,
  updatePolicy,
  updateRule,
} from "./service.ts";

const TAG = "Policies";
const READ = "any user of the organization";
const MANAGE = "policies:manage";
const RULE_ERRORS = [
  "NOT_FOUND",
  "VALIDATION_ERROR",
  "INVALID_REGEX",
  "UNSAFE_REGEX",
  "EXAMPLE_NOT_MATCHED",
  "INVALID_PATTERN",
] as const;

export const policiesRoutes = new Hono<AppEnv>()
  .post(
    "/evaluate",
    op({
      tag: TAG,
      summary: "Evaluate a command line against the organization's active policies",
      description:
        "The decision a live session would make at Enter. role_id (policy managers only) evaluates as another role.",
      access: `${READ}; role_id needs ${MANAGE}`,
      body: EvaluateBody,
      responses: { 200: Decision },
      errors: ["FORBIDDEN", "NOT_FOUND", "VALIDATION_ERROR", "INVALID_STATE"],
    }),
    requireUser(),
    async (c) => {
      const b = await readJson(c, EvaluateBody);
      return c.json(await evaluate(requestTenant(c), currentUser(c), b));
    },
  )

  .get(
    "/",
    op({
      tag: TAG,
      summary: "The organization's policies with their rules, in evaluation order",
      access: READ,
      query: PolicyQuery,
      responses: { 200: PolicyPage },
      errors: ["VALIDATION_ERROR"],
    }),
    requireUser(),
    async (c) => c.json(await listPolicies(requestTenant(c), readQuery(c, PolicyQuery))),
  )

  .get(
    "/:id",
    op({
      tag: TAG,
      summary: "One policy with its rules",
      access: READ,
      responses: { 200: Policy },
      errors: ["NOT_FOUND"],
    }),
    requireUser(),
    async (c) => c.json(await getPolicy(requestTenant(c), idParam(c))),
  )

  .post(
    "/",
    op({
      tag: TAG,
      summary: "Create a policy, with its first rules",
      access: MANAGE,
      body: PolicyCreate,
      responses: { 201: Policy },
      errors: [...RULE_ERRORS, "FORBIDDEN"],
    }),
    requirePermission(Permission.MANAGE_POLICIES),
    async (c) => {
      const b = await readJson(c, PolicyCreate);
      return c.json(await createPolicy(requestTenant(c), currentUser(c), b), 201);
    },
  )

  .patch(
    "/:id",
    op({
      tag: TAG,
      summary: "Change a policy's fields (not its rules)",
      access: MANAGE,
      body: PolicyUpdate,
      responses: { 200: Policy },
      errors: ["NOT_FOUND", "VALIDATION_ERROR", "FORBIDDEN"],
    }),
    requirePermission(Permission.MANAGE_POLICIES),
    async (c) => {
      const id = idParam(c);
      const b = await readJson(c, PolicyUpdate);
      return c.json(await updatePolicy(requestTenant(c), id, b));
    },
  )

  .delete(
    "/:id",
    op({
      tag: TAG,
      summary: "Delete a policy and its rules",
      access: MANAGE,
      responses: { 204: null },
      errors: ["NOT_FOUND", "FORBIDDEN"],
    }),
    requirePermission(Permission.MANAGE_POLICIES),
    async (c) => {
      await deletePolicy(requestTenant(c), idParam(c));
      return c.body(null, 204);
    },
  )

  .post(
    "/:id/rules",
    op({
      tag: TAG,
      summary: "Add a rule to a policy",
      access: MANAGE,
      body: RuleCreate,
      responses: { 201: RuleChange },
      errors: [...RULE_ERRORS, "FORBIDDEN"],
    }),
    requirePermission(Permission.MANAGE_POLICIES),
    async (c) => {
      const id = idParam(c);
      const b = await readJson(c, RuleCreate);
      return c.json(await addRule(requestTenant(c), id, b), 201);
    },
  )

  .patch(
    "/:id/rules/:rule_id",
    op({
      tag: TAG,
      summary: "Change a rule (a new pattern must still match the examples, and vice versa)",
      access: MANAGE,
      body: RuleUpdate,
      responses: { 200: RuleChange },
      errors: [...RULE_ERRORS, "FORBIDDEN"],
    }),
    requirePermission(Permission.MANAGE_POLICIES),
    async (c) => {
      const id = idParam(c);
      const ruleId = idParam(c, "rule_id");
      const b = await readJson(c, RuleUpdate);
      return c.json(await updateRule(requestTenant(c), id, ruleId, b));
    },
  )

  .delete(
    "/:id/rules/:rule_id",
    op({
      tag: TAG,
      summary: "Delete a rule",
      access: MANAGE,
      responses: { 204: null },
      errors: ["NOT_FOUND", "FORBIDDEN"],
    }),
    requirePermission(Permission.MANAGE_POLICIES),
    async (c) => {
      await deleteRule(requestTenant(c), idParam(c), idParam(c, "rule_id"));
      return c.body(null, 204);
    },
  );

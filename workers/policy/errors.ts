// The one error the policy engine throws: a stored rule that cannot be compiled. Callers decide how to
// fail (the session layer should fail closed); the code matches checkRule's so both paths read alike.

export type PolicyCompileCode = "INVALID_REGEX" | "INVALID_PATTERN";

export class PolicyCompileError extends Error {
  override readonly name = "PolicyCompileError";
  constructor(
    readonly code: PolicyCompileCode,
    readonly policyId: string,
    readonly ruleId: string,
    message: string,
  ) {
    super(message);
  }
}

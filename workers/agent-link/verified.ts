// The header by which the Worker tells an AgentLink which agent it verified (signature, enrolment, not
// revoked). Apart from the Durable Object itself so routes can name it without loading the object's class.

/** Set by the Worker after it verified the upgrade; any client-sent value is overwritten there. */
export const VERIFIED_AGENT_HEADER = "x-nostromo-verified-agent";

// The tenant's agents (GET /api/agents, DELETE /api/agents/:id) and one-time enrolment tokens
// (POST /api/agents/enrollment-tokens). The token is in the answer once; the server keeps only its hash.
import { api, ok, type Page, type Schemas } from "./http.ts";

export type Agent = Schemas["Agent"];
export type EnrollmentToken = Schemas["EnrollmentToken"];

export function listAgents(): Promise<Page<Agent>> {
  return ok(api.GET("/api/agents", { params: { query: { page_size: 200 } } }));
}

export async function revokeAgent(id: string): Promise<void> {
  await api.DELETE("/api/agents/{id}", { params: { path: { id } } });
}

export function createEnrollmentToken(name: string, expiresInMinutes: number): Promise<EnrollmentToken> {
  const body = { expires_in_minutes: expiresInMinutes, name: name || undefined };
  return ok(api.POST("/api/agents/enrollment-tokens", { body }));
}

// Starts the SSO tests' OpenID Provider (test/support/oidc-idp.ts) for the `workers` project and hands its
// issuer to the tests in workerd, which reach it over loopback HTTP like the Worker does.
import type { TestProject } from "vitest/node";
import { startIdp } from "./oidc-idp.ts";

declare module "vitest" {
  export interface ProvidedContext {
    oidcIssuer: string;
  }
}

export default async function setup(project: TestProject) {
  const idp = await startIdp();
  project.provide("oidcIssuer", idp.issuer);
  return () => idp.close();
}

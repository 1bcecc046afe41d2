// Starts the SSO tests' OpenID Provider (test/support/oidc-idp.ts) for the `workers` project and hands its
// issuer to the tests in workerd, which reach it over loopback HTTP like the Worker does; and makes the
// SAML IdP's signing keys (a trusted one and a stranger's), which the tests sign responses with.
import type { TestProject } from "vitest/node";
import { startIdp } from "./oidc-idp.ts";
import type { SamlKeys } from "./saml-idp.ts";
import { makeSamlKeys } from "./saml-keys.ts";

declare module "vitest" {
  export interface ProvidedContext {
    oidcIssuer: string;
    samlKeys: { trusted: SamlKeys; stranger: SamlKeys };
  }
}

export default async function setup(project: TestProject) {
  const idp = await startIdp();
  project.provide("oidcIssuer", idp.issuer);
  project.provide("samlKeys", { trusted: makeSamlKeys("test-idp"), stranger: makeSamlKeys("stranger-idp") });
  return () => idp.close();
}

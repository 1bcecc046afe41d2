// Self-signed RSA keys and certificates for the SSO tests' SAML IdP, made by `openssl req -x509` in Node
// (workerd cannot make an X.509 certificate): one the organization trusts, one it does not.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SamlKeys } from "./saml-idp.ts";

export function makeSamlKeys(cn: string): SamlKeys {
  const dir = mkdtempSync(join(tmpdir(), "saml-keys-"));
  try {
    const key = join(dir, "key.pem");
    const cert = join(dir, "cert.pem");
    execFileSync(
      "openssl",
      ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2"].concat([
        "-subj",
        `/CN=${cn}`,
      ]),
      { stdio: "ignore" },
    );
    return { key: readFileSync(key, "utf8"), cert: readFileSync(cert, "utf8") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

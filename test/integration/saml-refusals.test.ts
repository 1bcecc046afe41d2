// SAML answers refused, through the Worker in workerd, against Responses a test IdP signs with xml-crypto
// (test/support/saml-idp.ts): a stranger's signature, another audience, an expired assertion, a replayed
// one, an unsolicited or unknown InResponseTo, another Destination or Recipient, a signature-wrapping
// attempt — each sends the browser back to the console's sign-in page with the message and its stable
// reason (as the OIDC callback does, never a JSON page), audited, and no login.

import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { assertionXml, base64Xml, responseXml, samlId, signElement } from "../support/saml-idp.ts";
import { answer, keys, post, refusedAs, samlOrg, start } from "./saml-fixtures.ts";

describe("a SAML answer is refused (back to the sign-in page with the reason, audited, no login)", () => {
  it("when signed by a key the organization does not trust, or changed after signing", async () => {
    const org = await samlOrg();
    const s = await start(org);
    await refusedAs(org, answer(org, s.requestId, { keys: keys().stranger }), s.requestId, "signature");
    const s2 = await start(org);
    const good = answer(org, s2.requestId);
    const signed = signElement(assertionXml(good), "Assertion", good.keys);
    const tampered = responseXml(good, signed.replace(good.email, `boss-${good.email}`));
    await refusedAs(org, base64Xml(tampered), s2.requestId, "signature");
  });

  it("when the audience is another service", async () => {
    const org = await samlOrg();
    const s = await start(org);
    await refusedAs(
      org,
      answer(org, s.requestId, { audience: "https://other.example/sp" }),
      s.requestId,
      "audience",
    );
  });

  it("when the assertion has expired (beyond the clock skew) or is not valid yet", async () => {
    const org = await samlOrg();
    const s = await start(org);
    const past = {
      notBefore: new Date(Date.now() - 20 * 60_000),
      notOnOrAfter: new Date(Date.now() - 5 * 60_000),
    };
    await refusedAs(org, answer(org, s.requestId, past), s.requestId, "time_window");
    const s2 = await start(org);
    const future = {
      notBefore: new Date(Date.now() + 10 * 60_000),
      notOnOrAfter: new Date(Date.now() + 20 * 60_000),
    };
    await refusedAs(org, answer(org, s2.requestId, future), s2.requestId, "time_window");
  });

  it("when an assertion already accepted is presented again, even wrapped in a fresh Response", async () => {
    const org = await samlOrg();
    const s = await start(org);
    // An IdP that does not repeat InResponseTo in the subject: only the (unsigned) Response names it.
    const first = answer(org, s.requestId, { subjectInResponseTo: false });
    const signed = signElement(assertionXml(first), "Assertion", first.keys);
    const ok = await post(
      s.app,
      org.provider.saml.acs_url,
      base64Xml(responseXml(first, signed)),
      s.requestId,
    );
    expect(ok.status, JSON.stringify(ok.body)).toBe(303);
    // The same bytes again: the request is used up.
    await refusedAs(org, base64Xml(responseXml(first, signed)), s.requestId, "in_response_to");
    // The signed assertion re-wrapped to answer a request the attacker started: the assertion id is used.
    const s2 = await start(org);
    const replay = responseXml({ ...first, inResponseTo: s2.requestId }, signed);
    await refusedAs(org, base64Xml(replay), s2.requestId, "replayed");
  });

  it("when unsolicited, answering an unknown request, or one another browser started", async () => {
    const org = await samlOrg();
    await refusedAs(org, answer(org, undefined), null, "in_response_to");
    const s = await start(org);
    await refusedAs(org, answer(org, samlId()), s.requestId, "in_response_to");
    const other = await start(org);
    await refusedAs(org, answer(org, other.requestId), null, "in_response_to");
    const mine = await start(org);
    await refusedAs(org, answer(org, other.requestId), mine.requestId, "in_response_to");
  });

  it("when the Destination, the Recipient or the issuer is not ours", async () => {
    const org = await samlOrg();
    const s = await start(org);
    const elsewhere = answer(org, s.requestId);
    const signed = signElement(assertionXml(elsewhere), "Assertion", elsewhere.keys);
    const moved = responseXml({ ...elsewhere, acsUrl: "https://evil.example/acs" }, signed);
    await refusedAs(org, base64Xml(moved), s.requestId, "destination");
    const s2 = await start(org);
    const recipient = answer(org, s2.requestId);
    const wrongRecipient = signElement(
      assertionXml({ ...recipient, acsUrl: "https://evil.example/acs" }),
      "Assertion",
      recipient.keys,
    );
    await refusedAs(org, base64Xml(responseXml(recipient, wrongRecipient)), s2.requestId, "recipient");
    const s3 = await start(org);
    await refusedAs(
      org,
      answer(org, s3.requestId, { idpEntityId: "https://evil.example/idp" }),
      s3.requestId,
      "issuer",
    );
  });

  it("when a forged assertion wraps the genuine signed one (XML signature wrapping)", async () => {
    const org = await samlOrg();
    const s = await start(org);
    const genuine = answer(org, s.requestId);
    const signed = signElement(assertionXml(genuine), "Assertion", genuine.keys);
    const signature = /<ds:Signature[\s\S]*<\/ds:Signature>|<Signature[\s\S]*<\/Signature>/.exec(signed)?.[0];
    expect(signature).toBeTruthy();
    // The forged assertion keeps the genuine one's ID and signature; the genuine assertion hides inside it.
    const id = /ID="([^"]+)"/.exec(signed)?.[1] ?? "";
    const forged = assertionXml({ ...genuine, email: `admin-${genuine.email}`, assertionId: id }).replace(
      "</saml:Issuer>",
      `</saml:Issuer>${signature}<saml:Advice>${signed}</saml:Advice>`,
    );
    await refusedAs(org, base64Xml(responseXml(genuine, forged)), s.requestId, "signature");
    // And the forged one beside the genuine one: two assertions are never read.
    const s2 = await start(org);
    const two = responseXml({ ...genuine, inResponseTo: s2.requestId }, `${forged}${signed}`);
    await refusedAs(org, base64Xml(two), s2.requestId, "signature");
  });

  it("when the form post carries no SAMLResponse (400, not a 500)", async () => {
    const org = await samlOrg();
    const res = await exports.default.fetch(org.provider.saml.acs_url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "RelayState=x",
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("VALIDATION_ERROR");
  });
});

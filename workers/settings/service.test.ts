// The pure parts of the settings service: merging a change and presenting settings (write-only webhook).
import { describe, expect, it } from "vitest";
import { DEFAULT_ORGANIZATION_SETTINGS } from "../../db/schema/tenant/organization.ts";
import { Settings } from "./schemas.ts";
import { mergeSettings, presentSettings } from "./service.ts";

describe("mergeSettings", () => {
  it("replaces given values, removes nulls, keeps the rest", () => {
    const current = {
      ...DEFAULT_ORGANIZATION_SETTINGS,
      sso_provider: "okta",
      webhook_url: "https://h.example/x",
    };
    const next = mergeSettings(current, { session_timeout: 90_000, webhook_url: null });
    expect(next.session_timeout).toBe(90_000);
    expect(next.sso_provider).toBe("okta");
    expect("webhook_url" in next).toBe(false);
    expect(current.webhook_url).toBe("https://h.example/x");
  });
});

describe("presentSettings", () => {
  it("shows every field, absent optional ones as null, the webhook by its origin only", () => {
    const shown = presentSettings({
      ...DEFAULT_ORGANIZATION_SETTINGS,
      webhook_url: "https://h.example/secret",
    });
    expect(Settings.parse(shown)).toEqual(shown);
    expect(shown.webhook_url).toBe("https://h.example/…");
    expect(shown.sso_provider).toBeNull();
    expect(presentSettings(DEFAULT_ORGANIZATION_SETTINGS).webhook_url).toBeNull();
  });
});

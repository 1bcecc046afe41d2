// Single sign-on › OpenID Connect provider: a preset (Okta, Entra ID, Google Workspace, any provider), the
// redirect URI to register there, issuer, client id and the write-only client secret (an empty field keeps
// the stored one), then the role rules shared with SAML, and a discovery test. On the shared Form/Field.
import { useMutation, useQueryClient } from "@tanstack/preact-query";
import { useState } from "preact/hooks";
import {
  changeSsoProvider,
  createSsoProvider,
  type Role,
  type SsoPreset,
  type SsoProvider,
  testSsoProvider,
} from "../../api/index.ts";
import { Field } from "../../ui/field.tsx";
import { Form } from "../../ui/form.tsx";
import { Alert } from "../../ui/states.tsx";
import { parseMapping, type RoleChoice, RoleFields, roleChoiceOf } from "./sso-roles.tsx";

export const OIDC_PRESETS: Record<SsoPreset, { label: string; issuer: string }> = {
  okta: { label: "Okta", issuer: "https://{okta_domain}/oauth2/default" },
  azure_ad: { label: "Microsoft Entra ID", issuer: "https://login.microsoftonline.com/{tenant_id}/v2.0" },
  google: { label: "Google Workspace", issuer: "https://accounts.google.com" },
  generic: { label: "Other OpenID Connect provider", issuer: "https://idp.example.com" },
};

interface Draft extends RoleChoice {
  preset: SsoPreset;
  displayName: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
}

export function OidcProviderForm(props: { provider: SsoProvider | null; roles: Role[] }) {
  const qc = useQueryClient();
  const p = props.provider;
  const [d, setD] = useState<Draft>(() => ({
    preset: p?.preset ?? "okta",
    displayName: p?.display_name ?? "",
    issuer: p?.issuer ?? "",
    clientId: p?.client_id ?? "",
    clientSecret: "",
    ...roleChoiceOf(p, props.roles),
  }));
  const preset = OIDC_PRESETS[d.preset];
  const save = useMutation({
    mutationFn: async (draft: Draft) => {
      const common = {
        display_name: draft.displayName || preset.label,
        client_id: draft.clientId,
        role_claim: draft.claim.trim() || null,
        role_mapping: parseMapping(draft.mapping, props.roles),
        default_role_id: draft.defaultRoleId,
        enabled: draft.enabled,
        ...(draft.issuer.trim() ? { issuer: draft.issuer.trim() } : {}),
      };
      if (p)
        return changeSsoProvider(p.id, {
          ...common,
          ...(draft.clientSecret ? { client_secret: draft.clientSecret } : {}),
        });
      return createSsoProvider({ ...common, preset: draft.preset, client_secret: draft.clientSecret });
    },
    onSuccess: () => {
      setD({ ...d, clientSecret: "" });
      qc.invalidateQueries({ queryKey: ["sso-providers"] });
    },
  });
  const test = useMutation({ mutationFn: (id: string) => testSsoProvider(id) });
  const set = (patch: Partial<Draft>) => {
    save.reset();
    setD({ ...d, ...patch });
  };
  return (
    <Form
      title="OpenID Connect provider"
      save={save}
      onSubmit={() => save.mutate(d)}
      submitLabel="Save OpenID Connect provider"
      extraActions={
        p && (
          <button type="button" disabled={test.isPending} onClick={() => test.mutate(p.id)}>
            {test.isPending ? "Testing…" : "Test provider"}
          </button>
        )
      }
    >
      {p ? (
        <p class="muted">
          {OIDC_PRESETS[p.preset].label}. Register this redirect URI at the provider:{" "}
          <code>{p.redirect_uri}</code>
        </p>
      ) : (
        <Field id="oidc-preset" label="Provider">
          <select
            id="oidc-preset"
            value={d.preset}
            onChange={(e) => set({ preset: e.currentTarget.value as SsoPreset })}
          >
            {Object.entries(OIDC_PRESETS).map(([k, v]) => (
              <option key={k} value={k}>
                {v.label}
              </option>
            ))}
          </select>
        </Field>
      )}
      <Field id="oidc-name" label="Button label" hint='Shown as "Sign in with …"' name="display_name">
        <input
          id="oidc-name"
          value={d.displayName}
          placeholder={preset.label}
          onInput={(e) => set({ displayName: e.currentTarget.value })}
        />
      </Field>
      <Field id="oidc-issuer" label="Issuer URL" hint={`e.g. ${preset.issuer}`} name="issuer">
        <input
          id="oidc-issuer"
          type="url"
          value={d.issuer}
          onInput={(e) => set({ issuer: e.currentTarget.value })}
        />
      </Field>
      <Field id="oidc-client" label="Client ID" name="client_id">
        <input
          id="oidc-client"
          required
          autocomplete="off"
          value={d.clientId}
          onInput={(e) => set({ clientId: e.currentTarget.value })}
        />
      </Field>
      <Field
        id="oidc-secret"
        label="Client secret"
        hint={
          p?.has_client_secret ? "A secret is stored and never shown. Empty keeps it." : "Never shown again."
        }
        name="client_secret"
      >
        <input
          id="oidc-secret"
          type="password"
          autocomplete="new-password"
          value={d.clientSecret}
          onInput={(e) => set({ clientSecret: e.currentTarget.value })}
        />
      </Field>
      <RoleFields
        prefix="oidc"
        source="claim"
        buttonLabel={d.displayName || preset.label}
        value={d}
        roles={props.roles}
        onChange={set}
      />
      {save.isSuccess && <Alert kind="ok">OpenID Connect provider saved.</Alert>}
      {test.data && (
        <Alert kind={test.data.ok ? "ok" : undefined}>
          {test.data.ok ? "The provider answered its discovery document." : `Test failed: ${test.data.error}`}
        </Alert>
      )}
    </Form>
  );
}

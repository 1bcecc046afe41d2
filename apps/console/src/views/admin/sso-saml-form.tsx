// Single sign-on › SAML 2.0 identity provider: what to register at the IdP (our entity id, ACS URL and
// metadata URL), what it gives us (its entity id, SSO URL and signing certificate, PEM — typed, or
// imported from its metadata: sso-saml-metadata.tsx), the role rules shared with OIDC, and a check of the
// certificate. On the shared Form/Field.
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
import { SamlMetadataImport } from "./sso-saml-metadata.tsx";

const SAML_PRESETS: Record<SsoPreset, string> = {
  okta: "Okta",
  azure_ad: "Microsoft Entra ID",
  google: "Google Workspace",
  generic: "Other SAML identity provider",
};

interface Draft extends RoleChoice {
  preset: SsoPreset;
  displayName: string;
  entityId: string;
  ssoUrl: string;
  certificate: string;
  emailAttribute: string;
}

export function SamlProviderForm(props: { provider: SsoProvider | null; roles: Role[] }) {
  const qc = useQueryClient();
  const p = props.provider;
  const [d, setD] = useState<Draft>(() => ({
    preset: p?.preset ?? "generic",
    displayName: p?.display_name ?? "",
    entityId: p?.saml?.idp_entity_id ?? "",
    ssoUrl: p?.saml?.sso_url ?? "",
    certificate: p?.saml?.idp_certificate ?? "",
    emailAttribute: p?.email_claim ?? "email",
    ...roleChoiceOf(p, props.roles),
  }));
  const label = SAML_PRESETS[d.preset];
  const save = useMutation({
    mutationFn: async (draft: Draft) => {
      const common = {
        display_name: draft.displayName || label,
        idp_entity_id: draft.entityId.trim(),
        sso_url: draft.ssoUrl.trim(),
        idp_certificate: draft.certificate,
        email_claim: draft.emailAttribute.trim() || "email",
        role_claim: draft.claim.trim() || null,
        role_mapping: parseMapping(draft.mapping, props.roles),
        default_role_id: draft.defaultRoleId,
        enabled: draft.enabled,
      };
      if (p) return changeSsoProvider(p.id, common);
      return createSsoProvider({ ...common, type: "saml", preset: draft.preset });
    },
    onSuccess: () => qc.invalidateQueries({ queryKey: ["sso-providers"] }),
  });
  const test = useMutation({ mutationFn: (id: string) => testSsoProvider(id) });
  const set = (patch: Partial<Draft>) => {
    save.reset();
    setD({ ...d, ...patch });
  };
  return (
    <Form
      title="SAML 2.0 identity provider"
      save={save}
      onSubmit={() => save.mutate(d)}
      submitLabel="Save SAML provider"
      extraActions={
        p && (
          <button type="button" disabled={test.isPending} onClick={() => test.mutate(p.id)}>
            {test.isPending ? "Checking…" : "Check SAML provider"}
          </button>
        )
      }
    >
      {p?.saml ? (
        <dl class="muted">
          <dt>Entity ID (audience)</dt>
          <dd>
            <code>{p.saml.sp_entity_id}</code>
          </dd>
          <dt>ACS URL (HTTP-POST)</dt>
          <dd>
            <code>{p.saml.acs_url}</code>
          </dd>
          <dt>Metadata</dt>
          <dd>
            <a href={p.saml.metadata_url}>{p.saml.metadata_url}</a>
          </dd>
        </dl>
      ) : (
        <Field id="saml-preset" label="SAML identity provider">
          <select
            id="saml-preset"
            value={d.preset}
            onChange={(e) => set({ preset: e.currentTarget.value as SsoPreset })}
          >
            {Object.entries(SAML_PRESETS).map(([k, v]) => (
              <option key={k} value={k}>
                {v}
              </option>
            ))}
          </select>
        </Field>
      )}
      <SamlMetadataImport
        onImported={(m) =>
          set({ entityId: m.idp_entity_id, ssoUrl: m.sso_url, certificate: m.idp_certificate })
        }
      />
      <Field id="saml-name" label="SAML button label" hint='Shown as "Sign in with …"' name="display_name">
        <input
          id="saml-name"
          value={d.displayName}
          placeholder={label}
          onInput={(e) => set({ displayName: e.currentTarget.value })}
        />
      </Field>
      <Field
        id="saml-entity"
        label="IdP entity ID"
        hint="The IdP's Issuer, from its metadata"
        name="idp_entity_id"
      >
        <input
          id="saml-entity"
          required
          value={d.entityId}
          onInput={(e) => set({ entityId: e.currentTarget.value })}
        />
      </Field>
      <Field id="saml-sso" label="IdP SSO URL" hint="HTTP-Redirect binding" name="sso_url">
        <input
          id="saml-sso"
          type="url"
          required
          value={d.ssoUrl}
          onInput={(e) => set({ ssoUrl: e.currentTarget.value })}
        />
      </Field>
      <Field id="saml-cert" label="IdP signing certificate (PEM)" name="idp_certificate">
        <textarea
          id="saml-cert"
          rows={4}
          required
          spellcheck={false}
          placeholder="-----BEGIN CERTIFICATE-----"
          value={d.certificate}
          onInput={(e) => set({ certificate: e.currentTarget.value })}
        />
      </Field>
      <Field id="saml-email" label="Email attribute" hint="Else an emailAddress NameID" name="email_claim">
        <input
          id="saml-email"
          value={d.emailAttribute}
          onInput={(e) => set({ emailAttribute: e.currentTarget.value })}
        />
      </Field>
      <RoleFields
        prefix="saml"
        source="attribute"
        buttonLabel={d.displayName || label}
        value={d}
        roles={props.roles}
        onChange={set}
      />
      {save.isSuccess && <Alert kind="ok">SAML provider saved.</Alert>}
      {test.data && (
        <Alert kind={test.data.ok ? "ok" : undefined}>
          {test.data.ok ? "The certificate and SSO URL are usable." : `Check failed: ${test.data.error}`}
        </Alert>
      )}
    </Form>
  );
}

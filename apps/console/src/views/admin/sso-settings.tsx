// Tenant console › Organization settings › Single sign-on: the organization's OpenID Connect provider and
// SAML 2.0 identity provider (each its own form: sso-oidc-form.tsx, sso-saml-form.tsx, with the role rules
// they share in sso-roles.tsx), and the switch that makes SSO required with its break-glass account.
import { useMutation, useQuery, useQueryClient } from "@tanstack/preact-query";
import { useState } from "preact/hooks";
import {
  getSettings,
  listRoles,
  listSsoProviders,
  type Organization,
  type SsoProvider,
  saveSsoRequirement,
} from "../../api/index.ts";
import { Field } from "../../ui/field.tsx";
import { Form } from "../../ui/form.tsx";
import { Alert, Failed, Loading } from "../../ui/states.tsx";
import { OidcProviderForm } from "./sso-oidc-form.tsx";
import { SamlProviderForm } from "./sso-saml-form.tsx";

function RequirementForm(props: { org: Organization; providers: SsoProvider[] }) {
  const qc = useQueryClient();
  const [required, setRequired] = useState(props.org.settings.sso_enabled);
  const [breakGlass, setBreakGlass] = useState(props.org.settings.sso_break_glass_email ?? "");
  const preset = props.providers.find((p) => p.enabled)?.preset ?? props.providers[0]?.preset ?? "generic";
  const save = useMutation({
    mutationFn: () => saveSsoRequirement(required, preset, breakGlass),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["settings"] }),
  });
  return (
    <Form title="Requirement" save={save} onSubmit={() => save.mutate()} submitLabel="Save requirement">
      <label>
        <input
          type="checkbox"
          checked={required}
          onChange={(e) => {
            save.reset();
            setRequired(e.currentTarget.checked);
          }}
        />{" "}
        Require single sign-on (password sign-in refused)
      </label>
      <Field
        id="sso-glass"
        label="Break-glass account"
        hint="The one email that may still sign in with its password"
        name="settings.sso_break_glass_email"
      >
        <input
          id="sso-glass"
          type="email"
          value={breakGlass}
          onInput={(e) => {
            save.reset();
            setBreakGlass(e.currentTarget.value);
          }}
        />
      </Field>
      {save.isSuccess && <Alert kind="ok">Requirement saved.</Alert>}
    </Form>
  );
}

export function SsoSettings() {
  const providers = useQuery({ queryKey: ["sso-providers"], queryFn: listSsoProviders });
  const roles = useQuery({ queryKey: ["roles"], queryFn: listRoles });
  const settings = useQuery({ queryKey: ["settings"], queryFn: getSettings });
  const failed = providers.error ?? roles.error ?? settings.error;
  if (failed) return <Failed error={failed} />;
  if (!providers.data || !roles.data || !settings.data) return <Loading what="single sign-on" />;
  const of = (type: "oidc" | "saml") => providers.data.find((p) => p.type === type) ?? null;
  const oidc = of("oidc");
  const saml = of("saml");
  return (
    <section aria-labelledby="sso-title">
      <h2 id="sso-title">Single sign-on</h2>
      <OidcProviderForm provider={oidc} roles={roles.data.roles} />
      <SamlProviderForm provider={saml} roles={roles.data.roles} />
      <RequirementForm org={settings.data} providers={providers.data} />
    </section>
  );
}

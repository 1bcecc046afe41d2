// Tenant console › Organization settings › Single sign-on: the organization's OpenID Connect provider (a
// preset for Okta, Entra ID, Google Workspace or any provider), the redirect URI to register there, which
// group gives which role, the role of people created on first sign-in, a discovery test, and the switch
// that makes SSO required with its break-glass account. The client secret is write-only: an empty field
// keeps the stored one.
import { useMutation, useQuery, useQueryClient } from "@tanstack/preact-query";
import { useEffect, useState } from "preact/hooks";
import {
  ApiFailure,
  getSettings,
  getSsoProvider,
  listRoles,
  type Role,
  type SsoProvider,
  saveSsoProvider,
  saveSsoRequirement,
  testSsoProvider,
} from "../../api/index.ts";
import { fieldErrors } from "../../api/messages.ts";
import { Field } from "../../ui/field.tsx";
import { Alert, Failed, Loading } from "../../ui/states.tsx";

const PRESETS: Record<string, { label: string; issuer: string; claim: string }> = {
  okta: { label: "Okta", issuer: "https://{okta_domain}/oauth2/default", claim: "groups" },
  azure_ad: {
    label: "Microsoft Entra ID",
    issuer: "https://login.microsoftonline.com/{tenant_id}/v2.0",
    claim: "groups",
  },
  google: { label: "Google Workspace", issuer: "https://accounts.google.com", claim: "" },
  generic: { label: "Other OpenID Connect provider", issuer: "https://idp.example.com", claim: "groups" },
};

interface Form {
  preset: string;
  displayName: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  roleClaim: string;
  mapping: string;
  defaultRoleId: string;
  enabled: boolean;
  required: boolean;
  breakGlass: string;
}

function formOf(p: SsoProvider | null, roles: Role[], required: boolean, breakGlass: string | null): Form {
  const nameOf = (id: string) => roles.find((r) => r.id === id)?.name ?? id;
  return {
    preset: p?.preset ?? "okta",
    displayName: p?.displayName ?? "",
    issuer: p?.issuer ?? "",
    clientId: p?.clientId ?? "",
    clientSecret: "",
    roleClaim: p ? (p.roleClaim ?? "") : "groups",
    mapping: (p?.roleMapping ?? []).map((r) => `${r.value} = ${nameOf(r.roleId)}`).join("\n"),
    defaultRoleId: p?.defaultRoleId ?? roles.find((r) => r.name === "Observer")?.id ?? roles[0]?.id ?? "",
    enabled: p?.enabled ?? false,
    required,
    breakGlass: breakGlass ?? "",
  };
}

/** "group = Role name" lines to rules; an unknown role name is an error naming the line. */
function parseMapping(text: string, roles: Role[]) {
  const rules = [];
  for (const line of text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)) {
    const at = line.lastIndexOf("=");
    const value = line.slice(0, at).trim();
    const role = roles.find(
      (r) =>
        r.name.toLowerCase() ===
        line
          .slice(at + 1)
          .trim()
          .toLowerCase(),
    );
    if (at < 1 || !value || !role) throw new Error(`"${line}": write a group, "=", then a role's name`);
    rules.push({ value, roleId: role.id });
  }
  return rules;
}

export function SsoSettings() {
  const qc = useQueryClient();
  const provider = useQuery({ queryKey: ["sso-provider"], queryFn: getSsoProvider });
  const roles = useQuery({ queryKey: ["roles"], queryFn: listRoles });
  const settings = useQuery({ queryKey: ["settings"], queryFn: getSettings });
  const [f, setF] = useState<Form | null>(null);
  useEffect(() => {
    if (provider.isSuccess && roles.data && settings.data && !f)
      setF(
        formOf(
          provider.data,
          roles.data.roles,
          settings.data.settings.sso_enabled,
          settings.data.settings.sso_break_glass_email,
        ),
      );
  }, [provider.isSuccess, roles.data, settings.data]);
  const save = useMutation({
    mutationFn: async (form: Form) => {
      const list = roles.data?.roles ?? [];
      const saved = await saveSsoProvider(provider.data?.id ?? null, {
        preset: form.preset,
        displayName: form.displayName || PRESETS[form.preset]?.label || "SSO",
        issuer: form.issuer,
        clientId: form.clientId,
        clientSecret: form.clientSecret,
        roleClaim: form.roleClaim,
        roleMapping: parseMapping(form.mapping, list),
        defaultRoleId: form.defaultRoleId,
        enabled: form.enabled,
      });
      await saveSsoRequirement(form.required, saved.preset, form.breakGlass);
      return saved;
    },
    onSuccess: (p) => {
      qc.setQueryData(["sso-provider"], p);
      qc.invalidateQueries({ queryKey: ["settings"] });
      if (f) setF({ ...f, clientSecret: "" });
    },
  });
  const test = useMutation({ mutationFn: (id: string) => testSsoProvider(id) });
  const failed = provider.error ?? roles.error ?? settings.error;
  if (failed) return <Failed error={failed} />;
  if (!f || !roles.data) return <Loading what="single sign-on" />;
  const p = provider.data ?? null;
  const errors = save.error instanceof ApiFailure ? fieldErrors(save.error) : {};
  const set = (patch: Partial<Form>) => {
    save.reset();
    setF({ ...f, ...patch });
  };
  const preset = PRESETS[f.preset] ?? PRESETS.generic;
  return (
    <section aria-labelledby="sso-title">
      <h2 id="sso-title">Single sign-on</h2>
      <form
        class="form"
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate(f);
        }}
      >
        <fieldset disabled={save.isPending}>
          <legend>OpenID Connect provider</legend>
          {p ? (
            <p class="muted">
              {PRESETS[p.preset]?.label ?? p.preset}. Register this redirect URI at the provider:{" "}
              <code>{p.redirectUri}</code>
            </p>
          ) : (
            <Field id="sso-preset" label="Provider">
              <select
                id="sso-preset"
                value={f.preset}
                onChange={(e) => set({ preset: e.currentTarget.value })}
              >
                {Object.entries(PRESETS).map(([k, v]) => (
                  <option key={k} value={k}>
                    {v.label}
                  </option>
                ))}
              </select>
            </Field>
          )}
          <Field
            id="sso-name"
            label="Button label"
            hint='Shown as "Sign in with …"'
            error={errors.display_name}
          >
            <input
              id="sso-name"
              value={f.displayName}
              placeholder={preset?.label}
              onInput={(e) => set({ displayName: e.currentTarget.value })}
            />
          </Field>
          <Field id="sso-issuer" label="Issuer URL" hint={`e.g. ${preset?.issuer}`} error={errors.issuer}>
            <input
              id="sso-issuer"
              type="url"
              value={f.issuer}
              onInput={(e) => set({ issuer: e.currentTarget.value })}
            />
          </Field>
          <Field id="sso-client" label="Client ID" error={errors.client_id}>
            <input
              id="sso-client"
              required
              autocomplete="off"
              value={f.clientId}
              onInput={(e) => set({ clientId: e.currentTarget.value })}
            />
          </Field>
          <Field
            id="sso-secret"
            label="Client secret"
            hint={
              p?.hasClientSecret
                ? "A secret is stored and never shown. Empty keeps it."
                : "Never shown again."
            }
            error={errors.client_secret}
          >
            <input
              id="sso-secret"
              type="password"
              autocomplete="new-password"
              value={f.clientSecret}
              onInput={(e) => set({ clientSecret: e.currentTarget.value })}
            />
          </Field>
          <Field
            id="sso-claim"
            label="Groups claim"
            hint="Empty: everybody gets the default role"
            error={errors.role_claim}
          >
            <input
              id="sso-claim"
              value={f.roleClaim}
              onInput={(e) => set({ roleClaim: e.currentTarget.value })}
            />
          </Field>
          <Field
            id="sso-mapping"
            label="Group → role"
            hint="One per line: group = role name (first match wins)"
          >
            <textarea
              id="sso-mapping"
              rows={3}
              value={f.mapping}
              onInput={(e) => set({ mapping: e.currentTarget.value })}
            />
          </Field>
          <Field id="sso-default" label="Default role" hint="For people no group matches">
            <select
              id="sso-default"
              value={f.defaultRoleId}
              onChange={(e) => set({ defaultRoleId: e.currentTarget.value })}
            >
              {roles.data.roles.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                </option>
              ))}
            </select>
          </Field>
          <label>
            <input
              type="checkbox"
              checked={f.enabled}
              onChange={(e) => set({ enabled: e.currentTarget.checked })}
            />{" "}
            Offer “Sign in with {f.displayName || preset?.label}”
          </label>
        </fieldset>
        <fieldset disabled={save.isPending}>
          <legend>Requirement</legend>
          <label>
            <input
              type="checkbox"
              checked={f.required}
              onChange={(e) => set({ required: e.currentTarget.checked })}
            />{" "}
            Require single sign-on (password sign-in refused)
          </label>
          <Field
            id="sso-glass"
            label="Break-glass account"
            hint="The one email that may still sign in with its password"
            error={errors["settings.sso_break_glass_email"]}
          >
            <input
              id="sso-glass"
              type="email"
              value={f.breakGlass}
              onInput={(e) => set({ breakGlass: e.currentTarget.value })}
            />
          </Field>
        </fieldset>
        {save.isError && !Object.keys(errors).length && (
          <Alert>{save.error instanceof Error ? save.error.message : "Not saved"}</Alert>
        )}
        {save.isSuccess && <Alert kind="ok">Single sign-on saved.</Alert>}
        {test.data && (
          <Alert kind={test.data.ok ? "ok" : undefined}>
            {test.data.ok
              ? "The provider answered its discovery document."
              : `Test failed: ${test.data.error}`}
          </Alert>
        )}
        <div class="actions">
          {p && (
            <button type="button" disabled={test.isPending} onClick={() => test.mutate(p.id)}>
              {test.isPending ? "Testing…" : "Test provider"}
            </button>
          )}
          <button type="submit" class="primary" disabled={save.isPending}>
            {save.isPending ? "Saving…" : "Save single sign-on"}
          </button>
        </div>
      </form>
    </section>
  );
}

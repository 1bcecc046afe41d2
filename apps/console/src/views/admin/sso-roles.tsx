// What both kinds of identity provider share in the SSO settings: which group (claim or attribute) gives
// which role, written as "group = Role name" lines, the role of people no group matches, and whether the
// sign-in page offers the provider. One component, so the OIDC and SAML forms read and check it alike.
import type { Role, SsoProvider } from "../../api/index.ts";
import { Field } from "../../ui/field.tsx";

export interface RoleChoice {
  claim: string;
  mapping: string;
  defaultRoleId: string;
  enabled: boolean;
}

export function roleChoiceOf(p: SsoProvider | null, roles: Role[]): RoleChoice {
  const nameOf = (id: string) => roles.find((r) => r.id === id)?.name ?? id;
  return {
    claim: p ? (p.role_claim ?? "") : "groups",
    mapping: (p?.role_mapping ?? []).map((r) => `${r.value} = ${nameOf(r.role_id)}`).join("\n"),
    defaultRoleId: p?.default_role_id ?? roles.find((r) => r.name === "Observer")?.id ?? roles[0]?.id ?? "",
    enabled: p?.enabled ?? false,
  };
}

/** "group = Role name" lines to rules; an unknown role name is an error naming the line. */
export function parseMapping(text: string, roles: Role[]): { value: string; role_id: string }[] {
  const rules = [];
  for (const line of text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)) {
    const at = line.lastIndexOf("=");
    const value = line.slice(0, at).trim();
    const wanted = line
      .slice(at + 1)
      .trim()
      .toLowerCase();
    const role = roles.find((r) => r.name.toLowerCase() === wanted);
    if (at < 1 || !value || !role) throw new Error(`"${line}": write a group, "=", then a role's name`);
    rules.push({ value, role_id: role.id });
  }
  return rules;
}

export function RoleFields(props: {
  prefix: string;
  /** "claim" (OIDC) or "attribute" (SAML). */
  source: string;
  buttonLabel: string;
  value: RoleChoice;
  roles: Role[];
  onChange: (patch: Partial<RoleChoice>) => void;
}) {
  const { prefix: id, value: v } = props;
  return (
    <>
      <Field
        id={`${id}-claim`}
        label={`Groups ${props.source}`}
        hint="Empty: everybody gets the default role"
        name="role_claim"
      >
        <input
          id={`${id}-claim`}
          value={v.claim}
          onInput={(e) => props.onChange({ claim: e.currentTarget.value })}
        />
      </Field>
      <Field
        id={`${id}-mapping`}
        label="Group → role"
        hint="One per line: group = role name (first match wins)"
      >
        <textarea
          id={`${id}-mapping`}
          rows={3}
          value={v.mapping}
          onInput={(e) => props.onChange({ mapping: e.currentTarget.value })}
        />
      </Field>
      <Field
        id={`${id}-default`}
        label="Default role"
        hint="For people no group matches"
        name="default_role_id"
      >
        <select
          id={`${id}-default`}
          value={v.defaultRoleId}
          onChange={(e) => props.onChange({ defaultRoleId: e.currentTarget.value })}
        >
          {props.roles.map((r) => (
            <option key={r.id} value={r.id}>
              {r.name}
            </option>
          ))}
        </select>
      </Field>
      <label>
        <input
          type="checkbox"
          checked={v.enabled}
          onChange={(e) => props.onChange({ enabled: e.currentTarget.checked })}
        />{" "}
        Offer “Sign in with {props.buttonLabel}”
      </label>
    </>
  );
}

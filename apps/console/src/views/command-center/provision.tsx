// Command Center › Provision a tenant: the seed's fields, a pooled or a dedicated (customer-supplied)
// database, a visible "working" state while the database is created and migrated, and the server's precise
// error (e.g. "Database unreachable") beside the field it concerns.
import { useMutation, useQueryClient } from "@tanstack/preact-query";
import { useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { type ProvisionInput, provisionTenant, TIERS, type Tier } from "../../api/index.ts";
import { Field } from "../../ui/field.tsx";
import { Form } from "../../ui/form.tsx";

type Values = Record<
  | "companyName"
  | "subdomain"
  | "adminName"
  | "adminEmail"
  | "adminPassword"
  | "contactName"
  | "contactEmail"
  | "contactPhone"
  | "rut"
  | "dbHost"
  | "dbPort"
  | "dbName"
  | "dbUsername"
  | "dbPassword",
  string
>;

const EMPTY: Values = {
  companyName: "",
  subdomain: "",
  adminName: "",
  adminEmail: "",
  adminPassword: "",
  contactName: "",
  contactEmail: "",
  contactPhone: "",
  rut: "",
  dbHost: "",
  dbPort: "",
  dbName: "",
  dbUsername: "",
  dbPassword: "",
};

function inputOf(f: Values, tier: Tier, dedicated: boolean): ProvisionInput {
  const t = (v: string) => v.trim() || undefined;
  return {
    companyName: f.companyName.trim(),
    tier,
    driverType: "postgresql",
    subdomain: t(f.subdomain),
    adminName: t(f.adminName),
    adminEmail: t(f.adminEmail),
    adminPassword: f.adminPassword || undefined,
    contactName: t(f.contactName),
    contactEmail: t(f.contactEmail),
    contactPhone: t(f.contactPhone),
    rut: t(f.rut),
    ...(dedicated && {
      dbHost: f.dbHost.trim(),
      dbPort: f.dbPort ? Number(f.dbPort) : undefined,
      dbName: f.dbName.trim(),
      dbUsername: f.dbUsername,
      dbPassword: f.dbPassword,
    }),
  };
}

export function Provision() {
  const { route } = useLocation();
  const qc = useQueryClient();
  const [form, setForm] = useState<Values>(EMPTY);
  const [tier, setTier] = useState<Tier>("silver");
  const [dedicated, setDedicated] = useState(false);
  const run = useMutation({
    mutationFn: () => provisionTenant(inputOf(form, tier, dedicated)),
    onSuccess: async (t) => {
      await qc.invalidateQueries({ queryKey: ["tenants"] });
      route(`/cc/tenants/${t.id}`);
    },
  });
  const text = (
    key: keyof Values,
    label: string,
    opts: { type?: string; hint?: string; required?: boolean; auto?: string } = {},
  ) => (
    <Field id={`p-${key}`} label={label} hint={opts.hint} name={key}>
      <input
        id={`p-${key}`}
        name={key}
        type={opts.type ?? "text"}
        required={opts.required}
        autocomplete={opts.auto ?? "off"}
        value={form[key]}
        onInput={(e) => setForm({ ...form, [key]: e.currentTarget.value })}
      />
    </Field>
  );
  return (
    <section aria-labelledby="provision-title">
      <p>
        <a href="/cc/tenants">← All tenants</a>
      </p>
      <h1 id="provision-title">Provision a tenant</h1>
      <Form
        class="form"
        label="Provision a tenant"
        save={run}
        onSubmit={() => run.mutate()}
        cancelHref="/cc/tenants"
        submitLabel="Provision"
        busyLabel="Provisioning…"
        status={
          run.isPending && (
            <output class="state">
              <span class="spinner" aria-hidden="true" /> Provisioning: creating the database, applying the
              migrations, seeding the roles and the first administrator…
            </output>
          )
        }
      >
        <fieldset>
          <legend>Company</legend>
          {text("companyName", "Company name", { required: true })}
          {text("subdomain", "Subdomain", {
            hint: "Its console's address: <subdomain>.your-domain. Derived from the name when empty.",
          })}
          <Field id="p-tier" label="Tier" hint="Sets the plan, the limits and the features." name="tier">
            <select id="p-tier" value={tier} onChange={(e) => setTier(e.currentTarget.value as Tier)}>
              {TIERS.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
          </Field>
          {text("rut", "RUT", { hint: "Chilean tax id, e.g. 76.123.456-0" })}
        </fieldset>
        <fieldset>
          <legend>First administrator</legend>
          {text("adminName", "Name")}
          {text("adminEmail", "Email", { type: "email" })}
          {text("adminPassword", "Password", {
            type: "password",
            hint: "At least 12 characters.",
            auto: "new-password",
          })}
        </fieldset>
        <fieldset>
          <legend>Contact</legend>
          {text("contactName", "Contact name")}
          {text("contactEmail", "Contact email", { type: "email" })}
          {text("contactPhone", "Contact phone", { type: "tel" })}
        </fieldset>
        <fieldset>
          <legend>Database</legend>
          <div class="radios">
            <label>
              <input type="radio" name="db" checked={!dedicated} onChange={() => setDedicated(false)} />{" "}
              Pooled (the platform's PostgreSQL)
            </label>
            <label>
              <input type="radio" name="db" checked={dedicated} onChange={() => setDedicated(true)} />{" "}
              Dedicated (a PostgreSQL the customer supplies)
            </label>
          </div>
          {dedicated && (
            <>
              {text("dbHost", "Host", { required: true })}
              {text("dbPort", "Port", { type: "number", hint: "5432 when empty" })}
              {text("dbName", "Database name", { required: true })}
              {text("dbUsername", "User", { required: true })}
              {text("dbPassword", "Password", {
                type: "password",
                required: true,
                auto: "new-password",
                hint: "Stored encrypted; never shown again.",
              })}
            </>
          )}
        </fieldset>
      </Form>
    </section>
  );
}

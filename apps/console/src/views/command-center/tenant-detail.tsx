// Command Center › a tenant: its profile and plan, where its data lives (the server never returns the
// database credentials, only whether they are stored), its features, and suspend/reactivate.
import { useMutation, useQuery, useQueryClient } from "@tanstack/preact-query";
import { useState } from "preact/hooks";
import { type TenantDetail as Detail, getTenant, setSuspended } from "../../api/index.ts";
import { MutationConfirm } from "../../ui/confirm.tsx";
import { Alert, Failed, Loading } from "../../ui/states.tsx";
import { FeatureToggles } from "./feature-toggles.tsx";
import { StatusBadge } from "./status-badge.tsx";

export function TenantDetail({ id }: { id: string }) {
  const q = useQuery({ queryKey: ["tenant", id], queryFn: () => getTenant(id) });
  return (
    <section aria-labelledby="tenant-title">
      <p>
        <a href="/cc/tenants">← All tenants</a>
      </p>
      {q.isPending ? (
        <Loading what="the tenant" />
      ) : q.isError ? (
        <Failed error={q.error} retry={() => q.refetch()} />
      ) : (
        <Body t={q.data} />
      )}
    </section>
  );
}

function Row({ label, value }: { label: string; value: string | number | null | undefined }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{value === null || value === undefined || value === "" ? "—" : value}</dd>
    </>
  );
}

function Body({ t }: { t: Detail }) {
  const qc = useQueryClient();
  const [asking, setAsking] = useState(false);
  const [reason, setReason] = useState("");
  const suspended = t.status === "suspended";
  const change = useMutation({
    mutationFn: () => setSuspended(t.id, !suspended, reason.trim() || undefined),
    onSuccess: async () => {
      setAsking(false);
      setReason("");
      await qc.invalidateQueries({ queryKey: ["tenant", t.id] });
      await qc.invalidateQueries({ queryKey: ["tenants"] });
    },
  });
  return (
    <>
      <div class="heading">
        <h1 id="tenant-title">{t.company_name}</h1>
        <StatusBadge status={t.status} />
      </div>
      {t.status_reason && <Alert kind="info">Reason: {t.status_reason}</Alert>}
      <div class="grid">
        <div class="card">
          <h2>Profile</h2>
          <dl>
            <Row label="Subdomain" value={t.subdomain} />
            <Row label="Tier" value={t.tier} />
            <Row label="Plan" value={t.organization?.plan} />
            <Row label="Max users" value={t.organization?.max_users} />
            <Row label="Max connections" value={t.organization?.max_connections} />
            <Row
              label="Contact"
              value={[t.contact_name, t.contact_email, t.contact_phone].filter(Boolean).join(" · ")}
            />
            <Row label="RUT" value={t.rut} />
            <Row label="Created" value={new Date(t.created_at).toLocaleString()} />
          </dl>
        </div>
        <div class="card">
          <h2>Database</h2>
          <dl>
            <Row label="Mode" value={t.db_mode} />
            <Row label="Driver" value={t.driver_type} />
            <Row
              label="Credentials"
              value={t.database.credentials_stored ? "stored, encrypted (never shown)" : "none (pooled)"}
            />
          </dl>
        </div>
        <FeatureToggles tenantId={t.id} current={t.features} />
        <div class="card">
          <h2>Status</h2>
          <p>
            {suspended
              ? "Suspended: nobody of this tenant can sign in or use the API."
              : "Active. Suspending signs nobody out by itself, but every request of this tenant is refused."}
          </p>
          <button type="button" class={suspended ? "primary" : "danger"} onClick={() => setAsking(true)}>
            {suspended ? "Reactivate" : "Suspend"}
          </button>
        </div>
      </div>
      {asking && (
        <MutationConfirm
          title={suspended ? `Reactivate ${t.company_name}?` : `Suspend ${t.company_name}?`}
          confirmLabel={suspended ? "Reactivate" : "Suspend"}
          danger={!suspended}
          action={change}
          onConfirm={() => change.mutate()}
          onClose={() => setAsking(false)}
        >
          <div class="field">
            <label for="status-reason">Reason (optional, kept in the audit trail)</label>
            <input id="status-reason" value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
          </div>
        </MutationConfirm>
      )}
    </>
  );
}

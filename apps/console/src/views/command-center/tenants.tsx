// Command Center › Tenants: every tenant with its tier, status and features; a search over name and
// subdomain; each row opens the tenant's page.
import { useQuery } from "@tanstack/preact-query";
import { useState } from "preact/hooks";
import { listTenants } from "../../api/index.ts";
import { Empty, Failed, Loading } from "../../ui/states.tsx";
import { StatusBadge } from "./status-badge.tsx";

export function Tenants() {
  const q = useQuery({ queryKey: ["tenants"], queryFn: () => listTenants() });
  const [search, setSearch] = useState("");
  const needle = search.trim().toLowerCase();
  const rows = (q.data?.data ?? []).filter(
    (t) => !needle || t.company_name.toLowerCase().includes(needle) || t.subdomain.includes(needle),
  );
  return (
    <section aria-labelledby="tenants-title">
      <div class="heading">
        <h1 id="tenants-title">Tenants</h1>
        <a class="button primary" href="/cc/tenants/new">
          Provision a tenant
        </a>
      </div>
      <div class="toolbar">
        <label for="tenant-search" class="sr-only">
          Search tenants
        </label>
        <input
          id="tenant-search"
          type="search"
          placeholder="Search by name or subdomain"
          value={search}
          onInput={(e) => setSearch(e.currentTarget.value)}
        />
        {q.data && (
          <span class="count">
            {rows.length} of {q.data.pagination.total}
          </span>
        )}
      </div>
      {q.isPending ? (
        <Loading what="tenants" />
      ) : q.isError ? (
        <Failed error={q.error} retry={() => q.refetch()} />
      ) : rows.length === 0 ? (
        <Empty>
          {needle ? `No tenant matches “${search}”.` : "No tenants yet. Provision the first one."}
        </Empty>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Company</th>
                <th scope="col">Subdomain</th>
                <th scope="col">Tier</th>
                <th scope="col">Status</th>
                <th scope="col">Database</th>
                <th scope="col">Features</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((t) => (
                <tr key={t.id}>
                  <td data-label="Company">
                    <a href={`/cc/tenants/${t.id}`}>{t.company_name}</a>
                  </td>
                  <td data-label="Subdomain">
                    <code>{t.subdomain}</code>
                  </td>
                  <td data-label="Tier">{t.tier}</td>
                  <td data-label="Status">
                    <StatusBadge status={t.status} />
                  </td>
                  <td data-label="Database">{t.db_mode}</td>
                  <td data-label="Features">{t.features.join(", ") || "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

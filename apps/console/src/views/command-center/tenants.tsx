// Command Center › Tenants: every tenant with its tier, status and features; a search over name and
// subdomain; each row opens the tenant's page.
import { useQuery } from "@tanstack/preact-query";
import { useState } from "preact/hooks";
import { listTenants } from "../../api/index.ts";
import { DataTable } from "../../ui/data-table.tsx";
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
      <DataTable
        query={q}
        rows={rows}
        what="tenants"
        empty={needle ? `No tenant matches “${search}”.` : "No tenants yet. Provision the first one."}
        rowKey={(t) => t.id}
        columns={[
          { label: "Company", cell: (t) => <a href={`/cc/tenants/${t.id}`}>{t.company_name}</a> },
          { label: "Subdomain", cell: (t) => <code>{t.subdomain}</code> },
          { label: "Tier", cell: (t) => t.tier },
          { label: "Status", cell: (t) => <StatusBadge status={t.status} /> },
          { label: "Database", cell: (t) => t.db_mode },
          { label: "Features", cell: (t) => t.features.join(", ") || "—" },
        ]}
      />
    </section>
  );
}

// Tenant console › SSH keys: the organization's keys by name, type and fingerprint, with the public key to
// copy onto servers. Adding (generate or import) needs connection:create, deleting connection:delete.
import { useMutation, useQuery, useQueryClient } from "@tanstack/preact-query";
import { useState } from "preact/hooks";
import { deleteSshKey, listSshKeys, type SshKey } from "../../api/index.ts";
import { can } from "../../shell/nav.ts";
import { currentUser } from "../../state/session.ts";
import { Confirm } from "../../ui/confirm.tsx";
import { DataTable } from "../../ui/data-table.tsx";
import { Failed } from "../../ui/states.tsx";
import { AddSshKey } from "./add-ssh-key.tsx";

export function SshKeys() {
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ["ssh-keys"], queryFn: listSshKeys });
  const mayAdd = can(currentUser.value, "connection:create");
  const mayDelete = can(currentUser.value, "connection:delete");
  const [adding, setAdding] = useState(false);
  const [deleting, setDeleting] = useState<SshKey | null>(null);
  const remove = useMutation({
    mutationFn: (k: SshKey) => deleteSshKey(k.id),
    onSuccess: async () => {
      setDeleting(null);
      await qc.invalidateQueries({ queryKey: ["ssh-keys"] });
    },
  });
  return (
    <section aria-labelledby="keys-title">
      <div class="heading">
        <h1 id="keys-title">SSH keys</h1>
        {mayAdd && !adding && (
          <button type="button" class="primary" onClick={() => setAdding(true)}>
            Add a key
          </button>
        )}
      </div>
      {adding && <AddSshKey onClose={() => setAdding(false)} />}
      <DataTable
        query={q}
        rows={q.data?.data}
        what="SSH keys"
        empty={<>No SSH keys yet.</>}
        rowKey={(k) => k.id}
        columns={[
          {
            label: "Name",
            cell: (k) => (
              <>
                <strong>{k.name}</strong>
                {k.comment && <div class="muted">{k.comment}</div>}
              </>
            ),
          },
          {
            label: "Type",
            cell: (k) => (
              <>
                {k.key_type}
                {k.bits ? ` ${k.bits}` : ""}
              </>
            ),
          },
          { label: "Fingerprint", cell: (k) => <code class="secret">{k.fingerprint}</code> },
          {
            label: "Public key",
            cell: (k) => (
              <>
                <button
                  type="button"
                  class="small"
                  onClick={() => navigator.clipboard?.writeText(k.public_key)}
                >
                  Copy<span class="sr-only"> the public key of {k.name}</span>
                </button>
              </>
            ),
          },
          mayDelete && {
            label: "Actions",
            actions: true,
            cell: (k) => (
              <>
                <button type="button" class="small danger" onClick={() => setDeleting(k)}>
                  Delete<span class="sr-only"> {k.name}</span>
                </button>
              </>
            ),
          },
        ]}
      />
      {deleting && (
        <Confirm
          title={`Delete the key ${deleting.name}?`}
          confirmLabel="Delete key"
          danger
          busy={remove.isPending}
          onConfirm={() => remove.mutate(deleting)}
          onCancel={() => setDeleting(null)}
        >
          <p>Connections that use it can no longer sign in until they get another key.</p>
          {remove.isError && <Failed error={remove.error} />}
        </Confirm>
      )}
    </section>
  );
}

// Tenant console › SSH keys: the organization's keys by name, type and fingerprint, with the public key to
// copy onto servers. Adding (generate or import) needs connection:create, deleting connection:delete.
import { useMutation, useQuery, useQueryClient } from "@tanstack/preact-query";
import { useState } from "preact/hooks";
import { deleteSshKey, listSshKeys, type SshKey } from "../../api/index.ts";
import { can } from "../../shell/nav.ts";
import { currentUser } from "../../state/session.ts";
import { Confirm } from "../../ui/confirm.tsx";
import { Empty, Failed, Loading } from "../../ui/states.tsx";
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
      {q.isPending ? (
        <Loading what="SSH keys" />
      ) : q.isError ? (
        <Failed error={q.error} retry={() => q.refetch()} />
      ) : q.data.data.length === 0 ? (
        <Empty>No SSH keys yet.</Empty>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Type</th>
                <th scope="col">Fingerprint</th>
                <th scope="col">Public key</th>
                {mayDelete && (
                  <th scope="col">
                    <span class="sr-only">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {q.data.data.map((k) => (
                <tr key={k.id}>
                  <td data-label="Name">
                    <strong>{k.name}</strong>
                    {k.comment && <div class="muted">{k.comment}</div>}
                  </td>
                  <td data-label="Type">
                    {k.key_type}
                    {k.bits ? ` ${k.bits}` : ""}
                  </td>
                  <td data-label="Fingerprint">
                    <code class="secret">{k.fingerprint}</code>
                  </td>
                  <td data-label="Public key">
                    <button
                      type="button"
                      class="small"
                      onClick={() => navigator.clipboard?.writeText(k.public_key)}
                    >
                      Copy<span class="sr-only"> the public key of {k.name}</span>
                    </button>
                  </td>
                  {mayDelete && (
                    <td>
                      <button type="button" class="small danger" onClick={() => setDeleting(k)}>
                        Delete<span class="sr-only"> {k.name}</span>
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
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

// A tenant's features as switches: the known ones plus any the tenant already has; saved together.
import { useMutation, useQueryClient } from "@tanstack/preact-query";
import { useState } from "preact/hooks";
import { KNOWN_FEATURES, setFeatures } from "../../api/index.ts";
import { Alert, Failed } from "../../ui/states.tsx";

export function FeatureToggles({ tenantId, current }: { tenantId: string; current: string[] }) {
  const qc = useQueryClient();
  const [chosen, setChosen] = useState<Set<string>>(new Set(current));
  const [saved, setSaved] = useState(false);
  const all = [...new Set([...KNOWN_FEATURES, ...current])].sort();
  const dirty = all.some((f) => chosen.has(f) !== current.includes(f));
  const save = useMutation({
    mutationFn: () => setFeatures(tenantId, [...chosen].sort()),
    onSuccess: async () => {
      setSaved(true);
      await qc.invalidateQueries({ queryKey: ["tenant", tenantId] });
      await qc.invalidateQueries({ queryKey: ["tenants"] });
    },
  });
  return (
    <form
      class="card"
      onSubmit={(e) => {
        e.preventDefault();
        setSaved(false);
        save.mutate();
      }}
    >
      <fieldset>
        <legend>
          <h2>Features</h2>
        </legend>
        <ul class="toggles">
          {all.map((f) => (
            <li key={f}>
              <label>
                <input
                  type="checkbox"
                  name="feature"
                  value={f}
                  checked={chosen.has(f)}
                  onChange={(e) => {
                    const next = new Set(chosen);
                    if (e.currentTarget.checked) next.add(f);
                    else next.delete(f);
                    setChosen(next);
                    setSaved(false);
                  }}
                />{" "}
                {f}
              </label>
            </li>
          ))}
        </ul>
      </fieldset>
      {save.isError && <Failed error={save.error} />}
      {saved && !dirty && <Alert kind="ok">Features saved.</Alert>}
      <button type="submit" class="primary" disabled={!dirty || save.isPending}>
        {save.isPending ? "Saving…" : "Save features"}
      </button>
    </form>
  );
}

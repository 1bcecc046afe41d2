// Roles › the permission matrix: one row per permission (as the server lists them), one column per role.
// Predefined roles show a mark and cannot change; a custom role's cells are checkboxes when the caller may
// manage roles, and its changes are kept here until "Save changes".
import type { Role } from "../../api/index.ts";

export function PermissionMatrix(props: {
  roles: Role[];
  permissions: string[];
  editable: boolean;
  draft: Record<string, string[]>;
  onToggle: (role: Role, permission: string) => void;
}) {
  const granted = (r: Role): readonly string[] => props.draft[r.id] ?? r.permissions;
  const ownOnly = (r: Role): readonly string[] => r.own_only;
  return (
    <div class="table-wrap matrix">
      <table>
        <caption class="sr-only">Permissions of each role</caption>
        <thead>
          <tr>
            <th scope="col">Permission</th>
            {props.roles.map((r) => (
              <th scope="col" key={r.id}>
                {r.name}
                {r.is_system && <div class="muted">predefined</div>}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.permissions.map((p) => (
            <tr key={p}>
              <th scope="row">
                <code>{p}</code>
              </th>
              {props.roles.map((r) => {
                const has = granted(r).includes(p);
                const own = has && ownOnly(r).includes(p);
                return (
                  <td key={r.id} data-label={r.name}>
                    {props.editable && !r.is_system ? (
                      <input
                        type="checkbox"
                        checked={has}
                        aria-label={`${r.name}: ${p}`}
                        onChange={() => props.onToggle(r, p)}
                      />
                    ) : (
                      <span
                        role="img"
                        aria-label={`${r.name}: ${p} ${own ? "own only" : has ? "granted" : "not granted"}`}
                      >
                        {own ? "own" : has ? "✓" : "·"}
                      </span>
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

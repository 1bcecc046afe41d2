// "Invite a colleague" from the terminal: the organization's active users (GET /api/users, which needs
// user:read — the form shows only with it) and the role to give, sent to the session's invite endpoint.
// The colleague then finds the session under Live sessions and joins it with those rights.
import { useMutation, useQuery } from "@tanstack/preact-query";
import { useState } from "preact/hooks";
import { inviteToSession, listUsers } from "../../api/index.ts";
import { Alert, Failed } from "../../ui/states.tsx";

export function Invite({ sessionId, me }: { sessionId: string; me: string }) {
  const [open, setOpen] = useState(false);
  const [userId, setUserId] = useState("");
  const [role, setRole] = useState<"collaborator" | "viewer">("collaborator");
  const users = useQuery({ queryKey: ["users", ""], queryFn: () => listUsers(""), enabled: open });
  const colleagues = (users.data?.data ?? []).filter((u) => u.is_active && u.id !== me);
  const invite = useMutation({
    mutationFn: async () => {
      await inviteToSession(sessionId, userId, role);
      return `${colleagues.find((u) => u.id === userId)?.name ?? "They"} as ${role}`;
    },
  });

  if (!open)
    return (
      <button type="button" onClick={() => setOpen(true)}>
        Invite a colleague
      </button>
    );
  return (
    <form
      class="invite"
      aria-label="Invite a colleague"
      onSubmit={(e) => {
        e.preventDefault();
        if (userId) invite.mutate();
      }}
    >
      <label for="invite-user">Colleague</label>
      <select
        id="invite-user"
        value={userId}
        disabled={users.isPending}
        onChange={(e) => {
          setUserId(e.currentTarget.value);
          invite.reset();
        }}
      >
        <option value="">{users.isPending ? "Loading…" : "Choose a colleague"}</option>
        {colleagues.map((u) => (
          <option key={u.id} value={u.id}>
            {u.name} ({u.email})
          </option>
        ))}
      </select>
      <label for="invite-role">as</label>
      <select
        id="invite-role"
        value={role}
        onChange={(e) => setRole(e.currentTarget.value === "viewer" ? "viewer" : "collaborator")}
      >
        <option value="collaborator">collaborator (may type)</option>
        <option value="viewer">viewer</option>
      </select>
      <button type="submit" class="primary" disabled={!userId || invite.isPending}>
        Invite
      </button>
      <button type="button" onClick={() => setOpen(false)}>
        Close
      </button>
      {users.isError && <Failed error={users.error} retry={() => users.refetch()} />}
      {invite.isError && <Failed error={invite.error} />}
      {invite.data && <Alert kind="ok">Invited {invite.data}: they join from Live sessions.</Alert>}
    </form>
  );
}

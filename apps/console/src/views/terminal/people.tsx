// Who is in the session and who may type. The owner (or a participant who may share) hands typing over
// and takes it back here; the control shows only for people whose role may run commands (an Observer
// never gets one) — the room refuses the rest anyway.
import type { Participant } from "./room-frames.ts";

interface Props {
  people: Participant[];
  me: string;
  manage: boolean;
  setTyping(userId: string, canType: boolean): void;
}

export function People({ people, me, manage, setTyping }: Props) {
  if (people.length === 0) return null;
  return (
    <ul class="people" aria-label="Who is here">
      {people.map((p) => (
        <li key={p.userId}>
          <span>
            {p.name}
            {p.userId === me ? " (you)" : ""} <span class="muted">{p.role}</span>
            {p.canType && <span class="badge status-active">may type</span>}
          </span>
          {manage && p.userId !== me && p.role !== "owner" && p.mayType && (
            <button type="button" class="small" onClick={() => setTyping(p.userId, !p.canType)}>
              {p.canType ? `Take typing back from ${p.name}` : `Let ${p.name} type`}
            </button>
          )}
        </li>
      ))}
    </ul>
  );
}

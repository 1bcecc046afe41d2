// Commands held for approval, as the room announced them: the typist sees that theirs waits; a participant
// who may approve (and did not type it) approves or denies it from here; everyone else sees who waits.
import type { RoomEvent } from "./room-frames.ts";

export type Held = Extract<RoomEvent, { t: "approval" }>;

interface Props {
  held: Held[];
  me: string;
  canApprove: boolean;
  decide(commandId: string, approve: boolean): void;
}

export function Approvals({ held, me, canApprove, decide }: Props) {
  return (
    <>
      {held.map((a) => {
        const rule = a.rule ? ` (rule “${a.rule}”)` : "";
        const mine = a.typist.userId === me;
        return (
          <div key={a.commandId} class="alert approval" role="alert">
            <span>
              {mine ? "Waiting for approval" : `${a.typist.name} asks to run`}: <code>{a.command}</code>
              {rule}
              {!mine && !canApprove && " — waiting for an approver"}
            </span>
            {!mine && canApprove && (
              <span class="actions">
                <button type="button" class="small primary" onClick={() => decide(a.commandId, true)}>
                  Approve
                </button>
                <button type="button" class="small danger" onClick={() => decide(a.commandId, false)}>
                  Deny
                </button>
              </span>
            )}
          </div>
        );
      })}
    </>
  );
}

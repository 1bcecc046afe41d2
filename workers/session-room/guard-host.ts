// Connects the execution guard (execution-guard.ts, pure) to a SessionRoom: what a verdict, a refusal, an
// alert or a corrected command row become in the room — bytes to the agent, a blocked COMMAND row, a
// `security.alert` audit event and a notice, an update of the row's text, the end of the session. Kept
// out of enforcement.ts, which only hands over the ports below (the rows are room-store.ts's).
import type { AuditEventType } from "../../db/schema/tenant/enums.ts";
import type { Decision } from "../policy/index.ts";
import type { Typist } from "./command-tracker.ts";
import { ExecutionGuard } from "./execution-guard.ts";
import type { OscScanner } from "./osc-scanner.ts";

export interface GuardPorts {
  scanner: OscScanner;
  markKey: string | null;
  owner: Typist;
  forward(bytes: Uint8Array): void;
  /** Held typed input has gone out (the tracker's echo wait starts now). */
  released(): void;
  evaluate(line: string, typist: Typist): Promise<Decision>;
  blocked(line: string, typist: Typist, d: Decision, reason: string): Promise<void>;
  /** Writes the COMMAND row of an allowed command; returns its id. */
  record(line: string, typist: Typist, d: Decision): string;
  /** Keeps the output and exit status of that row's command (command-tracker.ts `adopt`). */
  follow(commandId: string): void;
  /** Queues an audit event about the session. */
  audit(
    type: AuditEventType,
    description: string,
    status: "success" | "failure" | "warning",
    userId: string | null,
    metadata: Record<string, unknown>,
  ): void;
  /** Queues the correction of a command row's text. */
  corrected(commandId: string, line: string): void;
  notice(message: string, code: string): void;
  end(reason: string, code: string): Promise<unknown>;
  connected(): boolean;
}

export function createGuard(p: GuardPorts): ExecutionGuard {
  p.scanner.key = p.markKey;
  return new ExecutionGuard(
    {
      forward: p.forward,
      released: p.released,
      evaluate: p.evaluate,
      blocked: p.blocked,
      alert(action, description, typist, metadata) {
        // Marks from another terminal's integration in a user's rc file (VS Code, WezTerm, kitty…) are
        // unkeyed too: audited, but not worth interrupting the participants for.
        if (action !== "forged_mark") p.notice(description.slice(0, 300), "SECURITY_ALERT");
        p.audit("security.alert", description, "warning", typist?.userId ?? null, {
          ...metadata,
          alert: action,
        });
      },
      unrecorded(line, typist, d, follow) {
        const id = p.record(line, typist, d);
        if (follow) p.follow(id);
      },
      corrected: p.corrected,
      end: async (reason) => {
        await p.end(reason, "INTEGRATION_TAMPERED");
      },
      connected: p.connected,
      expectEcho: (text) => p.scanner.expectEcho(text),
    },
    p.owner,
  );
}

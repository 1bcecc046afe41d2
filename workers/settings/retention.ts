// How long an organization keeps its data (seed, "Retención de Datos": recordings 90 days, audit logs 1 year,
// commands 180 days, each configurable) and whether a legal hold suspends deletion. Pure, so the settings
// API, the session room (a recording's retention_until) and the retention job read one definition.
import type { OrganizationSettings } from "../../db/schema/tenant/organization.ts";

export const RETENTION_DEFAULT_DAYS = { recordings: 90, audit: 365, commands: 180 } as const;

/** Accepted ranges, in days. Audit and commands have a floor: an investigation needs a few weeks of trail. */
export const RETENTION_RANGE_DAYS = {
  recordings: { min: 1, max: 3650 },
  audit: { min: 30, max: 3650 },
  commands: { min: 7, max: 3650 },
} as const;

export interface Retention {
  recordingDays: number;
  auditDays: number;
  commandDays: number;
  /** A legal hold is in place: nothing of the organization may be deleted. */
  onHold: boolean;
}

export function retentionOf(s: Partial<OrganizationSettings>): Retention {
  return {
    recordingDays: s.recording_retention_days ?? RETENTION_DEFAULT_DAYS.recordings,
    auditDays: s.audit_retention_days ?? RETENTION_DEFAULT_DAYS.audit,
    commandDays: s.command_retention_days ?? RETENTION_DEFAULT_DAYS.commands,
    onHold: s.legal_hold !== undefined,
  };
}

const DAY_MS = 86_400_000;

/** The instant before which data kept `days` days has expired at `now`. */
export function expiredBefore(now: Date, days: number): Date {
  return new Date(now.getTime() - days * DAY_MS);
}

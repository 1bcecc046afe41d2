// The data model's relations (erDiagram of trident-sra-data-model.md) for drizzle's relational queries.
import { relations } from "drizzle-orm";
import { auditLog } from "./audit-log.ts";
import { command } from "./command.ts";
import { connection } from "./connection.ts";
import { organization } from "./organization.ts";
import { blockedCommand, policy } from "./policy.ts";
import { role } from "./role.ts";
import { session } from "./session.ts";
import { sessionRecording } from "./session-recording.ts";
import { sessionViewer } from "./session-viewer.ts";
import { sshKey } from "./ssh-key.ts";
import { user } from "./user.ts";

export const organizationRelations = relations(organization, ({ many }) => ({
  users: many(user),
  connections: many(connection),
  policies: many(policy),
  auditLogs: many(auditLog),
}));

export const roleRelations = relations(role, ({ many, one }) => ({
  users: many(user),
  organization: one(organization, { fields: [role.organizationId], references: [organization.id] }),
}));

export const userRelations = relations(user, ({ one, many }) => ({
  organization: one(organization, { fields: [user.organizationId], references: [organization.id] }),
  role: one(role, { fields: [user.roleId], references: [role.id] }),
  sessions: many(session),
  connections: many(connection),
  sshKeys: many(sshKey),
}));

export const sshKeyRelations = relations(sshKey, ({ one }) => ({
  user: one(user, { fields: [sshKey.userId], references: [user.id] }),
}));

export const connectionRelations = relations(connection, ({ one, many }) => ({
  organization: one(organization, { fields: [connection.organizationId], references: [organization.id] }),
  createdBy: one(user, { fields: [connection.createdByUserId], references: [user.id] }),
  sshKey: one(sshKey, { fields: [connection.sshKeyId], references: [sshKey.id] }),
  sessions: many(session),
}));

export const sessionRelations = relations(session, ({ one, many }) => ({
  connection: one(connection, { fields: [session.connectionId], references: [connection.id] }),
  initiatedBy: one(user, { fields: [session.initiatedByUserId], references: [user.id] }),
  viewers: many(sessionViewer),
  commands: many(command),
  recordings: many(sessionRecording),
}));

export const sessionViewerRelations = relations(sessionViewer, ({ one }) => ({
  session: one(session, { fields: [sessionViewer.sessionId], references: [session.id] }),
  user: one(user, { fields: [sessionViewer.userId], references: [user.id] }),
}));

export const commandRelations = relations(command, ({ one }) => ({
  session: one(session, { fields: [command.sessionId], references: [session.id] }),
  user: one(user, { fields: [command.userId], references: [user.id] }),
  policy: one(policy, { fields: [command.policyId], references: [policy.id] }),
}));

export const policyRelations = relations(policy, ({ one, many }) => ({
  organization: one(organization, { fields: [policy.organizationId], references: [organization.id] }),
  blockedCommands: many(blockedCommand),
}));

export const blockedCommandRelations = relations(blockedCommand, ({ one }) => ({
  policy: one(policy, { fields: [blockedCommand.policyId], references: [policy.id] }),
}));

export const sessionRecordingRelations = relations(sessionRecording, ({ one }) => ({
  session: one(session, { fields: [sessionRecording.sessionId], references: [session.id] }),
}));

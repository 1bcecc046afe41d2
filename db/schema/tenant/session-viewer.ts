// SESSION_VIEWER: who watches or shares a session, with the seed's per-session rights.
import { boolean, index, pgTable, uuid } from "drizzle-orm/pg-core";
import { id, ts } from "./columns.ts";
import { viewerRoleEnum } from "./enums.ts";
import { organization } from "./organization.ts";
import { session } from "./session.ts";
import { user } from "./user.ts";

export const sessionViewer = pgTable(
  "session_viewer",
  {
    id: id(),
    sessionId: uuid("session_id")
      .notNull()
      .references(() => session.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => user.id),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    role: viewerRoleEnum("role").notNull(),
    joinedAt: ts("joined_at").notNull().defaultNow(),
    leftAt: ts("left_at"),
    isActive: boolean("is_active").notNull().default(true),
    canType: boolean("can_type").notNull().default(false),
    canSee: boolean("can_see").notNull().default(true),
    canShare: boolean("can_share").notNull().default(false),
  },
  (t) => [index("idx_session_viewer_session").on(t.sessionId), index("idx_session_viewer_user").on(t.userId)],
);

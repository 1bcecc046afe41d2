// command.super_admins as the auth routes read and write it: the platform operators' accounts.
import { eq } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { superAdmins } from "../../db/schema/control/tenants.ts";

export function superAdminStore(control: Db) {
  return {
    async byEmail(email: string) {
      const [row] = await control.select().from(superAdmins).where(eq(superAdmins.email, email));
      return row ?? null;
    },
    async byId(id: string) {
      const [row] = await control.select().from(superAdmins).where(eq(superAdmins.id, id));
      return row ?? null;
    },
    async setPassword(id: string, passwordHash: string) {
      await control.update(superAdmins).set({ passwordHash }).where(eq(superAdmins.id, id));
    },
    async touchLogin(id: string) {
      await control.update(superAdmins).set({ lastLogin: new Date() }).where(eq(superAdmins.id, id));
    },
  };
}

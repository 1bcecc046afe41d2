// Password hashing with bcrypt (bcryptjs: pure JS, runs in workerd), as the data model requires.
import bcrypt from "bcryptjs";

const COST = 10;
// Compared against when the account does not exist, so timing does not reveal which emails exist.
const DUMMY_HASH = "$2b$10$CwTycUXWue0Thq9StjUM0uJ8.2n8n0y6r7lUXr9y0Y7bQz1pG4S9W";

export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, COST);
}

export async function verifyPassword(password: string, hash: string | null | undefined): Promise<boolean> {
  const ok = await bcrypt.compare(password, hash ?? DUMMY_HASH);
  return Boolean(hash) && ok;
}

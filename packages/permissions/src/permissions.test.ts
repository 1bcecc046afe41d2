import { describe, expect, it } from "vitest";
import { ALL_PERMISSIONS, isPermission, PREDEFINED_ROLES, ROLE_MATRIX } from "./permissions.ts";

describe("permissions", () => {
  it("has every permission of the seed's enum", () => {
    expect(ALL_PERMISSIONS).toHaveLength(18);
    expect(isPermission("audit:export")).toBe(true);
    expect(isPermission("audit:everything")).toBe(false);
  });

  it("the matrix has the seed's 14 actions", () => expect(ROLE_MATRIX).toHaveLength(14));

  describe.each(PREDEFINED_ROLES)("$name", (role) => {
    it.each(ROLE_MATRIX)("$action", (row) => {
      const cell = row.cells[role.name];
      expect(role.permissions.includes(row.permission)).toBe(cell !== "no");
      expect(role.ownOnly.includes(row.permission)).toBe(cell === "own");
    });
  });
});

// The database-adapter strategy behind GET /api/tenant/data and connection tests.
export interface ReadPage {
  rows: Record<string, unknown>[];
  total: number;
}

export interface TenantDataAdapter {
  driver: "postgresql" | "mongodb";
  ping(): Promise<void>;
  listTables(): Promise<string[]>;
  /** Throws ApiError NOT_FOUND for a table or collection that is not readable. */
  read(table: string, page: { limit: number; offset: number }): Promise<ReadPage>;
  close(): Promise<void>;
}

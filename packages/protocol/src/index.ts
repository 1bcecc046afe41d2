// Public surface of the wire protocol shared by the edge Worker and the agent (zod only, runs anywhere).
export * from "./agent";
export * from "./agent-auth";
export * from "./agent-data";
export * from "./evolution";
export * from "./frame";
export * from "./rdp";
export * from "./tunnel";
export * from "./tunnel-mux";
export * from "./viewer";

// The agent's version, read from its package.json at start-up (same file in the repo and the image).
import { readFileSync } from "node:fs";

function readVersion(): string {
  try {
    const pkg: unknown = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
    if (typeof pkg === "object" && pkg !== null && "version" in pkg && typeof pkg.version === "string") {
      return pkg.version;
    }
  } catch {
    // A missing or broken package.json must not stop the agent; the version is informational.
  }
  return "0.0.0-unknown";
}

export const AGENT_VERSION = readVersion();

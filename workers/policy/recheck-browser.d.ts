// Types for recheck's pure-JavaScript build (lib/browser.js), which the package ships without its own
// declaration. The Node entry spawns a native binary or a worker thread, neither of which workerd has.
// The file is CommonJS flagged __esModule: bundlers expose checkSync as a named export, Node's ESM
// loader only as a property of the default export, so both are declared.
declare module "recheck/lib/browser.js" {
  import type { checkSync as CheckSync } from "recheck";
  export const checkSync: typeof CheckSync | undefined;
  const recheck: { checkSync: typeof CheckSync };
  export default recheck;
}

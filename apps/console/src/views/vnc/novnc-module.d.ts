// @novnc/novnc ships JavaScript without type declarations: the module's default export is its RFB class,
// typed where it is used (novnc.ts).
declare module "@novnc/novnc" {
  const RFB: unknown;
  export default RFB;
}

// Which browser `login --sso` starts: $BROWSER (a ':'-separated list, %s for the URL) before the
// platform's opener; and a command that cannot start reports false (the CLI then only prints the URL).
import { describe, expect, it } from "vitest";
import { browserCommands, openBrowser } from "./browser.ts";

const URL_ = "https://idp.example/sso?x=1&y=2";

describe("browserCommands", () => {
  it("uses $BROWSER, with the URL appended or in place of %s, in the listed order", () => {
    expect(browserCommands(URL_, { BROWSER: "firefox" }, "linux")).toEqual([["firefox", URL_]]);
    expect(browserCommands(URL_, { BROWSER: "w3m -o x %s:lynx" }, "linux")).toEqual([
      ["w3m", "-o", "x", URL_],
      ["lynx", URL_],
    ]);
  });
  it("falls back to the platform's opener", () => {
    expect(browserCommands(URL_, {}, "linux")).toEqual([["xdg-open", URL_]]);
    expect(browserCommands(URL_, { BROWSER: " " }, "darwin")).toEqual([["open", URL_]]);
    expect(browserCommands(URL_, {}, "win32")[0]?.[0]).toBe("cmd");
  });
});

describe("openBrowser", () => {
  it("is false when no command can start, true when one can", async () => {
    expect(await openBrowser(URL_, { BROWSER: "/nonexistent/browser-a:/nonexistent/browser-b" })).toBe(false);
    expect(await openBrowser(URL_, { BROWSER: "/nonexistent/browser:true" })).toBe(true);
  });
});

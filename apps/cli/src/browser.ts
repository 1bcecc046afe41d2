// Opening a URL in the person's browser for `login --sso`. Hand-written (about thirty lines) rather than the
// `open` package: that one ignores $BROWSER, which is how terminals on remote machines, containers and
// tests say which browser to use (the convention of Python's webbrowser and xdg-utils: a list of commands
// separated by ':', `%s` standing for the URL, else the URL appended). Without $BROWSER: the platform's
// opener (xdg-open, open, start). The command runs detached; when it cannot start, the caller prints the URL.
import { spawn } from "node:child_process";

/** The commands to try, in order, each as argv. */
export function browserCommands(url: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string[][] {
  const listed = (env.BROWSER ?? "")
    .split(":")
    .map((c) => c.trim())
    .filter(Boolean)
    .map((c) => {
      const words = c.split(/\s+/);
      return words.some((w) => w.includes("%s"))
        ? words.map((w) => w.replaceAll("%s", url))
        : [...words, url];
    });
  if (listed.length) return listed;
  if (platform === "darwin") return [["open", url]];
  if (platform === "win32") return [["cmd", "/c", "start", '""', url]];
  return [["xdg-open", url]];
}

function tryOne(argv: string[]): Promise<boolean> {
  const [cmd, ...args] = argv;
  if (!cmd) return Promise.resolve(false);
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { detached: true, stdio: "ignore" });
    child.once("error", () => resolve(false));
    child.once("spawn", () => {
      child.unref();
      resolve(true);
    });
  });
}

/** Starts the first browser command that can be started; false when none could. */
export async function openBrowser(
  url: string,
  env = process.env,
  platform = process.platform,
): Promise<boolean> {
  for (const argv of browserCommands(url, env, platform)) if (await tryOne(argv)) return true;
  return false;
}

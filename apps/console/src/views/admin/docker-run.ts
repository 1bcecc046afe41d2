// The `docker run` line an administrator pastes on the host that will run an agent. The variables are the
// agent's own (containers/agent/src/config.ts); the volume keeps the agent's credential across restarts, so
// the one-time token is needed on the first start only.
const SAFE = /^[A-Za-z0-9_./:=@%+,-]+$/;

/** POSIX shell quoting: bare when every character is safe, else single quotes. */
export function shellQuote(value: string): string {
  return SAFE.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

export function dockerRunLine(opts: { url: string; token: string; name?: string }): string {
  const env = [`NOSTROMO_URL=${opts.url}`, `NOSTROMO_ENROLL_TOKEN=${opts.token}`];
  if (opts.name) env.push(`NOSTROMO_AGENT_NAME=${opts.name}`);
  return [
    "docker run -d --name nostromo-agent --restart unless-stopped",
    ...env.map((e) => `-e ${shellQuote(e)}`),
    "-v nostromo-agent:/var/lib/nostromo-agent nostromo-agent",
  ].join(" \\\n  ");
}

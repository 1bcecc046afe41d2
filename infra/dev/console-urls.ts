// Where the console opens on a local stack: the Command Center on the platform host, the demo tenant's
// console on its subdomain (*.localhost resolves to loopback in browsers). `npm start` prints these and the
// browser tests open exactly these.
export function consoleUrls(port: number): { commandCenter: string; demo: string } {
  return { commandCenter: `http://localhost:${port}/`, demo: `http://demo.localhost:${port}/` };
}

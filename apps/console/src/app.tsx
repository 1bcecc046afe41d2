// The console's routes. Signed out: the sign-in page at any address (the address is kept, so a link to a
// page opens that page after signing in). Signed in: the shell, and the routes of the caller's kind — the
// Command Center for super admins, the tenant console for tenant users — each view in its own lazy chunk.
import { QueryClient, QueryClientProvider } from "@tanstack/preact-query";
import { useEffect } from "preact/hooks";
import { ErrorBoundary, LocationProvider, lazy, Route, Router, useLocation } from "preact-iso";
import { ApiFailure } from "./api/index.ts";
import { isChunkLoadError, reloadForStaleChunk } from "./chunk-reload.ts";
import { homeFor } from "./shell/nav.ts";
import { Shell } from "./shell/shell.tsx";
import { bootError, currentUser, site } from "./state/session.ts";
import { Failed, Loading } from "./ui/states.tsx";
import { Enrol2fa } from "./views/sign-in/enrol-2fa.tsx";
import { SignIn } from "./views/sign-in/sign-in.tsx";

const Sessions = lazy(() => import("./views/command-center/sessions.tsx").then((m) => m.Sessions));
const Tenants = lazy(() => import("./views/command-center/tenants.tsx").then((m) => m.Tenants));
const TenantDetail = lazy(() =>
  import("./views/command-center/tenant-detail.tsx").then((m) => m.TenantDetail),
);
const Provision = lazy(() => import("./views/command-center/provision.tsx").then((m) => m.Provision));
const Monitoring = lazy(() =>
  import("./views/command-center/monitoring/monitoring.tsx").then((m) => m.Monitoring),
);
const Dashboard = lazy(() => import("./views/tenant/dashboard.tsx").then((m) => m.Dashboard));
const Connections = lazy(() => import("./views/tenant/connections.tsx").then((m) => m.Connections));
const TerminalView = lazy(() => import("./views/terminal/terminal-view.tsx").then((m) => m.TerminalView));
const DesktopView = lazy(() => import("./views/desktop/desktop-view.tsx").then((m) => m.DesktopView));
const VncView = lazy(() => import("./views/vnc/vnc-view.tsx").then((m) => m.VncView));
const LiveSessions = lazy(() => import("./views/tenant/live-sessions.tsx").then((m) => m.LiveSessions));
const NewConnection = lazy(() => import("./views/tenant/new-connection.tsx").then((m) => m.NewConnection));
const Agents = lazy(() => import("./views/admin/agents.tsx").then((m) => m.Agents));
const SshKeys = lazy(() => import("./views/admin/ssh-keys.tsx").then((m) => m.SshKeys));
const Users = lazy(() => import("./views/admin/users.tsx").then((m) => m.Users));
const Roles = lazy(() => import("./views/admin/roles.tsx").then((m) => m.Roles));
const Settings = lazy(() => import("./views/admin/settings.tsx").then((m) => m.Settings));
const Policies = lazy(() => import("./views/governance/policies.tsx").then((m) => m.Policies));
const NewPolicy = lazy(() => import("./views/governance/new-policy.tsx").then((m) => m.NewPolicy));
const EditPolicy = lazy(() => import("./views/governance/edit-policy.tsx").then((m) => m.EditPolicy));
const Commands = lazy(() => import("./views/governance/commands.tsx").then((m) => m.Commands));
const Audit = lazy(() => import("./views/governance/audit.tsx").then((m) => m.Audit));
const Recordings = lazy(() => import("./views/governance/recordings.tsx").then((m) => m.Recordings));

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // A 4xx will not change by asking again; a network error or a 503 may.
      retry: (count, err) =>
        !(err instanceof ApiFailure && err.status >= 400 && err.status < 500) && count < 2,
      refetchOnWindowFocus: true,
    },
  },
});

function Redirect({ to }: { to: string }) {
  const { route } = useLocation();
  useEffect(() => route(to, true), [to]);
  return null;
}

function Welcome() {
  return (
    <section>
      <h1>Welcome</h1>
      <p>Your role has no console sections yet. Ask an administrator for access.</p>
    </section>
  );
}

function Root() {
  const user = currentUser.value;
  const here = site.value;
  if (bootError.value)
    return (
      <main class="sign-in">
        <Failed error={bootError.value} retry={() => location.reload()} />
      </main>
    );
  if (user === undefined || here === undefined)
    return (
      <main class="sign-in">
        <Loading what="Nostromo" />
      </main>
    );
  if (!user) return <SignIn />;
  if (user.pendingStep === "2fa_enroll") return <Enrol2fa />;
  const home = homeFor(user);
  return (
    <Shell user={user}>
      <ErrorBoundary
        onError={(err) => {
          if (isChunkLoadError(err)) reloadForStaleChunk();
        }}
      >
        {user.kind === "super_admin" ? (
          <Router>
            <Route path="/cc/monitoring" component={Monitoring} />
            <Route path="/cc/sessions" component={Sessions} />
            <Route path="/cc/tenants" component={Tenants} />
            <Route path="/cc/tenants/new" component={Provision} />
            <Route path="/cc/tenants/:id" component={TenantDetail} />
            <Route default component={() => <Redirect to={home} />} />
          </Router>
        ) : (
          <Router>
            <Route path="/dashboard" component={Dashboard} />
            <Route path="/connections" component={Connections} />
            <Route path="/connections/new" component={NewConnection} />
            <Route path="/live" component={LiveSessions} />
            <Route path="/terminal/:id" component={TerminalView} />
            <Route path="/desktop/:id" component={DesktopView} />
            <Route path="/vnc/:id" component={VncView} />
            <Route path="/agents" component={Agents} />
            <Route path="/ssh-keys" component={SshKeys} />
            <Route path="/users" component={Users} />
            <Route path="/roles" component={Roles} />
            <Route path="/settings" component={Settings} />
            <Route path="/policies" component={Policies} />
            <Route path="/policies/new" component={NewPolicy} />
            <Route path="/policies/:id/edit" component={EditPolicy} />
            <Route path="/commands" component={Commands} />
            <Route path="/audit" component={Audit} />
            <Route path="/recordings" component={Recordings} />
            <Route path="/welcome" component={Welcome} />
            <Route default component={() => <Redirect to={home} />} />
          </Router>
        )}
      </ErrorBoundary>
    </Shell>
  );
}

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <LocationProvider>
        <Root />
      </LocationProvider>
    </QueryClientProvider>
  );
}

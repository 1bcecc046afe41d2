// Tenant console › Organization settings: who may sign in from where (IP ranges), the login idle timeout,
// required 2FA, recording every session, how long an approval waits, and the webhook. The webhook URL
// carries its secret, so it is write-only: the page shows only the origin the server answers with, and an
// empty field keeps the current one. Single sign-on has its own form below (sso-settings.tsx).
import { useMutation, useQuery, useQueryClient } from "@tanstack/preact-query";
import { useEffect, useState } from "preact/hooks";
import { getSettings, type Organization, saveSettings } from "../../api/index.ts";
import { Field } from "../../ui/field.tsx";
import { Form } from "../../ui/form.tsx";
import { Alert, Failed, Loading } from "../../ui/states.tsx";
import { SsoSettings } from "./sso-settings.tsx";

interface Values {
  ipRanges: string;
  timeoutMin: string;
  require2fa: boolean;
  autoRecord: boolean;
  approvalSec: string;
  webhook: string;
  removeWebhook: boolean;
}

const formOf = ({ settings: s }: Organization): Values => ({
  ipRanges: s.allowed_ip_ranges.join("\n"),
  timeoutMin: String(Math.round(s.session_timeout / 60_000)),
  require2fa: s.require_2fa,
  autoRecord: s.auto_record_sessions,
  approvalSec: s.approval_timeout_ms === null ? "" : String(Math.round(s.approval_timeout_ms / 1000)),
  webhook: "",
  removeWebhook: false,
});

export function Settings() {
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ["settings"], queryFn: getSettings });
  const [f, setF] = useState<Values | null>(null);
  useEffect(() => {
    if (q.data && !f) setF(formOf(q.data));
  }, [q.data]);
  const save = useMutation({
    mutationFn: (form: Values) =>
      saveSettings({
        sessionTimeoutMs: Number(form.timeoutMin) * 60_000,
        require2fa: form.require2fa,
        autoRecordSessions: form.autoRecord,
        allowedIpRanges: form.ipRanges
          .split(/[\s,]+/)
          .map((r) => r.trim())
          .filter(Boolean),
        approvalTimeoutMs: form.approvalSec ? Number(form.approvalSec) * 1000 : null,
        webhookUrl: form.removeWebhook ? null : form.webhook.trim() || undefined,
      }),
    onSuccess: (s) => {
      qc.setQueryData(["settings"], s);
      setF(formOf(s));
    },
  });
  if (q.isPending || (q.data && !f)) return <Loading what="settings" />;
  if (q.isError) return <Failed error={q.error} retry={() => q.refetch()} />;
  if (!f) return null;
  const set = (patch: Partial<Values>) => {
    save.reset();
    setF({ ...f, ...patch });
  };
  return (
    <section aria-labelledby="settings-title">
      <h1 id="settings-title">Organization settings</h1>
      <Form
        class="form"
        label="Organization settings"
        save={save}
        onSubmit={() => save.mutate(f)}
        submitLabel="Save settings"
        status={save.isSuccess && <Alert kind="ok">Settings saved.</Alert>}
      >
        <fieldset>
          <legend>Sign-in</legend>
          <Field
            id="s-ip"
            label="Allowed IP ranges"
            hint="One CIDR range per line, e.g. 203.0.113.0/24. Empty: any address."
            name="settings.allowed_ip_ranges"
          >
            <textarea
              id="s-ip"
              rows={3}
              value={f.ipRanges}
              onInput={(e) => set({ ipRanges: e.currentTarget.value })}
            />
          </Field>
          <Field id="s-timeout" label="Session timeout (minutes)" name="settings.session_timeout">
            <input
              id="s-timeout"
              type="number"
              min={1}
              max={1440}
              required
              value={f.timeoutMin}
              onInput={(e) => set({ timeoutMin: e.currentTarget.value })}
            />
          </Field>
          <label>
            <input
              type="checkbox"
              checked={f.require2fa}
              onChange={(e) => set({ require2fa: e.currentTarget.checked })}
            />{" "}
            Require two-factor authentication
          </label>
        </fieldset>
        <fieldset>
          <legend>Sessions</legend>
          <label>
            <input
              type="checkbox"
              checked={f.autoRecord}
              onChange={(e) => set({ autoRecord: e.currentTarget.checked })}
            />{" "}
            Record every session
          </label>
          <Field
            id="s-approval"
            label="Approval timeout (seconds)"
            hint="How long a command waits for an approver (10–3600). Empty: the default."
            name="settings.approval_timeout_ms"
          >
            <input
              id="s-approval"
              type="number"
              min={10}
              max={3600}
              value={f.approvalSec}
              onInput={(e) => set({ approvalSec: e.currentTarget.value })}
            />
          </Field>
        </fieldset>
        <fieldset>
          <legend>Webhook</legend>
          <p class="muted">
            {q.data.settings.webhook_url ? `Set: ${q.data.settings.webhook_url}` : "No webhook set."} The URL
            is a secret: it is never shown again.
          </p>
          <Field id="s-webhook" label="New webhook URL" name="settings.webhook_url">
            <input
              id="s-webhook"
              type="url"
              autocomplete="off"
              placeholder="https://hooks.example.com/…"
              value={f.webhook}
              disabled={f.removeWebhook}
              onInput={(e) => set({ webhook: e.currentTarget.value })}
            />
          </Field>
          {q.data.settings.webhook_url && (
            <label>
              <input
                type="checkbox"
                checked={f.removeWebhook}
                onChange={(e) => set({ removeWebhook: e.currentTarget.checked })}
              />{" "}
              Remove the webhook
            </label>
          )}
        </fieldset>
      </Form>
      <SsoSettings />
    </section>
  );
}

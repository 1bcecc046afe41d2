// Single sign-on › SAML › "Import the IdP's metadata": the admin gives its metadata URL (the server
// fetches it, within bounds) or pastes its XML, and the IdP's entity id, SSO URL and signing certificates
// fill the SAML form's fields — nothing is saved until the form is. A disclosure, so the hand-entered
// fields stay the first thing on the form; a problem with the metadata is said under the button.
import { useMutation } from "@tanstack/preact-query";
import { useState } from "preact/hooks";
import { importSamlMetadata, type SamlIdpMetadata } from "../../api/index.ts";
import { Field } from "../../ui/field.tsx";
import { Alert, Failed } from "../../ui/states.tsx";

export function SamlMetadataImport(props: { onImported: (m: SamlIdpMetadata) => void }) {
  const [url, setUrl] = useState("");
  const [xml, setXml] = useState("");
  const load = useMutation({
    mutationFn: () => importSamlMetadata(xml.trim() ? { metadata_xml: xml } : { metadata_url: url.trim() }),
    onSuccess: (m) => props.onImported(m),
  });
  const run = () => {
    if (xml.trim() || url.trim()) load.mutate();
  };
  return (
    <details class="saml-import">
      <summary>Import the IdP's metadata</summary>
      <Field id="saml-meta-url" label="Metadata URL" hint="Fetched by the server (https)">
        <input
          id="saml-meta-url"
          type="url"
          value={url}
          placeholder="https://idp.example.com/saml/metadata"
          onInput={(e) => setUrl(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key !== "Enter") return;
            e.preventDefault();
            run();
          }}
        />
      </Field>
      <Field id="saml-meta-xml" label="Or its XML" hint="Pasted XML is used instead of the URL">
        <textarea
          id="saml-meta-xml"
          rows={3}
          spellcheck={false}
          placeholder="<md:EntityDescriptor …>"
          value={xml}
          onInput={(e) => setXml(e.currentTarget.value)}
        />
      </Field>
      <div class="actions">
        <button type="button" disabled={load.isPending || !(xml.trim() || url.trim())} onClick={run}>
          {load.isPending ? "Importing…" : "Import metadata"}
        </button>
      </div>
      {load.isError && <Failed error={load.error} />}
      {load.isSuccess && (
        <Alert kind="ok">
          Filled in from the metadata ({load.data.certificate_count} signing certificate
          {load.data.certificate_count === 1 ? "" : "s"}). Check the fields, then save.
        </Alert>
      )}
    </details>
  );
}

// SAML documents read as plain trees: xml2js (it runs in workerd; node-saml reads XML with it too) with
// namespace prefixes stripped, attributes in `$`, text in `_`, children by local name. Shared by the
// assertion checks (saml.ts) and the IdP metadata import (saml-metadata.ts).
import { parseStringPromise, processors } from "xml2js";

export interface X {
  $?: Record<string, string>;
  _?: string;
  [child: string]: X[] | Record<string, string> | string | undefined;
}

export const kids = (el: X | undefined, name: string): X[] => {
  const v = el?.[name];
  return Array.isArray(v) ? v : [];
};

/** The document's root element and its local name, or null when it does not parse (the parser's message
 * is not returned: it may quote the document). */
export async function parseXmlTree(xml: string): Promise<{ name: string; root: X } | null> {
  try {
    const doc = (await parseStringPromise(xml, {
      explicitRoot: true,
      explicitCharkey: true,
      tagNameProcessors: [processors.stripPrefix],
    })) as Record<string, X> | null;
    const [name, root] = Object.entries(doc ?? {})[0] ?? [];
    return name && root ? { name, root } : null;
  } catch {
    return null;
  }
}

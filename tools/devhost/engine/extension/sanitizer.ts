// The Functions host's log sanitizer (Microsoft.Azure.WebJobs.Logging.Sanitizer), restated: the
// host applies it to the message of an exception a worker reports, so a credential-looking
// fragment in an activity's error reaches the orchestration as "[Hidden Credential]". From a
// token to the next quote or '<' (or the end of the text) is replaced; PublicKeyToken= is spared.
const SECRET_REPLACEMENT = "[Hidden Credential]";
const TERMINATORS = /[<"']/;
const ALLOWED_TOKENS = ["PublicKeyToken="];
const CREDENTIAL_TOKENS = ["Token=", "DefaultEndpointsProtocol=http", "AccountKey=", "Data Source=", "Server=", "Password=", "pwd=", "&amp;sig=", "&sig=", "?sig=", "SharedAccessKey="];

function indexOfIgnoreCase(text: string, token: string, from: number): number {
  return text.toLowerCase().indexOf(token.toLowerCase(), from);
}

function endOfSecret(text: string, from: number): number {
  const rest = text.slice(from);
  const m = TERMINATORS.exec(rest);
  return m ? from + m.index : -1;
}

export function sanitize(input: string | undefined | null): string {
  if (!input) return "";
  let text = input;
  // Allowed tokens are blanked out in a shadow copy so they are not mistaken for credentials.
  let shadow = input;
  for (const allowed of ALLOWED_TOKENS) shadow = shadow.split(allowed).join("#".repeat(allowed.length));
  for (const token of CREDENTIAL_TOKENS) {
    let start = 0;
    for (;;) {
      start = indexOfIgnoreCase(shadow, token, start);
      if (start < 0) break;
      const end = endOfSecret(text, start);
      text = text.slice(0, start) + SECRET_REPLACEMENT + (end >= 0 ? text.slice(end) : "");
      shadow = shadow.slice(0, start) + SECRET_REPLACEMENT + (end >= 0 ? shadow.slice(end) : "");
    }
  }
  return text;
}

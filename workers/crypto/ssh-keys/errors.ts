// SshKeyError: the one error type the SSH key module throws. Its `code` is stable (routes map it to an API
// error); its message is written for the person who pasted the key.
export type SshKeyErrorCode =
  | "SSH_KEY_MALFORMED"
  | "SSH_KEY_PASSPHRASE_REQUIRED"
  | "SSH_KEY_BAD_PASSPHRASE"
  | "SSH_KEY_UNSUPPORTED";

export class SshKeyError extends Error {
  readonly code: SshKeyErrorCode;

  constructor(code: SshKeyErrorCode, message: string) {
    super(message);
    this.name = "SshKeyError";
    this.code = code;
  }
}

export const malformed = (detail: string): SshKeyError =>
  new SshKeyError("SSH_KEY_MALFORMED", `Malformed SSH key: ${detail}`);

export const unsupported = (detail: string): SshKeyError =>
  new SshKeyError("SSH_KEY_UNSUPPORTED", `Unsupported SSH key: ${detail}`);

export const badPassphrase = (): SshKeyError =>
  new SshKeyError("SSH_KEY_BAD_PASSPHRASE", "Incorrect passphrase for this private key");

export const passphraseRequired = (): SshKeyError =>
  new SshKeyError("SSH_KEY_PASSPHRASE_REQUIRED", "This private key is encrypted: a passphrase is required");

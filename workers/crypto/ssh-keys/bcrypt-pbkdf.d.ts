// Types for the `bcrypt-pbkdf` package (pure-JS port of OpenBSD bcrypt_pbkdf, which ships no typings).
// Only the function the SSH key module calls is declared.
declare module "bcrypt-pbkdf" {
  /** Returns 0 on success, -1 on invalid parameters; writes `keylen` bytes into `key`. */
  export function pbkdf(
    pass: Uint8Array,
    passlen: number,
    salt: Uint8Array,
    saltlen: number,
    key: Uint8Array,
    keylen: number,
    rounds: number,
  ): number;
  const bcryptPbkdf: { pbkdf: typeof pbkdf };
  export default bcryptPbkdf;
}

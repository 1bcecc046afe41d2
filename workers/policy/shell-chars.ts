// Character codes and classes of the shell lexer (shell-lexer.ts, shell-expansions.ts, parse-shell.ts).

export const NL = 10;
export const SP = 32;
export const TAB = 9;
export const BANG = 33;
export const DQUOTE = 34;
export const HASH = 35;
export const DOLLAR = 36;
export const AMP = 38;
export const SQUOTE = 39;
export const LPAREN = 40;
export const RPAREN = 41;
export const STAR = 42;
export const COMMA = 44;
export const SEMI = 59;
export const LT = 60;
export const GT = 62;
export const QMARK = 63;
export const AT = 64;
export const LBRACKET = 91;
export const BACKSLASH = 92;
export const RBRACKET = 93;
export const BACKTICK = 96;
export const LBRACE = 123;
export const PIPE = 124;
export const RBRACE = 125;

export const T_PLAIN = 0;
export const T_END = 1;
export const T_SPECIAL = 2;
export const CHAR_CLASS = new Uint8Array(128);
for (const ch of " \t\n;&|()<>") CHAR_CLASS[ch.charCodeAt(0)] = T_END;
for (const ch of "\\'\"$`{,}*?[@!+") CHAR_CLASS[ch.charCodeAt(0)] = T_SPECIAL;

export const isNameStart = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
export const isNameChar = (c: number): boolean => isNameStart(c) || (c >= 48 && c <= 57);
export const isDigit = (c: number): boolean => c >= 48 && c <= 57;

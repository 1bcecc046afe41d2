// A user's search text as a LIKE/ILIKE "contains" pattern: %, _ and \ are matched literally.
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}

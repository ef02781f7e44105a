/**
 * The last component of a path or URL, without touching node:path (this runs in browsers too).
 * Reports name inputs by it: folder names above a file often carry patient names or IDs.
 */
export function basename(p: string): string {
  const trimmed = p.replace(/[/\\]+$/, '');
  const i = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\'));
  return i >= 0 ? trimmed.slice(i + 1) : trimmed;
}

/**
 * Text that came from a file (vessel names, tags) on its way to a terminal, a CSV or a page:
 * control characters (newlines, ESC sequences that move the cursor or clear the screen) are shown
 * escaped, so a file can never forge a line of output or drive the terminal.
 */
export function safeText(s: string): string {
  // C0 controls, DEL and C1 controls.
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

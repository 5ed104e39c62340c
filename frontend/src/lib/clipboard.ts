/**
 * Copies text to the clipboard: the async Clipboard API where the page may use it, else
 * the old select-and-copy (plain-http deployments are not a "secure context").
 */
export async function copyText(text: string): Promise<void> {
  // Browsers only expose navigator.clipboard in secure contexts (https, localhost).
  if ('clipboard' in navigator) {
    try {
      await navigator.clipboard.writeText(text);
      return;
    } catch {
      // Permission refused (e.g. no user gesture seen): try the fallback.
    }
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  try {
    // Deprecated, but the only way outside a secure context; browsers still support it.
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    if (!document.execCommand('copy')) throw new Error('copy refused');
  } finally {
    area.remove();
  }
}

/** The ids `<FormField>` gives its help and error, for the control's aria-describedby. */
export function fieldDescriptionIds(id: string, { help = true, error = false } = {}): string {
  return [error ? `${id}-error` : null, help ? `${id}-help` : null].filter(Boolean).join(' ');
}

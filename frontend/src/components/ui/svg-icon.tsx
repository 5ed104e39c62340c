/**
 * A Bootstrap Icon given as its SVG markup (`import x from 'bootstrap-icons/icons/x.svg?raw'`).
 * For icons that only a lazily loaded page uses: they travel in that page's chunk instead
 * of the shared `<Icon>` set every page downloads. Decorative, like `<Icon>`.
 */
export function SvgIcon({
  svg,
  size,
  className,
}: {
  svg: string;
  size?: string;
  className?: string;
}) {
  return (
    <span
      aria-hidden="true"
      className={`bi-icon${className ? ` ${className}` : ''}`}
      style={size ? { fontSize: size } : undefined}
      // Static SVG markup from the bootstrap-icons package, bundled at build time.
      dangerouslySetInnerHTML={{ __html: svg }}
    />
  );
}

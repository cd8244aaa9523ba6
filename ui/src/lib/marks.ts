// Performance marks for the benchmarks (bench/desktop.sh): `use:painted={'name'}` marks the first
// frame after an element appears, once per page load.
export function painted(_node: HTMLElement, name: string) {
  requestAnimationFrame(() => {
    if (performance.getEntriesByName(name).length === 0) performance.mark(name);
  });
}

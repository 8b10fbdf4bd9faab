// The fixed clinical colour scale (mmHg), shared with the report (schemas/report.md §Colours:
// kClinicalStops in tools/report/svg_render.hpp must equal STOPS; a unit test compares them).
// Blue -> green at 32 mmHg (the capillary-closing reference) -> yellow -> red at 100+.
export const SCALE_MAX = 100;
export const REFERENCE_MMHG = 32;
const STOPS = [
  [1, [38, 62, 168]], [10, [30, 110, 214]], [20, [22, 170, 214]], [32, [40, 178, 74]],
  [50, [240, 210, 40]], [75, [242, 135, 28]], [100, [215, 25, 28]], [150, [128, 0, 16]],
];
const EMPTY = [223, 229, 235];  // below 1 mmHg: no contact

export function colourOf(v) {
  if (v < STOPS[0][0]) return EMPTY;
  for (let i = 1; i < STOPS.length; i++) {
    const [v1, c1] = STOPS[i];
    if (v <= v1) {
      const [v0, c0] = STOPS[i - 1];
      const t = (v - v0) / (v1 - v0);
      return c0.map((c, k) => Math.round(c + (c1[k] - c) * t));
    }
  }
  return STOPS[STOPS.length - 1][1];
}

// RGBA per whole mmHg (the server sends whole mmHg); 255 stands for everything above.
export const LUT = new Uint8ClampedArray(256 * 4);
for (let v = 0; v < 256; v++) {
  const c = colourOf(v);
  LUT.set([c[0], c[1], c[2], 255], v * 4);
}

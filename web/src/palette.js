// Colour-blind-safe sequential palettes (viridis for risk, cividis for forecasts), as
// MapLibre interpolate expressions and as CSS gradients for the legends.
export const VIRIDIS = ["#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"];
export const CIVIDIS = ["#00204d", "#414d6b", "#7c7b78", "#bcaf6f", "#ffea46"];

/** Stops spread evenly over [min, max] (a flat range still gives valid ascending stops). */
export function stops(min, max, colours) {
  const span = max > min ? max - min : 1;
  return colours.flatMap((colour, i) => [min + (span * i) / (colours.length - 1), colour]);
}

/** A MapLibre colour expression over a numeric feature property. */
export function colourRamp(property, min, max, colours) {
  return ["interpolate", ["linear"], ["to-number", ["get", property], 0], ...stops(min, max, colours)];
}

export function cssGradient(colours) {
  return `linear-gradient(to right, ${colours.join(", ")})`;
}

/** Lowest and highest finite value of a property across features (0..1 when none). */
export function valueRange(features, property) {
  let min = Infinity;
  let max = -Infinity;
  for (const f of features) {
    const v = Number(f.properties?.[property]);
    if (Number.isFinite(v)) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  return Number.isFinite(min) ? [min, max] : [0, 1];
}

// The property the map colours by: each feature's value placed in [0, 1] over the range in
// view. A fixed ramp over it means no setPaintProperty on a data-driven colour, which would
// make MapLibre lay the whole source out again in its worker (a second parse of every tile).
export const SHADE = "_shade";

/** Write SHADE on each feature (in place): `property` over [min, max], 0 when not a number. */
export function shadeFeatures(features, property, [min, max]) {
  const span = max > min ? max - min : 1;
  for (const f of features) {
    const v = Number(f.properties?.[property]);
    f.properties ??= {};
    f.properties[SHADE] = Number.isFinite(v) ? Math.min(1, Math.max(0, (v - min) / span)) : 0;
  }
  return features;
}

// The map's first view worked out before MapLibre loads, so the page can ask for the first
// risk layer while the 1.3 MB map bundle is still being fetched and compiled.
export const WALES = [-5.45, 51.3, -2.6, 53.5];
export const FIT_PADDING = 10;
const TILE_SIZE = 512; // MapLibre's world size at zoom 0, in CSS pixels

// `?resolution=9` pins the H3 resolution (the benchmark's whole-Wales res-9 case).
const PINNED_RESOLUTION = Number(new URLSearchParams(location.search).get("resolution")) || null;

/** The H3 resolution to ask for at a zoom: coarse cells for a whole-country view. */
export function resolutionForZoom(zoom) {
  if (PINNED_RESOLUTION) return PINNED_RESOLUTION;
  if (zoom < 8.5) return 7;
  if (zoom < 10.5) return 8;
  return 9;
}

const mercX = (lon) => (lon + 180) / 360;
const mercY = (lat) => {
  const s = Math.sin((lat * Math.PI) / 180);
  return 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI);
};
const lonOf = (x) => x * 360 - 180;
const latOf = (y) => (Math.atan(Math.sinh(Math.PI * (1 - 2 * y))) * 180) / Math.PI;

/** The zoom and bbox a `width` x `height` map shows after fitBounds(bounds, {padding}),
 * in Web Mercator as MapLibre computes it (north up, no pitch). */
export function fittedView(width, height, [west, south, east, north], padding = FIT_PADDING) {
  const [x0, x1, y0, y1] = [mercX(west), mercX(east), mercY(north), mercY(south)];
  const scale = Math.min((width - 2 * padding) / (x1 - x0), (height - 2 * padding) / (y1 - y0));
  const zoom = Math.log2(scale / TILE_SIZE);
  const [cx, cy] = [(x0 + x1) / 2, (y0 + y1) / 2];
  const [hw, hh] = [width / 2 / scale, height / 2 / scale];
  return {
    zoom,
    bbox: { west: lonOf(cx - hw), south: latOf(cy + hh), east: lonOf(cx + hw), north: latOf(cy - hh) },
  };
}

/** `bbox` grown by `share` of its size on every side (a margin for rounding). */
export function widen(bbox, share) {
  const dx = (bbox.east - bbox.west) * share;
  const dy = (bbox.north - bbox.south) * share;
  return { west: bbox.west - dx, south: bbox.south - dy, east: bbox.east + dx, north: bbox.north + dy };
}

/** Whether `outer` holds all of `inner`. */
export function covers(outer, inner) {
  return (
    outer.west <= inner.west && outer.south <= inner.south && outer.east >= inner.east && outer.north >= inner.north
  );
}

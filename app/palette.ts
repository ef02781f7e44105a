/**
 * The page's colours for vessels and lesions: a vessel has the same colour in the slice view (its
 * VOI), beside its checkbox and in the radial profile plot. Each colour has a name for the text that
 * says which is which.
 */
export interface NamedColour {
  readonly hex: string;
  readonly name: string;
}

// One per vessel a measurement can hold (MAX_VESSELS = 12); apart from EAT red, fat-window blue and
// centerline green where that is possible.
const VESSEL_COLOURS: readonly NamedColour[] = [
  { hex: '#d94801', name: 'orange' },
  { hex: '#2171b5', name: 'blue' },
  { hex: '#238b45', name: 'green' },
  { hex: '#6a51a3', name: 'purple' },
  { hex: '#17a2b8', name: 'teal' },
  { hex: '#8c510a', name: 'brown' },
  { hex: '#e6ab02', name: 'gold' },
  { hex: '#e7298a', name: 'pink' },
  { hex: '#66a61e', name: 'olive' },
  { hex: '#386cb0', name: 'steel blue' },
  { hex: '#bf5b17', name: 'rust' },
  { hex: '#666666', name: 'grey' },
];

export const LESION_COLOUR: NamedColour = { hex: '#ff00ff', name: 'magenta' };

/** The colour of the vessel at this index of the report. */
export function vesselColour(index: number): NamedColour {
  return VESSEL_COLOURS[index % VESSEL_COLOURS.length] as NamedColour;
}

/** [r, g, b] in 0–255 of a #rrggbb colour. */
export function rgb(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

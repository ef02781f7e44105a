/**
 * Centerlines as VTK XML PolyData (.vtp, ascii): one polyline cell per vessel, the lumen radius as
 * the point array `MaximumInscribedSphereRadius` (VMTK's name, which 3D Slicer and perifat's reader
 * know) and the vessel's name as the cell string array `CenterlineName`. LPS mm, as VMTK and Slicer
 * write centerlines of DICOM data.
 */
import type { Vessel } from '../volume/vessels';

const xmlText = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function vesselsVtp(vessels: readonly Vessel[]): Uint8Array {
  const points: string[] = [];
  const radii: string[] = [];
  const connectivity: number[] = [];
  const offsets: number[] = [];
  let n = 0;
  for (const v of vessels) {
    v.points.forEach((p, i) => {
      points.push(`${p[0]} ${p[1]} ${p[2]}`);
      radii.push(String(v.radii[i]));
      connectivity.push(n++);
    });
    offsets.push(n);
  }
  // VTK's ascii String arrays: each string as its character codes, each followed by a 0.
  const names = vessels.flatMap((v) => [...new TextEncoder().encode(v.name), 0]);
  const da = (type: string, name: string, values: readonly (string | number)[], comps = 1): string =>
    `<DataArray type="${type}" Name="${xmlText(name)}"${comps > 1 ? ` NumberOfComponents="${comps}"` : ''} format="ascii">` +
    `${values.join(' ')}</DataArray>`;
  const xml =
    '<?xml version="1.0"?>\n' +
    '<VTKFile type="PolyData" version="1.0" byte_order="LittleEndian" header_type="UInt64">\n<PolyData>\n' +
    `<Piece NumberOfPoints="${n}" NumberOfVerts="0" NumberOfLines="${vessels.length}" NumberOfStrips="0" NumberOfPolys="0">\n` +
    `<PointData Scalars="MaximumInscribedSphereRadius">${da('Float64', 'MaximumInscribedSphereRadius', radii)}</PointData>\n` +
    `<CellData>${da('String', 'CenterlineName', names)}</CellData>\n` +
    `<Points>${da('Float64', 'Points', points, 3)}</Points>\n` +
    `<Lines>${da('Int64', 'connectivity', connectivity)}${da('Int64', 'offsets', offsets)}</Lines>\n` +
    '</Piece>\n</PolyData>\n</VTKFile>\n';
  return new TextEncoder().encode(xml);
}

/**
 * The files a user gives: pickers (a DICOM folder, NIfTI/DICOM files, a mask, centerlines) and drag
 * and drop (folders walked). Dropped files are sorted by name and content: centerlines by
 * extension, a mask by a name that says so (pericardium, mask, seg, label), everything else is the CT.
 */
export interface ChosenFiles {
  ct: File[];
  pericardium: File | null;
  vessels: File | null;
}

const MASK_NAME = /pericard|mask|seg|label/i;
const VESSEL_NAME = /\.(json|vtk|vtp)$/i;

export function emptyChoice(): ChosenFiles {
  return { ct: [], pericardium: null, vessels: null };
}

/** Sorts loose files into CT, mask and centerlines (what a drop or a multi-file pick gives). */
export function classify(files: readonly File[], into: ChosenFiles): ChosenFiles {
  const ct: File[] = [];
  let pericardium = into.pericardium;
  let vessels = into.vessels;
  for (const f of files) {
    if (f.name.startsWith('.') || f.name === 'DICOMDIR') continue;
    if (VESSEL_NAME.test(f.name)) vessels = f;
    else if (MASK_NAME.test(f.name) && !/\.dcm$/i.test(f.name)) pericardium = f;
    else ct.push(f);
  }
  ct.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { ct: ct.length ? ct : into.ct, pericardium, vessels };
}

/** Every file of a drop, folders walked (webkitGetAsEntry). */
export async function droppedFiles(items: DataTransferItemList): Promise<File[]> {
  const entries: FileSystemEntry[] = [];
  for (const item of Array.from(items)) {
    const entry = item.webkitGetAsEntry();
    if (entry) entries.push(entry);
  }
  const files: File[] = [];
  const walk = async (entry: FileSystemEntry): Promise<void> => {
    if (entry.isFile) {
      files.push(await new Promise<File>((ok, fail) => (entry as FileSystemFileEntry).file(ok, fail)));
    } else if (entry.isDirectory) {
      const reader = (entry as FileSystemDirectoryEntry).createReader();
      for (;;) {
        const batch = await new Promise<FileSystemEntry[]>((ok, fail) => reader.readEntries(ok, fail));
        if (!batch.length) break;
        for (const e of batch) await walk(e);
      }
    }
  };
  for (const e of entries) await walk(e);
  return files;
}

export function describe(choice: ChosenFiles): string {
  if (!choice.ct.length) return 'No CT chosen yet.';
  const ct = choice.ct.length === 1 ? (choice.ct[0] as File).name : `${choice.ct.length} CT files`;
  const parts = [`CT: ${ct}`];
  parts.push(choice.pericardium ? `pericardium: ${choice.pericardium.name}` : 'no pericardium mask (no EAT)');
  parts.push(choice.vessels ? `centerlines: ${choice.vessels.name}` : 'no centerlines (no FAI)');
  return parts.join(' · ');
}

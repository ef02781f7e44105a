/**
 * The files a user gives: pickers (a DICOM folder, NIfTI/DICOM files, a pericardium mask,
 * centerlines, or a coronary mask with an aorta mask to derive them from) and drag and drop (folders
 * walked). Dropped files are sorted by name and content: centerlines by extension, a coronary or an
 * aorta mask by a name that says so (coronar, aorta), the pericardium by a name that says so
 * (pericardium, mask, seg, label), everything else is the CT.
 */
export interface ChosenFiles {
  ct: File[];
  pericardium: File | null;
  vessels: File | null;
  /** Derive the centerlines from this lumen mask (when no centerlines are given), ostia from the aorta. */
  coronaryMask: File | null;
  aorta: File | null;
}

const MASK_NAME = /pericard|mask|seg|label/i;
const CORONARY_NAME = /coronar/i;
const AORTA_NAME = /aorta/i;
const VESSEL_NAME = /\.(json|vtk|vtp)$/i;

export function emptyChoice(): ChosenFiles {
  return { ct: [], pericardium: null, vessels: null, coronaryMask: null, aorta: null };
}

/** Sorts loose files into CT, mask and centerlines (what a drop or a multi-file pick gives). */
export function classify(files: readonly File[], into: ChosenFiles): ChosenFiles {
  const ct: File[] = [];
  let pericardium = into.pericardium;
  let vessels = into.vessels;
  let coronaryMask = into.coronaryMask;
  let aorta = into.aorta;
  for (const f of files) {
    if (f.name.startsWith('.') || f.name === 'DICOMDIR') continue;
    const named = (re: RegExp) => re.test(f.name) && !/\.dcm$/i.test(f.name);
    if (VESSEL_NAME.test(f.name)) vessels = f;
    else if (named(CORONARY_NAME)) coronaryMask = f;
    else if (named(AORTA_NAME)) aorta = f;
    else if (named(MASK_NAME)) pericardium = f;
    else ct.push(f);
  }
  ct.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { ct: ct.length ? ct : into.ct, pericardium, vessels, coronaryMask, aorta };
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
  if (choice.vessels) {
    parts.push(`centerlines: ${choice.vessels.name}`);
    if (choice.coronaryMask) parts.push(`coronary mask ${choice.coronaryMask.name} not used (centerlines given)`);
  } else if (choice.coronaryMask) {
    parts.push(
      `centerlines derived from the coronary mask ${choice.coronaryMask.name}` +
        (choice.aorta ? `, ostia where it meets the aorta ${choice.aorta.name}` : ''),
    );
  } else {
    parts.push('no centerlines (no FAI; give a coronary mask or trace the vessels)');
    if (choice.aorta) parts.push(`aorta ${choice.aorta.name} not used (no coronary mask)`);
  }
  return parts.join(' · ');
}

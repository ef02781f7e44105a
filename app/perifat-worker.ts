// The page's worker: perifat's worker entry (reading, the float64 settling and every dispatch run
// here, so the page never freezes).
import '../src/api/worker';

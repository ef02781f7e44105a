/**
 * Joins the measured cases with the outcomes on the case id. Nothing is dropped silently: the
 * results without an outcome row and the outcome rows without a result are listed.
 */
import type { OutcomeTable } from './outcomes';
import type { ResultSet } from './results';

export interface Joined {
  /** Case ids present in both, in the results' order. */
  ids: string[];
  unmatchedResults: string[];
  unmatchedOutcomes: string[];
}

export function joinCases(results: ResultSet, outcomes: OutcomeTable): Joined {
  const have = new Set(results.cases.map((c) => c.id));
  return {
    ids: results.cases.filter((c) => outcomes.rows.has(c.id)).map((c) => c.id),
    unmatchedResults: results.cases.filter((c) => !outcomes.rows.has(c.id)).map((c) => c.id),
    unmatchedOutcomes: [...outcomes.rows.keys()].filter((id) => !have.has(id)),
  };
}

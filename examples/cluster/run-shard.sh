#!/usr/bin/env bash
# One shard of a perifat batch: the shard index comes from the scheduler — Slurm job arrays
# (SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT) or a Kubernetes Indexed Job (JOB_COMPLETION_INDEX,
# with SHARDS set to the Job's completions). Each shard writes its own folder under OUT, so shards
# never share a file; `perifat merge` joins them afterwards. A shard that was interrupted or
# preempted resumes where it stopped when it runs again (finished cases are skipped).
#
#   MANIFEST   the batch manifest (CSV or JSON lines), on storage every node can read
#   OUT        the results root; shard K writes OUT/shard-K
#   SHARDS     how many shards (default: SLURM_ARRAY_TASK_COUNT)
#   PERIFAT    the perifat command (default: perifat on PATH)
#   any further arguments go to `perifat batch` (e.g. --backend webgpu --masks)
set -euo pipefail

: "${MANIFEST:?set MANIFEST to the batch manifest}"
: "${OUT:?set OUT to the results folder}"
index="${SLURM_ARRAY_TASK_ID:-${JOB_COMPLETION_INDEX:-}}"
shards="${SHARDS:-${SLURM_ARRAY_TASK_COUNT:-}}"
if [[ -z "$index" || -z "$shards" ]]; then
  echo "run-shard.sh: no shard index (SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX) or count (SHARDS)" >&2
  exit 2
fi
read -r -a perifat <<<"${PERIFAT:-perifat}"
exec "${perifat[@]}" batch "$MANIFEST" --out "$OUT/shard-$index" --shard "$index/$shards" "$@"

#!/usr/bin/env bash
# A perifat batch as a Slurm job array: one shard per array task.
#
#   sbatch --array=0-15 --export=ALL,MANIFEST=/data/cohort/manifest.csv,OUT=/data/cohort/perifat \
#     examples/cluster/slurm-batch.sh
#   # when every task has finished (or as a dependent job: sbatch --dependency=afterany:JOBID …):
#   perifat merge --out /data/cohort/perifat/merged /data/cohort/perifat/shard-*
#
# With a GPU per task add `--gres=gpu:1` and pass `--backend webgpu` after the script name. Without
# one, perifat measures on the CPU backend over every core the task is given (--cpus-per-task).
# Inside a container (see Dockerfile): PERIFAT="apptainer exec perifat.sif perifat".
#SBATCH --job-name=perifat
#SBATCH --cpus-per-task=8
#SBATCH --mem=16G
#SBATCH --time=12:00:00
#SBATCH --output=perifat-%A_%a.log
set -euo pipefail
# Slurm runs a copy of this script from its spool folder; the helper is found beside the original.
here="${SLURM_SUBMIT_DIR:-$(dirname "$0")}"
helper="$here/examples/cluster/run-shard.sh"
[[ -x "$helper" ]] || helper="$(dirname "$0")/run-shard.sh"
exec "$helper" "$@"

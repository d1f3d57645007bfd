#!/usr/bin/env bash
# Run a regime on every host of a Cloud TPU VM slice (v4/v5e/v5p/v6e), one process per host.
#
#   TPU_NAME=my-slice ZONE=us-central2-b bash launch/tpu_pod.sh \
#       --config=configs/inspect.py --workdir=gs://my-bucket/runs/inspect
#   DRY_RUN=1 TPU_NAME=... ZONE=... bash launch/tpu_pod.sh ...   # print the command only
#
# Every host runs the same command; jax.distributed.initialize() (config.distributed.mode="auto")
# detects the slice from the TPU environment (TPU_WORKER_HOSTNAMES), so no coordinator address is
# needed. The repository must already be on each host (e.g. `gcloud ... ssh --worker=all
# --command "git clone ..."`) and installed with `pip install -e ".[tpu]"`; --workdir must be
# storage every host sees (a bucket or a shared file system): process 0 writes reports there and
# every process writes its checkpoint shards.
set -euo pipefail
: "${TPU_NAME:?set TPU_NAME to the TPU VM name}"
: "${ZONE:?set ZONE to the TPU VM zone}"
REPO_DIR="${REPO_DIR:-codecorr_jax}"
case " $* " in
  *" --config="*) ;;
  *) echo "tpu_pod.sh: pass --config=configs/<regime>.py (and --workdir=...)" >&2; exit 2 ;;
esac
args=$(printf '%q ' "$@")
command=(gcloud compute tpus tpu-vm ssh "$TPU_NAME" --zone "$ZONE" --worker=all
         --command "cd $REPO_DIR && .venv/bin/python launch/main.py ${args% }")
if [ -n "${DRY_RUN:-}" ]; then
  printf '%q ' "${command[@]}"; echo
  exit 0
fi
"${command[@]}"

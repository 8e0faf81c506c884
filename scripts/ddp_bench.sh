#!/usr/bin/env bash
# Data parallelism on the GPUs of one host: the `scale` preset on 1, 2 and 4 GPUs (as many as there are), each
# run a separate torchrun job with the global batch fixed; then the 2-GPU et-train of the dialogue preset and the
# 2-GPU NCCL test. Run from the repository root:   OUT=results scripts/ddp_bench.sh [bf16|fp32|compile|dialogue]...
# Writes $OUT/ddp_<variant>_<N>gpu.json per run, one log per variant ($OUT/ddp_<variant>.log), $OUT/dialogue_2gpu.log
# and $OUT/nccl_test.log.
set -uo pipefail
OUT=${OUT:-$PWD}; mkdir -p "$OUT"
PY=${PYTHON:-python3}
export MPLBACKEND=Agg HF_HUB_OFFLINE=1 PYTHONUNBUFFERED=1 PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
export NCCL_NVLS_ENABLE=0 TORCH_SYMM_MEM_DISABLE_MULTICAST=1 NVSHMEM_DISABLE_NVLS=1   # NVLink multicast stays off
NGPU=$($PY -c 'import torch; print(torch.cuda.device_count())')
nvidia-smi --query-gpu=index,name,memory.total,driver_version --format=csv
worlds=""; for n in 1 2 4; do [ "$n" -le "$NGPU" ] && worlds="$worlds $n"; done
status=0
launch() {   # launch NPROC LOG ARGS...: one torchrun job on the first NPROC GPUs, its output appended to LOG
  local n=$1 log=$2; shift 2
  echo "== $(date -u +%FT%TZ) torchrun --nproc_per_node=$n $*" >>"$log"
  CUDA_VISIBLE_DEVICES=$(seq -s, 0 $((n - 1))) timeout 420 $PY -m torch.distributed.run --standalone \
    --nproc_per_node="$n" "$@" >>"$log" 2>&1 || { echo "FAILED ($?): $log"; tail -20 "$log"; status=1; }
}
for variant in "${@:-bf16 compile fp32 dialogue}"; do
  for v in $variant; do
    case $v in
      bf16|repeat) extra="train.precision=bf16"; steps=300 ;;   # repeat: the same runs again (run-to-run noise)
      compile) extra="train.precision=bf16 model.compile=true"; steps=300 ;;
      fp32)    extra="train.precision=fp32"; steps=100 ;;
      dialogue)
        echo "== et-train --config dialogue on 2 GPUs (torchrun)"
        launch 2 "$OUT/dialogue_2gpu.log" scripts/et_train.py --config dialogue --set train.epochs=3 \
               --out /tmp/ddp2 --quiet
        cat "$OUT/dialogue_2gpu.log" | grep -v "^W\|Warning" | tail -40
        echo "== the two-GPU NCCL test"
        $PY -m pytest -q -p no:cacheprovider tests/test_distributed.py -k "nccl or double_batch" -rs -s 2>&1 \
          | tee "$OUT/nccl_test.log"; [ "${PIPESTATUS[0]}" = 0 ] || status=1
        continue ;;
      *) echo "unknown variant $v"; status=1; continue ;;
    esac
    for n in $worlds; do
      echo "== scale preset, $v, $n GPU(s)"
      launch "$n" "$OUT/ddp_${v}.log" scripts/ddp_bench.py --out "$OUT/ddp_${v}_${n}gpu.json" \
             --steps "$steps" --set $extra
      tail -1 "$OUT/ddp_${v}.log"
    done
  done
done
exit $status

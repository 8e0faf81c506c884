# Sourced by the GPU device calls (issue27e/callN.sh): `source benchmarks/fused/device_call.sh NAME` from a copy of the
# repository root with OUT set. It sets the environment, keeps every result under $R and packs it into $OUT/NAME.tgz on
# exit (the device returns at most 8 files; the trap also packs what a call cut by its time limit has), writes the
# card's name to gpu.txt, and gives the steps the calls share.
set -uo pipefail
export MPLBACKEND=Agg HF_HUB_OFFLINE=1 PYTHONUNBUFFERED=1 PYTHONPATH=$PWD TRITON_CACHE_DIR=/tmp/tc
EMBEDDING_TRAINER_CACHE=$(mktemp -d)/embeddings; export EMBEDDING_TRAINER_CACHE
R=$(mktemp -d); trap "tar czf $OUT/$1.tgz -C $R ." EXIT
# the log lines worth printing (compiler and library chatter dropped)
q() { grep -v "^AUTOTUNE\|^  triton\|SingleProcess\|LightConeWarning\|check_light_cone\|DeprecationWarning\|get_autocast\|^$"; }
stamp() { date -u +%FT%TZ; }
{ nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv; stamp; } | tee $R/gpu.txt

# py ARGS: pytest, quiet, printing; T_TESTS seconds at most
py() { timeout ${T_TESTS:-230} python3 -m pytest -q -s -p no:cacheprovider "$@"; }
# show LOG...: the outcome lines of $R/LOG.log for each LOG
show() { for f in "$@"; do echo "== $f"; q < $R/$f.log | grep "passed\|failed\|FAILED\|scale, model\|Error\|assert" | cut -c1-300; done; }
# bench NAME SETTINGS PARTS [ARGS]: b1_bench.py on the benchmark case (7 repetitions of 5 steps), into $R/NAME.*
bench() {
  local name=$1 settings=$2 parts=$3; shift 3
  timeout ${T_BENCH:-150} python3 benchmarks/fused/b1_bench.py --out $R/$name.json --reps 7 --steps 5 \
    --parts $parts --settings "$settings" "$@" > $R/$name.log 2>&1
  q < $R/$name.log | grep "^bench\|^profile\|^exact\|graph\|^host\|Error"
}
# sweep NAME ROWS DEADLINE: rows of `et-bench --cases sweep-gpu` (sweep_rows.py, 11 rounds), then their table
sweep() {
  timeout $(($3 + 40)) python3 benchmarks/fused/sweep_rows.py --out $R/$1.json --reps 11 --min-seconds 0.25 \
    --compiled 6 --rows $2 --deadline $3 > $R/$1.log 2>&1
  q < $R/$1.log | grep "sweep-gpu\|deadline\|Error"
  python3 benchmarks/fused/sweep_rows.py --summary $R/$1.json
}
# scale_pair: the scale preset with the default config, then with model.kernel: torch (scripts/ddp_bench.py)
scale_pair() {
  timeout 60 python3 scripts/ddp_bench.py --out $R/scale_auto.json > $R/scale_auto.log 2>&1
  timeout 80 python3 scripts/ddp_bench.py --out $R/scale_torch.json --set model.kernel=torch > $R/scale_torch.log 2>&1
  for k in auto torch; do
    q < $R/scale_$k.log | grep "model.kernel\|samples\|rolled back\|Error" | cut -c1-400
  done
}
# memcheck: compute-sanitizer on one training step of the benchmark case (compiled beforehand)
memcheck() {
  python3 benchmarks/fused/memcheck_step.py > /dev/null 2>&1
  local cs; cs=$(command -v compute-sanitizer || ls /usr/local/cuda*/bin/compute-sanitizer 2>/dev/null | head -1)
  timeout ${T_MEMCHECK:-150} ${cs:-compute-sanitizer} --tool memcheck python3 benchmarks/fused/memcheck_step.py \
    > $R/memcheck.log 2>&1
  echo "== memcheck"; grep -v "^$" $R/memcheck.log | tail -3
}

#!/usr/bin/env bash
# cim-run over MPI ranks against one process (docs/scale-out.md): the Fashion-MNIST CNN on
# rram-256 (fresh read noise per sample) on the CPU backend, with 2 and 3 ranks of Open MPI on
# this machine. The outputs and the report (all but the times) must be the same bits:
#   - 120 images, one chip, shared 60/60 and 40/40/40;
#   - 3 chips with programming noise on 2 ranks (the second chip split between them);
#   - --inputs arrays, 3 chips on 2 ranks (the chips shared);
#   - more ranks than samples (2 images on 3 ranks);
#   - --perplexity of a GPT-2 layout on token ids, 2 ranks;
#   - cim-sweep --launcher: each point on 2 ranks, the same CSV as without;
# and a label that only the last rank sees fails the whole run with that rank's one line,
# leaving no output files.
#   run_mpi_test.sh MPIEXEC BIN_DIR MODEL FASHION_MNIST_DIR WORK_DIR CIM_SWEEP
set -euo pipefail
mpiexec=$1 bin=$2 model=$3 data=$4 work=$5 sweep=$6
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work" && mkdir -p "$work"
# CI runs as root; Open MPI refuses that unless told. Ranks may outnumber the cores.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
ranks() { "$mpiexec" --oversubscribe --bind-to none -np "$@"; }

"$bin/cim-opt" "$model.onnx" --device rram-256 -o "$work/plan"
run="$bin/cim-run $work/plan --backend cpu --batch 16"

echo "== 120 images, one chip"
$run --dataset "$data" --limit 120 --outputs "$work/one.npz" --report "$work/one.json" --quiet
for n in 2 3; do
  ranks "$n" $run --dataset "$data" --limit 120 --outputs "$work/np$n.npz" \
    --report "$work/np$n.json" > "$work/np$n.out"
  python3 "$here/check_same_run.py" "$work/one" "$work/np$n" "$n"
  # Rank 0 alone prints the summary.
  [[ $(wc -l < "$work/np$n.out") == 1 ]] && grep -q "120 samples in .* s on $n ranks" "$work/np$n.out" ||
    { echo "expected one summary line on $n ranks:"; cat "$work/np$n.out"; exit 1; }
done

echo "== 3 chips with programming noise, 2 ranks"
chips="--repeats 3 --set noise.program=0.05 --limit 50"
$run --dataset "$data" $chips --report "$work/chips1.json" --quiet
ranks 2 $run --dataset "$data" $chips --report "$work/chips2.json" --quiet
python3 "$here/check_same_run.py" "$work/chips1" "$work/chips2" 2

echo "== --inputs, 3 chips on 2 ranks"
python3 "$here/mpi_data.py" inputs "$data" 8 "$work/x.npz"
$run --inputs "$work/x.npz" $chips --report "$work/in1.json" --quiet
ranks 2 $run --inputs "$work/x.npz" $chips --report "$work/in2.json" --quiet
python3 "$here/check_same_run.py" "$work/in1" "$work/in2" 2

echo "== more ranks than work"
$run --dataset "$data" --limit 2 --outputs "$work/two1.npz" --report "$work/two1.json" --quiet
ranks 3 $run --dataset "$data" --limit 2 --outputs "$work/two3.npz" --report "$work/two3.json" --quiet
python3 "$here/check_same_run.py" "$work/two1" "$work/two3" 3

echo "== --perplexity: a GPT-2 layout on token ids, 2 ranks"
"$bin/cim-opt" "$(dirname "$model")/export/gpt2_small_dynamo/model.onnx" --device rram-256 \
  -o "$work/lm.plan"
python3 "$here/../../lit/tools/Inputs/perplexity.py" ids "$work/ids.npz" 6 16 100 3
lm="$bin/cim-run $work/lm.plan --backend cpu --dataset $work/ids.npz --perplexity --quiet"
$lm --report "$work/lm1.json"
ranks 2 $lm --report "$work/lm2.json"
python3 "$here/check_same_run.py" "$work/lm1" "$work/lm2" 2

echo "== cim-sweep --launcher"
for launcher in "" "$mpiexec --oversubscribe --bind-to none -np 2"; do
  "$sweep" "$model.onnx" --dataset "$data" --limit 32 --chips 2 --spec "$here/../sweep/tiny.json" \
    --cim-opt "$bin/cim-opt" --cim-run "$bin/cim-run" --quiet --csv "$work/sweep${launcher:+-mpi}.csv" \
    ${launcher:+--launcher "$launcher"}
done
python3 - "$work/sweep.csv" "$work/sweep-mpi.csv" <<'PY'
import csv, sys
one, two = ([{k: v for k, v in r.items() if k != "seconds"} for r in csv.DictReader(open(p))]
            for p in sys.argv[1:])
assert one == two and len(one) == 5, (one, two)
print(f"cim-sweep --launcher: the same {len(one)} points")
PY

echo "== a failing rank"
# A copy of the test set whose label 100 is 42: on 3 ranks sample 100 is rank 2's (80..119).
mkdir -p "$work/bad"
cp "$data"/t10k-images-idx3-ubyte* "$work/bad/"
python3 "$here/mpi_data.py" bad-label "$data" "$work/bad" 100 42
rc=0
ranks 3 $run --dataset "$work/bad" --limit 120 --outputs "$work/bad.npz" --report "$work/bad.json" \
  > "$work/bad.out" 2> "$work/bad.err" || rc=$?
expected="cim-run: error: rank 2: the label of sample 100 is 42, outside the 10 classes [0, 10)"
[[ $rc != 0 ]] && [[ $(grep -c "cim-run: error" "$work/bad.err") == 1 ]] &&
  grep -qF "$expected" "$work/bad.err" ||
  { echo "expected exit != 0 and one line '$expected', got $rc:"; cat "$work/bad.err"; exit 1; }
if ls "$work"/bad.npz* "$work"/bad.json* "$work"/.bad* 2> /dev/null; then
  echo "a failed run left files"; exit 1
fi
echo "mpi: every run matches one process"

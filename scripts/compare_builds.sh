#!/usr/bin/env bash
# Bit identity of two builds: the same fixed program of runs (pretraining of every stage on 1 and
# 2 ranks, an interrupted run resumed, fine-tuning for classification and regression with random
# and scaffold splits, predict, embed) with each lgmcl-dist, then every weight file, prediction
# and embedding compared byte for byte, and every logged loss and score compared exactly (times
# left out). For refactors that must not change a single bit: build the commit a change starts
# from into another directory (git worktree add; swift build -c release) and compare.
#
#   scripts/compare_builds.sh BIN_BEFORE BIN_AFTER [WORKDIR]
# BIN_* are directories holding lgmcl-dist (e.g. .build/release). Exit 0 when all is identical.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
before=${1:?usage: compare_builds.sh BIN_BEFORE BIN_AFTER [WORKDIR]}
after=${2:?usage: compare_builds.sh BIN_BEFORE BIN_AFTER [WORKDIR]}
work=${3:-$root/out/compare-builds}
export OPENBLAS_NUM_THREADS=1 OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mpirun="mpirun --oversubscribe"

rm -rf "$work"
mkdir -p "$work"
{ gzip -dc "$root/data/samples/moses_head20k.csv.gz" || true; } | head -n 401 >"$work/moses.csv"
head -n 161 "$root/data/moleculenet/bbbp.csv" >"$work/bbbp.csv"
head -n 121 "$root/data/moleculenet/esol.csv" >"$work/esol.csv"
printf 'smiles\nCC(C)NCC(O)COc1cccc2ccccc12\nCn1cnc2c1c(=O)n(C)c(=O)n2C\nC1CC(\nNCCc1ccc(O)c(O)c1\n' >"$work/query.csv"

program() {
    local bin=$1/lgmcl-dist out=$2
    mkdir -p "$out"
    $mpirun -np 2 "$bin" preprocess --input "$work/moses.csv" --output "$out/moses.h5" --vocab-size 300 --progress-interval 0
    for stage in graph text joint; do
        for np in 1 2; do
            $mpirun -np $np "$bin" pretrain --data "$out/moses.h5" --output "$out/pre-$stage-$np" --stage $stage \
                --preset tiny --batch-size 32 --max-steps 6 --checkpoint-every 3 --held-out 64 --deterministic --log-interval 0
        done
    done
    # Interrupted after 3 steps, resumed to 6: the same as the uninterrupted run above.
    $mpirun -np 2 "$bin" pretrain --data "$out/moses.h5" --output "$out/pre-resumed" --stage joint --preset tiny \
        --batch-size 32 --max-steps 3 --checkpoint-every 3 --held-out 64 --deterministic --log-interval 0
    $mpirun -np 2 "$bin" pretrain --data "$out/moses.h5" --output "$out/pre-resumed" --stage joint --preset tiny \
        --batch-size 32 --max-steps 6 --checkpoint-every 3 --held-out 64 --deterministic --log-interval 0 --resume
    cp "$out/pre-graph-2/graph.safetensors" "$out/pre-text-2/"
    $mpirun -np 2 "$bin" finetune --data "$work/bbbp.csv" --output "$out/ft-bbbp" --pretrained "$out/pre-text-2" \
        --preset tiny --split scaffold --seeds 0,1 --epochs 3 --batch-size 32 --deterministic
    $mpirun -np 2 "$bin" finetune --data "$work/esol.csv" --output "$out/ft-esol" --preset tiny --split random \
        --seeds 3 --epochs 2 --batch-size 16 --patience 1 --encoder-lr 0.00005 --deterministic
    $mpirun -np 1 "$bin" predict --model "$out/ft-bbbp" --input "$work/query.csv" --output "$out/predictions.csv"
    $mpirun -np 2 "$bin" embed --model "$out/ft-esol" --input "$work/query.csv" --output "$out/embeddings.h5"
}

for side in before after; do
    bin=$before
    [ "$side" = after ] && bin=$after
    echo "== $side: $bin" >&2
    # Both sides run in one directory, so that paths recorded in settings are the same.
    program "$bin" "$work/run" >"$work/$side.log" 2>&1 || { tail -n 30 "$work/$side.log"; exit 1; }
    mv "$work/run" "$work/$side"
done

# Byte-compared: everything a run computes. Logs and JSON with timings: numbers compared after
# dropping the keys and words that are times.
python3 - "$work/before" "$work/after" <<'PY'
import hashlib, json, os, subprocess, sys
before, after = sys.argv[1], sys.argv[2]
timing = {"seconds", "molecules_per_second", "time", "created", "createdAt", "started", "date"}

def files(base):
    found = {}
    for directory, _, names in os.walk(base):
        for name in names:
            path = os.path.join(directory, name)
            found[os.path.relpath(path, base)] = path
    return found

def strip(value):
    if isinstance(value, dict):
        return {k: strip(v) for k, v in value.items() if k not in timing and "second" not in k.lower()}
    if isinstance(value, list):
        return [strip(v) for v in value]
    return value

def content(path):
    name = os.path.basename(path)
    if name.endswith((".safetensors", ".csv", ".txt")):
        return hashlib.sha256(open(path, "rb").read()).hexdigest()
    if name == "embeddings.h5":
        # HDF5 stamps objects with times: compare the dump, less its first line (the file's path).
        dump = subprocess.run(["h5dump", path], capture_output=True, text=True, check=True).stdout
        return dump.split("\n", 1)[1]
    if name.endswith(".jsonl"):
        return [strip(json.loads(line)) for line in open(path) if line.strip()]
    if name.endswith(".json"):
        return strip(json.load(open(path)))
    return None

a, b = files(before), files(after)
skipped = ("heartbeats", ".svg", ".h5")
compared, differing = 0, []
for rel in sorted(set(a) | set(b)):
    if any(part in rel for part in skipped) and not rel.endswith("embeddings.h5"):
        continue
    if rel not in a or rel not in b:
        print(f"only in {'after' if rel in b else 'before'}: {rel}")
        continue
    ca, cb = content(a[rel]), content(b[rel])
    if ca is None:
        continue
    compared += 1
    if ca != cb:
        differing.append(rel)
for rel in differing:
    print(f"differs: {rel}")
print(f"compared {compared} files: {len(differing)} differ")
sys.exit(1 if differing else 0)
PY

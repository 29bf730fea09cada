#!/usr/bin/env python3
"""Appends one dated section to docs/benchmarks-pretrain.md from the JSON lines of
scripts/bench_pretrain_peer.sh: each line is an lgmcl `benchmark throughput --json` result or a
scripts/pretrain_peer.py --json result, tagged "side": "lgmcl" or "peer", in the order they ran.
Earlier sections are kept (bench_pretrain_report.py keeps everything from "## Reading these
numbers" on, and these sections come after it). Standard library only.
"""
import argparse
import os
import statistics
import sys
from pathlib import Path
import json

sys.path.insert(0, str(Path(__file__).resolve().parent))
import machine  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("results")
    parser.add_argument("--kernel", required=True)
    parser.add_argument("--start", required=True)
    parser.add_argument("--start-load", required=True)
    parser.add_argument("--end-load", required=True)
    parser.add_argument("--molecules", type=int, required=True)
    parser.add_argument("--command", required=True)
    parser.add_argument("-o", "--output", required=True)
    args = parser.parse_args()
    runs = [json.loads(line) for line in Path(args.results).read_text().splitlines() if line.strip()]
    rates = {side: [r["molecules_per_second"] for r in runs if r["side"] == side] for side in ("lgmcl", "peer")}
    if not rates["lgmcl"] or not rates["peer"]:
        sys.exit(f"{args.results}: need results of both sides, have {[r['side'] for r in runs]}")
    peer = next(r for r in runs if r["side"] == "peer")
    lgmcl = next(r for r in runs if r["side"] == "lgmcl")
    median = {side: statistics.median(v) for side, v in rates.items()}
    # Per repeat, the ratio of the lgmcl run to the peer run right after it (same minutes).
    pairs = [a["molecules_per_second"] / b["molecules_per_second"]
             for a, b in zip(runs[::2], runs[1::2]) if a["side"] == "lgmcl" and b["side"] == "peer"]

    precision = lgmcl.get("precision", "float32")

    def spread(values):
        return f"{min(values):.1f}–{max(values):.1f}"

    lines = [
        "",
        f"## Joint `small` step beside PyTorch{'' if precision == 'float32' else f', {precision}'}, {args.start[:16].replace('T', ' ')} UTC",
        "",
        f"Written by `{args.command}` at lgmcl {machine.git_commit()} ({lgmcl['lgmcl']}), starting {args.start}.",
        f"Machine: {machine.cpu_model()}, {os.cpu_count()} cores, **shared with other engineers' builds**; "
        f"1-minute / 5-minute / 15-minute load average {args.start_load} at the start, {args.end_load} at the end.",
        f"lgmcl: OpenBLAS kernel {args.kernel}, `OPENBLAS_NUM_THREADS=1`, one rank, "
        f"{'Float32' if precision == 'float32' else '`--precision ' + precision + '` (bfloat16 matrix products, Float32 sums and everything else)'}, release build as shipped. "
        f"Peer: scripts/pretrain_peer.py, torch {peer['torch']} (CPU capability {peer['cpu_capability']}), "
        f"transformers {peer['transformers']}, `torch.set_num_threads({peer['threads']})`.",
        f"Both: the first {args.molecules} MOSES molecules (data/samples/moses_head20k.csv.gz) preprocessed by lgmcl, "
        f"the `small` joint step (graph and text NT-Xent, τ 0.1, dropout on, Adam lr 1e-4 wd 1e-3), batch "
        f"{lgmcl['global_batch']}, {lgmcl['warmup_steps']} warm-up step, {lgmcl['steps']} timed steps, wall time; "
        f"the two alternate (lgmcl, peer, lgmcl, …), {len(rates['lgmcl'])} runs each. lgmcl's time includes waiting for "
        "its reader; the peer builds each batch outside its timed step.",
        "",
        "| | molecules/s, median | range | runs |",
        "|---|---|---|---|",
        f"| lgmcl | {median['lgmcl']:.1f} | {spread(rates['lgmcl'])} | {' '.join(f'{v:.1f}' for v in rates['lgmcl'])} |",
        f"| PyTorch peer | {median['peer']:.1f} | {spread(rates['peer'])} | {' '.join(f'{v:.1f}' for v in rates['peer'])} |",
        "",
        f"**lgmcl / PyTorch: {median['lgmcl'] / median['peer']:.2f}×** (ratio of medians; per adjacent pair "
        f"{min(pairs):.2f}–{max(pairs):.2f}×). Goal of issue 19: ≥ 2×.",
        "",
    ]
    # Process CPU time per step: the machine is shared, and wall time also counts waiting for a
    # core; molecules per CPU-second compare the work each side does.
    cpu = {"lgmcl": [r["global_batch"] / r["cpu_seconds_per_step_by_rank"][0] for r in runs if r["side"] == "lgmcl"],
           "peer": [r["batch"] / r["cpu_seconds_per_step"] for r in runs if r["side"] == "peer" and "cpu_seconds_per_step" in r]}
    if cpu["lgmcl"] and cpu["peer"]:
        ratio = statistics.median(cpu["lgmcl"]) / statistics.median(cpu["peer"])
        lines += [
            "By process CPU time (molecules per CPU-second; steady under load, since it leaves out the waiting "
            f"for a core): lgmcl {statistics.median(cpu['lgmcl']):.1f} ({spread(cpu['lgmcl'])}), PyTorch peer "
            f"{statistics.median(cpu['peer']):.1f} ({spread(cpu['peer'])}): **{ratio:.2f}×**.", ""]
    lgmcl_phases = [r["phase_seconds_per_step"] for r in runs if r["side"] == "lgmcl"]
    if lgmcl_phases:
        f = statistics.median(p["forward"] for p in lgmcl_phases)
        b = statistics.median(p["backward"] for p in lgmcl_phases)
        o = statistics.median(p["optimizer"] for p in lgmcl_phases)
        d = statistics.median(p["data"] for p in lgmcl_phases)
        lines += [f"lgmcl per step (median over runs): forward {f:.2f} s, backward {b:.2f} s, optimiser {o * 1000:.0f} ms, "
                  f"waiting for data {d * 1000:.0f} ms.", ""]
    out = Path(args.output)
    text = out.read_text() if out.exists() else "# Pretraining throughput and weak scaling\n"
    out.write_text(text.rstrip("\n") + "\n" + "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()

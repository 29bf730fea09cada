#!/usr/bin/env python3
"""Writes docs/benchmarks-allreduce.md from the JSON lines of cluster/bench/allreduce.sh.

Each setting was run twice per program, alternately; per size the faster round is kept, since
other load on the machine only ever slows a run down. Standard library only.
"""
import argparse
import json
import os
import platform
import re
from pathlib import Path

from machine import cpu_model, git_commit

SETTINGS = {
    "one-host": "One host, 2 ranks (Open MPI's default transports: shared memory)",
    "two-hosts": "Two namespace hosts, 1 rank each (TCP over a veth pair and a bridge; `btl tcp,self`)",
}


def size_label(n: int) -> str:
    for unit, shift in (("MiB", 20), ("KiB", 10)):
        if n >= 1 << shift:
            return f"{n >> shift} {unit}"
    return f"{n} B"


def best(paths):
    """Per (method, size), the result with the lowest average latency over the rounds."""
    rows = {}
    meta = None
    for path in paths:
        report = json.loads(Path(path).read_text())
        meta = meta or report
        for r in report["results"]:
            key = (r.get("method", "c-mpi"), r["bytes"])
            if key not in rows or r["avg_us"] < rows[key]["avg_us"]:
                rows[key] = r
    return meta, rows


def phase_table(text: str):
    """Per-rank seconds per phase from pretrain's closing table (Training/PhaseTimes.swift)."""
    lines = text.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("rank  data"))
    # Columns of 15 characters after "rank  ", the last one the total.
    row = lines[header]
    phases = [row[i:i + 15].strip() for i in range(6, len(row.rstrip()), 15)][:-1]
    rows = []
    for line in lines[header + 1:]:
        if not re.match(r"^\d+\s", line):
            break
        seconds = [float(x) for x in re.findall(r"([\d.]+)s\s+\d+%", line)]
        rows.append(dict(zip(phases, seconds)))
    return rows


def overlap_section(work: Path) -> str:
    settings = sorted(work.glob("overlap-*.setting"))
    if not settings:
        return "## Overlap during pretraining across hosts\n\nNot measured in this run (the namespace hosts need root).\n"
    lines = [
        "## Overlap during pretraining across hosts",
        "",
        "Three namespace hosts, one rank each (TCP over veth links), `lgmcl-dist pretrain --preset small`",
        "on the first 240 BBBP molecules, global batch 24 (8 molecules per rank), overlapped bucket sync",
        "(the default; `--deterministic` sums in rank order and cannot overlap). **Exposed** is the",
        "run's *allreduce wait* per step (time blocked after backward until every bucket is summed),",
        "averaged over ranks and steps (first step included); **alone** is one step's sync of the same",
        "buckets with nothing to hide behind (`benchmark allreduce --gradients-of RUN/config.json",
        "--stage S --bucket-mib M`, across the same hosts, right after the run). Hidden = 1 − exposed / alone.",
        "With one bucket nothing can overlap (it starts when backward ends); a positive share there",
        "comes from the copies into the bucket, which alone includes and training counts in backward.",
        "",
        "| stage | trained floats | bucket MiB | buckets | backward ms/step | alone ms/step | exposed ms/step | hidden |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for path in settings:
        stage, mib, steps = path.read_text().split()
        name = path.name[: -len(".setting")]
        rows = phase_table((work / f"{name}.pretrain.out").read_text())
        report = json.loads((work / f"{name}.gradients.json").read_text())
        alone = next(r for r in report["results"] if r["method"] == "buckets")["avg_us"] / 1e3
        steps = int(steps)
        exposed = sum(r["allreduce wait"] for r in rows) / len(rows) / steps * 1e3
        backward = sum(r["backward"] for r in rows) / len(rows) / steps * 1e3
        hidden = 1 - exposed / alone
        grads = report["gradients"]
        lines.append(f"| {stage} | {grads['elements']:,} | {float(mib):g} | {len(grads['buckets'])} | {backward:.1f} | "
                     f"{alone:.1f} | {exposed:.1f} | {hidden:.0%} |")
    lines += ["", "Per-rank phase tables of these runs:", ""]
    for path in settings:
        name = path.name[: -len(".setting")]
        text = (work / f"{name}.pretrain.out").read_text().splitlines()
        header = next(i for i, line in enumerate(text) if line.startswith("rank  data"))
        table = [line.rstrip() for line in text[header:] if line.strip()][:4]
        lines += [f"`{name}`:", "", "```", *table, "```", ""]
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--load-before", required=True)
    parser.add_argument("--load-after", required=True)
    parser.add_argument("--protocol", required=True)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    work = Path(args.work)
    root = Path(__file__).resolve().parent.parent

    sections = []
    mpi = date = None
    for name, title in SETTINGS.items():
        lgmcl_runs = sorted(work.glob(f"{name}.lgmcl.*.json"))
        peer_runs = sorted(work.glob(f"{name}.peer.*.json"))
        if not lgmcl_runs or not peer_runs:
            sections.append(f"## {title}\n\nNot measured in this run (the namespace hosts need root).\n")
            continue
        meta, lgmcl = best(lgmcl_runs)
        _, peer = best(peer_runs)
        mpi, date = meta["mpi"], meta["date"]
        command = (work / f"{name}.command").read_text().strip()
        lines = [
            f"## {title}",
            "",
            f"`mpirun {command} …`; {meta['ranks']} ranks on {', '.join(meta['hosts'])}.",
            "",
            "| size | raw µs | buckets µs | deterministic µs | C MPI_Allreduce µs | raw / C | raw busbw GB/s | buckets busbw GB/s | C busbw GB/s |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for size in sorted({b for _, b in lgmcl}):
            raw, buckets, ordered = (lgmcl.get((m, size)) for m in ("raw", "buckets", "deterministic"))
            c = peer[("c-mpi", size)]
            cell = lambda r, key, fmt: format(r[key], fmt) if r else "—"
            lines.append(f"| {size_label(size)} | {cell(raw, 'avg_us', '.2f')} | {cell(buckets, 'avg_us', '.2f')} | "
                         f"{cell(ordered, 'avg_us', '.2f')} | {c['avg_us']:.2f} | "
                         f"{raw['avg_us'] / c['avg_us']:.2f} | {cell(raw, 'busbw_gbps', '.3f')} | "
                         f"{cell(buckets, 'busbw_gbps', '.3f')} | {c['busbw_gbps']:.3f} |")
        sections.append("\n".join(lines) + "\n")

    text = f"""# Allreduce benchmark

`lgmcl-dist benchmark allreduce` (raw `MPI_Allreduce` through lgmcl's Distributed module, float32
sum, in place) beside a plain-C program calling `MPI_Allreduce` with the same protocol
(cluster/bench/allreduce_peer.c, built by mpicc at run time). Regenerate with
`make bench-allreduce` (root for the namespace hosts). Latency: average over ranks of each rank's
loop time per call; bus bandwidth: size / latency × 2(n−1)/n (nccl-tests' definition). """ + (
    "Each program ran twice per setting, alternately; the table keeps the faster round per size."
    if args.rounds > 1 else "Each program ran once per setting (`--rounds 1`), one after the other.") + f"""

- machine: {cpu_model()}, {os.cpu_count()} cores, Linux {platform.release()}
- MPI: {mpi}
- date: {date}; lgmcl commit {git_commit(root)}
- load average (1, 5, 15 min) before: {args.load_before}; after: {args.load_after} — this machine is
  shared with other builds, so absolute numbers are noisy; the two columns ran alternately under
  the same load.
- protocol: {args.protocol}

Columns: **raw** — one `MPI_Allreduce` of the buffer through `Communicator.allreduce`;
**buckets** — Distributed's `GradientBuckets` as training uses it (the buffer as parameters of
64 Ki floats handed over in reverse order, packed into buckets of up to 1 Mi floats whose
`MPI_Iallreduce` starts as each fills, then unpacked) — with no backward to hide behind, this is
the bucket path's whole cost, copies included; **deterministic** — the same buckets summed in rank
order (`--deterministic`: an allgather and a local sum, n times the traffic); **C** — the peer.
How much of the bucket time training hides behind backward: the last section.

""" + "\n".join(sections) + "\n" + overlap_section(work)
    tmp = Path(args.output + ".tmp")
    tmp.write_text(text)
    tmp.replace(args.output)


if __name__ == "__main__":
    main()

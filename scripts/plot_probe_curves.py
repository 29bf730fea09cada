#!/usr/bin/env python3
"""Draws the online probe of several pretraining runs against the step, each as its change from its own step 0.

Reads the "probe" records of `lgmcl-dist pretrain --probe` metrics logs. One panel per set and
split (validation above, test below); a line per run; up is better whatever the metric (ROC-AUC
gained, RMSE lost). Prints a Markdown table per split: each run's change at its last checkpoint,
the mean change over the second half of its checkpoints, and the checkpoint-to-checkpoint noise
(standard deviation of successive differences over √2), so "flat" has a number beside it.
Standard library only.

    scripts/plot_probe_curves.py paper=study/m2-paper/metrics-graph.jsonl \\
        views=study/m2-views/metrics-graph.jsonl control=study/m2-control/metrics-graph-self.jsonl \\
        -o docs/img/probe-curves.svg
"""
import argparse
import json
import math
import re
import statistics
from pathlib import Path

from plot_pretrain_metrics import axes, write_svg

WIDTH, HEIGHT = 220.0, 160.0
LEFT, RIGHT, TOP, BOTTOM = 52.0, 12.0, 40.0, 40.0
# Okabe–Ito: distinguishable with the common colour-vision deficiencies.
COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9"]
SPLITS = [("val", "validation"), ("test", "test")]
# The probe's metrics (Sources/LGMCL/Data/Labels/Metric.swift) and which of them rise when better.
PROBE_FIELD = re.compile(r"probe_(.+)_(val|test)_(roc_auc|rmse|mae)")
HIGHER_IS_BETTER = {"roc_auc"}


def read(path):
    """Probe records by step (a resumed run logs a step twice; the last one counts)."""
    probes = {}
    for number, line in enumerate(Path(path).read_text().splitlines(), 1):
        if '"probe"' not in line:
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise SystemExit(f"{path}:{number}: not JSON ({error})")
        if record.get("event") == "probe":
            probes[int(record["step"])] = record
    if 0 not in probes:
        raise SystemExit(f"{path}: no probe at step 0, so there is nothing to measure a change from")
    return probes


def series(probes):
    """{(set, split): [(step, change from step 0, + = better)]} and each set's metric name."""
    out, metrics = {}, {}
    for key in probes[0]:
        # probe_<set>_<split>_<metric>; a set is named after its CSV, whose name may hold "_".
        match = PROBE_FIELD.fullmatch(key)
        if not match:
            continue
        name, split, metric = match.groups()
        sign = 1.0 if metric in HIGHER_IS_BETTER else -1.0
        start = probes[0][key]
        out[(name, split)] = [(step, sign * (record[key] - start))
                              for step, record in sorted(probes.items()) if key in record]
        metrics[name] = metric
    return out, metrics


def noise(points):
    changes = [b - a for (_, a), (_, b) in zip(points, points[1:])]
    return statistics.stdev(changes) / math.sqrt(2) if len(changes) > 1 else float("nan")


def panel(title, lines, origin_x, origin_y):
    left, top = origin_x + LEFT, origin_y + TOP
    right, bottom = left + WIDTH, top + HEIGHT
    svg = [f'<text x="{(left + right) / 2:.1f}" y="{top - 10:.1f}" text-anchor="middle" font-size="13">{title}</text>',
           f'<rect x="{left:.1f}" y="{top:.1f}" width="{WIDTH:.1f}" height="{HEIGHT:.1f}" fill="none" stroke="#444"/>']
    xs = [s for points, _ in lines for s, _ in points]
    ys = [v for points, _ in lines for _, v in points] + [0.0]
    px, py = axes(svg, (left, top, right, bottom), xs, ys, xcount=3, ycount=4)
    svg.append(f'<line x1="{left:.1f}" y1="{py(0):.1f}" x2="{right:.1f}" y2="{py(0):.1f}" stroke="#444" stroke-dasharray="4 3"/>')
    for points, colour in lines:
        path = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in points)
        svg.append(f'<polyline fill="none" stroke="{colour}" stroke-width="1.8" points="{path}"/>')
    return svg


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", metavar="NAME=METRICS.jsonl", help="a run's name and its metrics log")
    parser.add_argument("-o", "--output", required=True, help="SVG file to write")
    args = parser.parse_args()
    runs = []
    for argument in args.runs:
        name, separator, path = argument.partition("=")
        if not separator or not name or not path:
            raise SystemExit(f"{argument}: expected NAME=METRICS.jsonl")
        runs.append((name, *series(read(path))))
    sets = sorted({name for _, curves, _ in runs for name, _ in curves})
    metrics = {k: v for _, _, m in runs for k, v in m.items()}

    body = []
    panel_width, panel_height = LEFT + WIDTH + RIGHT, TOP + HEIGHT + BOTTOM
    for row, (split, split_name) in enumerate(SPLITS):
        print(f"\n{split_name} probe, change from each run's own step 0 (+ = better)\n")
        print("| set | metric | " + " | ".join(f"{name}: last / mean of 2nd half / noise" for name, _, _ in runs) + " |")
        print("|---|---|" + "---|" * len(runs))
        for column, name in enumerate(sets):
            lines, cells = [], []
            for index, (_, curves, _) in enumerate(runs):
                points = curves.get((name, split))
                if not points:
                    cells.append("—")
                    continue
                lines.append((points, COLOURS[index % len(COLOURS)]))
                half = [v for _, v in points[len(points) // 2:]]
                cells.append(f"{points[-1][1]:+.3f} / {statistics.fmean(half):+.3f} / {noise(points):.3f}")
            print(f"| {name} | {metrics[name]} | " + " | ".join(cells) + " |")
            if lines:
                title = f"{name} {split_name} ({metrics[name].replace('_', '-')})"
                body += panel(title, lines, column * panel_width, row * panel_height)
    width, height = panel_width * len(sets), panel_height * len(SPLITS) + 30
    legend_y, x = height - 12, LEFT
    for index, (name, _, _) in enumerate(runs):
        colour = COLOURS[index % len(COLOURS)]
        body.append(f'<line x1="{x:.1f}" y1="{legend_y - 4:.1f}" x2="{x + 20:.1f}" y2="{legend_y - 4:.1f}" stroke="{colour}" stroke-width="2"/>'
                    f'<text x="{x + 26:.1f}" y="{legend_y:.1f}">{name}</text>')
        x += 40 + 8 * len(name)
    body.append(f'<text x="{x + 20:.1f}" y="{legend_y:.1f}" fill="#555">change of the linear probe from the run\'s own step 0 '
                'against the pretraining step; up is better (ROC-AUC gained, RMSE lost)</text>')
    write_svg(args.output, width, height, body, font_size=11)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Draws pretraining loss curves as an SVG from the metrics JSONL files of `lgmcl-dist pretrain`.

One panel per file (e.g. metrics-graph.jsonl, metrics-text.jsonl): the global NT-Xent loss of
every step (thin, light) and its moving average (thick), against the step; held-out retrieval
accuracy of each finished epoch is written under the panel's title. Resumed runs append to the
same file, so a step logged twice keeps its last value. Standard library only.

    scripts/plot_pretrain_metrics.py RUN/metrics-graph.jsonl RUN/metrics-text.jsonl -o docs/img/curves.svg
"""
import argparse
import json
import math
from pathlib import Path

WIDTH, HEIGHT = 440.0, 260.0
LEFT, RIGHT, TOP, BOTTOM = 64.0, 16.0, 54.0, 44.0


def read(path):
    steps, epochs = {}, []
    for number, line in enumerate(Path(path).read_text().splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise SystemExit(f"{path}:{number}: not JSON ({error})")
        if record.get("event") == "step" and math.isfinite(record.get("loss", math.nan)):
            steps[int(record["step"])] = record["loss"]
        elif record.get("event") == "epoch":
            epochs.append(record)
    return sorted(steps.items()), epochs


def moving_average(values, window):
    out, total = [], 0.0
    for i, v in enumerate(values):
        total += v
        if i >= window:
            total -= values[i - window]
        out.append(total / min(i + 1, window))
    return out


def nice_ticks(low, high, count=5):
    if high - low < 1e-12:
        low, high = low - 0.5, high + 0.5
    rough = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(rough))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= rough)
    start = math.floor(low / step) * step
    end = math.ceil(high / step) * step
    ticks, t = [], start
    while t <= end + step * 1e-9:
        ticks.append(t)
        t += step
    return start, end, ticks, step


def label(value, step):
    decimals = max(0, -math.floor(math.log10(step))) if step < 1 else 0
    return f"{value:.{decimals}f}"


def axes(svg, box, xs, ys, xcount=5, ycount=5):
    """Appends tick marks, labels and horizontal grid lines for the data's range inside box
    (left, top, right, bottom); returns the maps from data to SVG coordinates."""
    left, top, right, bottom = box
    x0, x1, xticks, xstep = nice_ticks(min(xs), max(xs), xcount)
    y0, y1, yticks, ystep = nice_ticks(min(ys), max(ys), ycount)

    def px(x):
        return left + (x - x0) / (x1 - x0) * (right - left)

    def py(y):
        return bottom - (y - y0) / (y1 - y0) * (bottom - top)

    for t in xticks:
        svg.append(f'<line x1="{px(t):.1f}" y1="{bottom:.1f}" x2="{px(t):.1f}" y2="{bottom + 5:.1f}" stroke="#444"/>'
                   f'<text x="{px(t):.1f}" y="{bottom + 18:.1f}" text-anchor="middle">{label(t, xstep)}</text>')
    for t in yticks:
        svg.append(f'<line x1="{left:.1f}" y1="{py(t):.1f}" x2="{right:.1f}" y2="{py(t):.1f}" stroke="#ddd"/>'
                   f'<text x="{left - 6:.1f}" y="{py(t) + 4:.1f}" text-anchor="end">{label(t, ystep)}</text>')
    return px, py


def panel(title, points, epochs, origin_x, window):
    left, top = origin_x + LEFT, TOP
    right, bottom = left + WIDTH, top + HEIGHT
    svg = [f'<text x="{(left + right) / 2:.1f}" y="{top - 32:.1f}" text-anchor="middle" font-size="14">{title}</text>']
    notes = [f"epoch {int(e['epoch'])}: retrieval top-1 {e['retrieval_top1']:.3f}, top-5 {e['retrieval_top5']:.3f}"
             for e in epochs if "retrieval_top1" in e]
    if notes:
        svg.append(f'<text x="{(left + right) / 2:.1f}" y="{top - 14:.1f}" text-anchor="middle" fill="#555">{"; ".join(notes)}</text>')
    svg.append(f'<rect x="{left:.1f}" y="{top:.1f}" width="{WIDTH:.1f}" height="{HEIGHT:.1f}" fill="none" stroke="#444"/>')
    svg.append(f'<text x="{(left + right) / 2:.1f}" y="{bottom + 36:.1f}" text-anchor="middle">step</text>')
    if not points:
        svg.append(f'<text x="{(left + right) / 2:.1f}" y="{(top + bottom) / 2:.1f}" text-anchor="middle" fill="#888">no steps</text>')
        return svg
    xs = [s for s, _ in points]
    ys = [v for _, v in points]
    smooth = moving_average(ys, window)
    px, py = axes(svg, (left, top, right, bottom), xs, ys)
    raw = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in zip(xs, ys))
    avg = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in zip(xs, smooth))
    svg.append(f'<polyline fill="none" stroke="#9ecae1" stroke-width="1" points="{raw}"/>')
    svg.append(f'<polyline fill="none" stroke="#08519c" stroke-width="2" points="{avg}"/>')
    return svg


def write_svg(path, width, height, body, font_size):
    """Writes the elements in body as one SVG on a white page, under a temporary name first."""
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{int(width)}" height="{int(height)}" '
           f'viewBox="0 0 {int(width)} {int(height)}" font-family="sans-serif" font-size="{font_size}">\n'
           '<rect width="100%" height="100%" fill="white"/>\n' + "\n".join(body) + "\n</svg>\n")
    output = Path(path)
    output.parent.mkdir(parents=True, exist_ok=True)
    temporary = output.with_name(output.name + ".tmp")
    temporary.write_text(svg)
    temporary.rename(output)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("metrics", nargs="+", help="metrics-STAGE.jsonl files, one panel each")
    parser.add_argument("-o", "--output", required=True, help="SVG file to write")
    parser.add_argument("--title", action="append", help="a panel title, once per metrics file (default: the file names)")
    parser.add_argument("--window", type=int, default=25, help="moving-average window in steps")
    args = parser.parse_args()
    titles = args.title or [Path(m).name for m in args.metrics]
    if len(titles) != len(args.metrics):
        raise SystemExit("give --title once per metrics file")

    panel_width = LEFT + WIDTH + RIGHT
    width, height = panel_width * len(args.metrics), TOP + HEIGHT + BOTTOM + 28
    body = []
    for i, (path, title) in enumerate(zip(args.metrics, titles)):
        points, epochs = read(path)
        body += panel(title, points, epochs, i * panel_width, args.window)
    legend_y = height - 10
    body.append(f'<line x1="{LEFT:.1f}" y1="{legend_y - 4:.1f}" x2="{LEFT + 20:.1f}" y2="{legend_y - 4:.1f}" stroke="#9ecae1"/>'
                f'<text x="{LEFT + 26:.1f}" y="{legend_y:.1f}">global NT-Xent loss per step</text>'
                f'<line x1="{LEFT + 230:.1f}" y1="{legend_y - 4:.1f}" x2="{LEFT + 250:.1f}" y2="{legend_y - 4:.1f}" stroke="#08519c" stroke-width="2"/>'
                f'<text x="{LEFT + 256:.1f}" y="{legend_y:.1f}">moving average over {args.window} steps</text>')
    write_svg(args.output, width, height, body, font_size=12)


if __name__ == "__main__":
    main()

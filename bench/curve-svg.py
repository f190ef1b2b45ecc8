#!/usr/bin/env python3
"""The curve of bench/compare.sh: server CPU per enrollment against the certificates the server had issued.

Usage: curve-svg.py OUT CSV SVG

Reads OUT/curve/NAME/step-NNN.json (a `scep bench --json` run) and step-NNN.store (the store's certificate count
before and after that run), writes every point to CSV and draws SVG: one series per server, each point at the
middle of the store sizes its step ran between. Python's standard library only, no plotting package.
"""
import csv
import glob
import json
import math
import os
import sys
from xml.sax.saxutils import escape

out, csv_path, svg_path = sys.argv[1], sys.argv[2], sys.argv[3]

LABELS = {
    "sqlite": "ours, SQLite store (after its JIT warm-up, counted)",
    "ecdsa": "ours, SQLite store, ECDSA P-256 CA",
    "softhsm": "ours, SQLite store, CA key in SoftHSM2",
    "micromdm": "micromdm scepserver, file depot from empty",
}
COLOURS = {"sqlite": "#1f77b4", "ecdsa": "#2ca02c", "softhsm": "#9467bd", "micromdm": "#d62728"}
MARKERS = {"micromdm": "square"}


def read_series():
    series = {}
    for directory in sorted(glob.glob(os.path.join(out, "curve", "*"))):
        name = os.path.basename(directory)
        points = []
        for path in sorted(glob.glob(os.path.join(directory, "step-*.json"))):
            step = os.path.basename(path)[len("step-"):-len(".json")]
            try:
                with open(path) as f:
                    run = json.load(f)
                with open(path[:-len(".json")] + ".store") as f:
                    before, after = (int(x) for x in f.read().split())
            except (OSError, ValueError):
                continue
            if run.get("serverCpuMsPerEnrollment") is None:
                continue
            points.append({
                "server": name,
                "step": int(step),
                "certificates_before": before,
                "certificates_after": after,
                "certificates_mid": (before + after) / 2,
                "enrollments": run["count"],
                "concurrency": run["concurrency"],
                "verified": run["verified"],
                "failed": run["failed"],
                "duplicate_serials": run["duplicateSerials"],
                "server_cpu_ms_per_enrollment": round(run["serverCpuMsPerEnrollment"], 4),
                "rsa_work_ms": round(run["rsaWorkMs"], 4),
                "verified_per_second": round(run["verifiedPerSecond"], 2),
                "relay_cpu_ms_per_enrollment": "" if run.get("relayCpuMsPerEnrollment") is None else round(run["relayCpuMsPerEnrollment"], 4),
            })
        if points:
            series[name] = points
    return series


def nice_step(span, target=6):
    """A round tick interval (1, 2 or 5 times a power of ten) giving about `target` intervals over span."""
    raw = span / target if span > 0 else 1
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


def fmt_tick(value):
    return f"{value:,.0f}" if value == int(value) else f"{value:g}"


def draw(series, machine):
    width, height = 900, 560
    left, right, top, bottom = 80, 30, 70, 150
    plot_w, plot_h = width - left - right, height - top - bottom
    all_points = [p for points in series.values() for p in points]
    x_max_data = max(p["certificates_after"] for p in all_points)
    y_max_data = max(p["server_cpu_ms_per_enrollment"] for p in all_points)
    x_step = nice_step(x_max_data)
    x_max = math.ceil(x_max_data / x_step) * x_step or x_step
    y_step = nice_step(y_max_data * 1.1, 5)
    y_max = math.ceil(y_max_data * 1.1 / y_step) * y_step or y_step

    def px(x):
        return left + x / x_max * plot_w

    def py(y):
        return top + plot_h - y / y_max * plot_h

    concurrency = sorted({p["concurrency"] for p in all_points})
    sizes = sorted({p["enrollments"] for p in all_points})
    e = []
    e.append(f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
             'font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="13">')
    e.append(f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>')
    e.append(f'<text x="{width / 2}" y="26" text-anchor="middle" font-size="16" font-weight="bold">'
             'Server CPU per enrollment against certificates already issued</text>')
    subtitle = (f"steps of {' or '.join(f'{s:,}' for s in sizes)} enrollments at {' or '.join(map(str, concurrency))} "
                "concurrent clients, RSA-2048 CA and device keys, every reply verified")
    e.append(f'<text x="{width / 2}" y="46" text-anchor="middle" fill="#444">{escape(subtitle)}</text>')
    # grid and ticks
    y = 0.0
    while y <= y_max + 1e-9:
        e.append(f'<line x1="{left}" y1="{py(y):.1f}" x2="{left + plot_w}" y2="{py(y):.1f}" stroke="#e4e4e4"/>')
        e.append(f'<text x="{left - 8}" y="{py(y) + 4:.1f}" text-anchor="end">{fmt_tick(round(y, 6))}</text>')
        y += y_step
    x = 0
    while x <= x_max:
        e.append(f'<line x1="{px(x):.1f}" y1="{top}" x2="{px(x):.1f}" y2="{top + plot_h}" stroke="#f0f0f0"/>')
        e.append(f'<text x="{px(x):.1f}" y="{top + plot_h + 18}" text-anchor="middle">{fmt_tick(x)}</text>')
        x += x_step
    e.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#000"/>')
    e.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#000"/>')
    e.append(f'<text x="{left + plot_w / 2}" y="{top + plot_h + 42}" text-anchor="middle">'
             'Certificates the server had issued (its store or depot), middle of each step</text>')
    e.append(f'<text x="22" y="{top + plot_h / 2}" text-anchor="middle" transform="rotate(-90 22 {top + plot_h / 2})">'
             'Server CPU per enrollment (ms)</text>')
    # series
    for name, points in series.items():
        colour = COLOURS.get(name, "#555555")
        path = " ".join(f'{"M" if i == 0 else "L"}{px(p["certificates_mid"]):.1f},{py(p["server_cpu_ms_per_enrollment"]):.1f}'
                        for i, p in enumerate(points))
        e.append(f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for p in points:
            cx, cy = px(p["certificates_mid"]), py(p["server_cpu_ms_per_enrollment"])
            # the store sizes the step ran between: each point is the mean over that range
            e.append(f'<line x1="{px(p["certificates_before"]):.1f}" y1="{cy:.1f}" x2="{px(p["certificates_after"]):.1f}" '
                     f'y2="{cy:.1f}" stroke="{colour}" stroke-opacity="0.35" stroke-width="6"/>')
            title = (f'{LABELS.get(name, name)}: {p["certificates_before"]:,}–{p["certificates_after"]:,} certificates, '
                     f'{p["server_cpu_ms_per_enrollment"]:.2f} ms')
            if MARKERS.get(name) == "square":
                e.append(f'<rect x="{cx - 4:.1f}" y="{cy - 4:.1f}" width="8" height="8" fill="{colour}"><title>{escape(title)}</title></rect>')
            else:
                e.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="4" fill="{colour}"><title>{escape(title)}</title></circle>')
    # legend, under the plot
    ly = top + plot_h + 68
    for i, name in enumerate(series):
        colour = COLOURS.get(name, "#555555")
        x0 = left + (i % 2) * (plot_w / 2)
        y0 = ly + (i // 2) * 20
        e.append(f'<line x1="{x0:.1f}" y1="{y0}" x2="{x0 + 28:.1f}" y2="{y0}" stroke="{colour}" stroke-width="2"/>')
        if MARKERS.get(name) == "square":
            e.append(f'<rect x="{x0 + 10:.1f}" y="{y0 - 4}" width="8" height="8" fill="{colour}"/>')
        else:
            e.append(f'<circle cx="{x0 + 14:.1f}" cy="{y0}" r="4" fill="{colour}"/>')
        e.append(f'<text x="{x0 + 36:.1f}" y="{y0 + 4}">{escape(LABELS.get(name, name))}</text>')
    note_y = ly + ((len(series) + 1) // 2) * 20 + 10
    e.append(f'<text x="{left}" y="{note_y}" fill="#444" font-size="11">{escape(machine)}</text>')
    e.append(f'<text x="{left}" y="{note_y + 15}" fill="#444" font-size="11">'
             'Server CPU time from /proc over each step alone; the bars span the store sizes of the step. The load tool '
             'shared the cores,</text>')
    e.append(f'<text x="{left}" y="{note_y + 30}" fill="#444" font-size="11">'
             'and other builds may have: read the shape (flat or growing), not the milliseconds.</text>')
    e.append("</svg>")
    return "\n".join(e) + "\n"


def main():
    series = read_series()
    if not series:
        sys.exit("no curve points under " + os.path.join(out, "curve"))
    fields = list(next(iter(series.values()))[0].keys())
    with open(csv_path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        for points in series.values():
            writer.writerows(points)
    machine = {}
    try:
        with open(os.path.join(out, "machine.txt")) as f:
            machine = dict(line.rstrip("\n").split("=", 1) for line in f if "=" in line)
    except OSError:
        pass
    text = (f"{machine.get('cores', '?')} cores, {machine.get('cpu', '?')}; .NET {machine.get('dotnet', '?').split(' ')[0]}; "
            f"scep package {machine.get('scepserver', '?')}; {' '.join(machine.get('openssl', '?').split()[:2])}")
    with open(svg_path, "w") as f:
        f.write(draw(series, text))


if __name__ == "__main__":
    main()

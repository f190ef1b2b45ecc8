#!/usr/bin/env python3
"""The table and the bars of bench/compare.sh, in Markdown, from the files of one run.

Usage: compare-table.py OUT N "CONCURRENCY..." "LINEAR..."
"""
import csv
import glob
import json
import os
import statistics
import sys

out, n, concurrency, linear = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(), sys.argv[4].split()
NAMES = {"sqlite": "ours, SQLite", "memory": "ours, in memory", "ecdsa": "ours, SQLite, ECDSA P-256 CA",
         "softhsm": "ours, SQLite, CA key in SoftHSM2", "softhsm-ecdsa": "ours, SQLite, ECDSA P-256 CA key in SoftHSM2",
         "softhsm-ra": "ours, SQLite, CA key in SoftHSM2, RA certificate in a file", "micromdm": "micromdm, fresh depot",
         "micromdm-grown": "micromdm, grown depot", "upstream": "ours as RA, forwarding to ours as CA",
         "pull": "ours as RA, ours as CA pulling (External RA)"}
ORDER = ("sqlite-base", "sqlite", "memory-base", "memory", "ecdsa", "softhsm", "softhsm-ecdsa", "softhsm-ra", "upstream", "pull",
         "micromdm", "micromdm-grown")
CA_KEYS = ("ecdsa", "softhsm", "softhsm-ecdsa", "softhsm-ra")
BITS = os.environ.get("CA_KEY_SIZE", "2048")
MDM = ("micromdm", "micromdm-grown")


def read(path, default=None):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return default


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def fmt(value, digits=1):
    return "–" if value is None else f"{value:,.{digits}f}"


def span(values, unit=""):
    lo, hi = min(values), max(values)
    return f"{lo:.2f}{unit}" if f"{lo:.2f}" == f"{hi:.2f}" else f"{lo:.2f}{unit}–{hi:.2f}{unit}"


def store(s, run):
    """Certificates the server's store held before and after a run (its uncounted warm-up included); None unknown."""
    try:
        before, after = (int(x) for x in (read(os.path.join(out, s, f"{run}.store"), "") or "").split())
    except ValueError:
        return None
    return None if before < 0 or after < 0 else (before, after)


def held(s, run):
    r = store(s, run)
    return "–" if r is None else f"{r[0]:,}–{r[1]:,}"


def label(s, run):
    """micromdm's rows say the depot's size: its cost grows with it."""
    r = store(s, run)
    return f"micromdm, depot {r[0]:,}–{r[1]:,}" if s in MDM and r else NAMES[s]


machine = dict(line.split("=", 1) for line in (read(os.path.join(out, "machine.txt"), "") or "").splitlines() if "=" in line)
servers = [s for s in ORDER if os.path.isdir(os.path.join(out, s))]
baseline = read(os.path.join(out, "baseline.txt"))
for s in ("sqlite", "memory"):
    NAMES[s + "-base"] = f"{NAMES[s]}, baseline {baseline}"
runs = {s: {c: load(os.path.join(out, s, f"c{c}.json")) for c in concurrency} for s in servers}

print("# scep bench: ours next to micromdm's scepserver\n")
print(f"Machine: {machine.get('cores', '?')} cores, {machine.get('cpu', '?')}; {machine.get('os', '?')}; "
      f".NET {machine.get('dotnet', '?')}; {machine.get('openssl', '?')}; scep package {machine.get('scepserver', '?')}; "
      f"load average at start {machine.get('load', '?')}.\n")
print(f"{n} enrollments per run, RSA-{BITS} CA keys (and encryption certificates), RSA-2048 device keys, AES-128-CBC + SHA-256 requests "
      "(micromdm replies DES-CBC + SHA-1), every reply verified.\n")
print("| Server | Clients | Certificates held | Verified/s | p50 ms | p95 ms | p99 ms | Server CPU ms/enrollment | ÷ RSA work | Peak RSS MiB | Failures | Duplicate serials |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|")
rsa = []
for s in servers:
    for c in concurrency:
        r = runs[s][c]
        if r is None:
            print(f"| {label(s, f'c{c}')} | {c} | {held(s, f'c{c}')} | (no result) | | | | | | | | |")
            continue
        rsa.append(r["rsaWorkMs"])
        failures = ", ".join(f"{v} {k}" for k, v in r["failures"].items()) or "0"
        print(f"| {label(s, f'c{c}')} | {c} | {held(s, f'c{c}')} | {fmt(r['verifiedPerSecond'])} | {fmt(r['latencyMs']['p50'])} | {fmt(r['latencyMs']['p95'])} | "
              f"{fmt(r['latencyMs']['p99'])} | {fmt(r['serverCpuMsPerEnrollment'], 2)} | {fmt(r['serverCpuOverRsaWork'], 2)} | "
              f"{fmt((r['serverSampledPeakKiB'] or 0) / 1024)} | {failures} | {r['duplicateSerials']} |")
print()
print("Certificates held: the server's store (our SQLite database, micromdm's index.txt) before and after the run, its "
      "uncounted warm-up included. Our hosts ran all their runs in one process after their warm-up; micromdm ran each "
      "run in a new process on its own copy of a depot, fresh (empty) or grown, since its file depot reads its whole "
      "index.txt at every enrollment.\n")
print("Peak RSS: the largest VmRSS sampled every 50 ms during the run.")
for s in servers:
    hwm = read(os.path.join(out, s, "vmhwm-kib"))
    startup = read(os.path.join(out, s, "startup-ms"))
    relay = [runs[s][c].get("relayCpuMsPerEnrollment") for c in concurrency if runs[s][c]]
    relay = [x for x in relay if x is not None]
    relays = "the upstream CA behind it" if s in ("upstream", "pull") else "the two socat relays"
    extra = f"; {relays}: {fmt(statistics.median(relay), 2)} ms CPU per enrollment (not in the server column)" if relay else ""
    client = [runs[s][c]["clientCpuMsPerEnrollment"] for c in concurrency if runs[s][c]]
    jit = [read(os.path.join(out, s, f"c{c}.jit-ms")) for c in concurrency]
    jit = [int(x) for x in jit if x is not None]
    if jit:
        extra += f"; JIT during its measured runs {min(jit)}–{max(jit)} ms per run (in the server CPU column)"
    life = "the largest of its runs' processes" if s in MDM else "over its life (warm-up included)"
    print(f"- {NAMES[s]}: first answer {startup} ms after start; VmHWM {fmt(int(hwm) / 1024 if hwm else None)} MiB, {life}; load tool {fmt(statistics.median(client), 2) if client else '–'} ms CPU per enrollment{extra}.")

print("\n## RSA references of this run\n")
rsa_work = statistics.median(rsa) if rsa else None
print(f"- In the load tool, before and after each run (CPU time, .NET on this OpenSSL, the CA's key size): 2 signatures + 1 decryption "
      f"= {fmt(rsa_work, 3)} ms (median over the runs; min {fmt(min(rsa) if rsa else None, 3)}, max {fmt(max(rsa) if rsa else None, 3)}).")
speed = read(os.path.join(out, "openssl-speed.txt"), "")
for line in speed.splitlines():
    if line.startswith("rsa 2048"):
        parts = line.split()
        print(f"- `openssl speed rsa2048`: {float(parts[3].rstrip('s')) * 1000:.3f} ms per signature ({parts[5]} sign/s; wall time, one thread).")
reports = glob.glob(os.path.join(out, "codec", "results", "*.json"))
if reports:
    data = load(reports[0]) or {}
    rows = {b["Method"]: b["Statistics"]["Median"] / 1e6 for b in data.get("Benchmarks", []) if b.get("Statistics")}
    print("- BenchmarkDotNet `CodecBenchmarks` (short job, medians): " + ", ".join(f"{k} {v:.3f} ms" for k, v in rows.items()) + ".")

print("\n## The bars\n")
def best(s, clean=False):
    candidates = [(r["verifiedPerSecond"], c) for c, r in runs.get(s, {}).items()
                  if r and (not clean or (r["failed"] == 0 and r["duplicateSerials"] == 0))]
    return max(candidates) if candidates else (None, None)

mdm, mdm_c = best("micromdm")
mdm_clean, mdm_clean_c = best("micromdm", clean=True)
for s in ("sqlite", "memory") + CA_KEYS:
    if s not in servers:
        continue
    ours, ours_c = best(s)
    if mdm:
        text = f"{ours / mdm:.2f}x" if ours else "–"
        clean = f"; {ours / mdm_clean:.2f}x its best run without failures or duplicates ({fmt(mdm_clean)}/s at {mdm_clean_c})" if mdm_clean and ours else ""
        print(f"- Verified enrollments/s, {NAMES[s]}: best {fmt(ours)}/s at {ours_c} clients = {text} micromdm's best "
              f"({fmt(mdm)}/s at {mdm_c} clients){clean}. Bar: 5x.")
    ratios = [runs[s][c]["serverCpuOverRsaWork"] for c in concurrency if runs[s][c]]
    cpu = [runs[s][c]["serverCpuMsPerEnrollment"] for c in concurrency if runs[s][c]]
    if ratios:
        print(f"- Server CPU per enrollment, {NAMES[s]}: {fmt(min(cpu), 2)}–{fmt(max(cpu), 2)} ms = {min(ratios):.2f}x–{max(ratios):.2f}x "
              f"the RSA work measured beside it. Bar: 1.5x.")
    bad = [(c, runs[s][c]["failed"], runs[s][c]["duplicateSerials"]) for c in concurrency if runs[s][c] and (runs[s][c]["failed"] or runs[s][c]["duplicateSerials"])]
    print(f"- Failures and duplicate serials, {NAMES[s]}: " + ("none at any concurrency." if not bad else
          "; ".join(f"{c} clients: {f} failed, {d} duplicates" for c, f, d in bad)) + " Bar: none.")


def cpu_ratio(a, b):
    """Server CPU per enrollment of a over b at each concurrency both ran."""
    return [runs[a][c]["serverCpuMsPerEnrollment"] / runs[b][c]["serverCpuMsPerEnrollment"]
            for c in concurrency if a in servers and b in servers and runs[a][c] and runs[b][c]]


for a, b, bar in (("softhsm", "sqlite", "at most 1.3x"), ("softhsm-ra", "sqlite", "at most 1.3x"),
                  ("softhsm-ecdsa", "ecdsa", "at most 1.3x"), ("sqlite", "ecdsa", "at least 2x"),
                  ("softhsm", "softhsm-ecdsa", "at least 2x")):
    ratio = cpu_ratio(a, b)
    if ratio:
        print(f"- Server CPU per enrollment, {NAMES[a]} over {NAMES[b]}, same concurrency: {span(ratio, 'x')}. Bar: {bar}.")
for s in MDM:
    if s not in servers:
        continue
    cpu = [runs[s][c]["serverCpuMsPerEnrollment"] for c in concurrency if runs[s][c]]
    depots = [store(s, f"c{c}") for c in concurrency if store(s, f"c{c}")]
    where = f" (depot {min(d[0] for d in depots):,}–{max(d[1] for d in depots):,} certificates)" if depots else ""
    if cpu:
        print(f"- {NAMES[s]} for comparison{where}: {span(cpu, ' ms')} server CPU per enrollment.")
for s in ("sqlite", "memory"):
    if s not in servers:
        continue
    parts = []
    for m in MDM:
        if m in servers:
            ratio = [runs[m][c]["serverCpuMsPerEnrollment"] / runs[s][c]["serverCpuMsPerEnrollment"]
                     for c in concurrency if runs[s][c] and runs[m][c]]
            if ratio:
                parts.append(f"{span(ratio, 'x')} {'from a fresh depot' if m == 'micromdm' else 'from the grown depot'}")
    if parts:
        print(f"- micromdm's server CPU per enrollment over {NAMES[s]}'s, same concurrency: " + "; ".join(parts) + ".")

curve = []
try:
    with open(os.path.join(out, "curve.csv")) as f:
        curve = list(csv.DictReader(f))
except OSError:
    pass
if curve:
    print("\n## The curve: server CPU per enrollment against certificates issued\n")
    print("Each server new, then steps of enrollments (no warm-up within a step; our host after its JIT warm-up, which "
          "counts as issued); the server CPU of each step alone. Points in curve.csv, drawn in curve.svg.\n")
    print("| Server | Steps | Certificates | First step ms | Last step ms | Min–max ms | Last ÷ first | Slope, ms per 1,000 certificates |")
    print("|---|---:|---|---:|---:|---|---:|---:|")
    for name in dict.fromkeys(p["server"] for p in curve):
        points = [p for p in curve if p["server"] == name]
        cpu = [float(p["server_cpu_ms_per_enrollment"]) for p in points]
        mid = [float(p["certificates_mid"]) / 1000 for p in points]
        slope = "–"
        if len(points) > 1 and len(set(mid)) > 1:   # least squares
            mx, my = statistics.mean(mid), statistics.mean(cpu)
            slope = f"{sum((x - mx) * (y - my) for x, y in zip(mid, cpu)) / sum((x - mx) ** 2 for x in mid):+.3f}"
        print(f"| {NAMES.get(name, name)} | {len(points)} | {int(points[0]['certificates_before']):,} → {int(points[-1]['certificates_after']):,} | "
              f"{cpu[0]:.2f} | {cpu[-1]:.2f} | {min(cpu):.2f}–{max(cpu):.2f} | {cpu[-1] / cpu[0]:.2f} | {slope} |")
    print()
    for p in curve:
        print(f"- {p['server']}: {int(p['certificates_before']):,}–{int(p['certificates_after']):,} certificates, "
              f"{float(p['server_cpu_ms_per_enrollment']):.2f} ms ({p['failed']} failed, {p['duplicate_serials']} duplicate serials)")

if any(s.endswith("-base") for s in servers):
    print(f"\n## A/B against the baseline {baseline}\n")
    print("| Store | Clients | Server CPU ms/enrollment, baseline | this tree | ratio | Verified/s, baseline | this tree |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for s in ("sqlite", "memory"):
        if s not in servers or s + "-base" not in servers:
            continue
        for c in concurrency:
            a, b = runs[s + "-base"][c], runs[s][c]
            if not a or not b:
                continue
            ratio = b["serverCpuMsPerEnrollment"] / a["serverCpuMsPerEnrollment"]
            print(f"| {NAMES[s]} | {c} | {fmt(a['serverCpuMsPerEnrollment'], 2)} | {fmt(b['serverCpuMsPerEnrollment'], 2)} | {ratio:.3f} | "
                  f"{fmt(a['verifiedPerSecond'])} | {fmt(b['verifiedPerSecond'])} |")

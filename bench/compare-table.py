#!/usr/bin/env python3
"""The table and the bars of bench/compare.sh, in Markdown, from the files of one run.

Usage: compare-table.py OUT N "CONCURRENCY..." "LINEAR..."
"""
import glob
import json
import os
import statistics
import sys

out, n, concurrency, linear = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(), sys.argv[4].split()
NAMES = {"sqlite": "ours, SQLite", "memory": "ours, in memory", "micromdm": "micromdm scepserver"}
ORDER = ("sqlite-base", "sqlite", "memory-base", "memory", "micromdm")


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
print(f"{n} enrollments per run, RSA-2048 CA keys and device keys, AES-128-CBC + SHA-256 requests "
      "(micromdm replies DES-CBC + SHA-1), every reply verified.\n")
print("| Server | Clients | Verified/s | p50 ms | p95 ms | p99 ms | Server CPU ms/enrollment | ÷ RSA work | Peak RSS MiB | Failures | Duplicate serials |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|")
rsa = []
for s in servers:
    for c in concurrency:
        r = runs[s][c]
        if r is None:
            print(f"| {NAMES[s]} | {c} | (no result) | | | | | | | | |")
            continue
        rsa.append(r["rsaWorkMs"])
        failures = ", ".join(f"{v} {k}" for k, v in r["failures"].items()) or "0"
        print(f"| {NAMES[s]} | {c} | {fmt(r['verifiedPerSecond'])} | {fmt(r['latencyMs']['p50'])} | {fmt(r['latencyMs']['p95'])} | "
              f"{fmt(r['latencyMs']['p99'])} | {fmt(r['serverCpuMsPerEnrollment'], 2)} | {fmt(r['serverCpuOverRsaWork'], 2)} | "
              f"{fmt((r['serverSampledPeakKiB'] or 0) / 1024)} | {failures} | {r['duplicateSerials']} |")
print()
print("Peak RSS: the largest VmRSS sampled every 50 ms during the run; the servers run all their runs in one process.")
for s in servers:
    hwm = read(os.path.join(out, s, "vmhwm-kib"))
    startup = read(os.path.join(out, s, "startup-ms"))
    relay = [runs[s][c].get("relayCpuMsPerEnrollment") for c in concurrency if runs[s][c]]
    relay = [x for x in relay if x is not None]
    extra = f"; the two socat relays: {fmt(statistics.median(relay), 2)} ms CPU per enrollment (not in the server column)" if relay else ""
    client = [runs[s][c]["clientCpuMsPerEnrollment"] for c in concurrency if runs[s][c]]
    jit = [read(os.path.join(out, s, f"c{c}.jit-ms")) for c in concurrency]
    jit = [int(x) for x in jit if x is not None]
    if jit:
        extra += f"; JIT during its measured runs {min(jit)}–{max(jit)} ms per run (in the server CPU column)"
    print(f"- {NAMES[s]}: first answer {startup} ms after start; VmHWM {fmt(int(hwm) / 1024 if hwm else None)} MiB over its life "
          f"(warm-up included); load tool {fmt(statistics.median(client), 2) if client else '–'} ms CPU per enrollment{extra}.")

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
for s in ("sqlite", "memory"):
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
if "micromdm" in servers:
    cpu = [runs["micromdm"][c]["serverCpuMsPerEnrollment"] for c in concurrency if runs["micromdm"][c]]
    if cpu:
        print(f"- micromdm for comparison: {fmt(min(cpu), 2)}–{fmt(max(cpu), 2)} ms server CPU per enrollment.")

if linear and len(linear) == 2 and "sqlite" in servers:
    small, large = (load(os.path.join(out, "sqlite", f"linear-{x}.json")) for x in linear)
    if small and large:
        after = [read(os.path.join(out, "sqlite", f"linear-{x}-rss-after-kib")) for x in linear]
        print(f"- Linear cost, {NAMES['sqlite']}, {small['concurrency']} clients: {linear[0]} enrollments in {small['elapsedSeconds']:.1f} s, "
              f"{linear[1]} in {large['elapsedSeconds']:.1f} s: {large['elapsedSeconds'] / small['elapsedSeconds']:.2f}x the time for "
              f"{int(linear[1]) / int(linear[0]):.0f}x the enrollments ({fmt(small['serverCpuMsPerEnrollment'], 2)} and "
              f"{fmt(large['serverCpuMsPerEnrollment'], 2)} ms CPU per enrollment; {small['failed'] + large['failed']} failures, "
              f"{small['duplicateSerials'] + large['duplicateSerials']} duplicates). Memory: peak RSS {fmt(small['serverSampledPeakKiB'] / 1024)} "
              f"and {fmt(large['serverSampledPeakKiB'] / 1024)} MiB, after the runs {fmt(int(after[0]) / 1024 if after[0] else None)} and "
              f"{fmt(int(after[1]) / 1024 if after[1] else None)} MiB.")

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

"""Turns bench/run's raw figures into results JSON, a Markdown summary and a PNG chart."""
import json
import os
import platform
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

raw_path, out, duration, connections = sys.argv[1:5]
total_seconds = float(sys.argv[5]) if len(sys.argv) > 5 else None
rows = [json.loads(line) for line in open(raw_path) if line.strip()]
by = {r["scenario"]: r for r in rows}

# Each scenario's ceiling, and what is compared: requests/s, or rows/s for the batched ceiling.
CEILINGS = {
    "read": [("http-ceiling", "rps", "rps")],
    "mixed": [("http-ceiling", "rps", "rps")],
    "write": [("db-ceiling", "rps", "rps"), ("db-ceiling-20", "rps", "rows_per_s")],
    "create": [("db-ceiling", "rps", "rps")],
    "write-h2": [("h2-ceiling", "rps", "rps")],
    "cluster-write": [("db-ceiling", "rps", "rps"), ("db-ceiling-20", "rps", "rows_per_s")],
    "cluster-read": [("http-ceiling", "rps", "rps")],
    "projection-catch-up": [("journal-scan", "rps", "rps")],
    "projection-catch-up-cold": [("journal-scan", "rps", "rps")],
    "projection-catch-up-steady": [("journal-scan", "rps", "rps")],
    "export": [("journal-scan", "rps", "rps")],
    "import": [("journal-scan", "rps", "rps"), ("journal-copy", "rps", "rps")],
    "rebuild": [("journal-scan", "rps", "rps")],
}
for scenario, ceilings in CEILINGS.items():
    if scenario not in by:
        continue
    ratios = {}
    for ceiling, mine, theirs in ceilings:
        if ceiling in by and by[ceiling].get(theirs):
            ratios[ceiling] = round(by[scenario][mine] / by[ceiling][theirs], 3)
    by[scenario]["ratios"] = ratios


def machine():
    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "kernel": platform.release(),
        "java": java[0] if java else "?",
    }


result = {
    "run": os.path.basename(out),
    "duration_per_scenario": duration,
    "connections": int(connections),
    "machine": machine(),
    "total_seconds": total_seconds,
    "scenarios": rows,
}
with open(out + ".json", "w") as f:
    json.dump(result, f, indent=2)

lines = [
    f"# Cairn benchmark {os.path.basename(out)}",
    "",
    f"{duration} per scenario, {connections} connections unless noted, load generator on the same "
    f"{result['machine']['cores']} cores; {result['machine']['java']}."
    + (f" Whole run: {total_seconds / 60:.1f} min." if total_seconds else ""),
    "",
    "| scenario | req/s | rows/s | p50 ms | p99 ms | p99.9 ms | errors | CPU µs/req node | CPU µs/req PostgreSQL | ratio to ceiling |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
]


def cpu(r, key):
    return f"{r[key]:,}" if key in r else "-"


for r in rows:
    ratios = ", ".join(f"{v:.2f} x {k}" for k, v in r.get("ratios", {}).items()) or "-"
    lines.append(
        f"| {r['scenario']} | {r['rps']:,.0f} | {r.get('rows_per_s', r['rps']):,.0f} | "
        f"{r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {r['p999_ms']:.2f} | {r.get('errors', 0)} | "
        f"{cpu(r, 'node_cpu_us')} | {cpu(r, 'pg_cpu_us')} | {ratios} |"
    )
notes = []
for r in rows:
    extra = []
    if "connections" in r:
        extra.append(f"{r['connections']} connections")
    if "first_tenth_rps" in r:
        growth = r["last_tenth_rps"] / r["first_tenth_rps"] if r["first_tenth_rps"] else 0
        extra.append(f"first tenth {r['first_tenth_rps']:,.0f}/s, last tenth {r['last_tenth_rps']:,.0f}/s"
                     f" ({growth:.2f} x the first)")
    if "heap_after_gc_mb" in r:
        extra.append(f"{r['entities']:,} entities, heap used after GC {r['heap_after_gc_mb']} MB")
    if "first_answer_s" in r:
        extra.append(
            f"{r['events']:,} events: answered in {r['first_answer_s']:.3f} s on a cold node"
            + (f", the median of {', '.join(f'{a:.3f}' for a in r['answers_s'])}"
               if "answers_s" in r else "")
            + f" (node start {r['node_start_s']:.1f} s"
            + (f", its first request {r['first_request_s']:.3f} s" if "first_request_s" in r else "")
            + ")")
    if "seconds" in r and r["scenario"].startswith("projection-catch-up"):
        extra.append(f"{r['requests']:,} events projected in {r['seconds']:.1f} s")
    verbs = {"export": "exported", "import": "imported", "rebuild": "rebuilt"}
    if "seconds" in r and r["scenario"] in verbs:
        extra.append(f"{r['requests']:,} events {verbs[r['scenario']]} in {r['seconds']:.1f} s")
    if extra:
        notes.append(f"- {r['scenario']}: " + "; ".join(extra))
if notes:
    lines += ["", *notes]
with open(out + ".md", "w") as f:
    f.write("\n".join(lines) + "\n")

# Horizontal bars on log scales: ceilings and scenarios differ by orders of magnitude.
measured = [r for r in rows if r.get("rps")]
timed = [r for r in rows if r.get("p50_ms")]
costed = [r for r in rows if r.get("node_cpu_us") or r.get("pg_cpu_us")]
height = max(4.5, 0.32 * max(len(measured), len(timed)) + 1.5)
fig, (left, right, third) = plt.subplots(1, 3, figsize=(20, height))
left.barh([r["scenario"] for r in measured], [r["rps"] for r in measured], color="#4477aa")
left.set_xscale("log")
left.invert_yaxis()
left.set_title("throughput (requests, transactions or events / s, log scale)")
bar = 0.27
for i, (key, label) in enumerate([("p50_ms", "p50"), ("p99_ms", "p99"), ("p999_ms", "p99.9")]):
    right.barh([y + (i - 1) * bar for y in range(len(timed))],
               [max(r.get(key) or 0, 0.01) for r in timed], bar, label=label)
right.set_yticks(range(len(timed)))
right.set_yticklabels([r["scenario"] for r in timed])
right.invert_yaxis()
right.set_xscale("log")
right.set_title("latency (ms, log scale)")
right.legend()
for i, (key, label) in enumerate([("node_cpu_us", "node"), ("pg_cpu_us", "PostgreSQL")]):
    third.barh([y + (i - 0.5) * 0.4 for y in range(len(costed))],
               [r.get(key) or 0 for r in costed], 0.4, label=label)
third.set_yticks(range(len(costed)))
third.set_yticklabels([r["scenario"] for r in costed])
third.invert_yaxis()
third.set_title("CPU time per request (µs)")
third.legend()
fig.suptitle(f"Cairn benchmark {os.path.basename(out)}")
fig.tight_layout()
fig.savefig(out + ".png", dpi=100)

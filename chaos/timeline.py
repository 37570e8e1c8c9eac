#!/usr/bin/env python3
"""chaos/run's timeline: operations per second by outcome, with each fault's window shaded
(injection to recovery) and its heal marked. Usage: timeline.py RESULTS.json OUT.png"""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

report = json.load(open(sys.argv[1]))
rows = report["timeline"]
faults = report["faults"]
first = faults[0]["start"]
seconds = [r[0] for r in rows]

fig, ax = plt.subplots(figsize=(14, 4.5))
ax.plot(seconds, [r[1] for r in rows], color="tab:green", lw=1, label="ok")
ax.plot(seconds, [r[2] for r in rows], color="tab:orange", lw=1, label="failed")
ax.plot(seconds, [r[3] for r in rows], color="tab:red", lw=1, label="unknown")
top = max([r[1] for r in rows] + [1])
colours = ["#e8e8ff", "#ffe8e8"]
for n, fault in enumerate(f for f in faults if f["fault"] not in ("steady", "end")):
    start = (fault["start"] - first) / 1000.0
    marks = fault["marks"]
    end = start + marks.get("recovered", marks.get("heal", fault["seconds"]))
    ax.axvspan(start, end, color=colours[n % 2], zorder=0)
    if "heal" in marks:
        ax.axvline(start + marks["heal"], color="grey", lw=0.8, ls="--")
    ax.text(start, top * 1.02, fault["fault"], fontsize=8, rotation=20, va="bottom")
ax.set_xlabel("seconds since the workload started")
ax.set_ylabel("operations completed per second")
ax.set_ylim(0, top * 1.25)
ax.legend(loc="lower right")
ax.set_title("chaos/run: outcomes per second; shaded: fault until recovery, dashed: heal")
fig.tight_layout()
fig.savefig(sys.argv[2], dpi=110)

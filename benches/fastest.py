#!/usr/bin/env python3
"""Per criterion entry: the median, and the fastest of its samples.

    cargo bench --bench programs      # or any other; then
    benches/fastest.py [GROUP_PREFIX ...]

Criterion reports the median of its samples (each sample: the mean time per call over a batch of
calls). On a shared virtual machine, a neighbour's load can slow whole seconds of a run, and the
median of an entry measured during such a spell moves with it. The fastest sample is what the
code does when nothing interferes: ratios of fastest samples are steadier from run to run than
ratios of medians (the README gives both where they differ). Reads
target/criterion/<group>/<entry>/new/{estimates,sample}.json (stdlib only).
"""
import json
import os
import sys

root = os.path.join(os.environ.get("CARGO_TARGET_DIR", "target"), "criterion")
prefixes = sys.argv[1:]


def fmt(ns):
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("us", 1e3), ("ns", 1.0)):
        if ns >= scale:
            return f"{ns / scale:.4g} {unit}"
    return f"{ns * 1e3:.4g} ps"


for group in sorted(os.listdir(root)):
    if group == "report" or (prefixes and not any(group.startswith(p) for p in prefixes)):
        continue
    gdir = os.path.join(root, group)
    for entry in sorted(os.listdir(gdir)):
        new = os.path.join(gdir, entry, "new")
        if not os.path.isdir(new):
            continue
        with open(os.path.join(new, "estimates.json")) as f:
            median = json.load(f)["median"]["point_estimate"]
        with open(os.path.join(new, "sample.json")) as f:
            s = json.load(f)
        fastest = min(t / n for t, n in zip(s["times"], s["iters"]))
        print(f"{group + '/' + entry:58s} median {fmt(median):>10s}   fastest {fmt(fastest):>10s}")

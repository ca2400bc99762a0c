#!/usr/bin/env python3
"""Prints the package's module import graph, generated from Package.swift:
`swift package dump-package | python3 scripts/module-graph.py [--mermaid]`.
Lists, per library and executable module, the modules of this package it may import
(its declared dependencies) and the external products it uses; test targets are left out.
Used to keep ARCHITECTURE.md true."""
import json
import sys

package = json.load(sys.stdin)
mermaid = "--mermaid" in sys.argv
rows = []
for target in package["targets"]:
    if target["type"] in ("test",) or target.get("path", "") and target["path"].startswith("Tests"):
        continue
    local, external = [], []
    for dependency in target.get("dependencies", []):
        if "byName" in dependency:
            local.append(dependency["byName"][0])
        elif "target" in dependency:
            local.append(dependency["target"][0])
        elif "product" in dependency:
            external.append(dependency["product"][0])
    rows.append((target["name"], target["type"], local, external))

if mermaid:
    print("```mermaid")
    print("graph BT")
    for name, kind, local, external in rows:
        for d in local:
            print(f"  {name} --> {d}")
        for d in external:
            print(f"  {name} -.-> {d}([{d}])")
    print("```")
else:
    width = max(len(r[0]) for r in rows)
    for name, kind, local, external in rows:
        deps = ", ".join(local + [d + " (package)" for d in external]) or "-"
        print(f"{name.ljust(width)}  {kind:<10}  {deps}")

#!/usr/bin/env python3
"""Writes the mixed layout's diagnostic-settings sign-in records (insights-logs-*/PT1H.json, a
record a line) as Event Hub messages, 40 records to a `{"records": [...]}` message, a message a
line: the shape a capture of an Event Hub's messages has. Used to time that shape
(BENCHMARKS.md, twenty-first round).

    sessiongraph simulate --users 2000 --days 2 --seed 42 --layout mixed --out bench-data/mixed-2000x2
    python3 scripts/eventhub_messages.py bench-data/mixed-2000x2 bench-data/eventhub/signins-eventhub.json
    SESSIONGRAPH_PROFILE=1 .build/release/sessiongraph analyze bench-data/eventhub --out /tmp/eh --quiet
"""
import glob, os, sys

source, target = sys.argv[1], sys.argv[2]
files = sorted(glob.glob(os.path.join(source, "insights-logs-noninteractiveusersigninlogs", "**", "PT1H.json"), recursive=True))
os.makedirs(os.path.dirname(target) or ".", exist_ok=True)
with open(target, "w") as out:
    batch = []
    for path in files:
        with open(path) as lines:
            for line in lines:
                if line.strip():
                    batch.append(line.strip())
                if len(batch) == 40:
                    out.write('{"records": [' + ",".join(batch) + "]}\n")
                    batch = []
    if batch:
        out.write('{"records": [' + ",".join(batch) + "]}\n")

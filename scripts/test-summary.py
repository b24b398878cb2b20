#!/usr/bin/env python3
"""Print the failed tests of the .trx files in a folder, with their messages.

`make test` prints this last, so the end of a long CI log names what failed.
Usage: test-summary.py RESULTS_DIR
"""
import pathlib
import sys
import xml.etree.ElementTree as ET

NS = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
STACK_LINES = 12


def failures(trx):
    root = ET.parse(trx).getroot()
    for result in root.iterfind(".//t:UnitTestResult", NS):
        if result.get("outcome") != "Failed":
            continue
        message = result.findtext(".//t:ErrorInfo/t:Message", default="", namespaces=NS)
        stack = result.findtext(".//t:ErrorInfo/t:StackTrace", default="", namespaces=NS)
        output = result.findtext(".//t:Output/t:StdOut", default="", namespaces=NS)
        yield result.get("testName"), result.get("duration"), message, stack, output


def main():
    folder = pathlib.Path(sys.argv[1])
    trx_files = sorted(folder.glob("*.trx"))
    total = 0
    for trx in trx_files:
        for name, duration, message, stack, output in failures(trx):
            total += 1
            print(f"FAILED {trx.stem}: {name} ({duration})")
            for line in message.strip().splitlines():
                print(f"    {line}")
            for line in stack.strip().splitlines()[:STACK_LINES]:
                print(f"    {line}")
            tail = output.strip().splitlines()[-20:]
            if tail:
                print("    -- test output (last lines) --")
                for line in tail:
                    print(f"    {line}")
    print(f"== {total} failed test(s) in {len(trx_files)} result file(s) under {folder}")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())

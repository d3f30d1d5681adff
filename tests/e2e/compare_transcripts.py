"""Compares the clients' scenario transcripts with each other and with the expected one in
clients/SCENARIO.md (the JSON lines between the transcript markers). Lines are compared as
parsed JSON objects, so key order and whitespace do not matter but types do (45 != "45").

Usage: compare_transcripts.py SCENARIO.md NAME=TRANSCRIPT.jsonl...
Exits 1 and prints every differing line when any transcript diverges.
"""

import json
import re
import sys


def expected_lines(scenario_path):
    text = open(scenario_path, encoding="utf-8").read()
    match = re.search(r"<!-- transcript:begin -->\s*```jsonl\n(.*?)```\s*<!-- transcript:end -->", text, re.S)
    if not match:
        raise SystemExit("no expected transcript between the markers in " + scenario_path)
    return [line for line in match.group(1).splitlines() if line.strip()]


def parse(name, lines):
    parsed = []
    for number, line in enumerate(lines, 1):
        try:
            parsed.append(json.loads(line))
        except json.JSONDecodeError as error:
            parsed.append({"unparsable line": line, "error": str(error)})
            print("%s line %d is not JSON: %r" % (name, number, line))
    return parsed


def main():
    expected = parse("expected", expected_lines(sys.argv[1]))
    failed = False
    for argument in sys.argv[2:]:
        name, path = argument.split("=", 1)
        with open(path, encoding="utf-8") as f:
            actual = parse(name, [line for line in f.read().splitlines() if line.strip()])
        differences = 0
        for number in range(max(len(expected), len(actual))):
            want = expected[number] if number < len(expected) else "(no line)"
            got = actual[number] if number < len(actual) else "(no line)"
            if want != got:
                differences += 1
                print("%s step %d differs:\n  expected %s\n  got      %s" % (
                    name, number + 1, json.dumps(want, ensure_ascii=False),
                    json.dumps(got, ensure_ascii=False)))
        if differences:
            failed = True
        else:
            print("%s: %d steps match the expected transcript" % (name, len(actual)))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The refusal message catalogue: gettext .po files -> C++ table, reason constants, docs.

services/common/messages/en.po is the source (its "#." comments give each reason's gRPC code
and metadata keys); zh_CN.po holds the same msgids. The catalogue is compiled at build time
rather than parsed when the server starts so that (1) a reason is a C++ constant generated from
the catalogue (branchline/v1/error_reasons.h, generated): code naming a reason the catalogue lacks does not
compile, and (2) the server needs no data files beside its binary (the Debian package installs
one executable).

  gen_messages.py --header OUT.h --source OUT.cc    the build step (CMake add_custom_command)
  gen_messages.py --docs                            rewrites docs/errors.md
  gen_messages.py --nginx                           rewrites the edge's own answers in
      deploy/nginx/branchline.conf.template (EDGE_ANSWERS below)
  gen_messages.py --check                           the ctest: docs/errors.md and the edge's
      answers are current, every reason is used in the server's code or answered by the edge,
      every reason that a .proto comment or a docs/*.md page names ("reason A, B",
      "Reasons: A") is in the catalogue, both languages complete.
"""
import argparse
import base64
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MESSAGES = os.path.join(ROOT, "services", "common", "messages")
LANGUAGES = [("en", "en.po"), ("zh", "zh_CN.po")]
PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
REASON = re.compile(r"^[A-Z][A-Z0-9_]*$")
STATUS_CODES = ["CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
                "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED",
                "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL",
                "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"]


# The answers nginx gives itself (deploy/nginx), without a server: the reason, the nginx
# variable prefix its location uses, the developer's grpc-message, and the RetryInfo delay (s).
EDGE_ANSWERS = [
    ("EDGE_RATE_LIMITED", "branchline_rate_limited",
     "rate limit of the edge exceeded (nginx limit_req zone branchline_per_address): retry later",
     1),
    ("NO_SERVER_ANSWERED", "branchline_unavailable",
     "no Branchline server answered the edge: retry with the same request_id", None),
]
NGINX_TEMPLATE = os.path.join(ROOT, "deploy", "nginx", "branchline.conf.template")
NGINX_START = "  # edge-answers:start"
NGINX_END = "  # edge-answers:end"
ERROR_DOMAIN = "branchline.v1"


class Entry:
    def __init__(self):
        self.context = ""
        self.msgid = None
        self.msgstr = None
        self.notes = {}
        self.section = ""


def unquote(text, where):
    text = text.strip()
    if not (text.startswith('"') and text.endswith('"')):
        sys.exit(f"{where}: expected a quoted string")
    body = text[1:-1]
    out, i = [], 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            out.append({"n": "\n", "t": "\t", '"': '"', "\\": "\\"}.get(nxt, nxt))
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def parse_po(path):
    entries, entry, field, section = [], Entry(), None, ""

    def flush():
        nonlocal entry
        if entry.msgid is not None:
            entries.append(entry)
        entry = Entry()
        entry.section = section

    with open(path, encoding="utf-8") as f:
        for number, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            where = f"{path}:{number}"
            if not line.strip():
                continue
            if line.startswith("# ---"):
                flush()
                section = line.strip("# -").strip()
                entry.section = section
                continue
            if line.startswith("#."):
                if entry.msgid is not None:
                    flush()
                key, _, value = line[2:].strip().partition(":")
                entry.notes[key.strip()] = value.strip()
                continue
            if line.startswith("#"):
                continue
            if line.startswith("msgctxt "):
                if entry.msgid is not None:
                    flush()
                entry.context = unquote(line[len("msgctxt "):], where)
                field = "context"
            elif line.startswith("msgid "):
                if entry.msgid is not None:
                    flush()
                entry.msgid = unquote(line[len("msgid "):], where)
                field = "msgid"
            elif line.startswith("msgstr "):
                entry.msgstr = unquote(line[len("msgstr "):], where)
                field = "msgstr"
            elif line.startswith('"'):
                value = unquote(line, where)
                if field == "msgid":
                    entry.msgid += value
                elif field == "msgstr":
                    entry.msgstr += value
                elif field == "context":
                    entry.context += value
            else:
                sys.exit(f"{where}: not a .po line")
    flush()
    # The header entry (msgid "") carries the charset only.
    return [e for e in entries if e.msgid]


def load():
    """[(context, msgid, {lang: text}, notes, section)] in en.po's order; exits on any gap."""
    parsed = {lang: parse_po(os.path.join(MESSAGES, name)) for lang, name in LANGUAGES}
    errors = []
    keyed = {}
    for lang, entries in parsed.items():
        seen = {}
        for e in entries:
            key = (e.context, e.msgid)
            if key in seen:
                errors.append(f"{lang}: {e.msgid} ({e.context or 'reason'}) appears twice")
            if not e.msgstr:
                errors.append(f"{lang}: {e.msgid} has no message")
            seen[key] = e
        keyed[lang] = seen
    rows = []
    for e in parsed["en"]:
        key = (e.context, e.msgid)
        if e.context not in ("", "status", "field"):
            errors.append(f"en: {e.msgid}: unknown msgctxt {e.context!r}")
        if not REASON.match(e.msgid):
            errors.append(f"en: {e.msgid!r} is not an UPPER_SNAKE reason")
        if e.context and e.msgid not in STATUS_CODES:
            errors.append(f"en: {e.msgid} is not a status code name")
        texts = {}
        for lang, _ in LANGUAGES:
            other = keyed[lang].get(key)
            if other is None:
                errors.append(f"{lang}: no message for {e.msgid} ({e.context or 'reason'})")
                continue
            texts[lang] = other.msgstr
        holders = {lang: set(PLACEHOLDER.findall(t)) for lang, t in texts.items()}
        if len({frozenset(h) for h in holders.values()}) > 1:
            errors.append(f"{e.msgid}: the languages use different placeholders {holders}")
        if not e.context:
            code = e.notes.get("code", "")
            if code not in STATUS_CODES:
                errors.append(f"en: {e.msgid} needs '#. code: <STATUS_CODE>', has {code!r}")
            declared = set(e.notes.get("metadata", "").split())
            if holders.get("en", set()) - declared:
                errors.append(f"en: {e.msgid} uses placeholders {holders['en'] - declared} "
                              "its '#. metadata:' does not declare")
        elif e.context == "status" and holders.get("en"):
            errors.append(f"en: the status message of {e.msgid} has placeholders")
        rows.append((e.context, e.msgid, texts, e.notes, e.section))
    for lang, _ in LANGUAGES:
        for key in keyed[lang]:
            if key not in keyed["en"]:
                errors.append(f"{lang}: {key[1]} ({key[0] or 'reason'}) is not in en.po")
    for code in STATUS_CODES:
        if ("status", code) not in keyed["en"]:
            errors.append(f"en: no generic message (msgctxt \"status\") for {code}")
    if errors:
        sys.exit("message catalogue:\n  " + "\n  ".join(errors))
    return rows


def constant(reason):
    return "k" + "".join(part.capitalize() for part in reason.split("_"))


def cpp_string(text):
    out = ['"']
    for c in text:
        out.append({'"': '\\"', "\\": "\\\\", "\n": "\\n"}.get(c, c))
    out.append('"')
    return "".join(out)


def write_if_changed(path, text):
    try:
        with open(path, encoding="utf-8") as f:
            if f.read() == text:
                return
    except FileNotFoundError:
        pass
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def header(rows):
    lines = ["// Generated by scripts/gen_messages.py from services/common/messages/*.po: do not edit.",
             "#pragma once", "", "#include <string_view>", "",
             "namespace branchline::reasons {", "",
             "// The google.rpc.ErrorInfo reasons of domain branchline.v1 (docs/errors.md).",
             "// A reason exists only as one of these constants, so one the catalogue lacks does",
             "// not compile."]
    for context, msgid, texts, notes, _ in rows:
        if context:
            continue
        lines.append(f"inline constexpr std::string_view {constant(msgid)} = \"{msgid}\";"
                     f"  // {notes['code']}")
    lines += ["", "}  // namespace branchline::reasons", ""]
    return "\n".join(lines)


def source(rows):
    lines = ["// Generated by scripts/gen_messages.py from services/common/messages/*.po: do not edit.",
             '#include "services/common/message_catalog.h"', "",
             "namespace branchline::catalog_internal {", "",
             "const CatalogRow kRows[] = {"]
    for context, msgid, texts, notes, _ in rows:
        lines.append(f"    {{{cpp_string(context)}, {cpp_string(msgid)}, "
                     f"{cpp_string(notes.get('code', ''))}, {cpp_string(texts['en'])}, "
                     f"{cpp_string(texts['zh'])}}},")
    lines += ["};", "const size_t kRowCount = sizeof(kRows) / sizeof(kRows[0]);", "",
              "}  // namespace branchline::catalog_internal", ""]
    return "\n".join(lines)


def docs(rows):
    def cell(text):
        return text.replace("|", "\\|").replace("\n", " ")
    out = ["# Refusal reasons", "",
           "<!-- Generated by scripts/gen_messages.py --docs from services/common/messages/*.po;",
           "     the errors_catalogue test fails when it is stale. -->", "",
           "Every refusal the server gives with a stable reason carries, in the gRPC status details",
           "(`grpc-status-details-bin`, a `google.rpc.Status`):", "",
           "- `google.rpc.ErrorInfo` with domain `branchline.v1`, the reason below and its metadata;",
           "- `google.rpc.BadRequest` naming the field, when the refusal concerns one;",
           "- `google.rpc.LocalizedMessage` in the caller's language, chosen from the `accept-language`",
           "  metadata: `zh-CN` (the default, and for any language the server does not have) or `en`",
           "  (`en`, `en-US`, ...); q-values are honoured. Placeholders `{name}` are filled from the",
           "  ErrorInfo metadata.", "",
           "Refusals without a reason still carry a LocalizedMessage: the generic message of their",
           "status code (end of this page), naming the BadRequest field when there is one. Apps show",
           "the LocalizedMessage and branch on the reason, never on the English status message, which",
           "is for developers and may change.", "",
           "The messages live in one catalogue, gettext files `services/common/messages/en.po` and",
           "`zh_CN.po`, compiled into the server at build time; a new reason is a new entry in both.", ""]
    section = None
    for context, msgid, texts, notes, sec in rows:
        if context:
            continue
        if sec != section:
            section = sec
            out += [f"## {sec}", "", "| Reason | Code | Metadata | zh-CN | en |",
                    "|---|---|---|---|---|"]
        meta = ", ".join(f"`{m}`" for m in notes.get("metadata", "").split())
        out.append(f"| `{msgid}` | {notes['code']} | {meta} | {cell(texts['zh'])} | "
                   f"{cell(texts['en'])} |")
        nxt = None
    out += ["", "## Generic messages per status code", "",
            "| Code | With a field | zh-CN | en |", "|---|---|---|---|"]
    for context, msgid, texts, notes, sec in rows:
        if context:
            out.append(f"| {msgid} | {'yes' if context == 'field' else 'no'} | "
                       f"{cell(texts['zh'])} | {cell(texts['en'])} |")
        # blank line between sections
    # A blank line before every section heading.
    text = "\n".join(out) + "\n"
    return re.sub(r"\|\n## ", "|\n\n## ", text)


def protobuf_field(number, value):
    """One protobuf field: an int as a varint, bytes or str length-delimited."""
    def varint(n):
        out = bytearray()
        while n >= 0x80:
            out.append((n & 0x7F) | 0x80)
            n >>= 7
        out.append(n)
        return bytes(out)
    if isinstance(value, int):
        return varint(number << 3) + varint(value)
    data = value.encode("utf-8") if isinstance(value, str) else value
    return varint(number << 3 | 2) + varint(len(data)) + data


def any_of(name, payload):
    return protobuf_field(1, "type.googleapis.com/google.rpc." + name) + protobuf_field(2, payload)


def edge_details(reason, code, message, retry_seconds, locale, text):
    """base64 of the google.rpc.Status the server itself would send: ErrorInfo, the
    LocalizedMessage, and a RetryInfo where the caller should wait."""
    details = [any_of("ErrorInfo", protobuf_field(1, reason) + protobuf_field(2, ERROR_DOMAIN)),
               any_of("LocalizedMessage", protobuf_field(1, locale) + protobuf_field(2, text))]
    if retry_seconds:
        details.append(any_of("RetryInfo", protobuf_field(1, protobuf_field(1, retry_seconds))))
    status = protobuf_field(1, STATUS_CODES.index(code) + 1) + protobuf_field(2, message)
    status += b"".join(protobuf_field(3, d) for d in details)
    return base64.b64encode(status).decode("ascii")


def nginx_block(rows):
    """The template's edge-answers block: per answer, its grpc-status, grpc-message and the
    details in the caller's language. nginx picks the language from the first one the
    accept-language header lists (the server also weighs q-values): English for en, else
    Chinese, the default."""
    by_reason = {msgid: (texts, notes) for context, msgid, texts, notes, _ in rows if not context}
    lines = [NGINX_START + " (scripts/gen_messages.py --nginx, from the message catalogue)"]
    for reason, prefix, message, retry in EDGE_ANSWERS:
        texts, notes = by_reason[reason]
        code = notes["code"]
        zh = edge_details(reason, code, message, retry, "zh-CN", texts["zh"])
        en = edge_details(reason, code, message, retry, "en", texts["en"])
        lines += [f"  # {reason}: {code}",
                  f'  map "" ${prefix}_status {{ default "{STATUS_CODES.index(code) + 1}"; }}',
                  f'  map "" ${prefix}_message {{ default "{message}"; }}',
                  f"  map $http_accept_language ${prefix}_details {{",
                  f'    default "{zh}";',
                  f'    "~*^\\s*en" "{en}";',
                  "  }"]
    lines.append(NGINX_END)
    return "\n".join(lines)


def nginx_template(rows):
    """The template with its edge-answers block regenerated."""
    with open(NGINX_TEMPLATE, encoding="utf-8") as f:
        text = f.read()
    start = text.index(NGINX_START)
    end = text.index(NGINX_END, start) + len(NGINX_END)
    return text[:start] + nginx_block(rows) + text[end:]


def check(rows):
    problems = []
    docs_path = os.path.join(ROOT, "docs", "errors.md")
    try:
        with open(docs_path, encoding="utf-8") as f:
            if f.read() != docs(rows):
                problems.append("docs/errors.md is stale: run scripts/gen_messages.py --docs")
    except FileNotFoundError:
        problems.append("docs/errors.md is missing: run scripts/gen_messages.py --docs")
    try:
        with open(NGINX_TEMPLATE, encoding="utf-8") as f:
            if f.read() != nginx_template(rows):
                problems.append("the edge's answers in deploy/nginx are stale: run "
                                "scripts/gen_messages.py --nginx")
    except ValueError:
        problems.append(f"{NGINX_TEMPLATE} lacks its edge-answers markers")
    reasons = {msgid for context, msgid, *_ in rows if not context}
    # Every reason is used by the server (a constant nobody returns is a stale entry).
    used = set()
    for top in ("services", "server", "rpc"):
        for dirpath, _, files in os.walk(os.path.join(ROOT, top)):
            for name in files:
                if name.endswith((".cc", ".h")):
                    path = os.path.join(dirpath, name)
                    with open(path, encoding="utf-8") as f:
                        code = f.read()
                    used.update(re.findall(r"reasons::(k[A-Za-z0-9]+)", code))
                    # A reason spelled as a literal bypasses the catalogue's constants.
                    for literal in re.findall(r"Refusal\(\s*absl::StatusCode::k\w+,\s*(\"[^\"]*\")",
                                              code):
                        problems.append(f"{os.path.relpath(path, ROOT)}: reason {literal} is a "
                                        "literal; use a reasons:: constant")
    used.update(constant(reason) for reason, *_ in EDGE_ANSWERS)
    for reason in sorted(reasons):
        if constant(reason) not in used:
            problems.append(f"{reason} is in the catalogue but no code in services/, server/ "
                            "or rpc/ uses reasons::" + constant(reason) + ", nor is it one of "
                            "the edge's answers")
    # Every reason a proto comment or a docs page names exists: the UPPER_SNAKE words that
    # follow "reason"/"reasons" ("FAILED_PRECONDITION (reason DUTY_ENDED, NOT_IN_GROUP)",
    # "Reasons: `OUTSIDE_RADIUS`, ..."), across comment line breaks.
    keyword = re.compile(r"\b[Rr]easons?\b:?")
    separator = re.compile(r"(?:\s|,|;|`|//|\band\b|\bor\b|\|)+")
    token = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|[A-Z]{3,}\b")
    sources = []
    for dirpath, _, files in os.walk(os.path.join(ROOT, "proto", "branchline")):
        sources += [os.path.join(dirpath, n) for n in files if n.endswith(".proto")]
    for dirpath, _, files in os.walk(os.path.join(ROOT, "docs")):
        sources += [os.path.join(dirpath, n) for n in files if n.endswith(".md")]
    mentioned = 0
    for path in sorted(sources):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for match in keyword.finditer(text):
            at = match.end()
            while True:
                gap = separator.match(text, at)
                if gap:
                    at = gap.end()
                word = token.match(text, at)
                if not word:
                    break
                at = word.end()
                mentioned += 1
                if word.group(0) not in reasons:
                    rel = os.path.relpath(path, ROOT)
                    problems.append(f"{rel} names reason {word.group(0)}, which the catalogue "
                                    "lacks")
    if mentioned == 0:
        problems.append("no reason named in the proto comments or docs")
    if problems:
        sys.exit("message catalogue check:\n  " + "\n  ".join(problems))
    print(f"message catalogue: {len(reasons)} reasons, {len(rows) - len(reasons)} generic "
          f"messages, {mentioned} documented mentions: ok")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--header")
    parser.add_argument("--source")
    parser.add_argument("--docs", action="store_true")
    parser.add_argument("--nginx", action="store_true")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    rows = load()
    if args.header:
        write_if_changed(args.header, header(rows))
    if args.source:
        write_if_changed(args.source, source(rows))
    if args.docs:
        write_if_changed(os.path.join(ROOT, "docs", "errors.md"), docs(rows))
    if args.nginx:
        write_if_changed(NGINX_TEMPLATE, nginx_template(rows))
    if args.check:
        check(rows)


if __name__ == "__main__":
    main()

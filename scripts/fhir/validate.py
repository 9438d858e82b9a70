#!/usr/bin/env python3
"""Validate exported Questionnaires as FHIR R4 with an independent implementation.

Usage: validate.py FILE.json...   (run with /opt/fhir/bin/python, see .ci/run)

Each file is parsed by the `fhir.resources` R4B models (R4B's Questionnaire is R4's),
which refuse unknown elements and wrong types; on top, the codes those models leave
unchecked are compared with the R4 value sets, and extension URLs must be absolute.
Prints one line per problem and exits 1 when there is any.
"""
import json
import sys

from fhir.resources.R4B.questionnaire import Questionnaire

STATUS = {"draft", "active", "retired", "unknown"}
TYPES = {"group", "display", "boolean", "decimal", "integer", "date", "dateTime", "time",
         "string", "text", "url", "choice", "open-choice", "attachment", "reference", "quantity"}
OPERATORS = {"exists", "=", "!=", ">", "<", ">=", "<="}


def items(node, path):
    for i, item in enumerate(node.get("item", [])):
        yield f"{path}.item[{i}]", item
        yield from items(item, f"{path}.item[{i}]")


def extensions(node, path):
    """Top-level extensions: those of a complex extension are named relatively."""
    if isinstance(node, dict):
        if ".extension[" not in path:
            for i, e in enumerate(node.get("extension", [])):
                yield f"{path}.extension[{i}]", e
        for k, v in node.items():
            yield from extensions(v, f"{path}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from extensions(v, f"{path}[{i}]")


def check(path):
    problems = []
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    try:
        Questionnaire.model_validate(data)
    except Exception as e:  # the models' ValidationError
        problems.append(f"{path}: not a valid R4 Questionnaire: {e}")
    if data.get("status") not in STATUS:
        problems.append(f"{path}: status {data.get('status')!r} is not an R4 status")
    link_ids = set()
    for at, item in items(data, "Questionnaire"):
        if item.get("type") not in TYPES:
            problems.append(f"{path}: {at}.type {item.get('type')!r} is not an R4 item type")
        if item.get("linkId") in link_ids:
            problems.append(f"{path}: {at}.linkId {item.get('linkId')!r} is used twice")
        link_ids.add(item.get("linkId"))
        for j, w in enumerate(item.get("enableWhen", [])):
            if w.get("operator") not in OPERATORS:
                problems.append(f"{path}: {at}.enableWhen[{j}].operator is not an R4 operator")
            if w.get("question") not in link_ids:
                problems.append(f"{path}: {at}.enableWhen[{j}] refers to no earlier item")
    for at, e in extensions(data, "Questionnaire"):
        url = e.get("url", "")
        if not (url.startswith("http://") or url.startswith("https://")):
            problems.append(f"{path}: {at}.url {url!r} is not absolute")
    return problems


def main():
    problems = [p for f in sys.argv[1:] for p in check(f)]
    for p in problems:
        print(p)
    print(f"{len(sys.argv) - 1} Questionnaires, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

"""Error and warning codes are one table (kg/errors.py): every code is raised somewhere in
kg/, every place that raises one passes exactly the arguments its message names, and every
message formats with them."""
from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

from kg.errors import Errors, KgError, Warnings, warning

KG = Path(__file__).resolve().parents[1] / "kg"


def codes(table) -> dict[str, str]:
    return {k: v for k, v in vars(table).items() if k[:1] in "EW" and k[1:].isdigit()}


def fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


def call_sites() -> list[tuple[str, str, set[str] | None]]:
    """(where, code, keyword names; None when **kwargs hides them) of every KgError(...)
    and warning(...) call with a literal code."""
    out = []
    for path in sorted(KG.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", None))
            if name not in ("KgError", "warning") or not node.args:
                continue
            first = node.args[0]
            if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                continue
            kws = None if any(k.arg is None for k in node.keywords) else {k.arg for k in node.keywords}
            out.append((f"{path.relative_to(KG.parent)}:{node.lineno}", first.value, kws))
    return out


SITES = call_sites()


def test_codes_are_unique_and_well_formed():
    errs, warns = codes(Errors), codes(Warnings)
    assert errs and warns
    assert all(len(c) == 4 for c in list(errs) + list(warns))


@pytest.mark.parametrize("code", sorted(codes(Errors)) + sorted(codes(Warnings)))
def test_every_code_is_raised_and_formats_with_its_arguments(code):
    template = codes(Errors).get(code) or codes(Warnings)[code]
    sites = [s for s in SITES if s[1] == code]
    assert sites, f"{code} is never raised: use it or remove it"
    for where, _, kws in sites:
        if kws is not None:
            assert kws == fields(template), f"{where}: {code} takes {sorted(fields(template))}, got {sorted(kws)}"
    args = {f: f"<{f}>" for f in fields(template)}
    text = str(KgError(code, **args)) if code.startswith("E") else warning(code, **args)
    assert text.startswith(f"[{code}] ") and "{" not in text.replace("{", "", template.count("{{"))
    assert all(f"<{f}>" in text for f in args)


def test_every_raised_code_is_in_the_table():
    known = set(codes(Errors)) | set(codes(Warnings))
    unknown = [(where, code) for where, code, _ in SITES if code not in known]
    assert not unknown

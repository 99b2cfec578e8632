"""Derive the red-flag screen's anchors: substrings any match of a pattern must contain.

``lambda/muscle_guide/safety.py`` tries a sign's regular expressions only when the text contains
one of that sign's anchors, and compiles them only then. Compiling every pattern up front cost
about 45 ms of the first question's cold start, and trying all of them about 100 us per question;
a substring test costs well under a microsecond. The anchors are worked out here, from the
patterns themselves, so they cannot drift from them: ``make model`` rewrites them, and
``tests/test_safety.py`` fails when the committed ones are stale.

    python -m muscle_guide_tools.red_flag_anchors          # rewrite the anchors
    python -m muscle_guide_tools.red_flag_anchors --check  # exit 1 if they are stale
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from muscle_guide_tools import ROOT

try:
    import re._parser as sre_parse  # Python 3.11 and later
except ImportError:  # pragma: no cover
    import sre_parse  # type: ignore[no-redef]

DATA = ROOT / "lambda" / "muscle_guide" / "data" / "red_flags.json"
#: Word pieces shorter than this are not indexed by the screen: too many words contain them.
MIN_PIECE = 3
_REPEATS = {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"}


def _groups(items: Any) -> list[set[str]]:
    """For a parsed sequence: sets of strings, each of which some string must be in any match.

    Every required element of the sequence gives one set (a literal run gives itself; a branch
    gives the union of what each of its branches needs), so a text must hold a member of every
    set before the pattern can match it.
    """
    groups: list[set[str]] = []
    run = ""
    for op, av in items:
        name = str(op)
        if name == "LITERAL":
            run += chr(av)
            continue
        if len(run) >= 2:
            groups.append({run})
        run = ""
        inner: list[set[str]] = []
        if name == "BRANCH":
            branches = [_any(branch) for branch in av[1]]
            if all(b is not None for b in branches):
                inner = [set().union(*branches)]  # type: ignore[arg-type]
        elif name == "SUBPATTERN":
            inner = _groups(av[-1])
        elif name in _REPEATS and av[0] >= 1:
            inner = _groups(av[2])
        groups.extend(inner)
    if len(run) >= 2:
        groups.append({run})
    return groups


def _any(items: Any) -> set[str] | None:
    """One set of strings, one of which any match contains: the most selective group."""
    groups = _groups(items)
    if not groups:
        return None
    return max(groups, key=lambda g: (min(map(len, g)), -len(g)))


def _minimal(found: set[str]) -> list[str]:
    """A string that contains a shorter one of the set adds nothing: keep the minimal ones."""
    return sorted(s for s in found if not any(o != s and o in s for o in found))


def anchors(pattern: str) -> list[list[str]] | None:
    """Groups of substrings: any match of ``pattern`` contains a member of every group.

    >>> anchors(r"\\b(cant|unable to) (breathe|swallow)\\b")
    [['breathe', 'swallow'], ['cant', 'unable to']]
    """
    groups = [_minimal(g) for g in _groups(sre_parse.parse(pattern))]
    unique = [g for i, g in enumerate(groups) if g not in groups[:i]]
    # The three most selective are plenty for a gate.
    unique.sort(key=lambda g: (-min(map(len, g)), len(g)))
    return unique[:3] or None


def pieces(pattern: str) -> list[list[str]]:
    """The anchors as the screen looks them up: the longest run without a space of each.

    Any such piece lies inside one word of a text the anchor is in, so "is one of the text's
    word pieces" stays a necessary condition. A group with a piece shorter than
    ``MIN_PIECE`` could not close a gate and is left out. Worked out here rather than when the
    screen loads: it was 2 ms of every cold start's first question.

    >>> pieces(r"\\b(cant|unable to) (breathe|swallow)\\b")
    [['breathe', 'swallow'], ['cant', 'unable']]
    """
    out = []
    for group in anchors(pattern) or ():
        found = sorted({max(anchor.split(), key=len, default="") for anchor in group})
        if all(len(piece) >= MIN_PIECE for piece in found):
            out.append(found)
    return out


def derive(data: dict[str, Any]) -> dict[str, Any]:
    signs = {}
    for name, sign in data["signs"].items():
        signs[name] = {
            "patterns": [pieces(p) for p in sign["patterns"]],
            "requires": [pieces(p) for p in sign.get("requires", [])],
        }
    return {
        "_comment": "Made by muscle_guide_tools.red_flag_anchors from the patterns; do not edit. "
        "Word pieces each match of a pattern must contain, in groups (see pieces()).",
        "signs": signs,
        "spoken_forms": [pieces(pattern) for pattern, _ in data["spoken_forms"]],
        "benign": [pieces(pattern) for pattern in data["benign"]],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the anchors are stale")
    args = parser.parse_args(argv)
    data = json.loads(DATA.read_text(encoding="utf-8"))
    fresh = derive(data)
    if args.check:
        if data.get("anchors") != fresh:
            print(f"{DATA} has stale anchors: run make model")
            return 1
        return 0
    data["anchors"] = fresh
    DATA.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    missing = [n for n, s in fresh["signs"].items() if [] in s["patterns"]]
    print(f"anchors written; signs tried on every question (no anchor): {missing or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

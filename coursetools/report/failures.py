"""What a failing test's message says, for the insight report and the feedback.

A failure message starts with one line, ``<function>: <the mistake>``, then details; when the mistake is one of
the course's misconceptions it has a line ``Revisit: <title> (<section>).`` (``initlab/mistakes.py``, the contract
between the tests and this module). From a message this module reads:

- ``misconception(message)``: the misconception's key and the section to revisit (``mistakes.identify``);
- ``mistake_key(message)``: the mistake it names, the same for every student who made it: the hint after "This
  looks like:" or else the first line, with measured values (decimals such as 0.0213 or 1.5e-05, which vary with
  each student's random draws) shown as ``…`` and arrays as ``[…]``; integers (shapes, counts, the test's
  arguments), exponents and names are kept, so the key reads as the message does;
- ``not_attempted(message)``: the function is still the stub (not implemented, or never defined).

Every function reads a bounded prefix of the message or scans it once: a 1 MB message costs milliseconds.
"""

import re

from ..course import ROOT, Course

HEAD = 600  # characters of a message read for its key (the first line is at most 88 in the course's tests)
KEY_LENGTH = 120
MASK = "…"
# A measured value: a number with a fractional part or an exponent, not part of a name (W1, z_2), not an exponent
# (sigma**2, 10^-5), not a digit run of a longer number.
MEASURED = re.compile(r"(?<![\w.^*])[-+−]?(?:\d+\.\d+|\.\d+|\d+(?=[eE][-+]?\d))(?:[eE][-+]?\d+)?(?!\w|\.\d)")
INNER_ARRAY = re.compile(r"\[(?:[^\[\]A-DF-Za-df-z]|\[…\])*\]")  # numbers only, or arrays already collapsed
LOOKS_LIKE = re.compile(r"This looks like: ([^\n]*)")
NOT_ATTEMPTED = re.compile(r"\bis not implemented yet\b|\bis not defined: write your answer\b|^NotImplementedError")


def mistake_key(message, ename="AssertionError", function=None):
    """The mistake ``message`` names, in words every student who made it shares (see the module)."""
    head = (message or "")[:HEAD]
    found = LOOKS_LIKE.search(message or "")
    text = found.group(1)[:HEAD].strip().rstrip(".") if found else head.strip()
    previous = None
    while previous != text:  # innermost arrays first: printed arrays span lines
        previous, text = text, INNER_ARRAY.sub(f"[{MASK}]", text)
    text = (text.splitlines() or [""])[0].strip()
    if function and text.startswith(f"{function}: "):
        text = text[len(function) + 2:]
    text = " ".join(MEASURED.sub(MASK, text).split())
    if len(text) > KEY_LENGTH:
        text = text[:KEY_LENGTH - 1].rstrip() + MASK
    if ename and ename != "AssertionError":
        text = f"{ename}: {text}" if text else ename
    return text or "failed without a message"


def not_attempted(message, ename="AssertionError"):
    """Whether the failure says the function is still the stub (not implemented yet, or never defined)."""
    return ename == "NotImplementedError" or NOT_ATTEMPTED.search((message or "")[:HEAD]) is not None


def vocabulary(root=ROOT):
    """The misconception vocabulary of the course at ``root`` (``initlab.mistakes``), or None."""
    return Course(root).helper("mistakes")


def misconception(message, root=ROOT):
    """(key, section to revisit) of the misconception a message names on its ``Revisit:`` line, or (None, "")."""
    words = vocabulary(root)
    if words is None or not message or "Revisit: " not in message:
        return None, ""
    key = words.identify(message)
    if key is None:
        return None, ""
    title = words.MISCONCEPTIONS[key].title
    for line in message.splitlines():
        line = line.strip()
        if line.startswith(f"Revisit: {title} (") and line.endswith(")."):
            return key, line[len(f"Revisit: {title} ("):-2]
    return key, ""

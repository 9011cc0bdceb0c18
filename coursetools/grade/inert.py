"""Keep only inert student content in autograded notebooks (README, "In the browser").

A TA opens every autograded notebook in the formgrader, and each student opens
their feedback HTML, both rendered from the autograded notebook. ``InertContent``
runs during autograding, right after execution, and leaves in the notebook only
what can neither run script nor load anything from the network:

- outputs: stream and error outputs (text); display data reduced to text/plain,
  image/png and image/jpeg (HTML, SVG, JavaScript, Markdown, LaTeX and widget
  views are dropped, leaving their text/plain or a one-line note); no output
  metadata (nbconvert prints image width/height unquoted);
- markdown cells: raw HTML escaped, so it shows as text while markdown and $math$
  still render (the course's locked cells, which nbgrader restored from the release, keep
  their folds: a bare ``<details>``, ``<summary>…</summary>``, ``</details>``); a cell
  whose rendering still has anything outside a strict allow-list (a ``javascript:`` or
  remote link target, a remote image, a mermaid block, a MathJax ``\\href``/``\\style``...)
  is shown as a plain code block;
- attachments: only PNG, JPEG and GIF images;
- raw cells: shown as a plain code block;
- cell and notebook metadata: only the keys the release has, with nbgrader's
  fields type-checked (grade ids are printed unescaped by the templates), and the
  grader's records of what it stopped (``coursetools.outcomes.record``: typed records,
  nothing else);
- execution counts: 1, 2, 3... in notebook order (the test cells run in a kernel of their own);
- the student id must be a plain identifier (it is printed unescaped, too): another one is refused
  and removed from the gradebook;
- files of the notebook's folder that a browser would render as a page (HTML, SVG, XML, JavaScript, PDF)
  are deleted: plain ``nbgrader autograde`` copies every submitted file there, and the formgrader serves
  that folder with the TA's origin (/formgrader/submissions/<id>/<file>).
"""

import functools
import html
import mimetypes
import re
from html.parser import HTMLParser
from pathlib import Path

from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
from nbformat import NotebookNode
from nbformat.v4 import new_markdown_cell, new_output
from nbgrader.api import Gradebook
from nbgrader.preprocessors import NbGraderPreprocessor

from .. import outcomes

# A fold of the course's text (a discussion a student opens once they have answered): bare tags, a plain summary.
FOLD = re.compile(r"\s*(<details>\s*(<summary>[^<>&]*</summary>\s*)?|</details>\s*)")
SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@+-]{0,99}")  # student ids, grade ids, cell ids, names
OUTPUT_MIMES = ("text/plain", "image/png", "image/jpeg")
IMAGE_MIMES = ("image/png", "image/jpeg", "image/gif")
BASE64 = re.compile(r"[A-Za-z0-9+/=\s]*")
NBGRADER_FIELDS = {"grade": bool, "solution": bool, "locked": bool, "task": bool, "points": (int, float),
                   "schema_version": int, "grade_id": str, "checksum": str, "cell_type": str}
# What rendered markdown may contain: tag -> allowed attributes (values are checked in _Checker).
TAGS = {t: {"class", "id", "title"} for t in (
    "p", "em", "strong", "b", "i", "code", "pre", "span", "div", "ul", "ol", "li", "blockquote", "br", "hr",
    "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "del", "s", "sup", "sub",
    "dl", "dt", "dd", "details", "summary")}
TAGS.update({"a": {"href", "class", "id", "title"}, "img": {"src", "alt", "title"},
             "input": {"type", "disabled", "checked", "class"}, "th": {"style"}, "td": {"style"},
             "ol": {"start", "class", "id", "title"}})
# Link targets: the web, mail, a place in the page (a heading's anchor keeps its apostrophes and its math, as
# nbconvert writes it: "#Glorot's-compromise"), or a notebook of the course beside this one ("03_x.ipynb#part").
SAFE_HREF = re.compile(r"(https?://|mailto:)[^\s\"'<>]*|(?=.)(\d\d_[A-Za-z0-9_]+\.ipynb)?(#[^\s\"<>\\]*)?", re.I)
SAFE_NUMBER = re.compile(r"\d{1,6}")
SAFE_SRC = re.compile(r"data:image/(png|jpeg|gif);base64,[A-Za-z0-9+/=]*")
SAFE_STYLE = re.compile(r"text-align:\s*(left|right|center);?")
# MathJax commands that link, style (CSS can load URLs), load extensions or inject HTML
MATHJAX_ACTIVE = re.compile(r"\\(href|style|class|cssId|require|unicode|html|data|url|mmlToken|attr)(?![A-Za-z])")


class InertContent(NbGraderPreprocessor):
    """Reduce an executed notebook to inert content: text, tracebacks, pictures, markdown and math."""

    def preprocess(self, nb, resources):
        info = resources.get("nbgrader", {})
        if "student" in info and not SAFE_ID.fullmatch(str(info["student"])):
            if info.get("db_url"):  # nbgrader added it before grading; the formgrader would print it
                with Gradebook(info["db_url"]) as gb:
                    gb.remove_student(info["student"])
            raise ValueError(f"unsafe student id {info['student']!r} removed: use letters, digits and _.@+-")
        recorded = outcomes.recorded(nb)
        nb.metadata = NotebookNode({k: _plain_json(nb.metadata[k]) for k in ("kernelspec", "language_info")
                                    if isinstance(nb.metadata.get(k), dict)})
        outcomes.record(nb, recorded)
        nb.cells = number_runs([inert_cell(cell, k) for k, cell in enumerate(nb.cells)])
        folder = resources.get("metadata", {}).get("path")
        if folder:
            for path in active_files(folder):
                self.log.warning("Removing %s: a browser would run it as a page", path)
                path.unlink()
        return nb, resources


def number_runs(cells):
    """Execution counts 1, 2, 3... in notebook order, as after "Run All" (the test cells ran in a kernel of their
    own, so the formgrader showed "In [1]" beside "In [4]"); cells that did not run keep none."""
    count = 0
    for cell in cells:
        if cell.get("cell_type") == "code" and cell.get("execution_count") is not None:
            count += 1
            cell.execution_count = count
            for out in cell.outputs:
                if out.get("output_type") == "execute_result":
                    out.execution_count = count
    return cells


def active_files(folder):
    """Files under ``folder`` that a browser shows as a page, by the type a web server gives them."""
    for path in Path(folder).rglob("*"):
        kind = mimetypes.guess_type(path.name)[0] or ""
        if path.is_file() and re.search(r"html|xml|script|pdf|rfc822|multipart", kind):
            yield path


def inert_cell(cell, index):
    """An inert copy of one cell (``index`` names a cell whose id is not a plain identifier)."""
    if cell.get("cell_type") == "code":
        new = NotebookNode(cell_type="code", source=_text(cell.get("source")), outputs=[],
                           execution_count=_int_or_none(cell.get("execution_count")))
        new.outputs = [o for o in map(inert_output, cell.get("outputs", [])) if o is not None]
    else:
        attachments = {name: {m: v for m, v in bundle.items() if m in IMAGE_MIMES and _is_base64(v)}
                       for name, bundle in (cell.get("attachments") or {}).items()
                       if isinstance(bundle, dict)}
        attachments = {name: bundle for name, bundle in attachments.items() if bundle}
        source = _text(cell.get("source"))
        if cell.get("cell_type") == "markdown":
            source = inert_markdown(source, attachments, course_text=is_locked_text(cell))
        else:  # raw (or unknown) cells: their text, shown as such
            source, attachments = code_block(source), {}
        new = new_markdown_cell(source)
        new.pop("id", None)
        if attachments:
            new.attachments = attachments
    cell_id = cell.get("id")
    if cell_id is not None:
        new.id = cell_id if isinstance(cell_id, str) and SAFE_ID.fullmatch(cell_id) else f"cell-{index}"
    meta = cell.get("metadata", {})
    new.metadata = NotebookNode({k: meta[k] for k in ("deletable", "editable") if isinstance(meta.get(k), bool)})
    nbgrader = _nbgrader_metadata(meta.get("nbgrader"))
    if nbgrader and cell.get("cell_type") in ("code", "markdown"):
        new.metadata.nbgrader = nbgrader
    return new


def inert_output(out):
    """An inert copy of one output, or None when nothing of it can be shown."""
    kind = out.get("output_type")
    if kind == "stream":
        return new_output("stream", name="stderr" if out.get("name") == "stderr" else "stdout",
                          text=_text(out.get("text")))
    if kind == "error":
        return new_output("error", ename=_text(out.get("ename")), evalue=_text(out.get("evalue")),
                          traceback=[_text(line) for line in out.get("traceback") or [] if isinstance(line, str)])
    if kind not in ("display_data", "execute_result"):
        return None
    raw = out.get("data") or {}
    data = {m: _text(raw[m]) for m in OUTPUT_MIMES if m in raw}
    data = {m: v for m, v in data.items() if m == "text/plain" or _is_base64(v)}
    if "text/plain" not in data and len(data) < len(raw):
        removed = ", ".join(sorted(str(m) for m in raw if m not in data))
        data["text/plain"] = f"[output not shown: {removed}]"
    if not data:
        return None
    if kind == "execute_result":
        return new_output(kind, data=data, execution_count=_int_or_none(out.get("execution_count")))
    return new_output(kind, data=data)


def inert_markdown(source, attachments=None, course_text=False):
    """Markdown whose rendering is inert: raw HTML escaped, else the whole text as a code block.

    ``course_text``: the cell is the course's own (locked, restored from the release by nbgrader), whose folds
    (``FOLD``) stay HTML; everything else in it is checked as strictly as a student's text.
    """
    if not attachments:  # the notebook's own text, the same for every student: checked once per process
        return _inert_text(source, course_text)
    return _inert_markdown(source, attachments, course_text)


@functools.lru_cache(maxsize=4096)
def _inert_text(source, course_text=False):
    return _inert_markdown(source, None, course_text)


def _inert_markdown(source, attachments=None, course_text=False):
    escaped = _escape_raw_html(source, keep=FOLD if course_text else None)
    if escaped is not None and is_inert(escaped, attachments):
        return escaped
    return code_block(source)


def is_locked_text(cell):
    """Whether ``cell`` is a locked cell of the course's text: nbgrader's autograde restored its source from the
    release (a cell of a student's own carries no grade id of the release after staging)."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return isinstance(meta, dict) and meta.get("locked") is True and not meta.get("solution") and not meta.get("grade")


def code_block(text):
    """``text`` as a fenced code block without a language (rendered escaped, skipped by MathJax)."""
    fence = "`" * max(3, 1 + max((len(run) for run in re.findall(r"`+", text)), default=0))
    return f"{fence}\n{text}\n{fence}"


def render(source, attachments=None):
    """The HTML nbconvert's templates make of a markdown cell (before any sanitizer)."""
    return MarkdownWithMath(renderer=IPythonRenderer(escape=False, attachments=attachments or {})).render(source)


def is_inert(source, attachments=None):
    """Whether the markdown ``source`` renders to allow-listed HTML only."""
    try:
        checker = _Checker()
        checker.feed(render(source, attachments))
        checker.close()
    except Exception:  # a missing attachment, a parser error: not provably inert
        return False
    return checker.ok


class _Checker(HTMLParser):
    """Accepts allow-listed tags and attribute values only; no comments, no stray '<', no active MathJax
    in the text MathJax reads (everything outside <pre> and <code>)."""

    def __init__(self):
        super().__init__(convert_charrefs=False)  # an escaped &lt; is text; a raw '<' in text is not
        self.ok, self.verbatim, self.text = True, 0, []

    def handle_starttag(self, tag, attrs):
        allowed = TAGS.get(tag)
        if allowed is None:
            self.ok = False
            return
        if tag in ("pre", "code"):
            self.verbatim += 1
        for name, value in attrs:
            value = value or ""
            if name not in allowed or (name == "href" and not SAFE_HREF.fullmatch(value)) \
                    or (name == "src" and not SAFE_SRC.fullmatch(value)) \
                    or (name == "style" and not SAFE_STYLE.fullmatch(value.strip())) \
                    or (name == "type" and value != "checkbox") \
                    or (name == "start" and not SAFE_NUMBER.fullmatch(value)):
                self.ok = False

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in ("pre", "code"):
            self.verbatim -= 1

    def handle_endtag(self, tag):
        if tag in ("pre", "code"):
            self.verbatim = max(0, self.verbatim - 1)

    def handle_data(self, data):
        self.ok &= "<" not in data
        if not self.verbatim:
            self.text.append(data)

    def handle_entityref(self, name):
        self.handle_data(html.unescape(f"&{name};").replace("<", ""))

    def handle_charref(self, name):
        self.handle_data(html.unescape(f"&#{name};").replace("<", ""))

    def handle_comment(self, data):
        self.ok = False

    handle_decl = handle_pi = unknown_decl = handle_comment

    def close(self):
        super().close()
        self.ok &= not MATHJAX_ACTIVE.search("".join(self.text))


def _escape_raw_html(source, keep=None):
    """``source`` with every raw HTML snippet markdown would pass through escaped (but those ``keep`` matches
    whole), or None if unsure."""
    try:
        tokens = MarkdownWithMath(renderer=None).parse(source)[0]
    except Exception:
        return None
    snippets = set()

    def walk(items):
        for token in items:
            if token.get("type") in ("inline_html", "block_html"):
                if not (keep and keep.fullmatch(token.get("raw", ""))):
                    snippets.add(token.get("raw", ""))
            walk(token.get("children") or [])

    walk(tokens)
    for snippet in sorted(filter(None, snippets), key=len, reverse=True):
        source = source.replace(snippet, html.escape(snippet, quote=False))
    return source


def _nbgrader_metadata(meta):
    if not isinstance(meta, dict) or not SAFE_ID.fullmatch(str(meta.get("grade_id", ""))):
        return None
    return NotebookNode({k: meta[k] for k, kind in NBGRADER_FIELDS.items()
                         if isinstance(meta.get(k), kind) and (kind is not str or SAFE_ID.fullmatch(meta[k]))})


def _plain_json(value):
    """Strings, numbers and booleans of a metadata dict, without markup characters."""
    if isinstance(value, dict):
        return NotebookNode({str(k): _plain_json(v) for k, v in value.items()
                             if SAFE_ID.fullmatch(str(k)) and isinstance(v, (dict, str, int, float, bool))})
    return re.sub(r"[<>\"'&`\\]", "", value) if isinstance(value, str) else value


def _text(value):
    if isinstance(value, list):
        return "".join(v for v in value if isinstance(v, str))
    return value if isinstance(value, str) else ""


def _int_or_none(value):
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _is_base64(value):
    return isinstance(value, str) and BASE64.fullmatch(value) is not None

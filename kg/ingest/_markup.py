"""A linear pre-pass that bounds how deep an HTML page can nest before a parser sees it.

lexbor (selectolax's HTML5 parser) checks "is X in scope" by walking its stack of open
elements, so a page whose elements never close (100,000 ``<ul><li>`` in 1 MB) costs time
quadratic in its size: issue #16 measured 133 s for 1 MB. ``bound_nesting`` scans the
markup once, follows the stack of open elements the way the HTML tree builder would (void
elements, raw text and script data, comments, ``<p>`` closed by block tags, ``<li>``,
``<dd>``/``<dt>``, table rows and cells, headings, options, foreign content, end tags by
their scopes). A start tag that would leave the nesting deeper than ``MAX_DEPTH`` (than
``MAX_DEPTH - RESERVE`` for elements other than lists, headings and paragraphs) is removed,
its effect on the counted stack undone, and its text kept; a removed block's place gets a
``<p>`` (the next one closes it), so the text before and after stay apart and the items after a
deep part still come out; a removed script or style goes with its content. Tags that only
close elements always stay. Formatting elements (``<b>``, ``<font>``, ...) that are still open
count towards the depth (the tree builder reopens them); past ``MAX_FORMATTING`` of them a
further formatting start tag is removed on its own, since for the readers it only wraps text.
Should a tag that closes some elements and opens more pass ``MAX_DEPTH + SLACK``, every tag
after it is removed (never seen in practice; a backstop).

The model errs on the side of counting too deep (an end tag the tree builder might act on is
sometimes ignored here, never the reverse), so the parser's real depth stays within a small
factor of the depth counted here, and the parse is linear (a fuzz of repeated random tag
sequences, 3,000 repetitions each, never let lexbor nest deeper than ``MAX_DEPTH + 4``). A
page that never nests that deep is returned unchanged (the same string).

Hand-written because no maintained library offers it: html5lib and lexbor both build the whole
tree (the quadratic part), and a tokenizer alone (html.parser) does not know HTML's implied
end tags, which is what decides the depth.
"""
from __future__ import annotations

import re
from typing import Optional

# below the HTML reader's walk limit (kg.ingest.html.MAX_DEPTH, 150), so that what is kept
# is walked as blocks; email templates nest tables four levels each, ten to fifteen deep
MAX_DEPTH = 128
MAX_FORMATTING = 64
SLACK = 16  # a tag that closes some elements and opens more may pass MAX_DEPTH by this much
# the last RESERVE levels are kept for the elements readers make items of (lists, headings,
# paragraphs): a page wrapped in thousands of <div>s or tables still has its list items
RESERVE = 32

_WS = "\t\n\f\r "
# a start or end tag as the HTML tokenizer reads it: attribute names stop at white space,
# "/", ">" and "=" (quotes are part of a name), values are "..." or '...' or unquoted; a tag
# cut off by the end of the file is no tag (the tokenizer drops it, and so does everything after)
_ATTR = r'(?:[\t\n\f\r /]+|=?[^\t\n\f\r />=]*(?:[\t\n\f\r ]*=[\t\n\f\r ]*(?:"[^"]*(?:"|\Z)|\'[^\']*(?:\'|\Z)|[^\t\n\f\r >]*))?)'
_TAG = re.compile(r"<(/?)([A-Za-z][^\t\n\f\r />]*)((?>" + _ATTR + r")*+)(>|\Z)")
_ATTR_PIECE = re.compile(_ATTR)

VOID = frozenset("area base basefont bgsound br col colgroup embed frame hr image img input keygen link "
                 "meta param source track wbr".split())
RAWTEXT = frozenset("style xmp iframe noembed noframes textarea title".split())
FORMATTING = frozenset("a b big code em font i nobr s small strike strong tt u".split())
IGNORED = frozenset("html head body frameset".split())
CLOSES_P = frozenset("address article aside blockquote center details dialog dir div dl fieldset figcaption "
                     "figure footer header hgroup main menu nav ol p search section summary ul h1 h2 h3 h4 h5 "
                     "h6 pre listing form plaintext xmp table hr li dd dt".split())
HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())
SPECIAL = frozenset(
    "address applet area article aside base basefont bgsound blockquote body br button caption center col "
    "colgroup dd details dir div dl dt embed fieldset figcaption figure footer form frame frameset h1 h2 h3 h4 "
    "h5 h6 head header hgroup hr html iframe img input keygen li link listing main marquee menu meta nav "
    "noembed noframes noscript object ol p param plaintext pre script search section select source style "
    "summary table tbody td template textarea tfoot th thead title tr track ul wbr xmp".split())
DEFAULT_SCOPE = frozenset("applet caption html table td th marquee object template".split())
# end tags that close their element when it is in scope; any other end tag closes its
# element only when no special element was opened after it
BLOCK_END = frozenset("address article aside blockquote button center details dialog dir div dl fieldset "
                      "figcaption figure footer header hgroup listing main menu nav ol pre search section summary "
                      "ul applet marquee object template dd dt".split())
IMPLIED_END = frozenset("dd dt li optgroup option p rb rp rt rtc".split())
MARKERS = frozenset("applet marquee object td th caption template".split())
TABLE_SECTIONS = frozenset("tbody thead tfoot".split())
# foreign (SVG, MathML) elements whose children are HTML; they bound scopes like DEFAULT_SCOPE
INTEGRATION = {"s": frozenset("foreignobject desc title".split()),
               "m": frozenset("mi mo mn ms mtext annotation-xml".split())}
BREAKOUT = frozenset("b big blockquote body br center code dd div dl dt em embed h1 h2 h3 h4 h5 h6 head hr i "
                     "img li listing menu meta nobr ol p pre ruby s small span strong strike sub sup table tt "
                     "u ul var".split())
CONTENT = frozenset("ul ol li dl dt dd menu p h1 h2 h3 h4 h5 h6 blockquote pre".split())
INLINE = FORMATTING | frozenset("span abbr cite data dfn kbd mark q samp sub sup time var label bdi bdo "
                                "ins del wbr".split())
SCOPES = ("default", "button", "list", "table", "special", "listop", "html", "marker")


def _raw_end(name: str) -> re.Pattern:
    return re.compile(r"</" + re.escape(name) + r"(?=[\t\n\f\r />])", re.I)


_RAW_END = {n: _raw_end(n) for n in RAWTEXT | {"script"}}
# script data: "<!--" starts an escaped part, in which "<script" starts a double-escaped part
# that only "</script" (back to escaped) or "-->" (back to script data) ends
_SCRIPT = re.compile(r"<!--|</script(?=[\t\n\f\r />])", re.I)
_SCRIPT_ESC = re.compile(r"-->|</script(?=[\t\n\f\r />])|<script(?=[\t\n\f\r />])", re.I)
_SCRIPT_DESC = re.compile(r"-->|</script(?=[\t\n\f\r />])", re.I)


def _script_end(html: str, i: int) -> int:
    """Where the script data starting at i ends (the "<" of its end tag), or -1."""
    state = 0  # 0 data, 1 escaped, 2 double escaped
    while True:
        m = (_SCRIPT, _SCRIPT_ESC, _SCRIPT_DESC)[state].search(html, i)
        if m is None:
            return -1
        tok = m.group(0).lower()
        i = m.end()
        if tok == "<!--":
            state = 1
        elif tok == "-->":
            state = 0
        elif tok.startswith("</"):
            if state == 2:
                state = 1
            else:
                return m.start()
        else:  # "<script" inside an escaped part
            state = 2


def _scopes_of(name: str, ns: str) -> tuple[str, ...]:
    """The scope searches an element stops (bounds), and the other lists it is kept in."""
    out = []
    if ns == "h":
        d = name in DEFAULT_SCOPE
        if d or name == "button":
            out.append("button")
        if d or name in ("ol", "ul"):
            out.append("list")
        if d:
            out.append("default")
        if name in ("table", "template"):
            out.append("table")
        if name in SPECIAL:
            out.append("special")
            if name not in ("address", "div", "p"):
                out.append("listop")
        if name in MARKERS:
            out.append("marker")
        out.append("html")
    elif name in INTEGRATION[ns]:
        out += ["default", "button", "list", "special", "listop"]
    return tuple(out)


_SCOPES_OF: dict[tuple[str, str], tuple[str, ...]] = {}


class _Stack:
    """The stack of open elements below <body>, with what each scope search needs in O(1)."""

    def __init__(self):
        self.names: list[str] = []
        self.ns: list[str] = []          # "h" HTML, "s" SVG, "m" MathML
        self.snap: list[int] = []        # len(fmt) when the element was opened (markers clear to it)
        self.pos: dict[str, list[int]] = {}
        self.bounds: dict[str, list[int]] = {s: [] for s in SCOPES}
        # open formatting elements (the tree builder reopens them), each with len(names) when
        # it was opened
        self.fmt: list[tuple[str, int]] = []
        self.pushes = self.pops = 0      # counted for the last start tag
        self.journal: Optional[list] = None  # what the last start tag popped, to undo it

    def depth(self) -> int:
        return len(self.names) + len(self.fmt)

    def top(self) -> str:
        return self.names[-1] if self.names else "body"

    def top_ns(self) -> str:
        return self.ns[-1] if self.ns else "h"

    def foreign(self) -> bool:
        """Is a start tag read as foreign content (inside SVG/MathML, not at an integration point)?"""
        if not self.ns or self.ns[-1] == "h":
            return False
        return self.names[-1] not in INTEGRATION[self.ns[-1]]

    def push(self, name: str, ns: str = "h") -> None:
        idx = len(self.names)
        self.names.append(name)
        self.pushes += 1
        self.ns.append(ns)
        self.snap.append(len(self.fmt))
        self.pos.setdefault(name, []).append(idx)
        scopes = _SCOPES_OF.get((name, ns))
        if scopes is None:
            scopes = _SCOPES_OF[(name, ns)] = _scopes_of(name, ns)
        for sc in scopes:
            self.bounds[sc].append(idx)

    def pop(self) -> None:
        name = self.names.pop()
        self.pops += 1
        ns = self.ns.pop()
        snap = self.snap.pop()
        if self.journal is not None:
            self.journal.append((name, ns, snap, self.fmt[snap:] if name in MARKERS else []))
        idx = len(self.names)
        p = self.pos.get(name)
        if p and p[-1] == idx:
            p.pop()
        for sc in _SCOPES_OF[(name.lstrip("#") if name[0] == "#" else name, ns)]:
            lst = self.bounds[sc]
            if lst and lst[-1] == idx:
                lst.pop()
        if name in MARKERS:
            del self.fmt[snap:]

    def try_start(self, name: str, attrs: str, limit: int, content: bool) -> bool:
        """Apply a start tag unless it would leave the depth past `limit` (for an element
        readers make items of: past `limit` and deeper than before); then undo it and say so."""
        d0 = self.depth()
        if d0 + 3 <= limit:  # no start tag opens more than three (<td> in a bare <table>)
            if self.start(name, attrs) == "fmt":
                self.fmt.append((name, len(self.names)))
            return True
        self.journal = []
        kind = self.start(name, attrs)
        if kind == "fmt":
            self.fmt.append((name, len(self.names)))
        d1 = self.depth()
        journal, self.journal = self.journal, None
        if d1 <= limit or (content and d1 <= d0):
            return True
        if kind == "fmt":
            self.fmt.pop()
        for _ in range(self.pushes):
            self.pop()
        for pname, ns, snap, fmt in reversed(journal):
            self.fmt.extend(fmt)
            self.push(pname, ns)
            self.snap[-1] = snap
        return False

    def pop_to(self, idx: int) -> None:
        """Pop the element at idx and everything above it."""
        while len(self.names) > idx:
            self.pop()

    def last(self, name: str) -> int:
        p = self.pos.get(name)
        return p[-1] if p else -1

    def bound(self, scope: str) -> int:
        lst = self.bounds[scope]
        return lst[-1] if lst else -1

    def in_scope(self, name: str, scope: str) -> int:
        """The index of the nearest open `name` in the scope, or -1."""
        i = self.last(name)
        return i if i >= 0 and i >= self.bound(scope) else -1  # the element may bound the scope itself

    def fmt_since_marker(self) -> int:
        m = self.bound("marker")
        return self.snap[m] if m >= 0 else 0

    def drop_fmt(self, name: str) -> None:
        """The adoption agency for `name` (its end tag, or a new <a>/<nobr> while one is open):
        the last open one after the last marker is closed, unless a special element was
        opened after it (a "furthest block"): then the block stays and a copy of the
        formatting element goes into it, so the depth does not fall and it keeps counting."""
        lo = self.fmt_since_marker()
        for k in range(len(self.fmt) - 1, lo - 1, -1):
            if self.fmt[k][0] == name:
                if self.bound("special") < self.fmt[k][1]:
                    del self.fmt[k]
                return

    def fmt_on_top(self) -> bool:
        """May the current node be a formatting element (opened, or reopened, after the top
        of names)? Then steps that look at the current node do nothing here (counting deep)."""
        return bool(self.fmt) and self.fmt[-1][1] >= len(self.names)

    # ------------------------------------------------------------------ tree-builder steps

    def close_p(self) -> None:
        i = self.in_scope("p", "button")
        if i >= 0:
            self.pop_to(i)

    def start(self, name: str, attrs: str) -> str:
        """Apply a start tag; returns "push" when it opens an element that counts towards
        the depth ("fmt" for a formatting element), "" when it opens none."""
        self.pushes = self.pops = 0
        if self.names and self.ns[-1] != "h":
            if self.foreign():
                if name in BREAKOUT or (name == "font" and re.search(r"(?:^|[\t\n\f\r /])(?:color|face|size)[\t\n\f\r ]*=", attrs, re.I)):
                    while self.names and self.ns[-1] != "h" and self.names[-1] not in INTEGRATION[self.ns[-1]]:
                        self.pop()
                else:
                    if _self_closing(attrs):
                        return ""
                    self.push(name, self.ns[-1])
                    return "push"
        if name in IGNORED:
            return ""
        if name in ("svg", "math"):
            if _self_closing(attrs):
                return ""
            self.push(name, "s" if name == "svg" else "m")
            return "push"
        # in a <select>, only these act on the stack; anything else is kept open (counting deep)
        if name in ("select", "input", "keygen", "textarea") and self.in_scope("select", "default") >= 0:
            self.pop_to(self.in_scope("select", "default"))
            if name == "select":
                return ""
        if name in CLOSES_P:
            self.close_p()
        if name in HEADINGS:
            if self.top() in HEADINGS and not self.fmt_on_top():
                self.pop()
        elif name in ("li", "dd", "dt"):
            j = self.bound("listop")
            if j >= 0 and (self.names[j] == name if name == "li" else self.names[j] in ("dd", "dt")):
                self.pop_to(j)
            # <li> and <dd>/<dt> close a <p> too; done above (CLOSES_P) before the search in the
            # tree builder; the order does not change the depth
        elif name == "button":
            i = self.in_scope("button", "default")
            if i >= 0:
                self.pop_to(i)
        elif name in ("option", "optgroup"):
            if self.top() == "option" and not self.fmt_on_top():
                self.pop()
        elif name in ("a", "nobr"):
            self.drop_fmt(name)  # the adoption agency closes the open one first
        elif name == "table":
            t = self.in_scope("table", "table")
            if t >= 0 and max(self.last("td"), self.last("th"), self.last("caption")) < t:
                self.pop_to(t)  # a table directly in a table closes it
        elif name in ("tr", "td", "th", "tbody", "thead", "tfoot", "caption", "col", "colgroup"):
            return self._table_part(name)
        if name in VOID:
            return ""
        if name in FORMATTING:
            return "fmt"
        self.push(name)
        return "push"

    def _table_part(self, name: str) -> str:
        t = self.in_scope("table", "table")
        if t < 0:
            return ""  # outside a table the tree builder ignores these
        cell = max(self.in_scope("td", "table"), self.in_scope("th", "table"))
        if cell > t:
            self.pop_to(cell)
        if name in ("col", "colgroup"):
            return ""
        if name == "caption":
            self.pop_to(t + 1)
            self.push(name)
            return "push"
        if name in TABLE_SECTIONS:
            self.pop_to(t + 1)
            self.push(name)
            return "push"
        added = ""
        tr = self.in_scope("tr", "table")
        if name == "tr":
            if tr > t:
                self.pop_to(tr)
        elif tr > t:
            self.pop_to(tr + 1)
        if self.top() == "caption" or self.top() == "colgroup":
            self.pop_to(t + 1)
        if self.top() == "table":
            self.push("tbody")
            added = "push"
        if name in ("td", "th") and self.top() != "tr":
            self.push("tr")
        self.push(name)
        return added or "push"

    def end(self, name: str) -> None:
        if self.names and self.ns[-1] != "h":
            # foreign content: an end tag closes the nearest foreign element of that name, if
            # no HTML element is in the way; else it is read as an HTML end tag
            i = self.last(name)
            if i >= 0 and self.ns[i] != "h" and i > self.bound("html"):
                self.pop_to(i)
                return
        if name in IGNORED or name == "br":
            return
        if name in FORMATTING:
            self.drop_fmt(name)
            return
        if name == "p":
            i = self.in_scope("p", "button")
        elif name == "li":
            i = self.in_scope("li", "list")
        elif name in HEADINGS:
            i = max(self.in_scope(h, "default") for h in HEADINGS)
        elif name in ("td", "th", "tr", "table", "caption") or name in TABLE_SECTIONS:
            i = self.in_scope(name, "table")
        elif name == "form":
            # implied end tags go, then the form element alone leaves the stack (what was
            # opened in it stays open): here it stays as a nameless entry, counting deep
            i = self.in_scope("form", "default")
            if i >= 0:
                while self.top() in IMPLIED_END and not self.fmt_on_top():
                    self.pop()
                if i == len(self.names) - 1 and not self.fmt_on_top():
                    self.pop()
                elif i < len(self.names):
                    self.pos["form"].remove(i)
                    self.names[i] = "#form"
            return
        elif name in ("option", "optgroup"):
            i = len(self.names) - 1 if self.top() == name and not self.fmt_on_top() else -1
        elif name == "select":
            i = self.in_scope("select", "default")
        elif self.last("select") >= 0:
            i = -1  # in a select, other end tags may be ignored: keep counting deep
        elif name in BLOCK_END:
            i = self.in_scope(name, "default")
        else:
            i = self.in_scope(name, "special")
        if i >= 0:
            self.pop_to(i)


def _self_closing(attrs: str) -> bool:
    """Does a tag's attribute text end in the self-closing flag ("/" read outside a value)?"""
    if not attrs.endswith("/"):
        return False
    last = ""
    for m in _ATTR_PIECE.finditer(attrs):
        if m.group(0):
            last = m.group(0)
    return last[-1:] == "/" and last.strip(_WS + "/") == ""


def _raw_end(html: str, i: int, name: str) -> int:
    """Where the content of a <script> or a raw-text element (style, textarea, …) that starts
    at `i` ends: its end tag, else the end of the page."""
    if name == "script":
        e = _script_end(html, i)
    else:
        r = _RAW_END[name].search(html, i)
        e = r.start() if r else -1
    return e if e >= 0 else len(html)


def bound_nesting(html: str, max_depth: int = MAX_DEPTH) -> str:
    """The page with its tags removed from where its elements nest deeper than max_depth
    (their text kept, the content of a script or style dropped with it); the same string
    when they never do. Linear in the length of the page."""
    st = _Stack()
    out: list[str] = []   # only used once something is removed
    done = 0              # html[:done] is in out
    flat = False          # past max_depth: every tag is removed
    n = len(html)
    i = 0
    while i < n:
        lt = html.find("<", i)
        if lt < 0 or lt + 1 >= n:
            break
        c = html[lt + 1]
        skip = -1  # end of a comment, doctype, processing instruction or bogus comment
        if c == "!":
            if html.startswith("<!--", lt):
                if html.startswith("<!-->", lt) or html.startswith("<!--->", lt):
                    skip = html.index(">", lt) + 1
                else:
                    ends = [e + len(t) for t, e in (("-->", html.find("-->", lt + 4)), ("--!>", html.find("--!>", lt + 4))) if e >= 0]
                    skip = min(ends) if ends else n
            elif html.startswith("<![CDATA[", lt) and not flat and st.names and st.ns[-1] != "h":
                e = html.find("]]>", lt + 9)
                skip = e + 3 if e >= 0 else n
            else:
                e = html.find(">", lt + 2)
                skip = e + 1 if e >= 0 else n
        elif c == "?":
            e = html.find(">", lt + 2)
            skip = e + 1 if e >= 0 else n
        elif c == "/":
            if lt + 2 >= n:
                break
            d = html[lt + 2]
            if d == ">":
                skip = lt + 3
            elif not (d.isascii() and d.isalpha()):
                e = html.find(">", lt + 2)
                skip = e + 1 if e >= 0 else n
        elif not (c.isascii() and c.isalpha()):
            i = lt + 1  # a "<" that starts no tag is text
            continue
        if skip >= 0:
            if flat:
                out.append(html[done:lt])
                done = skip
            i = skip
            continue
        m = _TAG.match(html, lt)
        if not m.group(4):
            if flat:
                out.append(html[done:lt])
                done = n
            break  # a tag cut off by the end of the file: the tokenizer drops it
        name = m.group(2).lower()
        i = m.end()
        if flat:
            out.append(html[done:lt])
            out.append("" if name in INLINE else " ")
            done = i
            if m.group(1):
                continue
            if name == "script" or name in RAWTEXT:  # their content goes with them
                i = done = _raw_end(html, i, name)
            continue
        if m.group(1):
            st.end(name)
            continue
        if name in FORMATTING and (len(st.fmt) >= MAX_FORMATTING or st.depth() >= max_depth - RESERVE):
            out.append(html[done:lt])  # only this tag goes (it wraps text, nothing more), before
            done = i                   # it acts on anything (a breakout from SVG, say)
            continue
        content = name in CONTENT
        if not st.try_start(name, m.group(3), max_depth if content else max_depth - RESERVE, content):
            # past the depth, the tag goes alone (its text and the tags that close something
            # stay: the items after a deep part still come out); a block still ends the text
            # before it: a <p> in its place (the next one closes it)
            out.append(html[done:lt])
            done = i
            if name in INLINE or name == "script" or name in RAWTEXT:
                out.append("")
            elif st.try_start("p", "", max_depth + 1, True):  # one level above any other
                out.append("<p>")
            else:
                out.append(" ")
            if name == "script" or name in RAWTEXT:  # its content goes with it
                i = done = _raw_end(html, i, name)
            continue
        elif st.depth() > max_depth + SLACK:
            flat = True
            out.append(html[done:lt])
            out.append("" if name in INLINE else " ")
            done = i
            if name == "plaintext" or name not in RAWTEXT and name != "script":
                continue
        elif name == "plaintext":
            break
        if (name == "script" or name in RAWTEXT) and (flat or not (st.names and st.ns[-1] != "h")):
            if name == "script":
                e = _script_end(html, i)
            else:
                r = _RAW_END[name].search(html, i)
                e = r.start() if r else -1
            if e < 0:
                if flat:
                    done = n
                break
            i = e
            if flat:
                done = e
    if not out and done == 0:
        return html
    out.append(html[done:])
    return "".join(out)

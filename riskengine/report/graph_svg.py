"""The exposure graph as SVG, laid out on the server without a script library (pure text).

Layout: one column per layer (hops from the entity in the drawing, ``graph_select``), the
entity on the left; in a column, parties follow the order of the parties that introduced
them, then ``graph_select``'s rank (evidence paths, blocked, name), so the same inputs give
the same bytes. A party with ties left out gets a dashed "+N more" box in the next column.
Ties on the score's paths are drawn red, thicker the more points they carry; the ties of
the strongest contribution are marked ``strongest``. Blocked parties are red, possibly
blocked ones amber, with the regimes and statuses written on them. Every element carries
``data-`` attributes (entity and fact ids) so that tests and pages can find them.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from riskengine.report.graph_select import Party, Selection
from riskengine.report.ties import DrawnTie

BOX_W, BOX_H, COL_GAP, ROW_GAP, MARGIN = 250, 70, 200, 40, 24
ARC_ROOM = 230  # right of the last column: arcs between parties of one column
NAME_CHARS = 34
FONT = "'Noto Sans', 'Noto Sans CJK SC', 'Noto Sans CJK JP', 'DejaVu Sans', sans-serif"
STYLE = (".party rect{fill:#f8fafc;stroke:#475467;stroke-width:1.2}"
         ".party.blocked rect{fill:#fde2e1;stroke:#b42318}"
         ".party.possibly rect{fill:#fff4e0;stroke:#b54708}"
         ".party.focus rect{stroke:#1d4ed8;stroke-width:3}"
         ".more rect{fill:#fff;stroke:#667085;stroke-dasharray:4 3}"
         ".tie path{fill:none;stroke:#98a2b3;stroke-width:1.2}"
         ".tie.on-path path{stroke:#b42318}"
         ".tie text,.party text,.more text{fill:#101828}"
         "text{font-size:12px}.name{font-weight:600}.marks{font-size:11px}"
         ".label{font-size:11px;fill:#344054}")


@dataclass(frozen=True)
class Box:
    """Where a party (or a "+N more" box, ``more`` > 0 and ``id`` of its party) is drawn."""

    id: str
    x: int
    y: int
    more: int = 0


def layout(sel: Selection) -> tuple[dict[str, Box], list[Box]]:
    """Parties' boxes by entity id, and the "+N more" boxes."""
    columns: dict[int, list[Party | Box]] = {}
    order = {p.index: k for k, p in enumerate(sel.parties)}
    row_of: dict[int, int] = {}
    for p in sorted(sel.parties, key=lambda p: (p.layer, _parent_row(p, row_of), order[p.index])):
        column = columns.setdefault(p.layer, [])
        row_of[p.index] = len(column)
        column.append(p)
    for p in sel.parties:
        if p.more:
            columns.setdefault(p.layer + 1, []).append(Box(p.id, 0, 0, p.more))
    boxes, mores = {}, []
    tallest = max((len(c) for c in columns.values()), default=1)
    for layer, column in sorted(columns.items()):
        shift = (tallest - len(column)) * (BOX_H + ROW_GAP) // 2  # columns centred
        for row, item in enumerate(column):
            x = MARGIN + layer * (BOX_W + COL_GAP)
            y = MARGIN + shift + row * (BOX_H + ROW_GAP)
            if isinstance(item, Box):
                mores.append(Box(item.id, x, y, item.more))
            else:
                boxes[item.id] = Box(item.id, x, y)
    return boxes, mores


def _parent_row(p: Party, row_of: dict[int, int]) -> int:
    return -1 if p.via is None else row_of.get(p.via, -1)


def render(sel: Selection, ties: tuple[DrawnTie, ...], weights: dict[str, float],
           title: str) -> str:
    """The SVG document of a selection, its drawn ties and their path weights."""
    boxes, mores = layout(sel)
    width = max([b.x for b in [*boxes.values(), *mores]] + [0]) + BOX_W + ARC_ROOM
    height = max([b.y for b in [*boxes.values(), *mores]] + [0]) + BOX_H + MARGIN
    top = max(weights.values(), default=0.0)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="exposure-graph" '
             f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
             f'font-family="{FONT}" role="img" aria-labelledby="graph-title">',
             f'<title id="graph-title">{escape(title)}</title>', f"<style>{STYLE}</style>",
             _marker()]
    parts += _ties(ties, boxes, weights, top)
    parts += [_party(p, boxes[p.id], p.index == sel.focus) for p in sel.parties]
    parts += [_more(m, boxes[m.id]) for m in mores]
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _marker() -> str:
    return ('<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" '
            'markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" orient="auto">'
            '<path d="M0,0 L10,5 L0,10 z" fill="#475467"/></marker></defs>')


def _short(text: str, most: int = NAME_CHARS) -> str:
    return text if len(text) <= most else text[:most - 1] + "…"


def _lines(name: str) -> list[str]:
    """A name on at most two lines of ``NAME_CHARS`` (broken at a space where one is)."""
    if len(name) <= NAME_CHARS:
        return [name]
    cut = name.rfind(" ", 0, NAME_CHARS + 1)
    cut = cut if cut > NAME_CHARS // 2 else NAME_CHARS
    return [name[:cut].rstrip(), _short(name[cut:].strip())]


def _marks(p: Party) -> str:
    by_status: dict[str, list[str]] = {}
    for code, status in p.status:
        by_status.setdefault(status, []).append(code.upper())
    found = [f"{status}: {' '.join(codes)}" for status, codes in by_status.items()]
    if p.possibly:
        found.append("possibly: " + " ".join(c.upper() for c in p.possibly))
    return " · ".join(found)


def _party(p: Party, box: Box, focus: bool) -> str:
    kind = "blocked" if p.status else "possibly" if p.possibly else "clear"
    classes = f"party {kind}" + (" focus" if focus else "")
    regimes = " ".join(code for code, _ in p.status)
    return (f'<g class="{classes}" data-id={quoteattr(p.id)} data-blocked="{regimes}">'
            f"<title>{escape(f'{p.name} ({p.id})')}</title>"
            f'<rect x="{box.x}" y="{box.y}" width="{BOX_W}" height="{BOX_H}" rx="6"/>'
            + "".join(f'<text class="name" x="{box.x + 10}" y="{box.y + 20 + 16 * k}">'
                      f"{escape(line)}</text>" for k, line in enumerate(_lines(p.name)))
            + f'<text class="marks" x="{box.x + 10}" y="{box.y + 58}">'
            f"{escape(_short(_marks(p) or 'not blocked', 36))}</text></g>")


def _more(m: Box, parent: Box) -> str:
    y = m.y + BOX_H // 2
    return (f'<g class="more" data-of={quoteattr(m.id)} data-count="{m.more}">'
            f'<path d="M{parent.x + BOX_W},{parent.y + BOX_H // 2} L{m.x},{y}" fill="none" '
            f'stroke="#667085" stroke-dasharray="4 3"/>'
            f'<rect x="{m.x}" y="{m.y + 12}" width="{BOX_W}" height="{BOX_H - 24}" rx="17"/>'
            f'<text x="{m.x + 12}" y="{y + 4}">+{m.more} more</text></g>')


def _ties(ties: tuple[DrawnTie, ...], boxes: dict[str, Box], weights: dict[str, float],
          top: float) -> list[str]:
    seen: dict[frozenset[str], int] = {}
    out = []
    for t in ties:
        pair = frozenset((t.src, t.dst))
        nth = seen.get(pair, 0)
        seen[pair] = nth + 1
        out.append(_tie(t, boxes[t.src], boxes[t.dst], nth, weights.get(t.id), top))
    return out


def _ends(a: Box, b: Box, nth: int) -> tuple[str, int, int, str]:
    """The path of a tie from box ``a`` to box ``b``, where its label goes and its anchor:
    beside the box farther right (one box per row there: labels do not collide)."""
    ya, yb = a.y + BOX_H // 2 + 8 * nth, b.y + BOX_H // 2 + 8 * nth
    if a.x == b.x:  # same column: an arc on the right
        xa, bend = a.x + BOX_W, a.x + BOX_W + 50 + 20 * nth
        return (f"M{xa},{ya} C{bend},{ya} {bend},{yb} {xa},{yb}", bend + 4,
                (ya + yb) // 2, "start")
    left, right = (a, b) if a.x < b.x else (b, a)
    x1, x2 = left.x + BOX_W, right.x
    mid = (x1 + x2) // 2
    start, end = ((x1, ya), (x2, yb)) if a is left else ((x2, ya), (x1, yb))
    label_y = (yb if a is left else ya) - 10
    return (f"M{start[0]},{start[1]} C{mid},{start[1]} {mid},{end[1]} {end[0]},{end[1]}",
            x2 - 8, label_y, "end")


def _tie(t: DrawnTie, a: Box, b: Box, nth: int, weight: float | None, top: float) -> str:
    path, lx, ly, anchor = _ends(a, b, nth)
    on_path = weight is not None
    strongest = on_path and top > 0 and weight == top
    width = 1.2 if weight is None else 2 + (3 * weight / top if top else 0)
    classes = "tie" + (" on-path" if on_path else "") + (" strongest" if strongest else "")
    ly -= 32 * nth
    return (f'<g class="{classes}" data-id={quoteattr(t.id)} data-from={quoteattr(t.src)} '
            f'data-to={quoteattr(t.dst)} data-family="{t.family}">'
            f"<title>{escape(f'{t.label}, {t.dates}; source: {t.source}')}</title>"
            f'<path d="{path}" style="stroke-width:{width:.1f}" marker-end="url(#arrow)"/>'
            f'<text class="label" x="{lx}" y="{ly - 13}" text-anchor="{anchor}">'
            f"{escape(_short(t.label, 40))}</text>"
            f'<text class="label" x="{lx}" y="{ly}" text-anchor="{anchor}">'
            f"{escape(t.dates)}</text></g>")


def exposure_svg(sel: Selection, ties: tuple[DrawnTie, ...], weights: dict[str, float],
                 entity_name: str, as_of: str) -> str:
    """The drawing with its accessible title."""
    return render(sel, ties, weights, f"Exposure graph of {entity_name} as of {as_of}: "
                                      f"{len(sel.parties)} parties, {len(ties)} ties")

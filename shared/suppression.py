"""Which cells of a table of counts may not be shown (docs/figures.md, "Nobody can be picked out").

A cell counting 1 to `smallest - 1` people is hidden (primary suppression). So that no hidden cell
can be worked out from what is shown, every *line* — cells that add up to a shown total, such as a
row of groups and its total, or the parts of a figure and the figure — must then hide either
nothing, or at least two cells that together count at least `smallest`; where it does not, the
smallest other cell of the line is hidden too (complementary suppression), and so on until every
line holds. Pure: no database, no clock.
"""

from __future__ import annotations

from typing import Hashable, Iterable, Mapping, NamedTuple, Sequence

Cell = Hashable


class Line(NamedTuple):
    """Cells `members` that add up to the cell `total`."""

    members: Sequence[Cell]
    total: Cell


def hidden_cells(
    values: Mapping[Cell, int], lines: Iterable[Line], smallest: int, *,
    unshown: Iterable[Cell] = (), public: Iterable[Cell] = (), hidden: Iterable[Cell] = (),
) -> set[Cell]:
    """The cells to hide. `unshown` cells are never shown as such (a remainder a reader could
    work out: a whole minus its parts), so they are counted but never chosen to hide another;
    `public` cells are shown elsewhere (a cross-tab's margin is a one-way table's figure), so
    hiding them here would protect nothing; `hidden` cells are hidden from the start."""
    lines = list(lines)
    public = set(public)
    changed = True
    while changed:  # what public cells give away is public too: a line's last member, from its public total
        changed = False
        for line in lines:
            rest = [cell for cell in line.members if cell not in public]
            if line.total in public and len(rest) == 1:
                public.add(rest[0])
                changed = True
    unshown = set(unshown) | public
    hidden = {cell for cell, value in values.items() if 0 < value < smallest} | set(hidden)
    changed = True
    while changed:
        changed = False
        for line in lines:
            cells = [*line.members, line.total]
            unknown = [cell for cell in cells if cell in hidden]
            if not unknown:
                continue
            guessable = len(unknown) == 1 or (line.total not in hidden and 0 < sum(values[cell] for cell in unknown) < smallest)
            if not guessable:
                continue
            extra = _complement(values, line, hidden, unshown)
            if extra is not None:
                hidden.add(extra)
                changed = True
    return hidden


def _complement(values: Mapping[Cell, int], line: Line, hidden: set[Cell], unshown: set[Cell]) -> Cell | None:
    """The cell to hide beside a line's hidden ones: its smallest shown member counting someone,
    else a shown member of none, else its total."""
    shown = [cell for cell in line.members if cell not in hidden and cell not in unshown]
    counting = [cell for cell in shown if values[cell] > 0]
    if counting:
        return min(counting, key=lambda cell: (values[cell], str(cell)))
    if shown:
        return min(shown, key=str)
    if line.total not in hidden and line.total not in unshown:
        return line.total
    return None

"""The dynamic enterprise safety code (企业安全码) and the regional four-colour map (四色动态风险图): pure rules.

Scheme `SCHEME_VERSION` = 1 of the enterprise colour. Every rule reads one input; a rule adds points to a score
and/or sets the least colour the enterprise can have (一票否决). The colour is the worse of the score's band and
every least colour; the reasons list each rule that fired with its value, plus the band the score fell in.

| rule                   | input                                                                   | points                                   | colour at least |
|------------------------|-------------------------------------------------------------------------|------------------------------------------|-----------------|
| INHERENT_RISK          | active risk points graded 重大 / 较大 / 一般 / 低                        | 15 / 5 / 1 / 0 each, at most 30 in all   | —               |
| OPEN_MAJOR_HAZARDS     | major hazards (level confirmed) not closed, voided or written off       | 25 each                                  | orange          |
| OVERDUE_MAJOR_HAZARDS  | of those, past their deadline while rectification is owed               | —                                        | red             |
| OVERDUE_HAZARDS        | hazards of any level past their deadline while rectification is owed    | 8 each, at most 32                       | —               |
| TASK_COMPLETION        | inspection tasks done ÷ due, windows ended in the last 30 days,          | below 60 %: 20; 60 % to below 80 %: 10;  | —               |
|                        | counted only when at least 10 were due                                  | 80 % to below 95 %: 5; 95 % and up: 0    |                 |
| CREDIT_GRADE           | the local credit grade (A–D)                                            | C: 10; D: 25; A, B or none: 0            | —               |
| CREDIT_LISTED          | on the serious-dishonesty list (严重失信主体名单) today                      | —                                        | red             |

Score bands (SCORE_BAND): 60 and up red; 35 to 59 orange; 15 to 34 yellow; 0 to 14 blue.

Inherent risk alone never passes yellow (its cap, 30, lies in the yellow band): orange and red always rest on
behaviour — open or overdue hazards, neglected inspections, credit.

Regional rule `REGION_RULE_VERSION` = 1 (grids, towns, districts, the city): going from red towards blue, a region
takes the first colour that is held, together with every worse colour, by at least 20 % of its enterprises. So one
red enterprise in five makes a region red; a region with 15 % red and 10 % orange enterprises is orange. A region
with no enterprises has no colour.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from domain.history.chain import Event, bound, replay_error
from domain.risk.model import Colour

SCHEME_VERSION = 1
REGION_RULE_VERSION = 1

# Worst first; the index is how colours compare.
COLOURS_WORST_FIRST: tuple[Colour, ...] = (Colour.RED, Colour.ORANGE, Colour.YELLOW, Colour.BLUE)

INHERENT_POINTS = {"major": 15, "large": 5, "general": 1, "low": 0}
INHERENT_CAP = 30
OPEN_MAJOR_POINTS = 25
OVERDUE_POINTS, OVERDUE_CAP = 8, 32
TASK_WINDOW_DAYS = 30
MIN_TASKS_DUE = 10
# (completion below this percentage, points), checked in order.
TASK_COMPLETION_POINTS: tuple[tuple[int, int], ...] = ((60, 20), (80, 10), (95, 5))
CREDIT_GRADE_POINTS = {"C": 10, "D": 25}
# (lowest score of the band, colour), worst first.
SCORE_BANDS: tuple[tuple[int, Colour], ...] = (
    (60, Colour.RED),
    (35, Colour.ORANGE),
    (15, Colour.YELLOW),
    (0, Colour.BLUE),
)
REGION_SHARE = Fraction(1, 5)


@dataclass(frozen=True, slots=True)
class SafetyInputs:
    """What the scheme reads of one enterprise at one moment."""

    major_points: int = 0
    large_points: int = 0
    general_points: int = 0
    low_points: int = 0
    open_major_hazards: int = 0
    overdue_major_hazards: int = 0
    overdue_hazards: int = 0
    tasks_due: int = 0
    tasks_done: int = 0
    credit_listed: bool = False
    credit_grade: str | None = None
    credit_basis: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Reason:
    """One rule that fired: its code, the value it read, the points it added and the least colour it set."""

    rule: str
    value: str
    points: int = 0
    at_least: Colour | None = None


@dataclass(frozen=True, slots=True)
class SafetyCodeResult:
    """The colour, the score and the reasons, under the scheme version that computed them."""

    colour: Colour
    score: int
    reasons: tuple[Reason, ...]
    scheme_version: int = SCHEME_VERSION


def worse(a: Colour, b: Colour) -> Colour:
    """The worse (redder) of two colours."""
    return a if COLOURS_WORST_FIRST.index(Colour(a)) <= COLOURS_WORST_FIRST.index(Colour(b)) else b


def band_of(score: int) -> Colour:
    """The colour of a score's band."""
    return next(colour for lowest, colour in SCORE_BANDS if score >= lowest)


def _inherent(inputs: SafetyInputs) -> Reason | None:
    counts = {
        "major": inputs.major_points,
        "large": inputs.large_points,
        "general": inputs.general_points,
        "low": inputs.low_points,
    }
    points = min(INHERENT_CAP, sum(INHERENT_POINTS[level] * n for level, n in counts.items()))
    if not points:
        return None
    return Reason("INHERENT_RISK", " ".join(f"{level}:{n}" for level, n in counts.items()), points)


def _task_completion(inputs: SafetyInputs) -> Reason | None:
    if inputs.tasks_due < MIN_TASKS_DUE:
        return None
    # Integer arithmetic, so a boundary like exactly 80 % falls in the band the table says.
    points = next((p for below, p in TASK_COMPLETION_POINTS if inputs.tasks_done * 100 < below * inputs.tasks_due), 0)
    return Reason("TASK_COMPLETION", f"{inputs.tasks_done}/{inputs.tasks_due}", points) if points else None


def _rules(inputs: SafetyInputs) -> list[Reason | None]:
    grade_points = CREDIT_GRADE_POINTS.get(inputs.credit_grade or "", 0)
    return [
        _inherent(inputs),
        Reason(
            "OPEN_MAJOR_HAZARDS",
            str(inputs.open_major_hazards),
            OPEN_MAJOR_POINTS * inputs.open_major_hazards,
            Colour.ORANGE,
        )
        if inputs.open_major_hazards
        else None,
        Reason("OVERDUE_MAJOR_HAZARDS", str(inputs.overdue_major_hazards), 0, Colour.RED)
        if inputs.overdue_major_hazards
        else None,
        Reason(
            "OVERDUE_HAZARDS", str(inputs.overdue_hazards), min(OVERDUE_CAP, OVERDUE_POINTS * inputs.overdue_hazards)
        )
        if inputs.overdue_hazards
        else None,
        _task_completion(inputs),
        Reason("CREDIT_GRADE", inputs.credit_grade or "", grade_points) if grade_points else None,
        Reason("CREDIT_LISTED", "; ".join(inputs.credit_basis) or "listed", 0, Colour.RED)
        if inputs.credit_listed
        else None,
    ]


def score(inputs: SafetyInputs) -> SafetyCodeResult:
    """The enterprise's colour under scheme `SCHEME_VERSION` (the table in this module's docstring)."""
    fired = [reason for reason in _rules(inputs) if reason is not None]
    total = sum(reason.points for reason in fired)
    colour = band_of(total)
    for reason in fired:
        if reason.at_least is not None:
            colour = worse(colour, reason.at_least)
    fired.append(Reason("SCORE_BAND", str(total), 0, band_of(total)))
    return SafetyCodeResult(colour=colour, score=total, reasons=tuple(fired))


def region_colour(counts: Mapping[Colour, int]) -> Colour | None:
    """A region's colour under rule `REGION_RULE_VERSION` from the count of its enterprises of each colour."""
    total = sum(counts.values())
    if total <= 0:
        return None
    held = 0
    for colour in COLOURS_WORST_FIRST:
        held += counts.get(colour, 0)
        if held >= REGION_SHARE * total:
            return colour
    raise AssertionError("blue or worse holds every enterprise")  # pragma: no cover


# ---------------------------------------------------------------------------------------------- replay (verify)


def derive_colour(events: Sequence[Event]) -> dict[str, dict]:
    """The safety-code row an enterprise's colour chain describes (one row, key ""): each change starts from the
    colour the one before ended on, the colour is the last one's, held since that event."""
    colour = None
    for event in events:
        try:
            if event.action != "recolour" or event.payload["from"] != colour:
                raise ValueError(f"a change from {event.payload.get('from')} follows the colour {colour}")
            colour = Colour(event.payload["to"]).value
        except Exception as error:
            raise replay_error(event, error) from None
    last = events[-1]
    return {"": {"colour": colour, "colour_since": last.at} | bound(last)}

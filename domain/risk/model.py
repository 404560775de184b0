"""Risk assessment by LEC or LS with schemes as versioned data, and the cascade of control levels."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Context, Decimal, Inexact, InvalidOperation, Overflow, Rounded, localcontext
from enum import StrEnum

from domain.errors import InvalidInput


class InvalidAssessmentFactor(InvalidInput):
    """A factor is missing, unknown, not a number, or not a value of the scheme's table."""

    code = "ASSESSMENT_FACTOR_INVALID"


class InvalidScheme(InvalidInput):
    """A scheme's factors or bands are inconsistent: a reachable score in no band or in two, or a malformed band."""

    code = "RISK_SCHEME_INVALID"


class Colour(StrEnum):
    """The four colours of risk (blue safest)."""

    RED = "red"
    ORANGE = "orange"
    YELLOW = "yellow"
    BLUE = "blue"


class RiskLevel(StrEnum):
    """The four grades of risk, most severe first."""

    MAJOR = "major"  # 重大风险
    LARGE = "large"  # 较大风险
    GENERAL = "general"  # 一般风险
    LOW = "low"  # 低风险

    @property
    def colour(self) -> Colour:
        """The colour this level is drawn in on cards and maps."""
        return _LEVEL_COLOURS[self]

    @property
    def label_zh(self) -> str:
        """The level's name as the rules write it."""
        return _LEVEL_LABELS[self]

    @property
    def severity(self) -> int:
        """4 for major down to 1 for low, so levels can be compared and aggregated."""
        return _LEVEL_SEVERITY[self]


_LEVEL_COLOURS = {
    RiskLevel.MAJOR: Colour.RED,
    RiskLevel.LARGE: Colour.ORANGE,
    RiskLevel.GENERAL: Colour.YELLOW,
    RiskLevel.LOW: Colour.BLUE,
}
_LEVEL_LABELS = {
    RiskLevel.MAJOR: "重大风险",
    RiskLevel.LARGE: "较大风险",
    RiskLevel.GENERAL: "一般风险",
    RiskLevel.LOW: "低风险",
}
_LEVEL_SEVERITY = {RiskLevel.MAJOR: 4, RiskLevel.LARGE: 3, RiskLevel.GENERAL: 2, RiskLevel.LOW: 1}


class ControlLevel(StrEnum):
    """The organisational levels that control risks, highest first."""

    COMPANY = "company"  # 公司
    DEPARTMENT = "department"  # 部门
    WORKSHOP = "workshop"  # 车间
    TEAM = "team"  # 班组
    POST = "post"  # 岗位

    @property
    def label_zh(self) -> str:
        """The level's name as enterprises write it."""
        return _CONTROL_LABELS[self]


_CONTROL_LABELS = {
    ControlLevel.COMPANY: "公司",
    ControlLevel.DEPARTMENT: "部门",
    ControlLevel.WORKSHOP: "车间",
    ControlLevel.TEAM: "班组",
    ControlLevel.POST: "岗位",
}
# Declaration order is the hierarchy; kept as a tuple so "below" is an index comparison, not a second table.
CONTROL_LEVELS: tuple[ControlLevel, ...] = tuple(ControlLevel)

TYPICAL_CONTROL_LEVELS: tuple[tuple[RiskLevel, ControlLevel], ...] = (
    (RiskLevel.MAJOR, ControlLevel.COMPANY),
    (RiskLevel.LARGE, ControlLevel.DEPARTMENT),
    (RiskLevel.GENERAL, ControlLevel.WORKSHOP),
    (RiskLevel.LOW, ControlLevel.TEAM),
)


def controlled_at(level: ControlLevel) -> list[ControlLevel]:
    """The levels a risk controlled at `level` is controlled at: that level and every level below it."""
    return list(CONTROL_LEVELS[CONTROL_LEVELS.index(ControlLevel(level)) :])


class Method(StrEnum):
    """The assessment methods: LEC (D = L × E × C) and the LS risk matrix (R = L × S)."""

    LEC = "LEC"
    LS = "LS"


METHOD_FACTORS: Mapping[Method, tuple[str, ...]] = {Method.LEC: ("L", "E", "C"), Method.LS: ("L", "S")}
METHOD_SCORE_SYMBOL: Mapping[Method, str] = {Method.LEC: "D", Method.LS: "R"}


@dataclass(frozen=True, slots=True)
class FactorOption:
    """One allowed value of a factor, with the words an assessor chooses it by."""

    value: Decimal
    label_zh: str = ""


@dataclass(frozen=True, slots=True)
class Factor:
    """A factor of a method (L, E, C or S) and the values its table allows."""

    name: str
    label_zh: str
    options: tuple[FactorOption, ...]

    @property
    def values(self) -> tuple[Decimal, ...]:
        """The allowed values, in table order."""
        return tuple(option.value for option in self.options)


@dataclass(frozen=True, slots=True)
class Band:
    """A score interval graded at one level; `upper` None means unbounded above."""

    level: RiskLevel
    lower: Decimal
    lower_inclusive: bool
    upper: Decimal | None
    upper_inclusive: bool

    def contains(self, score: Decimal) -> bool:
        """Whether `score` falls in this band, honouring each bound's inclusiveness."""
        above_lower = score >= self.lower if self.lower_inclusive else score > self.lower
        if not above_lower:
            return False
        if self.upper is None:
            return True
        return score <= self.upper if self.upper_inclusive else score < self.upper

    def describe(self, symbol: str = "D") -> str:
        """The band as the rules write it, e.g. '160 < D ≤ 320'."""
        lower = f"{self.lower} {'≤' if self.lower_inclusive else '<'} {symbol}"
        if self.upper is None:
            return lower
        return f"{lower} {'≤' if self.upper_inclusive else '<'} {self.upper}"


@dataclass(frozen=True, slots=True)
class Scheme:
    """A versioned assessment scheme: method, factor tables, bands and the control level of each risk level."""

    id: str
    version: int
    method: Method
    name: str
    edition: str
    effective: date
    factors: tuple[Factor, ...]
    bands: tuple[Band, ...]
    control_levels: tuple[tuple[RiskLevel, ControlLevel], ...] = TYPICAL_CONTROL_LEVELS

    @property
    def score_symbol(self) -> str:
        """D for LEC, R for LS."""
        return METHOD_SCORE_SYMBOL[self.method]

    def control_level_of(self, level: RiskLevel) -> ControlLevel:
        """The highest level that must control a risk of `level` under this scheme."""
        for risk_level, control_level in self.control_levels:
            if risk_level == level:
                return control_level
        raise InvalidScheme(
            f"scheme {self.id} v{self.version} gives no control level for {level}",
            reason="control_levels",
            scheme_id=self.id,
            scheme_version=self.version,
            level=str(level),
        )


@dataclass(frozen=True, slots=True)
class Assessment:
    """The result of assessing a risk: the scheme and raw factors it came from, the exact score and its grade."""

    method: Method
    scheme_id: str
    scheme_version: int
    factors: dict[str, Decimal]
    score: Decimal
    level: RiskLevel
    colour: Colour
    min_control_level: ControlLevel

    @property
    def controlled_at(self) -> list[ControlLevel]:
        """Every level this risk is controlled at: its control level and all below."""
        return controlled_at(self.min_control_level)


def _d(text: str) -> Decimal:
    return Decimal(text)


def _options(*pairs: tuple[str, str]) -> tuple[FactorOption, ...]:
    return tuple(FactorOption(_d(value), label) for value, label in pairs)


def _band(level: RiskLevel, lower: str, lower_inclusive: bool, upper: str | None, upper_inclusive: bool) -> Band:
    return Band(level, _d(lower), lower_inclusive, None if upper is None else _d(upper), upper_inclusive)


_LEC_FACTORS = (
    Factor(
        "L",
        "事故发生的可能性",
        _options(
            ("10", "完全可以预料"),
            ("6", "相当可能"),
            ("3", "可能，但不经常"),
            ("1", "可能性小，完全意外"),
            ("0.5", "很不可能，可以设想"),
            ("0.2", "极不可能"),
            ("0.1", "实际不可能"),
        ),
    ),
    Factor(
        "E",
        "暴露于危险环境的频繁程度",
        _options(
            ("10", "连续暴露"),
            ("6", "每天工作时间内暴露"),
            ("3", "每周一次或偶然暴露"),
            ("2", "每月一次暴露"),
            ("1", "每年几次暴露"),
            ("0.5", "非常罕见地暴露"),
        ),
    ),
    Factor(
        "C",
        "发生事故产生的后果",
        _options(
            ("100", "大灾难，许多人死亡"),
            ("40", "灾难，数人死亡"),
            ("15", "非常严重，一人死亡"),
            ("7", "严重，重伤"),
            ("3", "重大，致残"),
            ("1", "引人注目，需要救护"),
        ),
    ),
)
# The rules give no words for the LS grades and local guides word them differently, so the seed leaves them blank.
_LS_FACTORS = (
    Factor("L", "可能性", _options(*((str(n), "") for n in range(1, 6)))),
    Factor("S", "严重性", _options(*((str(n), "") for n in range(1, 6)))),
)

# The seeds are common practice rather than one dated edition, so their effective date is only a floor.
_SEED_EFFECTIVE = date(2000, 1, 1)

LEC_USUAL = Scheme(
    id="lec-usual",
    version=1,
    method=Method.LEC,
    name="LEC 作业条件危险性评价法（常用分级）",
    edition="常用：D > 320 重大；160 < D ≤ 320 较大；70 < D ≤ 160 一般；D ≤ 70 低",
    effective=_SEED_EFFECTIVE,
    factors=_LEC_FACTORS,
    bands=(
        _band(RiskLevel.MAJOR, "320", False, None, False),
        _band(RiskLevel.LARGE, "160", False, "320", True),
        _band(RiskLevel.GENERAL, "70", False, "160", True),
        _band(RiskLevel.LOW, "0", True, "70", True),
    ),
)

LEC_BOUNDARY_UP = Scheme(
    id="lec-boundary-up",
    version=1,
    method=Method.LEC,
    name="LEC 作业条件危险性评价法（分界值归高一级）",
    edition="变体：D ≥ 320 重大；160 ≤ D < 320 较大；70 ≤ D < 160 一般；D < 70 低",
    effective=_SEED_EFFECTIVE,
    factors=_LEC_FACTORS,
    bands=(
        _band(RiskLevel.MAJOR, "320", True, None, False),
        _band(RiskLevel.LARGE, "160", True, "320", False),
        _band(RiskLevel.GENERAL, "70", True, "160", False),
        _band(RiskLevel.LOW, "0", True, "70", False),
    ),
)

LS_USUAL = Scheme(
    id="ls-usual",
    version=1,
    method=Method.LS,
    name="LS 风险矩阵法（常用分级）",
    edition="常用：20–25 重大；15–16 较大；9–12 一般；1–8 低",
    effective=_SEED_EFFECTIVE,
    factors=_LS_FACTORS,
    bands=(
        _band(RiskLevel.MAJOR, "20", True, "25", True),
        _band(RiskLevel.LARGE, "15", True, "16", True),
        _band(RiskLevel.GENERAL, "9", True, "12", True),
        _band(RiskLevel.LOW, "1", True, "8", True),
    ),
)

LS_VARIANT = Scheme(
    id="ls-variant",
    version=1,
    method=Method.LS,
    name="LS 风险矩阵法（变体分级）",
    edition="变体：20–25 重大；9–16 较大；4–8 一般；1–3 低",
    effective=_SEED_EFFECTIVE,
    factors=_LS_FACTORS,
    bands=(
        _band(RiskLevel.MAJOR, "20", True, "25", True),
        _band(RiskLevel.LARGE, "9", True, "16", True),
        _band(RiskLevel.GENERAL, "4", True, "8", True),
        _band(RiskLevel.LOW, "1", True, "3", True),
    ),
)

SEED_SCHEMES: tuple[Scheme, ...] = (LEC_USUAL, LEC_BOUNDARY_UP, LS_USUAL, LS_VARIANT)


# Every factor value has at most a few significant digits, so a product can never need rounding; trapping
# Inexact and Rounded turns any future table that would need it into an error instead of a silently rounded score.
_EXACT = Context(prec=60, traps=[InvalidOperation, Inexact, Rounded, Overflow])


def _canonical(value: Decimal) -> Decimal:
    """One spelling per number (5.0 → 5, 0.050 → 0.05), so equal scores store and compare as equal text."""
    integral = value.to_integral_value()
    return integral if integral == value else value.normalize(context=_EXACT)


def _product(values: tuple[Decimal, ...]) -> Decimal:
    with localcontext(_EXACT):
        result = Decimal(1)
        for value in values:
            result *= value
    return _canonical(result)


def reachable_scores(scheme: Scheme) -> list[Decimal]:
    """Every score the scheme's factor tables can produce, ascending and without repeats."""
    return sorted({_product(combination) for combination in itertools.product(*(f.values for f in scheme.factors))})


def _bands_containing(scheme: Scheme, score: Decimal) -> list[Band]:
    return [band for band in scheme.bands if band.contains(score)]


def grade(scheme: Scheme, score: Decimal) -> RiskLevel:
    """The level of `score` under the scheme's bands; the score need not be reachable from the factor tables."""
    bands = _bands_containing(scheme, score)
    if len(bands) != 1:
        raise InvalidScheme(
            f"score {score} falls in {len(bands)} bands of scheme {scheme.id} v{scheme.version}",
            reason="gap" if not bands else "overlap",
            scheme_id=scheme.id,
            scheme_version=scheme.version,
            score=str(score),
        )
    return bands[0].level


def check_scheme(scheme: Scheme) -> Scheme:
    """Return the scheme if it is consistent, else raise InvalidScheme saying what is wrong (params['reason'])."""

    def fail(detail: str, reason: str, **params: object) -> InvalidScheme:
        return InvalidScheme(
            f"scheme {scheme.id} v{scheme.version}: {detail}",
            reason=reason,
            scheme_id=scheme.id,
            scheme_version=scheme.version,
            **params,
        )

    try:
        method = Method(scheme.method)
    except ValueError:
        raise fail(f"unknown method {scheme.method!r}", "method") from None
    expected_names = METHOD_FACTORS[method]
    names = tuple(factor.name for factor in scheme.factors)
    if names != expected_names:
        raise fail(f"{method} needs factors {expected_names}, got {names}", "factors")
    for factor in scheme.factors:
        values = factor.values
        if not values:
            raise fail(f"factor {factor.name} allows no value", "factor_values", factor=factor.name)
        if len(set(values)) != len(values):
            raise fail(f"factor {factor.name} lists a value twice", "factor_values", factor=factor.name)
        for value in values:
            if not isinstance(value, Decimal) or not value.is_finite() or value <= 0:
                raise fail(f"factor {factor.name} allows {value!r}", "factor_values", factor=factor.name)

    if not scheme.bands:
        raise fail("has no bands", "band")
    for band in scheme.bands:
        bounds = (band.lower,) if band.upper is None else (band.lower, band.upper)
        if not all(isinstance(bound, Decimal) and bound.is_finite() for bound in bounds):
            raise fail(f"band {band} has a bound that is not a finite Decimal", "band")
        if band.upper is None and band.upper_inclusive:
            raise fail(f"band {band} is unbounded above yet inclusive there", "band")
        if band.upper is not None and (
            band.upper < band.lower
            or (band.upper == band.lower and not (band.lower_inclusive and band.upper_inclusive))
        ):
            raise fail(f"band {band.describe(scheme.score_symbol)} is empty", "band")

    mapped = [risk_level for risk_level, _ in scheme.control_levels]
    if sorted(mapped) != sorted(RiskLevel):
        raise fail("must give exactly one control level per risk level", "control_levels")

    previous: RiskLevel | None = None
    for score in reachable_scores(scheme):
        bands = _bands_containing(scheme, score)
        if not bands:
            raise fail(f"score {score} falls in no band", "gap", score=str(score))
        if len(bands) > 1:
            levels = [str(band.level) for band in bands]
            raise fail(f"score {score} falls in several bands {levels}", "overlap", score=str(score), levels=levels)
        level = bands[0].level
        # A higher score graded lower is always a typing slip in the bands, never a real scheme.
        if previous is not None and level.severity < previous.severity:
            raise fail(f"score {score} is graded {level}, below a lower score's {previous}", "order", score=str(score))
        previous = level
    return scheme


def _parse_factor(name: str, raw: object) -> Decimal:
    if isinstance(raw, (bool, float)):
        # Floats cannot hold 0.1 or 0.2 exactly; the wire layer must hand over text or Decimal.
        raise InvalidAssessmentFactor(
            f"factor {name} must be given exactly (a decimal string or Decimal), not {type(raw).__name__}",
            reason="type",
            factor=name,
        )
    if isinstance(raw, Decimal):
        value = raw
    elif isinstance(raw, int):
        value = Decimal(raw)
    elif isinstance(raw, str):
        try:
            value = Decimal(raw.strip())
        except (InvalidOperation, ValueError):
            raise InvalidAssessmentFactor(
                f"factor {name} is not a number: {raw[:40]!r}", reason="not_a_number", factor=name
            ) from None
    else:
        raise InvalidAssessmentFactor(
            f"factor {name} must be a number, got {type(raw).__name__}", reason="type", factor=name
        )
    if not value.is_finite():
        raise InvalidAssessmentFactor(f"factor {name} is not a finite number", reason="not_a_number", factor=name)
    return value


def assess(scheme: Scheme, factors: Mapping[str, Decimal | str | int]) -> Assessment:
    """Grade a risk: check each factor against the scheme's table, multiply exactly, find the band."""
    expected = [factor.name for factor in scheme.factors]
    unknown = sorted(set(factors) - set(expected), key=str)
    if unknown:
        raise InvalidAssessmentFactor(
            f"{scheme.method} takes factors {', '.join(expected)}; unknown: {', '.join(map(str, unknown))}",
            reason="unknown_factor",
            factors=[str(name) for name in unknown],
            expected=expected,
        )
    missing = [name for name in expected if name not in factors]
    if missing:
        raise InvalidAssessmentFactor(
            f"{scheme.method} needs factors {', '.join(expected)}; missing: {', '.join(missing)}",
            reason="missing_factor",
            factors=missing,
            expected=expected,
        )

    chosen: dict[str, Decimal] = {}
    for factor in scheme.factors:
        value = _parse_factor(factor.name, factors[factor.name])
        # Compare by value so "0.50" and Decimal("0.5") pick the same option, then keep the table's spelling.
        match = next((allowed for allowed in factor.values if allowed == value), None)
        if match is None:
            allowed_text = [str(allowed) for allowed in factor.values]
            raise InvalidAssessmentFactor(
                f"{factor.name} = {value} is not in the table of {scheme.id} v{scheme.version}; "
                f"allowed: {', '.join(allowed_text)}",
                reason="not_allowed",
                factor=factor.name,
                value=str(value),
                allowed=allowed_text,
            )
        chosen[factor.name] = match

    score = _product(tuple(chosen.values()))
    level = grade(scheme, score)
    return Assessment(
        method=scheme.method,
        scheme_id=scheme.id,
        scheme_version=scheme.version,
        factors=chosen,
        score=score,
        level=level,
        colour=level.colour,
        min_control_level=scheme.control_level_of(level),
    )


# --- the points' presence radius and printed codes --------------------------------------------------------------

# A point's own presence radius lies between these (GPS cannot do better than ~10 m; the largest sites span a few km).
MIN_RADIUS_M = 10
MAX_RADIUS_M = 5000


class SubjectKind(StrEnum):
    """What a printed code (and the scan record of a scan of it) stands for."""

    RISK_POINT = "p"
    ENTERPRISE = "e"

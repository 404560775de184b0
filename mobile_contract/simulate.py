"""`shuangfang simulate`: a grid inspector's day played against a running server through the reference client.

The day: sign in; delta-sync the scope into a local cache (enterprises, risk-point cards with their codes and
checklists); walk to risk points with tasks due (a seeded choice); at each, scan the code on the wall (the QR's
content, read as the phone reads it), inspect the checklist, photograph and report what fails; report one more
hazard seen on the way; act on the hazards waiting for this user (confirm a proposed level, accept a rectification)
with If-Match; then lose coverage and scan, photograph, inspect, report and act into a queue file; come back,
upload the photos, replay the queue through the batch, replay it again to show nothing changes, delta-sync again.

Every choice comes from `--seed` and what the server holds; the client ids and opIds carry `--run-id` (by default
the start time), so each day's work is its own. Reusing an id against a server whose state has moved on sends
different work under the same opIds, which the batch refuses per operation (`SYNC_OP_ID_REUSED`).
"""

from __future__ import annotations

import io
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from PIL import Image, ImageDraw

from mobile_contract.client import ApiError, Client, every, qr_token
from mobile_contract.hazards import Accept, ConfirmLevel, Hazard, HazardCreate
from mobile_contract.inspections import InspectionCreate, ResultCreate
from mobile_contract.offline import OfflineQueue
from mobile_contract.sync import (
    HazardCreatePayload,
    HazardTransitionPayload,
    InspectionCreatePayload,
    RiskPointCard,
    ScanPayload,
    SyncOpResult,
    body_of,
)

# Where a point without a position is drawn: the Cengang (岑港) shore of Zhoushan Island.
HOME = (30.07, 122.02)
SOURCES = {"inspector": "grid_inspection", "regulator": "enforcement"}
SIGHTINGS = (
    ("消防通道被货物堵塞", "unsafe_condition"),
    ("动火作业现场无监护人", "unsafe_act"),
    ("可燃气体报警仪未在检定有效期内", "management_defect"),
    ("防雷接地线断开", "unsafe_condition"),
    ("作业人员未佩戴安全帽", "unsafe_act"),
    ("应急器材柜缺少正压式空气呼吸器", "management_defect"),
)
ACTIONS = ("confirmLevel", "accept")  # what the day acts on when the server offers it


def wall_clock() -> datetime:
    """The phone's clock: the real time (tests hand the day their own clock instead)."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class DayPlan:
    """What to play: who, how much, and the seed of every choice."""

    username: str = "inspector1"
    password: str = "Demo@2026"
    seed: int = 1
    run_id: str = "day"
    points: int = 3
    fail_rate: float = 0.4
    max_actions: int = 3
    queue_path: Path = Path("simulate-queue.json")
    device_id: str = "sim-phone"
    # The phone's clock; a test against a server on a test clock passes that same clock, or the server would judge
    # the phone's times as hours off (an inspection "finished in the future").
    clock: Callable[[], datetime] = wall_clock


@dataclass
class DaySummary:
    """What the day did, as the server answered it."""

    user: str = ""
    role: str = ""
    changes_first_sync: Counter = field(default_factory=Counter)
    tasks_due: int = 0
    scans: int = 0
    inspections: int = 0
    items_checked: int = 0
    items_failed: int = 0
    tasks_done: int = 0  # only enterprise staff's inspections do the enterprise's tasks
    photos: int = 0
    hazards: list[str] = field(default_factory=list)
    actions: list[tuple[str, str]] = field(default_factory=list)  # (hazard id, action)
    queued_ops: int = 0
    queued_photos: int = 0
    replay: Counter = field(default_factory=Counter)
    replay_errors: list[str] = field(default_factory=list)
    second_replay_identical: bool = False
    hazards_in_scope_unchanged: bool = False
    changes_after: Counter = field(default_factory=Counter)

    @property
    def completed(self) -> bool:
        """The day got through: worked online, the offline scan, inspection and report applied on return, and the
        replay was idempotent (a queued action may be refused: someone can overtake it while the phone is away)."""
        applied = all(self.replay[f"{kind} ok"] == 1 for kind in ("scan", "inspectionCreate", "hazardCreate"))
        return bool(
            self.user
            and self.inspections
            and applied
            and self.second_replay_identical
            and self.hazards_in_scope_unchanged
        )

    def lines(self) -> list[str]:
        """The summary, printable."""

        def counts(counter: Counter) -> str:
            return ", ".join(f"{n} {kind}" for kind, n in sorted(counter.items())) or "none"

        return [
            f"day of {self.user} ({self.role}): {'COMPLETED' if self.completed else 'NOT COMPLETED'}",
            f"  first delta sync: {counts(self.changes_first_sync)}",
            f"  tasks due in scope: {self.tasks_due}",
            f"  inspections (online and offline): {self.inspections}, {self.items_checked} items checked, "
            f"{self.items_failed} failed, {self.tasks_done} tasks done; online: {self.scans} scans, {self.photos} photos",
            f"  hazards reported (online and offline): {len(self.hazards)}",
            f"  workflow actions taken: {', '.join(a for _, a in self.actions) or 'none'}",
            f"  offline: {self.queued_ops} operations and {self.queued_photos} photos queued",
            f"  replay: {counts(self.replay)}" + "".join(f"\n    refused: {e}" for e in self.replay_errors),
            f"  replayed again: results {'identical' if self.second_replay_identical else 'DIFFERENT'}, hazards in "
            f"scope {'unchanged' if self.hazards_in_scope_unchanged else 'CHANGED'}",
            f"  delta sync after the day: {counts(self.changes_after)}",
        ]


def site_photo(rng: random.Random, label: str, size: tuple[int, int] = (960, 720)) -> bytes:
    """A real JPEG of a made-up site: sky, ground, a tank, pipes and a marked defect, different for every draw."""
    width, height = size
    image = Image.new("RGB", size, (rng.randint(150, 200), rng.randint(190, 220), rng.randint(220, 250)))
    draw = ImageDraw.Draw(image)
    horizon = rng.randint(height // 2, 2 * height // 3)
    draw.rectangle((0, horizon, width, height), fill=(rng.randint(90, 130), rng.randint(90, 120), rng.randint(80, 100)))
    left = rng.randint(40, width // 2)
    top = rng.randint(height // 6, horizon - 80)
    draw.ellipse((left, top - 30, left + 260, top + 30), fill=(200, 200, 205))
    draw.rectangle((left, top, left + 260, horizon), fill=(rng.randint(180, 230),) * 3, outline=(60, 60, 60), width=3)
    for _ in range(rng.randint(2, 5)):
        y = rng.randint(top, height - 20)
        draw.line(
            (0, y, width, y + rng.randint(-40, 40)), fill=(rng.randint(100, 200), 80, 40), width=rng.randint(6, 14)
        )
    x, y = rng.randint(60, width - 120), rng.randint(60, height - 120)
    draw.ellipse((x, y, x + 90, y + 90), outline=(230, 20, 20), width=6)
    draw.text((16, height - 28), label, fill=(255, 255, 255))
    for _ in range(400):  # grain, as a camera sensor gives, so no two photos compress alike
        px, py = rng.randrange(width), rng.randrange(height)
        draw.point((px, py), fill=(rng.randrange(256),) * 3)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=82)
    return buffer.getvalue()


def _position(card: RiskPointCard, rng: random.Random) -> tuple[float, float]:
    point = card.risk_point
    lat, lng = (point.lat, point.lng) if point.lat is not None and point.lng is not None else HOME
    return round(lat + rng.uniform(-2e-4, 2e-4), 6), round(lng + rng.uniform(-2e-4, 2e-4), 6)


class Day:
    """One day's state: the client, the choices, the local cache and what was done."""

    def __init__(self, client: Client, plan: DayPlan, say: Callable[[str], None]) -> None:
        self.client, self.plan, self.say = client, plan, say
        self.rng = random.Random(plan.seed)
        self.summary = DaySummary()
        self.cards: dict[str, RiskPointCard] = {}  # the phone's cache, filled by the delta sync
        self.cursor: str | None = None
        self.counter = 0
        self.offline_actions: dict[str, str] = {}  # opId → the action it queued
        self.me = ""  # the signed-in user's id

    def key(self, kind: str) -> str:
        """The next client id (or opId) of this run."""
        self.counter += 1
        return f"sim-{self.plan.run_id}-{self.plan.seed}-{kind}{self.counter}"

    def photo(self, label: str) -> bytes:
        """A new site photo, stamped with the run, a label and the time, as a field camera stamps it."""
        return site_photo(self.rng, f"{self.plan.run_id} {label} {self.plan.clock():%Y-%m-%d %H:%M}")

    async def sync(self) -> Counter:
        """Pull every change after the cursor into the cache; the count of changes by kind."""
        counted: Counter = Counter()
        while True:
            page = await self.client.changes(self.cursor)
            for change in page.changes:
                counted[f"{change.kind} {change.op}"] += 1
                if change.kind == "riskPoint":
                    if change.op == "remove":
                        self.cards.pop(change.id, None)
                    else:
                        self.cards[change.id] = body_of(change)
                elif change.kind == "enterprise" and change.op == "remove":
                    self.cards = {k: c for k, c in self.cards.items() if c.risk_point.enterprise_id != change.id}
            self.cursor = page.next_cursor
            if not page.has_more:
                return counted

    def route(self, due_points: set[str]) -> list[RiskPointCard]:
        """The points to visit, online ones then one for the offline stretch: points with tasks due first."""
        coded = sorted(point_id for point_id, card in self.cards.items() if card.risk_point.qr is not None)
        due = [point for point in coded if point in due_points]
        rest = [point for point in coded if point not in due_points]
        wanted = self.plan.points + 1
        chosen = self.rng.sample(due, min(wanted, len(due)))
        chosen += self.rng.sample(rest, min(wanted - len(chosen), len(rest)))
        return [self.cards[point] for point in chosen]

    def failing(self, checklist: list, must_fail: bool) -> int | None:
        """Which checklist item fails today: by chance, or surely when `must_fail`; None when all pass."""
        if checklist and (must_fail or self.rng.random() < self.plan.fail_rate):
            return self.rng.randrange(len(checklist))
        return None

    def results(self, checklist: list, failing: int | None, photo_ids: list[str]) -> list[ResultCreate]:
        """The checklist's results: every item ok but the failing one, which opens a hazard with its photos."""
        return [
            ResultCreate(
                item_id=item.id,
                ok=False,
                note="现场检查不符合要求，已拍照取证",
                hazard_client_id=self.key("h"),
                photo_ids=photo_ids,
            )
            if index == failing
            else ResultCreate(item_id=item.id, ok=True)
            for index, item in enumerate(checklist)
        ]

    async def inspect_online(self, card: RiskPointCard, first: bool) -> str:
        """Scan, inspect, photograph what fails; the scan id."""
        point = card.risk_point
        lat, lng = _position(card, self.rng)
        started = self.plan.clock()
        scanned = await self.client.scan(qr_token(point.qr.url), client_time=started, lat=lat, lng=lng)
        self.summary.scans += 1
        checklist = scanned.checklist or []
        failing, photo_ids = self.failing(checklist, first), []
        if failing is not None:
            photo, _ = await self.client.upload_photo(
                self.photo(point.name[:12]), client_id=self.key("p"), taken_at=self.plan.clock(), lat=lat, lng=lng
            )
            photo_ids.append(photo.id)
            self.summary.photos += 1
        results = self.results(checklist, failing, photo_ids)
        inspection, _ = await self.client.record_inspection(
            InspectionCreate(
                client_id=self.key("i"),
                risk_point_id=point.id,
                scan_id=scanned.scan_id,
                started_at=started,
                finished_at=self.plan.clock(),
                results=results,
            )
        )
        self._count_inspection(inspection.items_checked, inspection.items_failed)
        self.summary.tasks_done += sum(1 for r in inspection.results if r.task_id)
        self.summary.hazards += [r.hazard_id for r in inspection.results if r.hazard_id]
        self.say(f"inspected {point.name}: {inspection.items_checked} items, {inspection.items_failed} failed")
        return scanned.scan_id

    def _count_inspection(self, checked: int, failed: int) -> None:
        self.summary.inspections += 1
        self.summary.items_checked += checked
        self.summary.items_failed += failed

    def sighting(
        self,
        card: RiskPointCard,
        photo_ids: list[str],
        *,
        scan_id=None,
        scan_op_id=None,
        payload: type[HazardCreate] = HazardCreate,
    ) -> HazardCreate:
        """A hazard seen at a point, outside its checklist."""
        title, category = self.rng.choice(SIGHTINGS)
        lat, lng = _position(card, self.rng)
        extra = {"scan_op_id": scan_op_id} if payload is HazardCreatePayload else {}
        return payload(
            client_id=self.key("h"),
            enterprise_id=card.risk_point.enterprise_id,
            risk_point_id=card.risk_point.id,
            source=SOURCES.get(self.summary.role, "daily"),
            category=category,
            title=title,
            description=f"{card.risk_point.name}附近发现：{title}",
            photo_ids=photo_ids,
            found_at=self.plan.clock(),
            lat=lat,
            lng=lng,
            scan_id=scan_id,
            **extra,
        )

    async def report_online(self, card: RiskPointCard, scan_id: str) -> None:
        photo_ids = []
        for _ in range(2):
            photo, _ = await self.client.upload_photo(
                self.photo("hazard"), client_id=self.key("p"), taken_at=self.plan.clock()
            )
            photo_ids.append(photo.id)
        self.summary.photos += 2
        hazard, _ = await self.client.report_hazard(self.sighting(card, photo_ids, scan_id=scan_id))
        self.summary.hazards.append(hazard.id)
        self.say(f"reported {hazard.title} ({hazard.status})")

    async def actionable(self) -> list[Hazard]:
        """Open hazards in scope offering this user an action the day knows how to take, by id."""
        found = [h async for h in every(lambda c: self.client.hazards(open_only=True, cursor=c, limit=100))]
        return sorted((h for h in found if set(h.allowed_actions) & set(ACTIONS)), key=lambda h: h.id)

    def decision(self, hazard: Hazard):
        """The action taken on a hazard: confirm the proposed level as proposed, else accept the rectification."""
        if "confirmLevel" in hazard.allowed_actions:
            reason = None if hazard.major_criterion_id or hazard.level == "general" else "网格员现场确认"
            return ConfirmLevel(level=hazard.level, major_criterion_id=hazard.major_criterion_id, expert_reason=reason)
        return Accept(note="网格员复查：整改到位")

    async def act_online(self, hazards: list[Hazard]) -> None:
        for hazard in hazards:
            action = self.decision(hazard)
            try:
                done = await self.client.transition(
                    hazard.id, action, version=hazard.version, idempotency_key=self.key("t")
                )
            except ApiError as error:  # someone moved it meanwhile: the phone reloads and decides again
                self.say(f"{hazard.id}: {error.code}; left for later")
                continue
            self.summary.actions.append((hazard.id, type(action).__struct_config__.tag))
            self.say(f"{type(action).__struct_config__.tag} {done.title}: now {done.status}")

    def queue_offline(self, queue: OfflineQueue, card: RiskPointCard, hazard: Hazard | None) -> None:
        """Work without coverage: scan, photograph, inspect, report and act, all into the queue."""
        point = card.risk_point
        lat, lng = _position(card, self.rng)
        started = self.plan.clock()
        scan_op = queue.add(
            self.key("op"),
            ScanPayload(
                token=qr_token(point.qr.url), device_id=self.plan.device_id, client_time=started, lat=lat, lng=lng
            ),
        )
        refs = [
            queue.add_photo(
                self.photo(f"offline {n}"), client_id=self.key("p"), taken_at=self.plan.clock(), lat=lat, lng=lng
            )
            for n in range(2)
        ]
        results = self.results(card.checklist, self.failing(card.checklist, True), refs[:1])
        queue.add(
            self.key("op"),
            InspectionCreatePayload(
                client_id=self.key("i"),
                risk_point_id=point.id,
                scan_op_id=scan_op.op_id,
                started_at=started,
                finished_at=self.plan.clock(),
                results=results,
            ),
        )
        queue.add(self.key("op"), self.sighting(card, refs[1:], scan_op_id=scan_op.op_id, payload=HazardCreatePayload))
        if hazard is not None:
            action = self.decision(hazard)
            queued = queue.add(
                self.key("op"),
                HazardTransitionPayload(hazard_id=hazard.id, expected_version=hazard.version, transition=action),
            )
            self.offline_actions[queued.op_id] = type(action).__struct_config__.tag
        self.summary.queued_ops = len(queue.state.ops)
        self.summary.queued_photos = len(queue.state.photos)
        self.say(
            f"offline at {point.name}: {self.summary.queued_ops} operations, {self.summary.queued_photos} photos queued"
        )

    def record_replay(self, results: list[SyncOpResult]) -> None:
        for result in results:
            self.summary.replay[f"{result.kind} {result.status}"] += 1
            if result.status == "error":
                self.summary.replay_errors.append(f"{result.op_id} {result.kind}: {result.error.code}")
            elif result.kind == "hazardCreate":
                self.summary.hazards.append(result.id)
            elif result.kind == "inspectionCreate":
                data = result.data or {}
                self._count_inspection(data.get("itemsChecked", 0), data.get("itemsFailed", 0))
                self.summary.hazards += [r["hazardId"] for r in data.get("results", []) if r.get("hazardId")]
                self.summary.tasks_done += sum(1 for r in data.get("results", []) if r.get("taskId"))
            elif result.kind == "hazardTransition":
                self.summary.actions.append((result.id, f"{self.offline_actions[result.op_id]} (offline)"))

    async def hazards_reported_by_me(self) -> int:
        """The hazards in scope this user reported: others working the same scope at the same time do not count."""
        mine = [h async for h in every(lambda c: self.client.hazards(cursor=c, limit=100)) if h.reporter_id == self.me]
        return len(mine)


async def play_day(client: Client, plan: DayPlan, say: Callable[[str], None] = print) -> DaySummary:
    """Play the day; the summary says what the server answered."""
    day = Day(client, plan, say)
    user = await client.login(plan.username, plan.password)
    day.summary.user, day.summary.role, day.me = plan.username, user.role, user.id
    say(f"signed in as {user.name} ({user.role})")
    day.summary.changes_first_sync = await day.sync()
    say(f"delta sync: {sum(day.summary.changes_first_sync.values())} changes, {len(day.cards)} risk points cached")
    due = [task async for task in every(lambda c: client.tasks(due=True, cursor=c, limit=100))]
    day.summary.tasks_due = len(due)
    route = day.route({task.risk_point_id for task in due})
    if len(route) < 2:
        raise RuntimeError("the scope holds fewer than two risk points with codes: nothing to walk to")
    online, offline = route[:-1], route[-1]
    scan_id = ""
    for index, card in enumerate(online):
        scan_id = await day.inspect_online(card, first=index == 0)
    await day.report_online(online[-1], scan_id)
    waiting = (await day.actionable())[: plan.max_actions + 1]
    kept_for_offline = waiting.pop() if waiting else None
    await day.act_online(waiting)

    # Coverage lost: the phone works from its cache and the queue file.
    queue = OfflineQueue(plan.queue_path)
    day.queue_offline(queue, offline, kept_for_offline)
    sent = list(queue.pending)

    # Back in coverage: photos up, the queue through the batch, then the same batch again.
    first = await queue.replay(client)
    day.record_replay(first)
    before = await day.hazards_reported_by_me()
    again = await queue.replay(client, sent)
    day.summary.second_replay_identical = [_outcome(r) for r in first] == [_outcome(r) for r in again]
    day.summary.hazards_in_scope_unchanged = await day.hazards_reported_by_me() == before
    day.summary.changes_after = await day.sync()
    return day.summary


def _outcome(result: SyncOpResult) -> tuple:
    return result.op_id, result.status, result.id, result.version, result.error.code if result.error else None


async def run(base_url: str, plan: DayPlan, *, transport=None, say: Callable[[str], None] = print) -> DaySummary:
    """Play the day against `base_url` (through `transport` if given) and print its summary."""
    async with Client(base_url, transport=transport, device_id=plan.device_id, language="zh") as client:
        summary = await play_day(client, plan, say)
    for line in summary.lines():
        say(line)
    return summary


def default_run_id(now: datetime | None = None) -> str:
    """A new day's id: the time it starts, to the second."""
    return (now or wall_clock()).strftime("%Y%m%dT%H%M%S")

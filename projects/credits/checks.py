"""The ledger check: replay every ledger row from the first and prove that the
blocks (who holds which serials now) are exactly what the ledger says.

It proves that issued − retired = Σ balances, that every unit of every
issuance is in exactly one place (the blocks of an issuance cover 1…N with no
gap and no overlap), that every move took units from where they were, that no
unit was transferred twice, and that each entry's quantity is the sum of its
serial ranges. `manage.py check_ledger` prints what it finds.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db import connection, transaction

from projects.credits.models import CreditBlock, CreditIssuance, LedgerEntry, LedgerRange


@dataclass
class Segment:
    first: int
    last: int
    account: int  # the holder, or the account it was retired from
    transfers: int
    retired_by: int | None

    def state(self):
        return (self.account, self.transfers, self.retired_by)


def _canonical(segments: list[Segment]) -> list[tuple]:
    """Adjacent segments in the same state merged: one form for the same holdings."""
    merged: list[Segment] = []
    for segment in sorted(segments, key=lambda s: s.first):
        if (
            merged
            and merged[-1].last + 1 == segment.first
            and merged[-1].state() == segment.state()
        ):
            merged[-1] = Segment(merged[-1].first, segment.last, *segment.state())
        else:
            merged.append(Segment(segment.first, segment.last, *segment.state()))
    return [(s.first, s.last, *s.state()) for s in merged]


class Replay:
    def __init__(self, issuances: dict[int, CreditIssuance]):
        self.issuances = issuances
        self.segments: dict[int, list[Segment]] = defaultdict(list)
        self.problems: list[str] = []

    def serial(self, issuance_id, first, last) -> str:
        issuance = self.issuances.get(issuance_id)
        return issuance.serial(first, last) if issuance else f"#{issuance_id} {first}-{last}"

    def issue(self, entry: LedgerEntry, ranges: list[LedgerRange]) -> None:
        issuance = self.issuances[entry.issuance_id]
        if [(r.issuance_id, r.first, r.last) for r in ranges] != [
            (issuance.pk, 1, issuance.quantity)
        ]:
            self.problems.append(
                f"issuance entry {entry.pk} does not carry serials 1…{issuance.quantity} of "
                f"{issuance}"
            )
        if entry.quantity != issuance.quantity:
            self.problems.append(f"issuance entry {entry.pk}: quantity differs from its issuance")
        if self.segments[issuance.pk]:
            self.problems.append(f"{issuance} was issued twice")
            return
        self.segments[issuance.pk] = [Segment(1, issuance.quantity, entry.to_account_id, 0, None)]

    def move(self, entry: LedgerEntry, moved: LedgerRange) -> None:
        """Take the range from the entry's source account and give it its new state."""
        segments = self.segments[moved.issuance_id]
        label = self.serial(moved.issuance_id, moved.first, moved.last)
        covered = 0
        result: list[Segment] = []
        for segment in segments:
            if segment.last < moved.first or segment.first > moved.last:
                result.append(segment)
                continue
            if segment.first < moved.first:
                result.append(Segment(segment.first, moved.first - 1, *segment.state()))
            if segment.last > moved.last:
                result.append(Segment(moved.last + 1, segment.last, *segment.state()))
            first, last = max(segment.first, moved.first), min(segment.last, moved.last)
            covered += last - first + 1
            if segment.retired_by is not None:
                self.problems.append(f"entry {entry.pk} moves {label}, already retired")
            elif segment.account != entry.from_account_id:
                self.problems.append(
                    f"entry {entry.pk} moves {label} from account {entry.from_account_id}, "
                    f"but account {segment.account} holds it"
                )
            if entry.kind == LedgerEntry.Kind.TRANSFER:
                if segment.transfers >= 1:
                    self.problems.append(
                        f"entry {entry.pk} transfers {label} a second time (Art. 26)"
                    )
                result.append(
                    Segment(first, last, entry.to_account_id, segment.transfers + 1, None)
                )
            else:
                result.append(
                    Segment(first, last, entry.from_account_id, segment.transfers, entry.pk)
                )
        if covered != moved.last - moved.first + 1:
            self.problems.append(f"entry {entry.pk} moves {label}, which was never issued")
        self.segments[moved.issuance_id] = sorted(result, key=lambda s: s.first)


def ledger_problems() -> list[str]:
    """Everything wrong with the ledger and the blocks; empty when they agree."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            # One snapshot for every query below: under READ COMMITTED a move that
            # commits between two of them would show as a broken ledger. (Inside a
            # caller's transaction, the caller's isolation holds.)
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        issuances = {issuance.pk: issuance for issuance in CreditIssuance.objects.all()}
        ranges = defaultdict(list)
        for moved in LedgerRange.objects.order_by("pk"):
            ranges[moved.entry_id].append(moved)
        entries = list(LedgerEntry.objects.order_by("pk"))
        blocks = list(CreditBlock.objects.order_by("issuance_id", "first"))
    replay = Replay(issuances)
    problems = replay.problems
    issued = retired = 0
    for entry in entries:
        moved = ranges.get(entry.pk, [])
        if sum(r.last - r.first + 1 for r in moved) != entry.quantity:
            problems.append(f"entry {entry.pk}: quantity {entry.quantity} ≠ its serial ranges")
        if entry.kind == LedgerEntry.Kind.ISSUANCE:
            issued += entry.quantity
            replay.issue(entry, moved)
        else:
            if entry.kind == LedgerEntry.Kind.RETIREMENT:
                retired += entry.quantity
            for one in moved:
                replay.move(entry, one)
    missing = set(issuances) - {e.issuance_id for e in entries if e.issuance_id}
    for pk in sorted(missing):
        problems.append(f"{issuances[pk]} has no issuance entry in the ledger")

    # The blocks: each issuance's blocks cover 1…N, no gap, no overlap.
    by_issuance = defaultdict(list)
    for block in blocks:
        by_issuance[block.issuance_id].append(block)
    for pk, issuance in issuances.items():
        expected = 1
        for block in by_issuance.get(pk, []):
            if block.first > expected:
                problems.append(f"gap: {issuance.serial(expected, block.first - 1)} is in no block")
            elif block.first < expected:
                problems.append(
                    f"overlap: {issuance.serial(block.first, min(block.last, expected - 1))} "
                    "is in two blocks"
                )
            expected = max(expected, block.last + 1)
        if expected <= issuance.quantity:
            problems.append(f"gap: {issuance.serial(expected, issuance.quantity)} is in no block")
        elif expected > issuance.quantity + 1:
            problems.append(f"blocks of {issuance} run past its {issuance.quantity} units")
    for pk in set(by_issuance) - set(issuances):
        problems.append(f"blocks of an unknown issuance #{pk}")

    # The blocks agree with the replayed ledger, unit by unit.
    for pk in sorted(set(issuances) | set(by_issuance)):
        from_ledger = _canonical(replay.segments.get(pk, []))
        from_blocks = _canonical(
            [
                Segment(b.first, b.last, b.account_id, b.transfers, b.retired_by_id)
                for b in by_issuance.get(pk, [])
            ]
        )
        if from_ledger != from_blocks:
            name = issuances[pk] if pk in issuances else f"#{pk}"
            problems.append(
                f"the blocks of {name} differ from the ledger: {from_blocks} ≠ {from_ledger}"
            )

    held = sum(b.last - b.first + 1 for b in blocks if b.retired_by_id is None)
    retired_units = sum(b.last - b.first + 1 for b in blocks if b.retired_by_id is not None)
    if issued - retired != held:
        problems.append(f"issued {issued} − retired {retired} ≠ Σ balances {held}")
    if retired_units != retired:
        problems.append(f"retired blocks hold {retired_units} units, the ledger retired {retired}")
    return problems


def ledger_totals() -> dict:
    blocks = CreditBlock.objects.all()
    return {
        "issued": sum(i.quantity for i in CreditIssuance.objects.all()),
        "retired": sum(e.quantity for e in LedgerEntry.objects.retirements()),
        "held": sum(b.size for b in blocks if b.retired_by_id is None),
        "accounts": blocks.filter(retired_by=None).values("account").distinct().count(),
    }

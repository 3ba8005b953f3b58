from django.core.management.base import BaseCommand, CommandError

from projects.credits.checks import ledger_problems, ledger_totals


class Command(BaseCommand):
    help = (
        "Replay the credit ledger and prove that issued − retired = Σ balances, that "
        "every serial is in exactly one place (no gap, no overlap) and that the blocks "
        "agree with the ledger. Exits non-zero, listing the problems, otherwise."
    )

    def handle(self, *args, **options):
        problems = ledger_problems()
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"the credit ledger is inconsistent: {len(problems)} problem(s)")
        totals = ledger_totals()
        self.stdout.write(
            "ledger consistent: issued {issued} − retired {retired} = Σ balances {held} "
            "over {accounts} account(s); every serial in exactly one place".format(**totals)
        )

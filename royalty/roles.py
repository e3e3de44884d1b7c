"""What each staff group may do with royalty (``accounts.services.roles``).

Finance works the statements (generate, adjust, approve, pay, export) and keeps the rules (rule
sets, rates, tiers) and the affiliates; support and moderators read. Statement lines and events
are append-only: nobody gets ``change_`` or ``delete_`` on them."""

_READ = [
    "royalty.view_affiliate",
    "royalty.view_attribution",
    "royalty.view_ruleset",
    "royalty.view_commissionrate",
    "royalty.view_performancetier",
    "royalty.view_statement",
    "royalty.view_statementline",
    "royalty.view_adjustment",
    "royalty.view_statementevent",
    "royalty.view_payoutbatch",
]
_WORK = [
    *_READ,
    "royalty.add_affiliate",
    "royalty.change_affiliate",
    "royalty.add_attribution",
    "royalty.add_ruleset",
    "royalty.change_ruleset",
    "royalty.add_commissionrate",
    "royalty.change_commissionrate",
    "royalty.delete_commissionrate",
    "royalty.add_performancetier",
    "royalty.change_performancetier",
    "royalty.delete_performancetier",
    "royalty.add_statement",
    "royalty.change_statement",
    "royalty.add_adjustment",
    "royalty.change_adjustment",
    "royalty.add_payoutbatch",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    "support": _READ,
    "moderator": _READ,
    "finance": _WORK,
}

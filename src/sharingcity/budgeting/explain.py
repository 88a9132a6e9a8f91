"""Why each project was or was not funded, in words a resident understands (both languages)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _


def reason_text(reason: str) -> str:
    texts = {
        "funded": _("Funded: when its turn came, it fitted in the money left."),
        "funded_equal_shares": _(
            "Funded by the Method of Equal Shares: its supporters could pay for it together from their equal shares of the budget."
        ),
        "funded_completion": _(
            "Funded from the money left over after the Method of Equal Shares, in order of votes."
        ),
        "funded_free": _("Funded: it costs nothing and has supporters."),
        "funded_phragmen": _(
            "Funded by Phragmén's rule: its supporters had earned enough together."
        ),
        "no_support": _("Not funded: no voter chose it."),
        "exceeds_budget": _("Not funded: it costs more than the whole budget."),
        "did_not_fit": _("Not funded: when its turn came, less money was left than it costs."),
        "stopped_before": _(
            "Not funded: the count stopped at an earlier project that did not fit."
        ),
        "supporters_could_not_afford": _(
            "Not funded: its supporters did not have enough of their shares left to pay for it."
        ),
    }
    return texts.get(reason, reason)


def payment_text(detail: dict[str, Any]) -> str:
    p = detail.get("payment")
    if not p:
        return ""
    text = _("%(n)s supporters paid %(total)s KRW: %(full)s paid %(share)s KRW each") % {
        "n": f"{p['supporters']:,}",
        "total": f"{p['total_paid']:,.0f}",
        "full": f"{p['voters_paying_largest_share']:,}",
        "share": f"{p['largest_share']:,.0f}",
    }
    if p.get("voters_paying_less"):
        text += _("; %(n)s had less left and paid between %(lo)s and %(hi)s KRW") % {
            "n": f"{p['voters_paying_less']:,}",
            "lo": f"{p['smallest_share']:,.0f}",
            "hi": f"{p['largest_share']:,.0f}",
        }
    return text + "."

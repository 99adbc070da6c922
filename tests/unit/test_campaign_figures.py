"""Campaign figures from counts (app/domain/marketing/stats.py): money per currency, cost per
lead and ROI only when one currency makes them meaningful, figures hidden without the range."""

from __future__ import annotations

from decimal import Decimal

from app.domain.marketing.stats import Raw, figures, roi

D = Decimal


def test_roi_in_the_cost_currency_only() -> None:
    assert roi({"CNY": D(2500)}, "CNY", D(1000)) == 1.5
    assert roi({}, "CNY", D(1000)) == -1.0  # nothing won yet at a cost
    assert roi({"CNY": D(1)}, "CNY", D(3)) == -0.6667
    assert roi({"CNY": D(2500), "USD": D(1)}, "CNY", D(1000)) is None  # no rate between currencies
    assert roi({"USD": D(2500)}, "CNY", D(1000)) is None
    assert roi({"CNY": D(10)}, "CNY", D(0)) is None
    assert roi({"CNY": D(10)}, None, None) is None


def test_costs_in_several_currencies_give_no_single_cost() -> None:
    raw = Raw(leads={"first_touch": 4, "last_touch": 1}, costs={"CNY": (D(10), D(100)), "USD": (None, D(5))})
    out = figures(raw, leads_visible=True, deals_visible=True)
    assert out["cost_per_lead"] is None and out["roi"] == {"first_touch": None, "last_touch": None}
    assert out["costs"] == [{"currency": "CNY", "budget": D(10), "actual_cost": D(100)},
                            {"currency": "USD", "budget": None, "actual_cost": D(5)}]  # fmt: skip
    # A second currency holding only a budget does not stand in the way.
    raw.costs["USD"] = (D(50), None)
    out = figures(raw, leads_visible=True, deals_visible=True)
    assert out["cost_per_lead"] == {"currency": "CNY", "amount": D("25.00")}
    assert out["roi"] == {"first_touch": -1.0, "last_touch": -1.0}


def test_figures_outside_the_callers_permissions_are_hidden() -> None:
    raw = Raw(members=3, reached={"targeted": 3, "sent": 2}, costs={"CNY": (None, D(30))})
    out = figures(raw, leads_visible=False, deals_visible=False)
    assert out["leads"] is None and out["deals"] is None and out["won"] is None and out["roi"] is None
    assert out["cost_per_lead"] is None
    assert out["members"]["reached"]["sent"] == 2 and out["members"]["reached"]["converted"] == 0
    assert out["members"]["by_status"]["bounced"] == 0
    shown = figures(raw, leads_visible=True, deals_visible=True)
    assert shown["leads"] == {"first_touch": 0, "last_touch": 0} and shown["cost_per_lead"] is None
    assert shown["won"] == {"first_touch": [], "last_touch": []}

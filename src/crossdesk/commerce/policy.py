"""What an agent may do on their own and what waits for a lead: the shop's policy, and the rules no policy
can loosen (never refund more than was paid, no address change once a parcel left).

A policy is JSON an admin edits (`PUT /api/v1/policy`); `DEFAULT_POLICY` applies until they do."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crossdesk.commerce.money import format_minor

KINDS = ("refund", "reship", "coupon", "address_change", "cancel")

DEFAULT_POLICY: dict[str, Any] = {
    "agent": {
        # The most an agent refunds alone, per currency in minor units; other currencies: a share of what
        # was paid.
        "refund_max": {"USD": 5000, "EUR": 5000, "GBP": 4000, "CNY": 35000, "BRL": 25000, "RUB": 450000},
        "refund_max_share": 0.25,
        "coupon_max_percent": 5,
        "reship": True,
    },
    "admin": {"refund_max": None, "refund_max_share": 1.0, "coupon_max_percent": 50, "reship": True},
}


class PolicyError(ValueError):
    pass


@dataclass(frozen=True)
class OrderState:
    currency: str
    paid: int
    refunded: int
    shipped: bool
    cancelled: bool


@dataclass(frozen=True)
class Decision:
    allowed: bool  # False: refused outright (no approval can make it right)
    needs_approval: bool
    reason: str


def check_policy(policy: dict[str, Any]) -> dict[str, Any]:
    for role in ("agent", "admin"):
        rules = policy.get(role)
        if not isinstance(rules, dict):
            raise PolicyError(f"the policy needs an object for {role!r}")
        share = rules.get("refund_max_share", 0)
        percent = rules.get("coupon_max_percent", 0)
        if not isinstance(share, int | float) or not 0 <= share <= 1:
            raise PolicyError(f"{role}.refund_max_share must be between 0 and 1")
        if not isinstance(percent, int) or not 0 <= percent <= 100:
            raise PolicyError(f"{role}.coupon_max_percent must be a whole number from 0 to 100")
        limits = rules.get("refund_max")
        if limits is not None and not (
            isinstance(limits, dict) and all(isinstance(v, int) and v >= 0 for v in limits.values())
        ):
            raise PolicyError(f"{role}.refund_max must map currencies to whole minor units, or be null")
    return policy


def decide(
    policy: dict[str, Any], role: str, kind: str, order: OrderState, amount: int = 0, percent: int = 0
) -> Decision:
    """May someone with `role` do this to this order now, alone, with a lead's approval, or not at all?"""
    if order.cancelled:
        return Decision(False, False, "the order is cancelled")
    rules = policy.get(role) or policy["agent"]
    if kind == "refund":
        left = order.paid - order.refunded
        if amount <= 0:
            return Decision(False, False, "a refund needs an amount above zero")
        if amount > left:
            return Decision(
                False, False, f"only {format_minor(left, order.currency)} of the payment is left to refund"
            )
        limit = _refund_limit(rules, order)
        if limit is not None and amount > limit:
            return Decision(
                True, True, f"above the {format_minor(limit, order.currency)} an agent refunds alone"
            )
        return Decision(True, False, "within policy")
    if kind == "coupon":
        if not 1 <= percent <= 100:
            return Decision(False, False, "a coupon takes 1-100% off")
        if percent > int(rules.get("coupon_max_percent", 0)):
            return Decision(
                True, True, f"above the {rules.get('coupon_max_percent', 0)}% an agent gives alone"
            )
        return Decision(True, False, "within policy")
    if kind == "reship":
        if not order.shipped:
            return Decision(False, False, "nothing was shipped yet to send again")
        return Decision(True, not rules.get("reship", False), "within policy")
    if kind in ("address_change", "cancel"):
        if order.shipped:
            return Decision(
                False, False, "the parcel has already left: it can no longer be changed or cancelled"
            )
        return Decision(True, False, "not shipped yet")
    return Decision(False, False, f"unknown action {kind!r}")


def _refund_limit(rules: dict[str, Any], order: OrderState) -> int | None:
    limits = rules.get("refund_max")
    if limits is None and float(rules.get("refund_max_share", 0)) >= 1:
        return None  # unlimited (within what was paid)
    if isinstance(limits, dict) and order.currency in limits:
        return int(limits[order.currency])
    return int(order.paid * float(rules.get("refund_max_share", 0)))

"""What the buyer is told when an action on their order is done, in the acting agent's language; the
desk's translation turns it into the buyer's like any reply."""

from __future__ import annotations

from crossdesk.commerce.money import format_minor

_TEXT = {
    "en": {
        "refund": (
            "I've issued a refund of {amount} for order {number}. It reaches your original payment method"
            " within 5-10 business days."
        ),
        "reship": (
            "I've arranged a free replacement for order {number}; it ships within 2 business days.{keep}"
        ),
        "keep": " You don't need to send the damaged one back.",
        "coupon": "Here is a {percent}% coupon for your next order: {code}",
        "address_change": "I've updated the shipping address of order {number}.",
        "cancel": "Order {number} is cancelled, and {amount} is refunded to your original payment method.",
        "pending": "I've asked my team lead to approve this for order {number}; I'll confirm here shortly.",
    },
    "zh": {
        "refund": "我已为订单{number}退款{amount}，5-10个工作日内原路退回到您的支付账户。",
        "reship": "我已为订单{number}免费补发一件新的，2个工作日内发出。{keep}",
        "keep": "坏的那件不用寄回。",
        "coupon": "送您一张下次可用的{percent}%优惠券：{code}",
        "address_change": "我已更新订单{number}的收货地址。",
        "cancel": "订单{number}已取消，{amount}将原路退回到您的支付账户。",
        "pending": "我已请主管审批订单{number}的这项处理，稍后在这里跟您确认。",
    },
}


def notice(
    kind: str,
    language: str | None,
    *,
    number: str,
    currency: str,
    amount: int = 0,
    percent: int = 0,
    code: str = "",
    keep_item: bool = False,
) -> str:
    text = _TEXT.get(language or "en", _TEXT["en"])
    keep = text["keep"] if keep_item else ""
    return text[kind].format(
        number=number, amount=format_minor(amount, currency), percent=percent, code=code, keep=keep
    )

"""A buyer tracks an order from the widget: nothing without the right email, the parcel's latest event
with it, in the buyer's language."""

from __future__ import annotations

from playwright.sync_api import expect


def test_buyer_tracks_an_order_only_with_its_email(stage):
    buyer = stage.buyer()  # a Portuguese-speaking browser
    buyer.open_widget()
    widget = buyer.widget
    widget.get_by_test_id("track-order").locator("summary").click()
    expect(widget.get_by_test_id("track-order").locator("summary")).to_have_text("Rastrear um pedido")
    widget.get_by_test_id("track-number").fill("D1001")
    widget.get_by_test_id("track-email").fill("someone@example.com")
    widget.get_by_test_id("track-submit").click()
    result = widget.get_by_test_id("track-result")
    expect(result).to_have_attribute("data-state", "missing")
    expect(result).to_have_text("Nenhum pedido com esse número e e-mail.")
    expect(widget.get_by_test_id("track-card")).to_have_count(0)

    widget.get_by_test_id("track-email").fill("ana.souza@example.com.br")
    widget.get_by_test_id("track-submit").click()
    expect(result).to_have_attribute("data-state", "found")
    expect(widget.get_by_test_id("track-latest")).to_contain_text(
        "Held for customs inspection · Curitiba, BR"
    )
    expect(widget.get_by_test_id("track-card").locator("a")).to_have_text("LB123456789CN")
    buyer.shot("tracked")

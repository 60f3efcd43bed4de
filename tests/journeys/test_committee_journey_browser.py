"""A steering committee member follows a shared link and takes the briefing to the meeting.

The link names a selection (Moldova and Ukraine, drug trafficking, January to June
2026) in its query string, the way the address bar writes it. The member is not signed
in: the link shows the sign-in form, then the Overview of exactly that selection; the
Briefing (PDF) button gives a real PDF of it, as a viewer may see it, and the access
log records that the file left the dashboard.
"""

from __future__ import annotations

import io

import pypdfium2 as pdfium

WAIT = 90_000
#: What an analyst's address bar held; the committee received it by mail.
SHARED_LINK = "/home?country=MD&country=UA&crime=drug_trafficking&from=2026-01&to=2026-06"
MARKING = "RESTRICTED — law-enforcement use only"


def _pdf_text(pdf: bytes) -> str:
    """The PDF's text, whitespace collapsed (a line may wrap anywhere)."""
    document = pdfium.PdfDocument(pdf)
    return " ".join(" ".join(page.get_textpage().get_text_range() for page in document).split())


def _chosen(page, box: str) -> list[str]:
    """What a sidebar multiselect shows as chosen."""
    widget = page.get_by_test_id("stMultiSelect").filter(
        has=page.get_by_role("combobox", name=box, exact=True)
    )
    return widget.locator("[data-tag]").evaluate_all(
        "tags => tags.map(tag => tag.getAttribute('aria-label'))"
    )


def _png(image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_committee_member_opens_a_shared_link_and_downloads_its_briefing(
    journey, account, start_server, leaving, demo_store_path
):
    accounts = account("kim", "viewer")
    member = journey("committee")
    page = member.page
    with start_server(demo_store_path) as base:
        member.open(base + SHARED_LINK, "Sign in")
        member.screenshot("sign-in")
        member.sign_in("kim", "Overview")
        # The selection the link named, in the sidebar and still in the address bar.
        assert _chosen(page, "Countries") == ["Moldova", "Ukraine"]
        assert _chosen(page, "Regions") == []
        assert _chosen(page, "Crime types") == ["Drug trafficking"]
        period = page.get_by_test_id("stSidebar").get_by_test_id("stSliderThumbValue")
        assert period.all_inner_texts() == ["Jan 2026", "Jun 2026"]
        assert page.url.endswith(SHARED_LINK.removeprefix("/home"))
        page.get_by_test_id("stPlotlyChart").first.wait_for(timeout=WAIT)
        member.screenshot("overview-of-the-link")

        # Built on a click of its own, with a progress bar; then handed out.
        page.get_by_role("button", name="Build the briefing (PDF)", exact=True).click()
        briefing = page.get_by_role("button", name="Briefing (PDF)", exact=True)
        briefing.wait_for(timeout=WAIT)
        member.screenshot("briefing-built")
        with page.expect_download(timeout=WAIT) as download:
            briefing.click()
        pdf = download.value.path().read_bytes()
        assert download.value.suggested_filename == "threatmon-briefing-2026-01_2026-06.pdf"
        member.screenshot("briefing-downloaded")
    member.keep("briefing.pdf", pdf)
    first_page = pdfium.PdfDocument(pdf)[0].render(scale=1.5).to_pil()
    member.keep("briefing-page-1.png", _png(first_page))
    assert leaving(member.requests) == []
    assert pdf.startswith(b"%PDF-")
    assert len(pdfium.PdfDocument(pdf)) >= 3
    text = _pdf_text(pdf)
    assert MARKING in text
    assert "Threat Monitor briefing: Moldova, Ukraine" in text
    assert "1 Jan 2026 – 30 Jun 2026 (6 months) · Drug trafficking" in text
    # A viewer's briefing: the sensitive crime types only in their suppressed table.
    assert "Sensitive crime types, per country and quarter" in text
    entry = accounts.access_log().iloc[-1]
    assert (entry["user_name"], entry["action"], entry["target"]) == (
        "kim",
        "export",
        "briefing_pdf",
    )
    assert '"start": "2026-01-01"' in entry["details"] and '"end": "2026-06-30"' in entry["details"]

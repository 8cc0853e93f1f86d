"""Finding one's way in the portal: the footer's pages (seed 4: "Home • Rondleiding •
Support • Over ons • Mijn account") — a tour of what each menu item is for, how to get help,
also for someone who cannot sign in (a forgotten password, a paused login, a lost phone), and
who offers the portal and how it keeps care data safe; none asks for a login.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from web.entrypoints.context import PageDep

router = APIRouter()

#: The menu items the tour explains, in the menu's order: (the menu's text, where it leads).
TOUR_ITEMS = (
    ("nav.home", "/"),
    ("nav.dossier", "/portal/dossier"),
    ("nav.reports", "/portal/documents?kind=report"),
    ("nav.appointments", "/portal/appointments"),
    ("nav.prescriptions", "/portal/prescriptions"),
    ("nav.results", "/portal/results"),
    ("nav.diary", "/portal/diary"),
    ("nav.questionnaires", "/portal/questionnaires"),
    ("nav.messages", "/portal/messages"),
    ("nav.switch_portal", "/portal/switch"),
    ("nav.profile", "/me/profile"),
)


@router.get("/portal/tour")
async def tour(page: PageDep) -> Response:
    """ "Rondleiding": each menu item and what it is for, in the guides' words."""
    return await page.render("pages/portal_tour.html.j2", items=TOUR_ITEMS)


@router.get("/portal/support")
async def support(page: PageDep) -> Response:
    """ "Support": urgent matters by phone, questions through the portal, and what to do
    when signing in fails. The practice is named when the visitor is signed in (the portal
    knows no practice's phone number or address, so none is made up). A parent acting in a
    child's portal is told it is the child's portal; its practice is the parent's own, as
    identity lets a practice link only two of its own clients (an account belongs to one
    organisation), so the name the session holds is the right one."""
    signed_in_client = page.signed_in and not page.account.is_staff
    practice: str = page.account.organisation_name if signed_in_client else ""
    acting = page.session.acting if signed_in_client and page.session is not None else None
    return await page.render(
        "pages/portal_support.html.j2", practice=practice, portal_of=acting.person_name if acting else ""
    )


@router.get("/portal/about-us")
async def about(page: PageDep) -> Response:
    """ "Over ons": who offers the portal (the signed-in client's practice, by name; the
    portal knows nothing more of a practice, so nothing more is said) and what keeps the care
    data in it safe."""
    signed_in_client = page.signed_in and not page.account.is_staff
    practice: str = page.account.organisation_name if signed_in_client else ""
    return await page.render("pages/portal_about_us.html.j2", practice=practice)

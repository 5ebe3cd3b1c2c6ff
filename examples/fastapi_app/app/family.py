"""The family API: every answer is one family's own. The requirement of a
logged-in family is the router's (app/auth.py), not the views'."""
from fastapi import APIRouter, Depends, Header, HTTPException, Request

from .auth import family_member

router = APIRouter(prefix="/api/family", dependencies=[Depends(family_member)])


@router.get("/chores")
def chores(request: Request):
    fam = request.state.family
    return {"family": fam, "chores": ["dishes", "laundry"][: 1 + len(fam) % 2]}


@router.post("/chores", status_code=201)
def add_chore(request: Request, x_csrftoken: str = Header(default="", alias="X-CSRFToken")):
    """A browser's write (session cookie) needs the CSRF token as a cookie
    and as a header; an app's (Authorization) does not."""
    if "authorization" not in request.headers and (not x_csrftoken or request.cookies.get("csrftoken") != x_csrftoken):
        raise HTTPException(status_code=403, detail="CSRF token missing or incorrect")
    return {"family": request.state.family, "added": True}

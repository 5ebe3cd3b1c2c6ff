"""The family API: every answer is one family's own. The requirement of a
logged-in family is the router's (app/auth.py), not the views'."""
from fastapi import APIRouter, Depends, Request

from .auth import family_member

router = APIRouter(prefix="/api/family", dependencies=[Depends(family_member)])


@router.get("/chores")
def chores(request: Request):
    fam = request.state.family
    return {"family": fam, "chores": ["dishes", "laundry"][: 1 + len(fam) % 2]}

from fastapi import APIRouter, Depends, Response

router = APIRouter()


def get_current_user():
    return "someone"


@router.get("/users/me")
def me(user: str = Depends(get_current_user)):
    return {"user": user}


@router.get("/leaderboard")
def leaderboard(response: Response):
    response.headers["Cache-Control"] = "public, max-age=5"
    return {"top": [1, 2, 3]}

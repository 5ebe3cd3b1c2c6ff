from fastapi import APIRouter, Depends

from app.deps import get_current_user

router = APIRouter(prefix="/users", dependencies=[Depends(get_current_user)])


@router.get("/me")
def me():
    return {}

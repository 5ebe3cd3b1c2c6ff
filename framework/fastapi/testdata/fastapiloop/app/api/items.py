from fastapi import APIRouter, Depends

from app.deps import get_db

router = APIRouter(prefix=f"/items", dependencies=[Depends(get_db)])


@router.get("/")
def list_items():
    return []


@router.post("/")
def create_item():
    return {}


@router.get("/{item_id}")
def get_item(item_id: int):
    return {}

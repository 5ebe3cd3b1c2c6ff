from fastapi import APIRouter
from fastapi.responses import JSONResponse

router = APIRouter(prefix="/items")
reviews = APIRouter(prefix="/{item_id}/reviews")


@router.get("/")
def list_items(q: str = ""):
    return [{"id": 1, "q": q}]


@router.get("/{item_id}")
def get_item(item_id: int):
    return {"id": item_id}


@router.get("/{item_id}/raw")
def get_raw(item_id: int):
    return JSONResponse({"id": item_id, "raw": True})


@router.post("/")
def create_item():
    return {"created": True}


@reviews.get("/{review_id}")
async def get_review(item_id: int, review_id: int):
    return {"item": item_id, "review": review_id}


router.include_router(reviews)

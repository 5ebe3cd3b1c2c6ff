from fastapi import APIRouter, FastAPI

api = FastAPI()
router = APIRouter()


@router.get("/things/{thing_id}")
def thing(thing_id: int):
    return {}


@api.get("/status")
def status():
    return {}


api.include_router(router, prefix="/x")

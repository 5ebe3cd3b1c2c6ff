from fastapi import Depends, FastAPI

from app.api import admin, items, users
from app.core import config
from app.core.config import settings
from app.deps import get_current_user

app = FastAPI(title=settings.PROJECT_NAME)

ROUTERS = [items.router, users.router]

for r in ROUTERS:
    app.include_router(r, prefix=settings.API_V1_STR)

for r, p in [(admin.router, "/admin")]:
    app.include_router(r, prefix=f"{settings.API_V1_STR}{p}", dependencies=[Depends(get_current_user)])


@app.get(config.HEALTH_PATH)
def health():
    return {"ok": True}

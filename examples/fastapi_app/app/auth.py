"""Who is asking: a family, from its session cookie (browsers) or its API
token (Authorization: Bearer, apps). The family API's router depends on it,
so its views need no marker of their own."""
from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

bearer = HTTPBearer(auto_error=False)


def family_member(request: Request, token: HTTPAuthorizationCredentials = Depends(bearer)):
    family = token.credentials if token else request.cookies.get("sessionid")
    if not family:
        raise HTTPException(status_code=401, detail="log in first")
    request.state.family = family
    return family

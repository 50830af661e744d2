"""/v3/api_keys: the account rotating its own keys, without the operator."""

from __future__ import annotations

from litestar import delete, get, post
from litestar.params import FromPath, JSONBody

from ipfleet.api.offload import read
from ipfleet.api.v3.common import ActorDep, CallerDep, DbDep, call, errors
from ipfleet.api.v3.schemas import KeyCreatedOut, KeyIn, KeyItem, KeyListOut
from ipfleet.domain.errors import InvalidValue
from ipfleet.services import keys as key_svc

TAGS = ["API Keys"]


@get(
    "/v3/api_keys",
    operation_id="ListApiKey",
    summary="Retrieve all API keys belonging to the account",
    tags=TAGS,
    responses=errors(),
)
async def list_keys(db: DbDep, caller: CallerDep) -> KeyListOut:
    """The account's live keys, oldest first: ids and names, never the keys themselves."""
    keys = [
        k for k in await read(key_svc.list_keys, db, account=caller.account) if k.revoked_at is None
    ]
    return KeyListOut([KeyItem(api_key_id=k.key_id, name=k.name) for k in keys])


@post(
    "/v3/api_keys",
    operation_id="CreateApiKey",
    summary="Create API keys",
    tags=TAGS,
    status_code=201,
    responses=errors(),
)
async def create_key(
    db: DbDep, caller: CallerDep, actor: ActorDep, data: JSONBody[KeyIn]
) -> KeyCreatedOut:
    """A new key with full access to the account; `api_key` is shown this once only."""
    if isinstance(data.scopes, list):
        raise InvalidValue(
            "Scoped keys are not supported: every key has full access to its account"
        )
    info, key = await call(
        key_svc.create_key, db, account=caller.account, name=data.name, actor=actor
    )
    return KeyCreatedOut(api_key=key, api_key_id=info.key_id, name=info.name)


@delete(
    "/v3/api_keys/{api_key_id:str}",
    operation_id="DeleteApiKey",
    summary="Delete API keys",
    tags=TAGS,
    status_code=204,
    responses=errors(404),
)
async def delete_key(
    db: DbDep, caller: CallerDep, actor: ActorDep, api_key_id: FromPath[str]
) -> None:
    """Revoke a key at once; the account's last live key cannot be deleted (400)."""
    await call(
        key_svc.revoke_key,
        db,
        account=caller.account,
        key_id=api_key_id,
        actor=actor,
        keep_last=True,
    )


HANDLERS = [list_keys, create_key, delete_key]

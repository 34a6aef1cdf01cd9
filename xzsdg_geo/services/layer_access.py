"""Who may change which layer: the ``submit_roles`` / ``approve_roles`` each ``layers/*.toml``
declares, enforced here for submit, import and approval on both stores, and read by the upload page
to offer only the layers a role may submit to. One place, so the page and the services never differ."""

from __future__ import annotations

import enum

from ..errors import Term, Terms, UserError
from ..layers import LayerSpec, all_layers
from .auth import Principal


class LayerAction(enum.StrEnum):
    SUBMIT = "submit"
    APPROVE = "approve"  # also an import: both write approved features


def allowed_roles(spec: LayerSpec, action: LayerAction) -> tuple[str, ...]:
    return spec.submit_roles if action is LayerAction.SUBMIT else spec.approve_roles


def may(principal: Principal, spec: LayerSpec, action: LayerAction) -> bool:
    return principal.role.value in allowed_roles(spec, action)


def require_layer(principal: Principal, spec: LayerSpec, action: LayerAction) -> None:
    """Refuse, naming the layer and the roles that may change it."""
    if may(principal, spec, action):
        return
    allowed = Terms(tuple(f"role.{r}" for r in allowed_roles(spec, action)))
    role = Term(f"role.{principal.role.value}")
    layer = f"{spec.title_zh}（{spec.name}）"
    raise UserError(
        f"layer_access.{action.value}_forbidden",
        user=principal.username,
        role=role,
        layer=layer,
        allowed=allowed,
    )


def submittable_layers(principal: Principal) -> tuple[str, ...]:
    """The layers this account may submit to, in declaration order (the upload page's choice)."""
    return tuple(name for name, spec in all_layers().items() if may(principal, spec, LayerAction.SUBMIT))

"""The pieces of the permission matrix that each area's rows are written with.

`test_permission_matrix.py` holds the rows of the apps below `reports`; each later area keeps
its own rows in a `matrix_<area>.py` module that defines:

- `build(world, offices, users)`: adds the area's objects to the shared world (in-scope ones
  at Tambacounda or Dakar, out-of-scope ones at Kolda);
- `KINDS`: object kind -> `Kind` (how to find the in-scope object, whether a user sees one,
  which objects to try as out of scope);
- `PAGES` (list of `Route`) and `API` ({(method, path template): Route});
- `API_IDS`: the path placeholders its API uses (`{project_id}`…), replaced by the object's pk.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from reintegra.cases.models import Case
from reintegra.cases.permissions import case_access


@dataclass
class World:
    """In-scope objects (a Tambacounda case with everything attached, a closed case, a Rabat
    case with a pending hand-over) and out-of-scope ones (Kolda and a second Rabat case)."""

    objects: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.objects[key]


@dataclass
class Ctx:
    """What a route needs to know about the persona and the object it is tried on."""

    user: Any
    world: World
    obj: Any = None

    @property
    def access(self):
        case = self.obj if isinstance(self.obj, Case) else getattr(self.obj, "case", None)
        if case is None and hasattr(self.obj, "plan"):  # an instalment
            case = self.obj.plan.case
        return case_access(self.user, case)


@dataclass
class Route:
    name: str
    method: str
    kind: str  # none | case | closed | pre | person | consent | handover | console | office
    allowed: Callable[[Ctx], bool]
    data: Callable[[Ctx], dict[str, Any]] = lambda ctx: {}
    denied: int = 403  # the answer when visible but not allowed
    kwargs: Callable[[Ctx], dict[str, Any]] = lambda ctx: {}
    takes_pk: bool = True


@dataclass
class Kind:
    """An object kind of a later area: the in-scope object, the finder that raises Http404 when
    the user may not see it (None: everyone with the page sees every one), and the objects to
    try as out of scope."""

    in_scope: Callable[[World], Any]
    find: Callable[[Any, Any], Any] | None = None
    out: Callable[[World], list[Any]] = lambda world: []


def always(ctx: Ctx) -> bool:
    return True

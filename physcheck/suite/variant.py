"""A rollout variant of a model, as one typed value instead of a string parsed at each use.

The variants of a run's window are the base rollout (``base``), its twin in the reference
precision (``float64``) and the perturbed rollouts (``noise0``, ``noise1``, ...); saved
rollouts also hold the equivariance check's short rollouts of the input and of each
transformed input (``equivariance:identity``, ``equivariance:rot90``, ...) and the last frame
of each rotated input's full rollout (``orbit:rot90``, ...).

``str(variant)`` is the variant's name exactly as cache keys, prediction files, results
JSON, snapshots and progress lines have always written it; ``Variant.parse`` reads a name
back, once, and refuses anything ``str`` would not give.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from physcheck.errors import ConfigError

VariantKind = Literal["base", "float64", "noise", "equivariance", "orbit"]

#: the names of the kinds without an index or a transform
_PLAIN = ("base", "float64")
_NOISE = re.compile(r"noise(0|[1-9][0-9]*)")
_TRANSFORM = re.compile(r"(equivariance|orbit):(\S+)")


@dataclass(frozen=True)
class Variant:
    """One rollout variant: ``kind``, with ``index`` (the perturbation's index, from 0) for a
    ``noise`` variant and ``transform`` (a symmetry's name, e.g. ``rot90``, or ``identity``)
    for an ``equivariance`` or ``orbit`` one. Hashable; ``str`` gives its name."""

    kind: VariantKind
    index: int | None = None
    transform: str | None = None

    def __post_init__(self) -> None:
        if self.kind == "noise":
            ok = isinstance(self.index, int) and self.index >= 0 and self.transform is None
        elif self.kind in ("equivariance", "orbit"):
            ok = self.index is None and bool(self.transform) and _TRANSFORM.fullmatch(
                f"{self.kind}:{self.transform}"
            ) is not None
        else:
            ok = self.kind in _PLAIN and self.index is None and self.transform is None
        if not ok:
            raise ConfigError(
                f"not a rollout variant: kind={self.kind!r}, index={self.index!r}, "
                f"transform={self.transform!r}"
            )

    @classmethod
    def parse(cls, name: str | Variant) -> Variant:
        """The variant named ``name`` (a ``Variant`` is returned as it is); ``ValueError``
        for a name no variant has (``noise01`` included: its name is ``noise1``)."""
        if isinstance(name, Variant):
            return name
        if name in _PLAIN:
            return cls("base" if name == "base" else "float64")
        noise = _NOISE.fullmatch(name)
        if noise is not None:
            return cls("noise", index=int(noise.group(1)))
        moved = _TRANSFORM.fullmatch(name)
        if moved is not None:
            kind: VariantKind = "equivariance" if moved.group(1) == "equivariance" else "orbit"
            return cls(kind, transform=moved.group(2))
        raise ConfigError(
            f"no rollout variant is named {name!r}; the names are base, float64, noiseN, "
            "equivariance:TRANSFORM and orbit:TRANSFORM"
        )

    def __str__(self) -> str:
        if self.kind == "noise":
            return f"noise{self.index}"
        if self.transform is not None:
            return f"{self.kind}:{self.transform}"
        return self.kind

    @property
    def is_base(self) -> bool:
        return self.kind == "base"

    @property
    def is_twin(self) -> bool:
        """The base rollout again in the reference precision (``float64``)."""
        return self.kind == "float64"

    @property
    def is_perturbed(self) -> bool:
        """A rollout of the input with relative noise (``noiseN``)."""
        return self.kind == "noise"

    @property
    def noise_index(self) -> int:
        """The perturbation's index (it seeds the noise); ``ValueError`` for another kind."""
        if self.index is None:
            raise ConfigError(f"{self} is not a perturbed rollout")
        return self.index


#: the unperturbed rollout in the run's precision
BASE = Variant("base")
#: the base rollout again in the reference precision
FLOAT64 = Variant("float64")


def perturbed(index: int) -> Variant:
    """The perturbed rollout of that index (``noise{index}``)."""
    return Variant("noise", index=index)


def perturbations(count: int) -> list[Variant]:
    """The perturbed rollouts ``noise0`` .. ``noise{count - 1}``."""
    return [perturbed(i) for i in range(count)]


def names(variants: list[Variant]) -> list[str]:
    """The variants' names, in order."""
    return [str(v) for v in variants]


__all__ = ["BASE", "FLOAT64", "Variant", "VariantKind", "names", "perturbations", "perturbed"]

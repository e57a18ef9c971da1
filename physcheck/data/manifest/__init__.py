"""Dataset manifests: what a Well dataset directory should hold, and a check of a copy against it.

A manifest is JSON (``physcheck data manifest PATH`` writes one; physcheck ships one per known
set under ``physcheck/manifests/datasets/``)::

    {"format": "physcheck-manifest/1", "name": "smoke", "dataset_name": "smoke",
     "notes": ["..."], "stats_yaml": {"sha256": "..."},
     "files": {"data/test/smoke_Ma_0.7_Ms_0.5.hdf5": {
         "n_trajectories": 2, "n_time": 80, "shape": [16, 16, 16], "dt": 1.0,
         "fields": {"t0_fields": ["density"], "t1_fields": ["magnetic_field", "velocity"],
                    "t2_fields": []},
         "dtype": "float32", "parameters": {"Ma": 0.7, "Ms": 0.5}, "sha256": "...",
         "documented": [{"n_trajectories": 5, "note": "..."}]}}}

Every key of a file entry but ``n_trajectories``/``fields`` is optional: a structural manifest
(The Well's MHD_64, physcheck's built sets) has no ``sha256``; a recorded one has it for every
file and for ``stats.yaml``. ``documented`` lists known, published deviations of a file from the
manifest (e.g. MHD_64's trajectory counts): a copy that shows one is reported as a note, not a
difference.

:func:`verify_manifest` returns one line per difference (``data/test/x.hdf5: 3 trajectories,
manifest says 4``); a file's ``sha256`` is compared only when its structure matches (a
structural difference changes the bytes anyway). A split of the manifest whose directory is
absent from the copy is not checked (users often fetch only the test split) unless it is asked
for by name. Torch-free: h5py over local files or fsspec URLs.

Its parts: ``schema`` (the format tag, the field groups, the check that a body is a manifest),
``building`` (a file's structure, recording a manifest), ``copies`` (locating a copy's files),
``digests`` (the checksums), ``loading`` (shipped manifests, a manifest for the data) and
``verifying`` (a copy against a manifest).
"""

from __future__ import annotations

from physcheck.data.manifest.building import describe_file, record_manifest
from physcheck.data.manifest.loading import SHIPPED as SHIPPED
from physcheck.data.manifest.loading import (
    dataset_name_of,
    load_manifest,
    manifest_for,
    shipped_manifests,
)
from physcheck.data.manifest.schema import FIELD_GROUPS as FIELD_GROUPS
from physcheck.data.manifest.schema import FORMAT, check_manifest
from physcheck.data.manifest.verifying import DT_RTOL as DT_RTOL
from physcheck.data.manifest.verifying import Verification, verification, verify_manifest

__all__ = [
    "FORMAT",
    "Verification",
    "check_manifest",
    "dataset_name_of",
    "describe_file",
    "load_manifest",
    "manifest_for",
    "record_manifest",
    "shipped_manifests",
    "verification",
    "verify_manifest",
]

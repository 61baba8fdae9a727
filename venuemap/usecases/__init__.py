"""The use-case layer: what the CLI and the dashboard both ask, answered once.

Each function takes plain values — one service standard (`analysis.standards.Standards`), the
`Inputs` data — and returns plain results (dataclasses, dicts, GeoDataFrames). The CLI
(``venuemap/cli_*.py``) only parses and prints, ``ui/loaders.py`` only caches these calls, and
the pages only lay out; tests/test_usecase_imports.py keeps the CLI and the pages from
importing ``analysis`` or ``geo.importer`` directly.

Modules: ``standard`` (the standard), ``inputs`` (the data), ``analysis`` (coverage, gaps),
``siting`` (site, save a proposal), ``labels`` (illustrative, as-of date), ``data`` (import
policy, one row validator, table edits, exports, the one venue filter).
"""

from __future__ import annotations

from analysis.aggregate import MARKER_LIMIT, use_cells
from analysis.roads import DEFAULT_CONNECT_M
from analysis.standards import ServiceStandard, Standards
from venuemap.usecases.analysis import (
    CoverageResult,
    GapsResult,
    coverage,
    coverage_table,
    coverage_totals,
    gap_cells,
    gaps,
    network_counts,
    service_area_cells,
    service_areas,
    summarise,
    uncovered,
)
from venuemap.usecases.data import (
    EDITABLE,
    EXPORT_LAYERS,
    IMPORTABLE_LAYERS,
    ImportOutcome,
    ImportReport,
    Issue,
    apply_edits,
    check_import,
    export_layer,
    filter_layer,
    import_file,
    merge_edits,
    prepare_reference,
    reference_layers,
    result_layer,
    validate_rows,
    write_import,
)
from venuemap.usecases.inputs import (
    DEFAULT_SNAP_M,
    Inputs,
    load_inputs,
    read_layer_file,
    same_crs,
)
from venuemap.usecases.labels import ILLUSTRATIVE_CODES, AsOf, as_of, illustrative, stamp_as_of
from venuemap.usecases.siting import MODELS, SiteOutcome, candidates_for, save_proposal, site
from venuemap.usecases.standard import (
    STANDARDS_PATH,
    default_standard,
    load_standard,
    new_site_radius_km,
    standard_from_options,
    standard_from_radii,
    with_detour,
    with_minutes,
)

__all__ = [
    "MARKER_LIMIT",
    "use_cells",
    "DEFAULT_CONNECT_M",
    "DEFAULT_SNAP_M",
    "EDITABLE",
    "EXPORT_LAYERS",
    "ILLUSTRATIVE_CODES",
    "IMPORTABLE_LAYERS",
    "MODELS",
    "STANDARDS_PATH",
    "AsOf",
    "CoverageResult",
    "GapsResult",
    "ImportOutcome",
    "ImportReport",
    "Inputs",
    "Issue",
    "ServiceStandard",
    "SiteOutcome",
    "Standards",
    "apply_edits",
    "as_of",
    "candidates_for",
    "check_import",
    "coverage",
    "coverage_table",
    "coverage_totals",
    "default_standard",
    "export_layer",
    "filter_layer",
    "gap_cells",
    "gaps",
    "illustrative",
    "import_file",
    "load_inputs",
    "load_standard",
    "merge_edits",
    "network_counts",
    "new_site_radius_km",
    "prepare_reference",
    "read_layer_file",
    "reference_layers",
    "result_layer",
    "same_crs",
    "save_proposal",
    "service_area_cells",
    "service_areas",
    "site",
    "stamp_as_of",
    "standard_from_options",
    "standard_from_radii",
    "summarise",
    "uncovered",
    "validate_rows",
    "with_detour",
    "with_minutes",
    "write_import",
]

"""The Python API under ALLO's operators: typed requests in, results or UserError out.

The sidebar's buttons, `bpy.ops.allo.*` (also from `blender -b --python-expr` and the CLI) and
scripts all end here: an operator turns its properties into one of these requests, calls the
function and reports what comes back. Scripts can skip the operator:

    from allo_addon import api
    result = api.render_batch(api.RenderRequest(config="render_config.yaml", exp_num=1))
    print(result.summary.rendered, result.exp_dir)

render_batch and plan need Blender (the bpy module or Blender's own Python); postprocess and
generate_ephemeris run in any Python with numpy, Pillow and PyYAML. A user mistake (a wrong
key, a missing file, a value out of range) raises UserError, whose message names the file, key
or value and what was expected; RequestError, a UserError, names the request field that has
the wrong type. Anything else is a bug. Progress lines go to the `allo` loggers (core/logs.py)
and to exp_<N>/render.log. docs/api.md has the details.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .core.dataset.batch_request import BatchRequest, PreparedBatch, describe_plan, prepare_batch
from .core.dataset.config import Config, config_from_dict
from .core.errors import UserError

if TYPE_CHECKING:   # at run time __getattr__ below loads them on first use
    from .core.postprocess.run import PostprocessRequest
    from .core.postprocess.run import Summary as PostprocessSummary

__all__ = ["UserError", "RequestError", "RenderRequest", "RenderResult", "BatchPlan",
           "PostprocessRequest", "PostprocessSummary", "EphemerisRequest", "EphemerisResult",
           "render_batch", "start_batch", "plan", "postprocess", "generate_ephemeris"]


def __getattr__(name):
    # PostprocessRequest / PostprocessSummary load on first use: core/postprocess/run.py pulls
    # Pillow, multiprocessing and concurrent.futures, and the operators import this module at
    # registration, before every render's first image (#14 §3).
    if name in ("PostprocessRequest", "PostprocessSummary"):
        from .core.postprocess import run
        return run.PostprocessRequest if name == "PostprocessRequest" else run.Summary
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class RequestError(UserError):
    """A request field of the wrong kind (e.g. config given as a number); `field` names it."""

    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name


@dataclass(frozen=True, kw_only=True)
class RenderRequest:
    """One batch, as `render` takes it on the command line.

    config: a render_config.yaml path, a mapping of its keys (relative paths in it are read
    from base_dir), a core.dataset.config.Config, or None for the built-in defaults on the built-in
    scene. seed None: the config's seed. shard "i/N": every N-th job starting at i.
    """
    exp_num: int
    config: str | Path | dict | Config | None = None
    anomaly: bool = False
    modes: frozenset[str] | tuple[str, ...] | str = frozenset()
    seed: int | None = None
    shard: str | None = None
    base_dir: str | Path = "."

    def batch_request(self, dry_run: bool = False) -> BatchRequest:
        config_path, config = None, None
        if isinstance(self.config, (str, Path)):
            config_path = Path(self.config)
        elif isinstance(self.config, dict):
            config = config_from_dict(self.config, base_dir=Path(self.base_dir))
        elif isinstance(self.config, Config):
            config = self.config
        elif self.config is not None:
            raise RequestError("config", f"RenderRequest.config is a {type(self.config).__name__}, "
                                         f"expected a path to a render_config.yaml, a mapping of "
                                         f"its keys, a Config or None (built-in defaults)")
        modes = (self.modes,) if isinstance(self.modes, str) else self.modes
        return BatchRequest(config_path=config_path, exp_num=self.exp_num, anomaly=self.anomaly,
                            modes=frozenset(modes), seed=self.seed, shard=self.shard or None,
                            dry_run=dry_run, config=config)


@dataclass
class BatchPlan:
    """What a batch would render, checked as a render checks it; nothing written."""
    batch: PreparedBatch
    finished: set[str]        # images already rendered and recorded (a rerun skips them)
    denoising: object         # core.dataset.denoiser.DenoiserChoice: what this Cycles will do
    views: dict               # job_id -> the camera pose it renders from (scene.view_survey)

    @property
    def image_count(self) -> int:
        return self.batch.plan.image_count

    @property
    def exp_dir(self) -> Path:
        return self.batch.exp_dir

    def describe(self) -> str:
        """The dry run's report (`render --dry-run` prints it)."""
        return describe_plan(self.batch, self.finished, self.denoising, self.views)


@dataclass
class RenderResult:
    exp_dir: Path
    summary: object           # scene.batch.Summary: rendered, already_done, skipped_jobs, …


def plan(request: RenderRequest | BatchRequest) -> BatchPlan:
    """Validate a batch and plan it without rendering (`render --dry-run`): the config, the
    ephemeris days, the output folder, the models it would load, the denoiser. Needs bpy."""
    from .core.dataset import manifest
    from .core.dataset.denoiser import plan_denoiser
    from .scene.assembly import check_assets
    from .scene.render_settings import available_denoisers
    from .scene.view_survey import final_views
    import bpy
    batch = prepare_batch(_batch_request(request, dry_run=True))
    check_assets(batch.config)   # the models a render would load, as it would
    denoising = plan_denoiser(batch.config.denoise, available_denoisers(bpy.context.scene),
                              batch.config.device)
    return BatchPlan(batch, manifest.finished_images(batch.exp_dir), denoising,
                     final_views(batch))   # the poses the render will use


def start_batch(request: RenderRequest | BatchRequest, quiet: bool = True, logger=None):
    """A validated batch ready to run: its .steps() renders one image per step (the GUI's modal
    render), .run() all of them. Nothing is written until it runs. Needs bpy."""
    from .core import logs
    from .scene.batch import BatchRun
    batch = prepare_batch(_batch_request(request))
    return BatchRun(batch, logger=logger or logs.BATCH, quiet=quiet)


def render_batch(request: RenderRequest | BatchRequest, quiet: bool = True,
                 logger=None) -> RenderResult:
    """Render a batch into exp_<N> (resuming: finished images are kept). quiet: no Cycles
    progress on stdout. logger: where its lines go besides render.log (default the `allo`
    loggers; core.logs.QUIET for none). Needs bpy."""
    run = start_batch(request, quiet=quiet, logger=logger)
    return RenderResult(run.batch.exp_dir, run.run())


def postprocess(request: PostprocessRequest, progress=None) -> PostprocessSummary:
    """Verify an exp_<N> render tree and write the Anomalib (or MVTec AD) layout. progress:
    called with (done, total). No bpy."""
    from .core.postprocess.run import PostprocessRequest, postprocess as run
    if not isinstance(request, PostprocessRequest):
        raise RequestError("request", f"postprocess takes a PostprocessRequest, got "
                                      f"{type(request).__name__}")
    if request.input is None or request.output is None:
        raise RequestError("input" if request.input is None else "output",
                           "set both input (an exp_<N> folder) and output")
    return run(request, progress=progress)


@dataclass(frozen=True, kw_only=True)
class EphemerisRequest:
    """An ephemeris as the `ephemeris` command takes it: start "2027-01-01" or
    "2027-01-01T06:30" (UTC), days, step "1d" / "6h" / "30min", phase (fraction of the orbit
    after apolune); out: the original 12-column CSV, extended_out: the extended CSV (one or
    both)."""
    start: str
    days: float | str = 365.0
    step: str = "1d"
    phase: float | str = 0.0
    out: str | Path | None = None
    extended_out: str | Path | None = None


@dataclass
class EphemerisResult:
    table: object             # core.ephemeris.generator.GeneratedEphemeris
    written: list[Path] = field(default_factory=list)


def generate_ephemeris(request: EphemerisRequest) -> EphemerisResult:
    """Generate the ephemeris and write the files asked for. No bpy."""
    from .core.ephemeris.generator import EphemerisRequest as Span
    from .core.ephemeris.writer import generate_files
    if not isinstance(request.start, str):
        raise RequestError("start", f"EphemerisRequest.start is a {type(request.start).__name__}"
                                    f", expected ISO 8601 text such as '2027-01-01'")
    span = Span.from_text(request.start, request.days, request.step, request.phase)
    table, written = generate_files(span, request.out or None, request.extended_out or None)
    return EphemerisResult(table, written)


def _batch_request(request, dry_run: bool = False) -> BatchRequest:
    if isinstance(request, RenderRequest):
        return request.batch_request(dry_run)
    if isinstance(request, BatchRequest):
        return request
    raise RequestError("request", f"expected a RenderRequest, got {type(request).__name__}")

#!/usr/bin/env bash
# The GPU gate's one script: .github/workflows/gpu-gate.yml calls it from the repository root,
# tests/test_gpu_gate.py runs it on a CPU against a stand-in Walrus.
#
#   gpu-gate.sh install-walrus [PIP_ARGS...]
#       pip install "git+$PHYSCHECK_WALRUS_REPO@$PHYSCHECK_WALRUS_REF" (PIP_ARGS go to pip), then
#       check that the importable `walrus` is Polymathic's model, not PyPI's Redis library.
#       Refuses without a repository or when the ref is not a full commit hash.
#   gpu-gate.sh gate [PYTEST_ARGS...]
#       python -m pytest -m gpu -p physcheck --physcheck-only on the model
#       candidate=$PHYSCHECK_MODEL_SPEC ($PHYSCHECK_DATA, $PHYSCHECK_WINDOW; PYTEST_ARGS appended),
#       writing results, report and log to $PHYSCHECK_GATE_OUT (default out/). First run: when
#       the snapshot directory ([tool.physcheck] snapshot_dir) holds no candidate-traj*.json,
#       the run writes them (--snapshot-update) and copies them to $PHYSCHECK_GATE_OUT/new-snapshots/
#       (laid out from the repository root); the physics checks gate all the same. Later runs
#       compare with the committed files. With $PHYSCHECK_BASELINE (the results JSON of the
#       accepted checkpoint, e.g. committed beside it, or a directory of its saved rollouts from
#       `physcheck export`), the run also compares every number with
#       it (regression[candidate-CHECK] items) and writes the scorecard to
#       $PHYSCHECK_GATE_OUT/scorecard.md, the step summary and the `scorecard` output (the
#       workflow posts it on the pull request). Exit status: pytest's.
#
# For the CPU test only: PHYSCHECK_GATE_MARKER (default gpu) and PHYSCHECK_GATE_DEVICE
# (default cuda); physcheck marks its items `gpu` only when they run on CUDA.
set -euo pipefail

say() { echo "physcheck gate: $*"; }
refuse() { echo "physcheck gate: $*" >&2; exit 2; }
output() { if [ -n "${GITHUB_OUTPUT:-}" ]; then echo "$1=$2" >>"$GITHUB_OUTPUT"; fi; }
summary() { if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then echo "$*" >>"$GITHUB_STEP_SUMMARY"; fi; }

install_walrus() {
  local repo="${PHYSCHECK_WALRUS_REPO:-}" ref="${PHYSCHECK_WALRUS_REF:-}"
  [ -n "$repo" ] || refuse "no Walrus source: set the PHYSCHECK_WALRUS_REPO variable (or the walrus_repo input) to the git URL of Polymathic's walrus"
  [ -n "$ref" ] || refuse "no pinned Walrus commit: set the PHYSCHECK_WALRUS_REF variable (or the walrus_ref input) to a full commit hash"
  [[ "$ref" =~ ^([0-9a-f]{40}|[0-9a-f]{64})$ ]] || refuse "PHYSCHECK_WALRUS_REF '$ref' is not a full commit hash (40 lowercase hex digits): pin a commit, not a branch, tag or short hash"
  say "installing Walrus from $repo at $ref"
  python -m pip install --disable-pip-version-check "$@" "git+${repo}@${ref}"
  python - <<'EOF'
import sys

from physcheck.models.walrus import walrus_missing_reason

reason = walrus_missing_reason()
if reason:
    sys.exit(f"physcheck gate: {reason}")
print("physcheck gate: Polymathic's walrus is importable")
EOF
}

snapshot_dir() {
  python - <<'EOF'
from pathlib import Path

from physcheck.config import build_settings
from physcheck.config.files import read_file_settings

print(build_settings(read_file_settings(Path.cwd()), {}).snapshot_dir)
EOF
}

gate() {
  local spec="${PHYSCHECK_MODEL_SPEC:-}" out="${PHYSCHECK_GATE_OUT:-out}" name=candidate
  [ -n "$spec" ] || refuse "no model to gate: set the PHYSCHECK_MODEL_SPEC variable (or the model_spec input)"
  local snapdir
  snapdir="$(snapshot_dir)"
  mkdir -p "$out"
  output snapshot_dir "$snapdir"
  local args=(-m "${PHYSCHECK_GATE_MARKER:-gpu}" -p physcheck --physcheck-only
              --physcheck-model "$name=$spec" --physcheck-window "${PHYSCHECK_WINDOW:-paper}"
              --physcheck-device "${PHYSCHECK_GATE_DEVICE:-cuda}"
              --physcheck-json "$out/results.json" --physcheck-report "$out/report")
  if [ -n "${PHYSCHECK_DATA:-}" ]; then args+=(--physcheck-data "$PHYSCHECK_DATA"); fi
  local scorecard=""
  if [ -n "${PHYSCHECK_BASELINE:-}" ]; then
    [ -f "$PHYSCHECK_BASELINE" ] || [ -d "$PHYSCHECK_BASELINE" ] || refuse "PHYSCHECK_BASELINE '$PHYSCHECK_BASELINE' is neither a file nor a directory: give the results JSON of the accepted checkpoint or a directory of its saved rollouts (physcheck export)"
    scorecard="$out/scorecard.md"
    args+=(--physcheck-baseline "$PHYSCHECK_BASELINE" --physcheck-markdown "$scorecard")
    say "comparing every number with the accepted run $PHYSCHECK_BASELINE"
  fi
  local first=false
  if ! compgen -G "$snapdir/$name-traj*.json" >/dev/null; then
    first=true
    args+=(--snapshot-update)
    say "first run: no snapshot of $name in $snapdir; writing them (--snapshot-update), the physics checks still gate"
  else
    say "comparing with the snapshots of $name in $snapdir"
  fi
  output first_run "$first"
  local rc=0
  python -m pytest "${args[@]}" --snapshot-details "$@" 2>&1 | tee "$out/pytest.log" || rc=$?
  summary "### physcheck GPU gate: $([ "$rc" = 0 ] && echo passed || echo "failed (pytest exit $rc)")"
  summary ""
  summary "Model \`$name=$spec\`, window \`${PHYSCHECK_WINDOW:-paper}\`."
  if [ -n "$scorecard" ] && [ -f "$scorecard" ]; then
    output scorecard "$scorecard"
    summary ""
    if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then cat "$scorecard" >>"$GITHUB_STEP_SUMMARY"; fi
  fi
  if [ "$first" = true ]; then
    local files=()
    mapfile -t files < <(compgen -G "$snapdir/$name-traj*.json" || true)
    if [ "${#files[@]}" -gt 0 ]; then
      mkdir -p "$out/new-snapshots/$snapdir"
      cp "${files[@]}" "$out/new-snapshots/$snapdir/"
    fi
    say "first run: wrote ${#files[@]} snapshot file(s) to $snapdir: ${files[*]}"
    say "to accept them, commit the files of the physcheck-new-snapshots artifact at the repository root"
    summary ""
    summary "First run: no snapshot of \`$name\` in \`$snapdir\`, so this run wrote ${#files[@]} (artifact \`physcheck-new-snapshots\`); the physics checks gated as usual. To accept them, unpack the artifact at the repository root and commit \`$snapdir\`."
  else
    summary ""
    summary "Compared with the committed snapshots in \`$snapdir\`."
  fi
  return "$rc"
}

command="${1:-}"
shift || true
case "$command" in
  install-walrus) install_walrus "$@" ;;
  gate) gate "$@" ;;
  *) refuse "usage: gpu-gate.sh install-walrus [PIP_ARGS...] | gate [PYTEST_ARGS...]" ;;
esac

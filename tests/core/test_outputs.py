"""Results are never half-written (designcalc.core.outputs): atomic files and folders.

The kill tests start real processes and kill them while they write: at a
moment chosen by a seeded random byte count of the temporary file (or when the
first trial of a run is on disk), so the moment is reproducible in kind
without depending on timing.
"""

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest

from designcalc.core.outputs import MANIFEST, OutputError, ResultFolder, atomic_file, write_text

BIG = ["simon", "oc", "--r1", "6", "--n1", "12", "--r", "19", "--n", "28",
       "--p-grid", "0.0001:0.9999:0.0001", "--format", "json"]


def _cli(*args):
    return [sys.executable, "-m", "designcalc", *args]


def _tree(folder):
    out = {}
    for root, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(root, name)
            with open(path, "rb") as fh:
                out[os.path.relpath(path, folder)] = hashlib.sha256(fh.read()).hexdigest()
    return out


def _wait_until(predicate, proc, limit=60.0):
    """Poll until ``predicate()`` or the process ends (bounded); True if predicate held."""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if predicate():
            return True
        if proc.poll() is not None:
            return predicate()
        time.sleep(0.002)
    return False


def _temp_files(folder):
    return [n for n in os.listdir(folder) if n.startswith(".designcalc-")]


# --- the helper itself ----------------------------------------------------------------------

def test_atomic_file_replaces_only_on_success(tmp_path):
    target = tmp_path / "t.txt"
    write_text(target, "old")
    with pytest.raises(RuntimeError):
        with atomic_file(target, "w") as fh:
            fh.write("half")
            raise RuntimeError("killed")
    assert target.read_text() == "old" and _temp_files(tmp_path) == []
    with atomic_file(target, "wb") as fh:
        fh.write(b"new")
    assert target.read_bytes() == b"new"


def test_unwritable_targets_are_output_errors(tmp_path):
    with pytest.raises(OutputError, match="is a directory"):
        write_text(tmp_path, "x")
    with pytest.raises(OutputError, match="cannot write"):
        write_text(tmp_path / "no" / "such" / "x.txt", "x")
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match="not a folder"):
        ResultFolder(tmp_path / "file")


def test_result_folder_manifest_and_refusal(tmp_path):
    target = tmp_path / "results"
    with ResultFolder(target, seed=7, command="designcalc test") as folder:
        write_text(os.path.join(folder.path, "a.csv"), "x\n1\n")
        os.makedirs(os.path.join(folder.path, "sub"))
        write_text(os.path.join(folder.path, "sub", "b.json"), "{}\n")
    manifest = json.loads((target / MANIFEST).read_text())
    assert manifest["seed"] == 7 and manifest["command"] == "designcalc test"
    for entry in manifest["files"]:
        data = (target / entry["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        assert len(data) == entry["bytes"]
    assert [e["path"] for e in manifest["files"]] == ["a.csv", "sub/b.json"]
    assert [n for n in os.listdir(tmp_path) if n != "results"] == []   # nothing left over
    # a folder that is not a designcalc result folder is never replaced
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep")
    with pytest.raises(OutputError, match="not a designcalc result folder"):
        ResultFolder(other)
    assert (other / "notes.txt").read_text() == "keep"


def test_failed_result_folder_keeps_the_previous_one(tmp_path):
    target = tmp_path / "results"
    with ResultFolder(target) as folder:
        write_text(os.path.join(folder.path, "a.csv"), "old\n")
    before = _tree(target)
    with pytest.raises(RuntimeError):
        with ResultFolder(target) as folder:
            write_text(os.path.join(folder.path, "a.csv"), "new\n")
            raise RuntimeError("a trial failed")
    assert _tree(target) == before
    assert sorted(os.listdir(tmp_path)) == ["results"]


# --- real processes ---------------------------------------------------------------------------

def _kill_while_writing(tmp_path, seed, rounds):
    rng = random.Random(seed)
    target = tmp_path / "oc.json"
    first = subprocess.run(_cli(*BIG, "--out", str(target)), capture_output=True)
    assert first.returncode == 0, first.stderr
    size = target.stat().st_size
    assert size > 500_000
    for _ in range(rounds):
        threshold = rng.randrange(0, size)
        proc = subprocess.Popen(_cli(*BIG, "--out", str(target)), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)

        def writing():
            tmps = _temp_files(tmp_path)
            try:
                return bool(tmps) and os.path.getsize(tmp_path / tmps[0]) >= threshold
            except FileNotFoundError:      # renamed over the target meanwhile
                return False

        _wait_until(writing, proc)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        data = json.loads(target.read_text())            # never truncated
        assert len(data["results"]) == 9999
        for name in _temp_files(tmp_path):               # what a killed process leaves
            os.unlink(tmp_path / name)


def test_killed_while_writing_never_leaves_a_truncated_file(tmp_path):
    _kill_while_writing(tmp_path, seed=1, rounds=3)


@pytest.mark.slow
def test_killed_while_writing_many_times(tmp_path):
    _kill_while_writing(tmp_path, seed=2, rounds=40)


@pytest.mark.skipif(not hasattr(signal, "SIGXFSZ"), reason="POSIX file-size limit")
def test_file_size_limit_leaves_the_old_file_byte_identical(tmp_path):
    import resource

    target = tmp_path / "oc.json"
    old = b'{"old": true}\n'
    target.write_bytes(old)

    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)   # EFBIG instead of a signal
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

    run = subprocess.run(_cli(*BIG, "--out", str(target)), capture_output=True, text=True,
                         preexec_fn=limit)
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "--out" in lines[0] and "Traceback" not in run.stderr
    assert target.read_bytes() == old
    assert _temp_files(tmp_path) == []


def test_killed_trial_run_leaves_the_previous_folder_byte_identical(tmp_path):
    """The previous folder (one trial's, the quickest to write) survives a killed
    ``--all`` run that has written its first trial."""
    out = tmp_path / "results"
    done = subprocess.run(_cli("trial", "run", "nalirifox", "--out", str(out), "--n-sims",
                               "300", "--no-plots", "--report", "md", "--quiet"),
                          capture_output=True)
    assert done.returncode == 0, done.stderr
    before = _tree(out)
    manifest = json.loads((out / MANIFEST).read_text())
    assert {e["path"] for e in manifest["files"]} == set(before) - {MANIFEST}
    proc = subprocess.Popen(_cli("trial", "run", "--all", "--out", str(out), "--n-sims",
                                 "20000", "--seed", "3", "--report", "md", "--no-plots",
                                 "--quiet"),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def first_trial_written():
        partial = [n for n in os.listdir(tmp_path) if n.endswith(".partial")]
        return bool(partial) and os.path.isfile(tmp_path / partial[0] / "nalirifox" /
                                                "record.json")

    assert _wait_until(first_trial_written, proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert _tree(out) == before


# --- targets that are not regular files are refused, never replaced (issue #21) ---

def _refused(target, kind):
    out = subprocess.run(_cli("binomial", "ci", "--x", "3", "--n", "10", "--out", str(target)),
                         capture_output=True, text=True)
    assert out.returncode == 2, out.stderr
    assert out.stderr.count("\n") == 1 and f"it is {kind}" in out.stderr


def test_symlink_is_refused_and_kept(tmp_path):
    real = tmp_path / "real.txt"
    real.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    with pytest.raises(OutputError, match="symbolic link"):
        write_text(link, "new")
    assert link.is_symlink() and real.read_text() == "old"
    _refused(link, "a symbolic link")


def test_fifo_is_refused_and_kept(tmp_path):
    import stat

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    _refused(fifo, "a FIFO")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".designcalc-")]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                    reason="creating a device node needs root")
def test_device_node_is_refused_and_kept(tmp_path):
    import stat

    node = tmp_path / "null"
    os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 3))      # a private /dev/null
    _refused(node, "a character device")
    assert stat.S_ISCHR(os.lstat(node).st_mode)


def test_read_only_file_is_refused_and_kept(tmp_path):
    target = tmp_path / "locked.txt"
    target.write_text("keep")
    target.chmod(0o444)
    with pytest.raises(OutputError, match="read-only"):
        write_text(target, "new")
    assert target.read_text() == "keep"


def test_read_only_result_folder_is_refused_and_kept(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(OutputError, match="read-only"):
            ResultFolder(folder)
        assert oct(folder.stat().st_mode & 0o777) == "0o555"
    finally:
        folder.chmod(0o755)


@pytest.mark.skipif(not hasattr(os, "O_DIRECTORY"), reason="POSIX folders only")
def test_atomic_writer_fsyncs_the_file_and_its_folder(tmp_path, monkeypatch):
    import stat

    synced = []
    real_fsync = os.fsync

    def spy(fd):
        synced.append(stat.S_ISDIR(os.fstat(fd).st_mode))
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", spy)
    write_text(tmp_path / "x.txt", "data")
    assert synced == [False, True]          # the file, then the folder holding the rename


def test_bad_out_fails_before_the_figure_and_report_are_written(tmp_path):
    """Issue #21: --report and --plot were written although --out then failed (exit 2)."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    out = subprocess.run(_cli(*BIG[:10], "--p", "0.5", "--plot", str(tmp_path / "f.png"),
                              "--report", str(tmp_path / "r.md"), "--out", str(fifo)),
                         capture_output=True, text=True)
    assert out.returncode == 2 and "'--out'" in out.stderr and "a FIFO" in out.stderr
    assert sorted(os.listdir(tmp_path)) == ["pipe"]


def test_plot_into_a_missing_folder_is_one_line(tmp_path):
    out = subprocess.run(_cli(*BIG[:10], "--p", "0.5", "--plot",
                              str(tmp_path / "no" / "f.png")), capture_output=True, text=True)
    assert out.returncode == 2 and out.stderr.count("\n") == 1
    assert "'--plot'" in out.stderr and "does not exist" in out.stderr


# --- every exit path cleans up; leftovers of killed runs are removed (issue #21) ---

def _size_limited(limit):
    import resource

    def apply_limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)   # EFBIG instead of a signal
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply_limit


@pytest.mark.skipif(not hasattr(signal, "SIGXFSZ"), reason="POSIX file-size limit")
def test_docx_report_under_a_file_size_limit_is_one_line_and_leaves_nothing(tmp_path):
    """Issue #21: a docx report under ``ulimit -f`` printed 8 lines and a traceback (the
    zip writer's ``__del__``).  The other writers: the next test."""
    run = subprocess.run(_cli(*BIG[:10], "--p", "0.5", "--report", "r.docx"),
                         capture_output=True, text=True, cwd=tmp_path,
                         preexec_fn=_size_limited(4096))
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and "File too large" in run.stderr, run.stderr
    assert os.listdir(tmp_path) == []


def test_failing_report_writers_remove_their_temporary_files(tmp_path, monkeypatch):
    """Every report writer's failure path (EFBIG in the middle of a write) removes its
    temporary file and raises one OutputError."""
    import errno
    import io

    from designcalc.binary.simon import SimonDesign
    from designcalc.present.report import write_result_report

    res = SimonDesign(r1=1, n1=10, r=5, n=29).oc([0.1, 0.3])
    real_fdopen = os.fdopen

    def fdopen(fd, mode="r", *args, **kwargs):
        fh = real_fdopen(fd, mode, *args, **kwargs)

        def write(data):
            (io.TextIOWrapper.write if "b" not in mode else io.BufferedWriter.write)(
                fh, data[:10])
            raise OSError(errno.EFBIG, "File too large")
        fh.write = write
        return fh

    monkeypatch.setattr(os, "fdopen", fdopen)
    for ext in ("md", "html", "docx"):
        with pytest.raises(OutputError, match="File too large"):
            write_result_report(res, tmp_path / f"r.{ext}", command="designcalc x", inputs={},
                                plot=False)
    assert os.listdir(tmp_path) == []


def test_remove_stale_removes_only_old_leftovers_of_ended_runs(tmp_path):
    """Issue #21: 12 killed ``trial run``s left 7 ``.partial`` folders, never cleaned."""
    from designcalc.core.outputs import remove_stale

    old = time.time() - 3600
    ours = [".res-abcd1234.partial", ".res-99999999-ab_d1234.old", ".designcalc-x1y2z3w4.tmp",
            ".designcalc-99999999-x1y2z3w4.tmp"]
    kept = [".res-12ab34cd.partial.bak", ".other-abcd1234.partial", ".designcalc-x.tmp",
            f".res-{os.getpid()}-abcd1234.partial",      # a live process's
            "res.partial", "notes.txt"]
    for name in ours + kept:
        path = tmp_path / name
        if name.endswith((".partial", ".old")):
            path.mkdir()
            (path / "record.json").write_text("{}")
        else:
            path.write_text("x")
        os.utime(path, (old, old))
    fresh = tmp_path / ".res-fedc4321.partial"          # newer than this process: not stale
    fresh.mkdir()
    assert sorted(remove_stale(tmp_path, "res")) == sorted(ours)
    assert sorted(os.listdir(tmp_path)) == sorted(kept + [fresh.name])


def test_next_trial_run_removes_leftovers_and_says_so(tmp_path):
    stale = tmp_path / ".results-abcd1234.partial"
    stale.mkdir()
    (stale / "half.csv").write_text("p,q\n")
    os.utime(stale, (time.time() - 60, time.time() - 60))
    run = subprocess.run(_cli("trial", "run", "leflunomide", "--n-sims", "100", "--no-plots",
                              "--report", "md", "--quiet", "--out", str(tmp_path / "results")),
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    (line,) = [x for x in run.stderr.splitlines() if "leftover" in x]
    assert ".results-abcd1234.partial" in line
    assert sorted(os.listdir(tmp_path)) == ["results"]


@pytest.mark.skipif(not hasattr(signal, "SIGXFSZ"), reason="POSIX file-size limit")
def test_trial_run_under_a_file_size_limit_names_its_folder_and_leaves_nothing(tmp_path):
    run = subprocess.run(_cli("trial", "run", "leflunomide", "--n-sims", "100", "--no-plots",
                              "--report", "md", "--quiet", "--out", "results"),
                         capture_output=True, text=True, cwd=tmp_path,
                         preexec_fn=_size_limited(2048))
    assert run.returncode == 2 and run.stderr.count("\n") == 1, run.stderr
    assert "results/leflunomide/" in run.stderr and ".partial" not in run.stderr
    assert os.listdir(tmp_path) == []

"""The exceptions crucible-pl raises, in one place.

Every error derives from :class:`CrucibleError` and also from the builtin it
resembles, so ``except LookupError`` or ``except FileNotFoundError`` keep working::

    CrucibleError (Exception)
    ├── DatasetNotFoundError (LookupError)      unknown repo or registered name
    ├── ConfigNotFoundError (LookupError)       unknown config of a known dataset
    ├── SplitNotFoundError (LookupError)        unknown split of a known config
    ├── RevisionNotFoundError (LookupError)     unknown branch, tag or commit
    ├── ColumnNotFoundError (LookupError)       ``columns=`` names a missing column
    ├── InvalidInputError (ValueError)          malformed argument, raised before any network
    │   ├── InvalidRepoIdError                  not ``owner/name``, or unsafe
    │   ├── InvalidPathError                    a file path that would leave the repo or cache
    │   ├── InvalidSplitError                   a split string that does not parse
    │   └── MismatchedRunsError                 compare() runs not on the same items
    ├── GatedDatasetError (PermissionError)     401/403: gated or private, token missing or refused
    ├── CodeExecutionNotAllowedError (PermissionError)  running predictions as code not opted in
    ├── CacheMissError (FileNotFoundError)      offline, and the data are not cached
    ├── CacheChangedError (FileNotFoundError)   a cached file vanished while it was read
    ├── FileWriteError (OSError)                a file could not be written (nothing partial left)
    │   └── DiskFullError                       the disk (or a file size limit) is full
    ├── HubUnavailableError (ConnectionError)   the Hub could not be reached (after retries)
    ├── DataFormatError (ValueError)            a data file or manifest that cannot be read
    ├── ValidationError (ValueError)            a frame that breaks its family's schema
    └── MissingDependencyError (ImportError)    an optional extra is not installed

Errors carry the structured fields ``dataset``, ``config``, ``split`` and
``revision`` (``None`` where they do not apply). No error message ever contains a
token.

Examples
--------
>>> from crucible_pl.errors import CrucibleError, SplitNotFoundError
>>> err = SplitNotFoundError(
...     "Split 'tset' not found in openai/gsm8k (config 'main'). Available splits: test, train.",
...     dataset="openai/gsm8k",
...     config="main",
...     split="tset",
... )
>>> isinstance(err, CrucibleError), isinstance(err, LookupError)
(True, True)
>>> err.split
'tset'
"""

# Over 500 lines on purpose: one errors module for the whole package (STYLE.md), and
# about 370 of its lines are the classes' docstrings with runnable examples.
from __future__ import annotations

__all__ = [
    "CacheChangedError",
    "CacheMissError",
    "CodeExecutionNotAllowedError",
    "ColumnNotFoundError",
    "ConfigNotFoundError",
    "CrucibleError",
    "DataFormatError",
    "DatasetNotFoundError",
    "DiskFullError",
    "FileWriteError",
    "GatedDatasetError",
    "HubUnavailableError",
    "InvalidInputError",
    "InvalidPathError",
    "InvalidRepoIdError",
    "InvalidSplitError",
    "LockFileError",
    "LockMismatchError",
    "MismatchedRunsError",
    "MissingDependencyError",
    "RevisionNotFoundError",
    "SplitNotFoundError",
    "ValidationError",
]


class CrucibleError(Exception):
    """Base class of every error raised by crucible-pl.

    Parameters
    ----------
    message
        The full, user-facing message: what was wrong, what is valid, what to do.
    dataset, config, split, revision
        Structured context, ``None`` where it does not apply.

    Examples
    --------
    >>> import crucible_pl
    >>> from crucible_pl.errors import CrucibleError
    >>> try:
    ...     crucible_pl.load_lazy("gsm8k", "tset")
    ... except CrucibleError as err:
    ...     print(type(err).__name__, err.dataset, err.split)
    SplitNotFoundError openai/gsm8k tset
    """

    def __init__(
        self,
        message: str,
        *,
        dataset: str | None = None,
        config: str | None = None,
        split: str | None = None,
        revision: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.dataset = dataset
        self.config = config
        self.split = split
        self.revision = revision

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[object, ...]:
        # Keep the keyword fields when an error crosses a process boundary.
        return (_rebuild, (type(self), self.message, self.__dict__.copy()))


def _rebuild(cls: type[CrucibleError], message: str, state: dict[str, object]) -> CrucibleError:
    err = cls.__new__(cls)
    Exception.__init__(err, message)
    err.__dict__.update(state)
    return err


class DatasetNotFoundError(CrucibleError, LookupError):
    """The dataset does not exist: no such Hub repo, or no such registered name.

    A user sees, for example::

        Dataset 'opeani/gsm8k' not found on the Hub at http://127.0.0.1:8000.
        Check the repo id (owner/name); if it is private, pass token=... or set HF_TOKEN.

    Examples
    --------
    >>> import crucible_pl
    >>> crucible_pl.load_lazy("gsm8")
    Traceback (most recent call last):
    ...
    crucible_pl.errors.DatasetNotFoundError: Unknown dataset 'gsm8': did you mean 'gsm8k'? ...
    """


class ConfigNotFoundError(CrucibleError, LookupError):
    """The dataset exists but has no such config.

    A user sees, for example::

        Config 'mian' not found in openai/gsm8k. Available configs: main, socratic.

    Examples
    --------
    >>> import crucible_pl
    >>> crucible_pl.load_lazy("gsm8k", "test", config="mian")
    Traceback (most recent call last):
    ...
    crucible_pl.errors.ConfigNotFoundError: Config 'mian' ... Available configs: main, socratic.
    """


class SplitNotFoundError(CrucibleError, LookupError):
    """The config exists but has no such split.

    A user sees, for example::

        Split 'tset' not found in openai/gsm8k (config 'main'). Available splits: test, train.

    Examples
    --------
    >>> import crucible_pl
    >>> crucible_pl.load_lazy("gsm8k", "tset")
    Traceback (most recent call last):
    ...
    crucible_pl.errors.SplitNotFoundError: Split 'tset' ... Available splits: test, train...
    """


class RevisionNotFoundError(CrucibleError, LookupError):
    """The branch, tag or commit does not exist in the repo.

    A user sees, for example::

        Revision 'v9' not found in openai/gsm8k. Pass an existing branch, tag or commit sha.

    Examples
    --------
    >>> import crucible_pl
    >>> crucible_pl.load_lazy("gsm8k", "test", revision="v9")
    Traceback (most recent call last):
    ...
    crucible_pl.errors.RevisionNotFoundError: Revision 'v9' not found in openai/gsm8k...
    """


class ColumnNotFoundError(CrucibleError, LookupError):
    """``columns=`` names a column the data does not have.

    A user sees, for example::

        Column 'qestion' not found in openai/gsm8k (config 'main', split 'test').
        Available columns: question, answer.

    Examples
    --------
    >>> import crucible_pl
    >>> crucible_pl.load_lazy("gsm8k", "test", raw=True, columns=["qestion"])
    Traceback (most recent call last):
    ...
    crucible_pl.errors.ColumnNotFoundError: Column... 'qestion' not found ... question, answer.
    """


class InvalidInputError(CrucibleError, ValueError):
    """An argument is malformed. Raised before any network request.

    Examples
    --------
    >>> import crucible_pl
    >>> ds = crucible_pl.load("gsm8k", "test[:5]")
    >>> ds.head(-1)
    Traceback (most recent call last):
    ...
    crucible_pl.errors.InvalidInputError: Invalid n=-1 for head(): expected an int >= 0, e.g. ...
    """


class InvalidRepoIdError(InvalidInputError):
    """A repo id that is not ``owner/name`` or that could escape the cache.

    A user sees, for example::

        Invalid dataset id '../etc': expected 'owner/name' made of letters, digits, '-', '_'
        and '.', or a registered name such as 'gsm8k'.

    Examples
    --------
    >>> import crucible_pl
    >>> crucible_pl.load_lazy("../etc")
    Traceback (most recent call last):
    ...
    crucible_pl.errors.InvalidRepoIdError: Invalid dataset id '../etc': expected 'owner/name' ...
    """


class InvalidPathError(InvalidInputError):
    """A file path that is absolute or climbs out of its repo or cache with ``..``.

    A user sees, for example::

        Refusing file path '../../secrets' from openai/gsm8k: paths must be relative and stay
        inside the repository.

    Examples
    --------
    >>> import tempfile
    >>> from crucible_pl.testing import write_repo
    >>> tmp = tempfile.TemporaryDirectory()
    >>> write_repo(tmp.name, "me/toy", {"../../secrets.csv": "a\\n1\\n"})
    Traceback (most recent call last):
    ...
    crucible_pl.errors.InvalidPathError: Invalid repo file path '../../secrets.csv': ...
    >>> tmp.cleanup()
    """


class InvalidSplitError(InvalidInputError):
    """A split string that does not follow the ``datasets`` slicing syntax.

    A user sees, for example::

        Invalid split 'test[:abc]': expected a split name with an optional slice such as
        'test', 'test[:100]', 'test[-50:]', 'train[10%:20%]' or 'train+validation'.

    Examples
    --------
    >>> import crucible_pl
    >>> crucible_pl.load_lazy("gsm8k", "test[:abc]")
    Traceback (most recent call last):
    ...
    crucible_pl.errors.InvalidSplitError: Invalid split 'test[:abc]': expected a split name ...
    """


class LockFileError(InvalidInputError):
    """A lock file (``crucible.lock``) is missing, not TOML, or not in the lock format.

    ``path`` is the lock file. A user sees, for example::

        Lock file 'crucible.lock' is malformed: dataset #2: sha 'abc' is not a 40-hex
        commit sha. Write it again with `crucible-pl lock`.

    Examples
    --------
    >>> from crucible_pl.errors import LockFileError
    >>> err = LockFileError("Lock file 'x.lock' does not exist.", path="x.lock")
    >>> err.path, isinstance(err, ValueError)
    ('x.lock', True)
    """

    def __init__(self, message: str, *, path: str | None = None, **context: str | None) -> None:
        super().__init__(message, **context)
        self.path = path


class LockMismatchError(CrucibleError, ValueError):
    """A load under a lock file does not match it: not locked there, or other data.

    Raised when a load given ``lock=`` (or ``CRUCIBLE_PL_LOCK``) asks for a dataset,
    config or split the lock does not pin, or when the files found differ from the
    locked ones (another file list, size or content hash). A user sees, for example::

        gsm8k (config 'main', split 'test') does not match crucible.lock: main/test-...
        has hash sha256:1f2e... where the lock has sha256:9a8b.... Run `crucible-pl lock
        --check` to see what changed; lock again to accept it.

    Examples
    --------
    >>> from crucible_pl.errors import LockMismatchError
    >>> isinstance(LockMismatchError("not in the lock", dataset="gsm8k"), ValueError)
    True
    """


class MismatchedRunsError(InvalidInputError):
    """Two runs given to ``compare()`` are not on the same items.

    Their dataset provenance differs, only one of them has it, their item ids differ, or
    an id has different reference values. ``fields`` names what differs (``"sha"``,
    ``"split"``, ``"id"``, ``"expected"``...). A user sees, for example::

        Runs A and B were scored on different data: split (A: 'test', B: 'validation').
        Compare runs evaluated on the same dataset repo, commit sha, config and split
        (load both with the same revision=).

    Examples
    --------
    >>> from crucible_pl.errors import MismatchedRunsError
    >>> err = MismatchedRunsError("Runs A and B were scored on different data.", fields=("split",))
    >>> err.fields, isinstance(err, ValueError)
    (('split',), True)
    """

    def __init__(
        self, message: str, *, fields: tuple[str, ...] = (), **context: str | None
    ) -> None:
        super().__init__(message, **context)
        self.fields = fields


class GatedDatasetError(CrucibleError, PermissionError):
    """The Hub refused access (401/403): the dataset is gated or private.

    A user sees, for example::

        Access to Idavidrein/gpqa was refused (HTTP 401): the dataset is gated or private.
        Accept its terms on the Hub, then pass token=... or set HF_TOKEN.

    Examples
    --------
    >>> from crucible_pl.errors import GatedDatasetError
    >>> err = GatedDatasetError("Access to Idavidrein/gpqa was refused.", dataset="Idavidrein/gpqa")
    >>> isinstance(err, PermissionError), err.dataset
    (True, 'Idavidrein/gpqa')
    """


class CodeExecutionNotAllowedError(CrucibleError, PermissionError):
    """Scoring would run predictions as programs, and that was not opted in.

    A user sees, for example::

        run_tests would run each prediction, with its dataset's tests, as a Python program
        on this machine. ... This is not a security sandbox ... To opt in, pass
        allow_code_execution=True or set CRUCIBLE_PL_ALLOW_CODE_EXECUTION=1.

    Examples
    --------
    >>> from crucible_pl.errors import CodeExecutionNotAllowedError
    >>> isinstance(CodeExecutionNotAllowedError("Not opted in."), PermissionError)
    True
    """


class CacheMissError(CrucibleError, FileNotFoundError):
    """Offline mode is on and what was asked for is not in the cache.

    A user sees, for example::

        openai/gsm8k (config 'main', split 'test') is not in the cache and offline mode is on
        (HF_HUB_OFFLINE=1). Run `crucible-pl download openai/gsm8k --config main --split test`
        with network access first, or unset HF_HUB_OFFLINE.

    Examples
    --------
    >>> import crucible_pl
    >>> try:
    ...     crucible_pl.load_lazy("gsm8k", "train", offline=True)  # nothing cached yet
    ... except FileNotFoundError as err:
    ...     print(type(err).__name__)
    CacheMissError
    """


class CacheChangedError(CrucibleError, FileNotFoundError):
    """A cached file vanished while it was being read, e.g. a load raced ``cache rm``.

    A user sees, for example::

        A cached file of openai/gsm8k (config 'main', split 'test') vanished while it was
        being read (No such file or directory (os error 2): .../test-00000-of-00001.parquet):
        another process changed the cache (crucible-pl cache rm or clean?). Load again:
        missing files are downloaded again (or converted again from the cached source).

    Examples
    --------
    >>> from crucible_pl.errors import CacheChangedError
    >>> err = CacheChangedError("A cached file vanished.", dataset="openai/gsm8k")
    >>> isinstance(err, FileNotFoundError), err.dataset
    (True, 'openai/gsm8k')
    """


class FileWriteError(CrucibleError, OSError):
    """A file could not be written; nothing partial was left at its path.

    ``path`` is the file that was being written. A user sees, for example::

        Cannot write the manifest .../refs/main.json: a directory is in its place. Remove it
        with `crucible-pl cache rm me/toy` (or delete that directory), then load again.

    Examples
    --------
    >>> from crucible_pl.errors import FileWriteError
    >>> err = FileWriteError("Cannot write /x: permission denied.", path="/x")
    >>> isinstance(err, OSError), err.path
    (True, '/x')
    """

    def __init__(self, message: str, *, path: str | None = None, **context: str | None) -> None:
        super().__init__(message, **context)
        self.path = path


class DiskFullError(FileWriteError):
    """The disk holding a file being written is full (or a file size limit was hit).

    ``directory`` is where the file was written, ``free`` the bytes still free there and
    ``needed`` the bytes the file needed, where known (else how much was written before
    the disk filled). The temporary file is removed. A user sees, for example::

        No space left on device while writing .../test.parquet: 0 bytes free in
        /home/me/.cache/crucible-pl/normalized/..., 12.0 MB were written before it filled.
        Free space there, or point CRUCIBLE_PL_CACHE (HF_HOME for downloads) at a larger disk.

    Examples
    --------
    >>> from crucible_pl.errors import DiskFullError
    >>> err = DiskFullError("No space left.", path="/c/x.json", directory="/c", needed=120)
    >>> isinstance(err, OSError), err.directory, err.needed
    (True, '/c', 120)
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        directory: str | None = None,
        free: int | None = None,
        needed: int | None = None,
        **context: str | None,
    ) -> None:
        super().__init__(message, path=path, **context)
        self.directory = directory
        self.free = free
        self.needed = needed


class HubUnavailableError(CrucibleError, ConnectionError):
    """The Hub could not be reached, after huggingface_hub's own retries.

    A user sees, for example::

        Could not reach the Hub at http://127.0.0.1:8000 for openai/gsm8k (ConnectError).
        Nothing was cached. Check the network or HF_ENDPOINT, or work offline with
        HF_HUB_OFFLINE=1 on data already cached.

    Examples
    --------
    >>> from crucible_pl.errors import HubUnavailableError
    >>> err = HubUnavailableError("Could not reach the Hub.", dataset="openai/gsm8k")
    >>> isinstance(err, ConnectionError), err.dataset
    (True, 'openai/gsm8k')
    """


class DataFormatError(CrucibleError, ValueError):
    """A data file or manifest that cannot be read as what it claims to be.

    A user sees, for example::

        main/test-00000-of-00001.parquet of openai/gsm8k is not a valid Parquet file.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import crucible_pl
    >>> tmp = tempfile.TemporaryDirectory()
    >>> fake = Path(tmp.name, "rows.parquet")
    >>> _ = fake.write_text("not parquet")
    >>> crucible_pl.load_from_disk(fake)
    Traceback (most recent call last):
    ...
    crucible_pl.errors.DataFormatError: ...rows.parquet is not a readable Parquet file ...
    >>> tmp.cleanup()
    """


class ValidationError(CrucibleError, ValueError):
    """A collected frame breaks the schema of its dataset family.

    A user sees, for example::

        mmlu (config 'astronomy', split 'test') failed validation (multiple_choice):
          expected: out of range of choices (2 rows), ids: mmlu/astronomy/test/3, ...

    Examples
    --------
    >>> import polars as pl
    >>> from crucible_pl.schemas import validate_frame
    >>> validate_frame(pl.DataFrame({"id": ["q1"], "input": [""]}), "math", context="toy")
    Traceback (most recent call last):
    ...
    crucible_pl.errors.ValidationError: toy failed validation (math):
      expected: missing column
      input: empty string (1 row), ids: q1
    """


class MissingDependencyError(CrucibleError, ImportError):
    """An optional dependency is not installed.

    A user sees, for example::

        BLEU needs the optional 'metrics' extra: pip install 'crucible-pl[metrics]'.

    Examples
    --------
    >>> from crucible_pl.errors import MissingDependencyError
    >>> try:
    ...     raise MissingDependencyError("BLEU needs the optional 'metrics' extra.")
    ... except ImportError as err:
    ...     print(err)
    BLEU needs the optional 'metrics' extra.
    """

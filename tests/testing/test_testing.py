"""LocalHub against the real huggingface_hub client, over HTTP on loopback."""

from __future__ import annotations

import gzip
import hashlib
import http.client
import io
import json
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlparse

import httpx2
import polars as pl
import pytest
from huggingface_hub import HfApi, hf_hub_download, snapshot_download
from huggingface_hub.errors import (
    EntryNotFoundError,
    GatedRepoError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)
from huggingface_hub.hf_api import RepoFile, RepoFolder
from polars.testing import assert_frame_equal

import crucible_pl.testing as testing
from crucible_pl.errors import InvalidInputError, InvalidPathError, InvalidRepoIdError
from crucible_pl.registry._spec import DatasetSpec, HubFile, SyntheticRequest
from crucible_pl.testing import LocalHub, RecordedRequest, write_repo, write_spec_repo
from crucible_pl.testing._repos import git_blob_oid

GOOD = "hf_goodtoken"
BAD = "hf_wrongtoken"
REPO = "me/toy"
GATED = "me/gated"
FRAME = pl.DataFrame(
    {"q": ["1+1?", "2+2?", "ünï"], "a": [2, 4, None], "ok": [True, False, True]},
    schema={"q": pl.String, "a": pl.Int64, "ok": pl.Boolean},
)
CONVERTED = FRAME.head(2)
CARD = {
    "license": "mit",
    "configs": [
        {"config_name": "default", "data_files": [{"split": "test", "path": "data/test-*"}]}
    ],
}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    write_repo(
        root,
        REPO,
        {
            "data/test-00000-of-00001.parquet": FRAME,
            "data/train.jsonl": FRAME,
            "notes/a.txt": "hello\n",
            "notes/deep/b.txt": b"bytes",
        },
        card=CARD,
    )
    write_repo(root, REPO, {"default/test/0000.parquet": CONVERTED}, ref="refs/convert/parquet")
    write_repo(root, GATED, {"data.csv": FRAME})
    return root


@pytest.fixture
def hub(root: Path) -> Iterator[LocalHub]:
    with LocalHub(root, gated={GATED: {GOOD}}, tags={REPO: {"v1.0": "main"}}, page_size=2) as hub:
        yield hub


@pytest.fixture
def api(hub: LocalHub) -> HfApi:
    return HfApi(endpoint=hub.url, token=False)


@pytest.fixture
def web() -> Iterator[httpx2.Client]:
    with httpx2.Client() as client:
        yield client


@pytest.fixture
def download(hub: LocalHub, tmp_path: Path) -> Callable[..., str]:
    def run(
        filename: str,
        repo_id: str = REPO,
        *,
        revision: str | None = None,
        token: bool | str = False,
    ) -> str:
        return hf_hub_download(
            repo_id,
            filename,
            repo_type="dataset",
            revision=revision,
            endpoint=hub.url,
            cache_dir=tmp_path / "cache",
            token=token,
        )

    return run


def test_all_matches_exports() -> None:
    public = {name for name in vars(testing) if not name.startswith("_")}
    public -= {"annotations"}
    assert set(testing.__all__) == public


# -- repo info -------------------------------------------------------------------------


def test_dataset_info_main(api: HfApi) -> None:
    info = api.dataset_info(REPO)
    assert info.id == REPO
    assert info.sha is not None
    assert len(info.sha) == 40
    assert info.siblings is not None
    assert sorted(s.rfilename for s in info.siblings) == [
        "README.md",
        "data/test-00000-of-00001.parquet",
        "data/train.jsonl",
        "notes/a.txt",
        "notes/deep/b.txt",
    ]
    assert info.card_data is not None
    assert info.card_data["configs"] == CARD["configs"]
    assert info.private is False
    assert info.gated is False
    assert api.dataset_info(GATED).gated == "manual"


def test_dataset_info_at_sha_tag_and_convert_ref(api: HfApi) -> None:
    main = api.dataset_info(REPO)
    assert main.sha is not None
    assert api.dataset_info(REPO, revision=main.sha).sha == main.sha
    assert api.dataset_info(REPO, revision="v1.0").sha == main.sha
    convert = api.dataset_info(REPO, revision="refs/convert/parquet")
    assert convert.sha is not None
    assert convert.sha != main.sha
    assert [s.rfilename for s in convert.siblings or []] == ["default/test/0000.parquet"]
    assert api.dataset_info(REPO, revision=convert.sha).sha == convert.sha


def test_dataset_info_blobs_and_expand(api: HfApi) -> None:
    info = api.dataset_info(REPO, files_metadata=True)
    by_name = {s.rfilename: s for s in info.siblings or []}
    parquet = by_name["data/test-00000-of-00001.parquet"]
    assert parquet.lfs is not None
    assert parquet.lfs.size == parquet.size
    assert by_name["notes/a.txt"].lfs is None
    assert by_name["notes/a.txt"].blob_id == git_blob_oid(b"hello\n")
    only = api.dataset_info(REPO, expand=["sha"])
    assert only.sha == info.sha
    assert only.siblings is None


def test_sha_is_deterministic_and_follows_content(root: Path, api: HfApi) -> None:
    before = api.dataset_info(REPO).sha
    assert api.dataset_info(REPO).sha == before
    write_repo(root, REPO, {"notes/new.txt": "new"})
    after = api.dataset_info(REPO).sha
    assert after != before
    with pytest.raises(RevisionNotFoundError):
        api.dataset_info(REPO, revision=before)


# -- tree, paths-info, refs ------------------------------------------------------------


def test_list_repo_tree_recursive_paginated(hub: LocalHub, api: HfApi) -> None:
    entries = list(api.list_repo_tree(REPO, repo_type="dataset", recursive=True))
    files = {e.path for e in entries if isinstance(e, RepoFile)}
    dirs = {e.path for e in entries if isinstance(e, RepoFolder)}
    assert files == {
        "README.md",
        "data/test-00000-of-00001.parquet",
        "data/train.jsonl",
        "notes/a.txt",
        "notes/deep/b.txt",
    }
    assert dirs == {"data", "notes", "notes/deep"}
    tree_calls = [r for r in hub.requests if "/tree/" in r.path]
    assert len(tree_calls) == 4  # 8 entries, 2 per page
    assert all("cursor=" in r.query for r in tree_calls[1:])
    parquet = next(e for e in entries if e.path == "data/test-00000-of-00001.parquet")
    assert isinstance(parquet, RepoFile)
    assert parquet.lfs is not None
    assert parquet.lfs.sha256 == hashlib.sha256(_repo_bytes(hub, parquet.path)).hexdigest()


def _repo_bytes(hub: LocalHub, path: str) -> bytes:
    return (hub.root / "datasets" / REPO / path).read_bytes()


def test_list_repo_tree_not_recursive_subdir_and_convert(api: HfApi) -> None:
    top = list(api.list_repo_tree(REPO, repo_type="dataset"))
    assert [(type(e).__name__, e.path) for e in top] == [
        ("RepoFolder", "data"),
        ("RepoFolder", "notes"),
        ("RepoFile", "README.md"),
    ]
    notes = list(api.list_repo_tree(REPO, "notes", repo_type="dataset"))
    assert [e.path for e in notes] == ["notes/deep", "notes/a.txt"]
    convert = list(
        api.list_repo_tree(
            REPO, "default/test", repo_type="dataset", revision="refs/convert/parquet"
        )
    )
    assert [e.path for e in convert] == ["default/test/0000.parquet"]
    expanded = list(api.list_repo_tree(REPO, "notes", repo_type="dataset", expand=True))
    assert all(e.last_commit is not None for e in expanded)
    with pytest.raises(EntryNotFoundError):
        list(api.list_repo_tree(REPO, "nope", repo_type="dataset"))


def test_get_paths_info(api: HfApi) -> None:
    infos = api.get_paths_info(REPO, ["notes/a.txt", "data", "missing.txt"], repo_type="dataset")
    assert [(type(i).__name__, i.path) for i in infos] == [
        ("RepoFile", "notes/a.txt"),
        ("RepoFolder", "data"),
    ]
    file = infos[0]
    assert isinstance(file, RepoFile)
    assert (file.size, file.blob_id, file.lfs) == (6, git_blob_oid(b"hello\n"), None)
    convert = api.get_paths_info(
        REPO, "default/test/0000.parquet", repo_type="dataset", revision="refs/convert/parquet"
    )
    assert len(convert) == 1


def test_list_repo_refs(api: HfApi) -> None:
    main_sha = api.dataset_info(REPO).sha
    convert_sha = api.dataset_info(REPO, revision="refs/convert/parquet").sha
    refs = api.list_repo_refs(REPO, repo_type="dataset")
    assert [(b.name, b.ref, b.target_commit) for b in refs.branches] == [
        ("main", "refs/heads/main", main_sha)
    ]
    assert [(c.name, c.ref, c.target_commit) for c in refs.converts] == [
        ("parquet", "refs/convert/parquet", convert_sha)
    ]
    assert [(t.name, t.ref, t.target_commit) for t in refs.tags] == [
        ("v1.0", "refs/tags/v1.0", main_sha)
    ]
    assert (
        api.list_repo_refs(REPO, repo_type="dataset", include_pull_requests=True).pull_requests
        == []
    )


def test_parquet_listing(web: httpx2.Client, hub: LocalHub) -> None:
    listing = web.get(f"{hub.url}/api/datasets/{REPO}/parquet").json()
    assert list(listing) == ["default"]
    (url,) = listing["default"]["test"]
    assert web.get(f"{hub.url}/api/datasets/{REPO}/parquet/default/test").json() == [url]
    assert (
        web.get(url).content
        == (
            hub.root / "refs/datasets/me/toy/refs%2Fconvert%2Fparquet/default/test/0000.parquet"
        ).read_bytes()
    )
    missing = web.get(f"{hub.url}/api/datasets/{REPO}/parquet/nope")
    assert missing.status_code == 404
    assert missing.headers["X-Error-Code"] == "EntryNotFound"


# -- downloads -------------------------------------------------------------------------


def test_download_then_cached_by_sha_makes_no_request(
    hub: LocalHub, api: HfApi, download: Callable[..., str]
) -> None:
    path = Path(download("data/train.jsonl"))
    assert_frame_equal(pl.read_ndjson(path, schema=FRAME.schema), FRAME)
    assert hub.downloads() == ["data/train.jsonl"]
    assert hub.downloads("other/repo") == []
    sha = api.dataset_info(REPO).sha
    hub.clear_requests()
    again = download("data/train.jsonl", revision=sha)
    assert Path(again).read_bytes() == path.read_bytes()
    assert hub.requests == []


def test_download_lfs_file_and_convert_branch(hub: LocalHub, download: Callable[..., str]) -> None:
    path = download("default/test/0000.parquet", revision="refs/convert/parquet")
    assert_frame_equal(pl.read_parquet(path), CONVERTED)
    path = download("data/test-00000-of-00001.parquet", revision="v1.0")
    assert_frame_equal(pl.read_parquet(path), FRAME)
    gets = [r for r in hub.requests if r.method == "GET"]
    assert [r.revision for r in gets] == ["refs/convert/parquet", "v1.0"]
    assert hub.downloads(REPO) == ["default/test/0000.parquet", "data/test-00000-of-00001.parquet"]


def test_snapshot_download_with_patterns(hub: LocalHub, tmp_path: Path) -> None:
    folder = Path(
        snapshot_download(
            REPO,
            repo_type="dataset",
            endpoint=hub.url,
            cache_dir=tmp_path / "snap",
            token=False,
            allow_patterns=["notes/*"],
        )
    )
    assert (folder / "notes" / "a.txt").read_text() == "hello\n"
    assert not (folder / "data").exists()
    assert sorted(hub.downloads()) == ["notes/a.txt", "notes/deep/b.txt"]


def test_head_headers(web: httpx2.Client, hub: LocalHub, api: HfApi) -> None:
    sha = api.dataset_info(REPO).sha
    content = _repo_bytes(hub, "notes/a.txt")
    r = web.head(f"{hub.url}/datasets/{REPO}/resolve/main/notes/a.txt")
    assert r.status_code == 200
    assert r.headers["ETag"] == f'"{git_blob_oid(content)}"'
    assert r.headers["X-Repo-Commit"] == sha
    assert r.headers["Content-Length"] == str(len(content))
    assert r.headers["Accept-Ranges"] == "bytes"
    assert "X-Linked-Etag" not in r.headers
    assert not any(name.lower().startswith("x-xet") for name in r.headers)
    parquet = _repo_bytes(hub, "data/test-00000-of-00001.parquet")
    r = web.head(f"{hub.url}/datasets/{REPO}/resolve/main/data/test-00000-of-00001.parquet")
    digest = hashlib.sha256(parquet).hexdigest()
    assert r.headers["ETag"] == r.headers["X-Linked-Etag"] == f'"{digest}"'
    assert r.headers["X-Linked-Size"] == str(len(parquet))
    assert not any(name.lower().startswith("x-xet") for name in r.headers)
    assert r.content == b""


def test_range_requests(web: httpx2.Client, hub: LocalHub) -> None:
    url = f"{hub.url}/datasets/{REPO}/resolve/main/data/test-00000-of-00001.parquet"
    content = _repo_bytes(hub, "data/test-00000-of-00001.parquet")
    size = len(content)
    r = web.get(url, headers={"Range": "bytes=4-11"})
    assert r.status_code == 206
    assert r.content == content[4:12]
    assert r.headers["Content-Range"] == f"bytes 4-11/{size}"
    r = web.get(url, headers={"Range": "bytes=10-"})
    assert (r.status_code, r.content) == (206, content[10:])
    r = web.get(url, headers={"Range": "bytes=-4"})
    assert (r.status_code, r.content) == (206, content[-4:])
    r = web.get(url, headers={"Range": f"bytes={size}-"})
    assert r.status_code == 416
    assert r.headers["Content-Range"] == f"bytes */{size}"
    assert [(q.range, q.status) for q in hub.requests] == [
        ("bytes=4-11", 206),
        ("bytes=10-", 206),
        ("bytes=-4", 206),
        (f"bytes={size}-", 416),
    ]


# -- errors ----------------------------------------------------------------------------


def test_unknown_repo_revision_file(
    web: httpx2.Client, hub: LocalHub, api: HfApi, download: Callable[..., str]
) -> None:
    with pytest.raises(RepositoryNotFoundError):
        api.dataset_info("me/missing")
    with pytest.raises(RepositoryNotFoundError):
        download("a.txt", repo_id="me/missing")
    with pytest.raises(RepositoryNotFoundError):
        HfApi(endpoint=hub.url, token=GOOD).dataset_info("me/missing")
    assert [r.status for r in hub.requests] == [401, 401, 404]
    with pytest.raises(RevisionNotFoundError):
        api.dataset_info(REPO, revision="nope")
    with pytest.raises(RevisionNotFoundError):
        api.dataset_info(REPO, revision="0" * 40)
    with pytest.raises(RevisionNotFoundError):
        download("notes/a.txt", revision="nope")
    with pytest.raises(EntryNotFoundError):
        download("notes/missing.txt")
    r = web.get(f"{hub.url}/api/datasets/{REPO}/revision/nope")
    assert r.headers["X-Error-Code"] == "RevisionNotFound"
    assert r.json() == {"error": r.headers["X-Error-Message"]}


def test_gated_repo(hub: LocalHub, download: Callable[..., str]) -> None:
    with pytest.raises(GatedRepoError) as anonymous:
        download("data.csv", repo_id=GATED)
    assert anonymous.value.response.status_code == 401
    with pytest.raises(GatedRepoError) as wrong:
        download("data.csv", repo_id=GATED, token=BAD)
    assert wrong.value.response.status_code == 403
    path = download("data.csv", repo_id=GATED, token=GOOD)
    assert_frame_equal(pl.read_csv(path, schema=FRAME.schema), FRAME)
    assert [(r.method, r.status, r.authorized) for r in hub.requests] == [
        ("HEAD", 401, False),
        ("HEAD", 403, True),
        ("HEAD", 200, True),
        ("GET", 200, True),
    ]
    recorded = repr(hub.requests) + repr(hub)
    assert GOOD not in recorded
    assert BAD not in recorded


def _raw_get(hub: LocalHub, path: str) -> tuple[int, bytes]:
    parsed = urlparse(hub.url)
    conn = http.client.HTTPConnection(parsed.hostname or "", parsed.port, timeout=5)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@pytest.mark.parametrize(
    "path",
    [
        "/datasets/me/toy/resolve/main/../../../../secret.txt",
        "/datasets/me/toy/resolve/main/%2e%2e/%2e%2e/%2e%2e/%2e%2e/secret.txt",
        "/datasets/me/toy/resolve/main/notes%2F..%2F..%2F..%2Fsecret.txt",
        "/datasets/me/toy/resolve/main//etc/passwd",
        "/datasets/me/toy/resolve/main/%2Fetc%2Fpasswd",
        "/datasets/../../secret.txt",
        "/api/datasets/me/toy/tree/main/..%2F..",
    ],
)
def test_path_traversal_is_rejected(hub: LocalHub, root: Path, path: str) -> None:
    (root.parent / "secret.txt").write_text("TOP SECRET")
    status, body = _raw_get(hub, path)
    assert status == 400
    assert b"TOP SECRET" not in body


def test_symlink_out_of_root_is_not_served(hub: LocalHub, root: Path, api: HfApi) -> None:
    secret = root.parent / "secret.txt"
    secret.write_text("TOP SECRET")
    (root / "datasets" / REPO / "notes" / "link.txt").symlink_to(secret)
    status, body = _raw_get(hub, f"/datasets/{REPO}/resolve/main/notes/link.txt")
    assert status == 404
    assert b"TOP SECRET" not in body
    assert "notes/link.txt" not in {s.rfilename for s in api.dataset_info(REPO).siblings or []}


def test_server_is_quiet(
    web: httpx2.Client, hub: LocalHub, capfd: pytest.CaptureFixture[str]
) -> None:
    web.get(f"{hub.url}/api/datasets/me/missing")
    web.get(f"{hub.url}/nothing/here")
    _raw_get(hub, "/datasets/../x")
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")
    assert [r.status for r in hub.requests] == [401, 404, 400]


def test_recorded_request_is_frozen_and_hub_restarts(web: httpx2.Client, root: Path) -> None:
    hub = LocalHub(root)
    with pytest.raises(RuntimeError, match="not running"):
        _ = hub.url
    with hub:
        assert web.get(f"{hub.url}/api/datasets/{REPO}").status_code == 200
    (record,) = hub.requests
    assert isinstance(record, RecordedRequest)
    with pytest.raises(AttributeError):
        record.status = 500  # type: ignore[misc]
    hub.clear_requests()
    assert hub.requests == []
    with hub:
        assert web.get(f"{hub.url}/api/datasets/{REPO}/refs").status_code == 200


def test_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="not a directory"):
        LocalHub(tmp_path / "missing")
    with pytest.raises(InvalidInputError, match="page_size"):
        LocalHub(tmp_path, page_size=0)
    with pytest.raises(InvalidRepoIdError):
        LocalHub(tmp_path, gated={"../x": {"t"}})


# -- fixtures --------------------------------------------------------------------------


def _read(path: str, data: bytes) -> pl.DataFrame:
    if path.endswith(".gz"):
        data = gzip.decompress(data)
        path = path.removesuffix(".gz")
    buf = io.BytesIO(data)
    if path.endswith(".parquet"):
        return pl.read_parquet(buf)
    if path.endswith(".jsonl"):
        return pl.read_ndjson(buf, schema=FRAME.schema)
    if path.endswith(".json"):
        assert isinstance(json.loads(data), list)
        return pl.read_json(buf, schema=FRAME.schema)
    return pl.read_csv(buf, schema=FRAME.schema)


FORMATS = ["x.parquet", "x.jsonl", "x.jsonl.gz", "x.json", "x.json.gz", "x.csv", "x.csv.gz"]


def test_write_repo_round_trip_every_format(tmp_path: Path) -> None:
    root = tmp_path / "root"
    files: dict[str, pl.DataFrame | bytes | str] = {f"d/{name}": FRAME for name in FORMATS}
    files |= {"raw.bin": b"\x00\x01", "raw.txt": "text ü"}
    target = write_repo(root, REPO, files, card={"license": "mit", "tags": ("a", "b")})
    assert target == root / "datasets" / REPO
    with LocalHub(root) as hub:
        folder = Path(
            snapshot_download(
                REPO, repo_type="dataset", endpoint=hub.url, cache_dir=tmp_path / "c", token=False
            )
        )
        info = HfApi(endpoint=hub.url, token=False).dataset_info(REPO)
    for name in files:
        assert (folder / name).read_bytes() == (target / name).read_bytes()
    for name in FORMATS:
        assert_frame_equal(_read(name, (folder / "d" / name).read_bytes()), FRAME)
    assert (folder / "raw.bin").read_bytes() == b"\x00\x01"
    assert (folder / "raw.txt").read_text(encoding="utf-8") == "text ü"
    assert info.tags == ["a", "b"]
    assert not [p for p in root.rglob("*") if p.name.startswith(".crucible-tmp-")]


def test_write_repo_other_ref_and_errors(tmp_path: Path) -> None:
    target = write_repo(tmp_path, REPO, {"a/b/0.parquet": FRAME}, ref="refs/convert/parquet")
    assert target == tmp_path / "refs/datasets/me/toy/refs%2Fconvert%2Fparquet"
    assert (tmp_path / "datasets" / REPO).is_dir()
    with pytest.raises(InvalidRepoIdError):
        write_repo(tmp_path, "no-slash", {})
    with pytest.raises(InvalidPathError):
        write_repo(tmp_path, REPO, {"../escape.txt": "x"})
    with pytest.raises(InvalidPathError):
        write_repo(tmp_path, REPO, {"/abs.txt": "x"})
    with pytest.raises(InvalidInputError, match="suffix"):
        write_repo(tmp_path, REPO, {"x.xlsx": FRAME})
    with pytest.raises(InvalidInputError, match="README"):
        write_repo(tmp_path, REPO, {"README.md": "x"}, card={"license": "mit"})
    assert not (tmp_path / "escape.txt").exists()


def _spec() -> DatasetSpec:
    def synthetic(req: SyntheticRequest) -> pl.DataFrame:
        return pl.DataFrame({"q": [f"{req.split}-{i}" for i in range(req.n)], "a": range(req.n)})

    return DatasetSpec(
        name="toy",
        repo="me/spec-toy",
        family="math",
        description="Toy.",
        license="apache-2.0",
        domain="math",
        task_type="free-form answer",
        configs=("default",),
        default_config="default",
        default_split="test",
        columns={"input": pl.col("q"), "expected": pl.col("a").cast(pl.String)},
        hub_files=(
            HubFile("data/test-00000-of-00001.parquet", "default", "test"),
            HubFile("data/train.jsonl", "default", "train"),
            HubFile("default/test/0000.parquet", "default", "test", "refs/convert/parquet"),
        ),
        card_configs=(
            {"config_name": "default", "data_files": ({"split": "test", "path": "data/test-*"},)},
        ),
        raw_schema={"default": {"q": pl.String, "a": pl.Int32}},
        synthetic=synthetic,
    )


def test_write_spec_repo(tmp_path: Path) -> None:
    spec = _spec()
    main = write_spec_repo(tmp_path, spec, rows=5, seed=1)
    assert main == tmp_path / "datasets" / "me/spec-toy"
    test = pl.read_parquet(main / "data/test-00000-of-00001.parquet")
    assert test.schema == pl.Schema({"q": pl.String, "a": pl.Int32})
    assert test["q"].to_list() == [f"test-{i}" for i in range(5)]
    train = pl.read_ndjson(main / "data/train.jsonl")
    assert train.height == 5
    convert = (
        tmp_path / "refs/datasets/me/spec-toy/refs%2Fconvert%2Fparquet/default/test/0000.parquet"
    )
    assert_frame_equal(pl.read_parquet(convert), test)
    with LocalHub(tmp_path) as hub:
        info = HfApi(endpoint=hub.url, token=False).dataset_info(spec.repo)
    assert info.card_data is not None
    card = info.card_data
    assert card["license"] == "apache-2.0"
    assert card["configs"] == [
        {"config_name": "default", "data_files": [{"split": "test", "path": "data/test-*"}]}
    ]


def test_concurrent_requests_are_all_recorded(hub: LocalHub) -> None:
    url = f"{hub.url}/datasets/{REPO}/resolve/main/notes/a.txt"
    with httpx2.Client() as client, ThreadPoolExecutor(8) as pool:
        bodies = list(pool.map(lambda _: client.get(url).content, range(24)))
    assert bodies == [b"hello\n"] * 24
    assert hub.downloads(REPO) == ["notes/a.txt"] * 24


@pytest.mark.realdata
def test_serves_the_real_mirror(real_hub: LocalHub, tmp_path: Path) -> None:
    api = HfApi(endpoint=real_hub.url, token=False)
    info = api.dataset_info("openai/gsm8k")
    assert info.card_data is not None
    assert {c["config_name"] for c in info.card_data["configs"]} >= {"main", "socratic"}
    tree = [e.path for e in api.list_repo_tree("openai/gsm8k", "main", repo_type="dataset")]
    assert "main/test-00000-of-00001.parquet" in tree
    path = hf_hub_download(
        "openai/gsm8k",
        "main/test-00000-of-00001.parquet",
        repo_type="dataset",
        endpoint=real_hub.url,
        cache_dir=tmp_path / "cache",
        token=False,
    )
    assert pl.read_parquet(path).height == 1319

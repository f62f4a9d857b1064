"""The Hub endpoints LocalHub answers: repo info, tree, paths-info, refs, parquet, resolve.

A mixin of :class:`~crucible_pl.testing._server.LocalHub`: each handler reads the repos
through ``self.store`` and returns a :class:`HubResponse` (or raises ``_HubError``).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import re
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlencode

from crucible_pl.testing._http import HubRequest, HubResponse, _bad_path, _error, _HubError, _json
from crucible_pl.testing._repos import (
    CONVERT_PREFIX,
    FileEntry,
    RefState,
    RepoStore,
)

_RANGE_RE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE)
_EXPAND_PAGE_SIZE = 50  # the Hub returns at most 50 entries per page when expand=true
_PARQUET_REF = "refs/convert/parquet"


class _Endpoints:
    """The endpoint handlers; LocalHub supplies the state they read."""

    store: RepoStore
    page_size: int
    _gated: dict[str, frozenset[str]]
    _tags: dict[str, dict[str, str]]

    @property
    def url(self) -> str:
        raise NotImplementedError  # LocalHub.url

    def _route(self, req: HubRequest) -> HubResponse:
        seg = req.segments
        for raw in seg:
            if any(part in {".", ".."} for part in unquote(raw).split("/")):
                raise _error(400, None, "Invalid path: '..' and '.' segments are not allowed")
        if len(seg) >= 4 and seg[0] == "api" and seg[1] == "datasets":
            req.repo_id = f"{unquote(seg[2])}/{unquote(seg[3])}"
            return self._route_api(req, seg[4:])
        if len(seg) >= 5 and seg[0] == "datasets" and seg[3] == "resolve":
            req.repo_id = f"{unquote(seg[1])}/{unquote(seg[2])}"
            return self._route_resolve(req, seg[4:])
        if (len(seg) >= 3 and seg[0] == "api" and seg[1] in {"models", "spaces", "datasets"}) or (
            "resolve" in seg
        ):
            raise self._repo_not_found(req)
        raise _error(404, None, "Not Found")

    def _route_api(self, req: HubRequest, rest: list[str]) -> HubResponse:
        if not rest:
            self._only(req, "GET", "HEAD")
            return self._info(req, "main")
        head, args = rest[0], rest[1:]
        if head == "revision" and args:
            self._only(req, "GET", "HEAD")
            return self._info(req, unquote("/".join(args)))
        if head == "tree" and args:
            self._only(req, "GET")
            path = unquote("/".join(args[1:])).strip("/")
            return self._tree(req, unquote(args[0]), path)
        if head == "paths-info" and args:
            self._only(req, "POST")
            return self._paths_info(req, unquote("/".join(args)))
        if head == "refs" and not args:
            self._only(req, "GET")
            return self._refs(req)
        if head == "parquet" and len(args) <= 2:
            self._only(req, "GET")
            return self._parquet(req, *[unquote(a) for a in args])
        raise _error(404, None, "Not Found")

    def _route_resolve(self, req: HubRequest, rest: list[str]) -> HubResponse:
        self._only(req, "GET", "HEAD")
        # The client encodes the revision as one segment; accept an unencoded
        # refs/convert/..., refs/pr/... too, as the Hub does.
        if rest[0] == "refs" and len(rest) >= 4 and rest[1] in {"convert", "pr", "heads", "tags"}:
            revision, file_segments = "/".join(rest[:3]), rest[3:]
        else:
            revision, file_segments = rest[0], rest[1:]
        req.revision = unquote(revision)
        req.filename = unquote("/".join(file_segments))
        return self._resolve_file(req)

    # -- checks ----------------------------------------------------------------------

    @staticmethod
    def _only(req: HubRequest, *methods: str) -> None:
        if req.method not in methods:
            raise _error(
                405, None, f"Method {req.method} not allowed", [("Allow", ", ".join(methods))]
            )

    def _repo_not_found(self, req: HubRequest) -> _HubError:
        status = 404 if req.token is not None else 401
        return _error(status, "RepoNotFound", "Repository not found")

    def _ref(self, req: HubRequest, revision: str) -> RefState:
        """Check the repo exists and resolve ``revision`` in it."""
        repo_id = req.repo_id or ""
        req.revision = revision
        if not self.store.exists(repo_id):
            raise self._repo_not_found(req)
        ref = self.store.resolve(repo_id, revision, self._tags.get(repo_id))
        if ref is None:
            raise _error(404, "RevisionNotFound", f"Invalid rev id: {revision}")
        return ref

    def _check_gate(self, req: HubRequest) -> None:
        allowed = self._gated.get(req.repo_id or "")
        if allowed is None:
            return
        if req.token is None:
            raise _error(
                401,
                "GatedRepo",
                f"Access to dataset {req.repo_id} is restricted. You must have access to it "
                "and be authenticated to access it. Please log in.",
            )
        token = req.token.encode()
        if not any(hmac.compare_digest(token, ok.encode()) for ok in allowed):
            raise _error(
                403,
                "GatedRepo",
                f"Access to dataset {req.repo_id} is restricted and you are not in the "
                "authorized list.",
            )

    # -- endpoints -------------------------------------------------------------------

    def _info(self, req: HubRequest, revision: str) -> HubResponse:
        ref = self._ref(req, revision)
        repo_id = req.repo_id or ""
        blobs = req.flag("blobs")
        siblings: list[dict[str, Any]] = []
        for entry in ref.files.values():
            sibling: dict[str, Any] = {"rfilename": entry.path}
            if blobs:
                sibling.update(size=entry.size, blobId=entry.blob_oid)
                if entry.lfs:
                    sibling["lfs"] = {
                        "sha256": entry.sha256,
                        "size": entry.size,
                        "pointerSize": len(entry.pointer),
                    }
            siblings.append(sibling)
        created = ref.last_modified
        info: dict[str, Any] = {
            "_id": ref.tree_oid("")[:24],
            "id": repo_id,
            "author": repo_id.split("/")[0],
            "sha": ref.sha,
            "lastModified": ref.last_modified,
            "createdAt": created,
            "private": False,
            "gated": "manual" if repo_id in self._gated else False,
            "disabled": False,
            "downloads": 0,
            "downloadsAllTime": 0,
            "likes": 0,
            "tags": [],
            "siblings": siblings,
            "usedStorage": sum(f.size for f in ref.files.values()),
        }
        card = self.store.card_data(ref)
        if card is not None:
            info["cardData"] = card
            if isinstance(card.get("tags"), list):
                info["tags"] = [str(t) for t in card["tags"]]
        expand = req.params.get("expand") or req.params.get("expand[]")
        if expand:
            info = {k: v for k, v in info.items() if k in {"_id", "id", *expand}}
        return _json(info)

    def _entry_json(self, ref: RefState, path: str, *, expand: bool) -> dict[str, Any]:
        entry = ref.files.get(path)
        data: dict[str, Any]
        if entry is None:
            data = {"type": "directory", "oid": ref.tree_oid(path), "size": 0, "path": path}
        else:
            data = {"type": "file", "oid": entry.blob_oid, "size": entry.size, "path": path}
            if entry.lfs:
                data["lfs"] = {
                    "oid": entry.sha256,
                    "size": entry.size,
                    "pointerSize": len(entry.pointer),
                }
        if expand:
            data["lastCommit"] = {"id": ref.sha, "title": "Upload", "date": ref.last_modified}
            if entry is not None:
                data["securityFileStatus"] = {
                    "status": "safe",
                    "avScan": {"virusFound": False, "virusNames": None},
                    "pickleImportScan": None,
                }
        return data

    def _tree(self, req: HubRequest, revision: str, path: str) -> HubResponse:
        ref = self._ref(req, revision)
        if path and _bad_path(path):
            raise _error(400, None, f"Invalid path: {path!r}")
        if path not in ref.directories:
            raise _error(404, "EntryNotFound", f"{path!r} does not exist at revision {revision}")
        expand = req.flag("expand")
        items = ref.descendants(path) if req.flag("recursive") else ref.children(path)
        limit = min(self.page_size, _EXPAND_PAGE_SIZE) if expand else self.page_size
        start = 0
        cursor = req.param("cursor")
        if cursor:
            try:
                start = int(base64.urlsafe_b64decode(cursor.encode()).decode())
            except (ValueError, binascii.Error, UnicodeDecodeError):
                raise _error(400, None, f"Invalid cursor: {cursor!r}") from None
        page = items[start : start + limit]
        headers: list[tuple[str, str]] = []
        if start + limit < len(items):
            params = [(k, v) for k, vs in req.params.items() if k != "cursor" for v in vs]
            params.append(
                ("cursor", base64.urlsafe_b64encode(str(start + limit).encode()).decode())
            )
            host = req.headers.get("Host") or self.url.removeprefix("http://")
            headers.append(("Link", f'<http://{host}{req.path}?{urlencode(params)}>; rel="next"'))
        body = [self._entry_json(ref, p, expand=expand) for p, _ in page]
        return _json(body, headers=headers)

    def _paths_info(self, req: HubRequest, revision: str) -> HubResponse:
        ref = self._ref(req, revision)
        content_type = (req.headers.get("Content-Type") or "").lower()
        paths: list[str]
        if "json" in content_type:
            try:
                payload = json.loads(req.body or b"{}")
                paths = [str(p) for p in payload.get("paths", [])]
                expand = bool(payload.get("expand", False))
            except (ValueError, AttributeError, TypeError):
                raise _error(400, None, "Invalid JSON body") from None
        else:
            form = parse_qs(req.body.decode("utf-8", "replace"), keep_blank_values=True)
            paths = form.get("paths", [])
            expand = (form.get("expand", [""])[-1]).lower() in {"1", "true", "yes"}
        out = []
        for raw in paths:
            path = raw.strip("/")
            if path and _bad_path(path):
                raise _error(400, None, f"Invalid path: {raw!r}")
            if path in ref.files or (path and path in ref.directories):
                out.append(self._entry_json(ref, path, expand=expand))
        return _json(out)

    def _refs(self, req: HubRequest) -> HubResponse:
        repo_id = req.repo_id or ""
        if not self.store.exists(repo_id):
            raise self._repo_not_found(req)
        refs = self.store.refs(repo_id)
        groups: dict[str, list[dict[str, str]]] = {"branch": [], "convert": [], "pull_request": []}
        for ref in refs.values():
            name = ref.name.removeprefix(CONVERT_PREFIX) if ref.kind == "convert" else ref.name
            groups[ref.kind].append({"name": name, "ref": ref.ref, "targetCommit": ref.sha})
        tags = [
            {"name": tag, "ref": f"refs/tags/{tag}", "targetCommit": refs[branch].sha}
            for tag, branch in sorted(self._tags.get(repo_id, {}).items())
            if branch in refs
        ]
        data: dict[str, Any] = {
            "branches": groups["branch"],
            "converts": groups["convert"],
            "tags": tags,
        }
        if req.flag("include_prs"):
            data["pullRequests"] = groups["pull_request"]
        return _json(data)

    def _parquet(
        self, req: HubRequest, config: str | None = None, split: str | None = None
    ) -> HubResponse:
        ref = self._ref(req, _PARQUET_REF)
        self._check_gate(req)
        host = req.headers.get("Host") or self.url.removeprefix("http://")
        base = f"http://{host}/datasets/{req.repo_id}/resolve/{quote(_PARQUET_REF, safe='')}"
        listing: dict[str, dict[str, list[str]]] = {}
        for path in ref.files:
            parts = path.split("/")
            if len(parts) == 3 and parts[2].endswith(".parquet"):
                urls = listing.setdefault(parts[0], {}).setdefault(parts[1], [])
                urls.append(f"{base}/{quote(path)}")
        if config is None:
            return _json(listing)
        if config not in listing:
            raise _error(404, "EntryNotFound", f"Config {config!r} not found in {_PARQUET_REF}")
        if split is None:
            return _json(listing[config])
        if split not in listing[config]:
            raise _error(404, "EntryNotFound", f"Split {split!r} not found in config {config!r}")
        return _json(listing[config][split])

    def _resolve_file(self, req: HubRequest) -> HubResponse:
        filename = req.filename or ""
        if not filename or _bad_path(filename):
            raise _error(400, None, f"Invalid file path: {filename!r}")
        ref = self._ref(req, req.revision or "main")
        self._check_gate(req)
        commit = [("X-Repo-Commit", ref.sha)]
        entry = ref.files.get(filename)
        if entry is None:
            raise _error(404, "EntryNotFound", "Entry not found", commit)
        local = entry.local_path
        if not self.store.may_serve(local) or not local.is_file():
            raise _error(404, "EntryNotFound", "Entry not found", commit)
        return self._file_response(req, ref, entry)

    def _file_response(self, req: HubRequest, ref: RefState, entry: FileEntry) -> HubResponse:
        size = entry.size
        headers = [
            ("Content-Type", "application/octet-stream"),
            ("ETag", f'"{entry.etag}"'),
            ("X-Repo-Commit", ref.sha),
            ("Accept-Ranges", "bytes"),
            ("Content-Disposition", f'inline; filename="{entry.path.rsplit("/", 1)[-1]}"'),
        ]
        if entry.lfs:
            headers += [("X-Linked-Etag", f'"{entry.sha256}"'), ("X-Linked-Size", str(size))]
        range_header = req.headers.get("Range")
        if range_header is None:
            return HubResponse(200, headers, file=entry.local_path, offset=0, length=size)
        match = _RANGE_RE.match(range_header)
        start: int | None = None
        end = size - 1
        if match is not None:
            first, last = match.groups()
            if first:
                start = int(first)
                if last:
                    end = min(int(last), size - 1)
                    if int(last) < start:
                        start = None
            elif last and int(last) > 0:
                start = max(size - int(last), 0)
        if start is None or start >= size or size == 0:
            raise _HubError(
                _json(
                    {"error": f"Range {range_header!r} not satisfiable for {size} bytes"},
                    416,
                    [("Content-Range", f"bytes */{size}"), *headers[1:4]],
                )
            )
        headers.append(("Content-Range", f"bytes {start}-{end}/{size}"))
        return HubResponse(
            206, headers, file=entry.local_path, offset=start, length=end - start + 1
        )

"""Sentence embeddings from the WordLlama files that the ``wordllama`` wheel ships, without ``wordllama``.

``wordllama==0.4.0.post1`` ships a static-embedding model (``l2_supercat``: one 256-dim vector for
each of the 32,000 tokens of Llama 2's tokenizer, stored as float16 in a 16 MB safetensors file)
and its tokenizer (``tokenizers`` JSON). A sentence's embedding is the average of its tokens'
vectors. ``import wordllama`` itself costs pydantic, requests and toml, and its ``WordLlama.load()``
looks for the tokenizer under ``wordllama/tokenizer/`` (the wheel ships ``tokenizers/``) and then
tries to download it. So this module only *finds* the package's directory
(:func:`importlib.util.find_spec`, which imports nothing) and reads the two files itself:

* the weights with numpy alone: a safetensors file is an 8-byte little-endian header length, a
  JSON header, then the raw little-endian array, which is memory-mapped (read-only, so only the
  rows that are used are paged in);
* the tokenizer with a small pure-Python BPE that reproduces ``tokenizers`` for this file's
  configuration: the special tokens ``<unk>``, ``<s>`` and ``</s>`` are split off first; each
  other non-empty piece gets ``▁`` prepended and its spaces replaced by ``▁``; then byte-pair
  merges by rank (lowest rank first, leftmost first on a tie) over the piece's characters,
  a character missing from the vocabulary becoming its UTF-8 bytes' ``<0xNN>`` tokens.

The embedding reproduces ``WordLlamaInference.embed(texts, norm=True)`` (no special tokens, no
truncation, average pooling over the tokens, then L2 normalisation): the same numbers up to
float32 rounding. ``dims`` below 256 keeps the first ``dims`` columns before pooling, as
wordllama's ``trunc_dim`` does (the model was trained Matryoshka-style at 64, 128 and 256).
A text with no tokens (the empty string) gets a zero row, where wordllama would give NaNs.

Nothing here imports numpy until the model is loaded: :meth:`Embedder.available` is cheap and
lets a caller fall back to plain fuzzy matching when the package (or numpy) is absent.
"""

from __future__ import annotations

import contextlib
import heapq
import importlib.util
import json
import math
import mmap
import re
import struct
import sys
import threading
from array import array
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from bot.errors import EmbeddingUnavailable

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

__all__ = ["Embedder", "EmbeddingUnavailable", "LlamaBpeTokenizer", "Similarities"]

PACKAGE: Final = "wordllama"
WEIGHTS_FILE: Final = "weights/l2_supercat_256.safetensors"
TOKENIZER_FILE: Final = "tokenizers/l2_supercat_tokenizer_config.json"
TENSOR_KEY: Final = "embedding.weight"
FULL_DIMS: Final = 256
ALLOWED_DIMS: Final = (64, 128, 256)
_DTYPES: Final = {"F16": "<f2", "F32": "<f4"}
_MAX_HEADER: Final = 1 << 20
_SPACE: Final = "\u2581"
_SHIFT: Final = 16  # bits of one token id in a merge key


def package_dir() -> Path | None:
    """The installed ``wordllama`` package's directory, found without importing it; None if absent."""
    try:
        spec = importlib.util.find_spec(PACKAGE)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        path = Path(location)
        if path.is_dir():
            return path
    return None


class _PairTable:
    """The merges, pair of ids -> rank and merged id, as an open-addressing hash table in two
    flat arrays: 2 MB where a dict of 61,249 int pairs takes 6 MB, for one more step per
    lookup. Keys are non-negative; -1 marks an empty slot."""

    __slots__ = ("_keys", "_mask", "_used", "_values")

    def __init__(self, capacity: int) -> None:
        size = 1 << max(4, (2 * capacity).bit_length())  # under half full: short probes
        self._keys = array("q", [-1]) * size
        self._values = array("q", [0]) * size
        self._mask = size - 1
        self._used = 0

    def setdefault(self, key: int, value: int) -> None:
        """Keep the first value given for ``key`` (the lowest rank)."""
        keys, mask = self._keys, self._mask
        slot = ((key * 2654435761) >> 16) & mask
        while True:
            found = keys[slot]
            if found == key:
                return
            if found == -1:
                keys[slot] = key
                self._values[slot] = value
                self._used += 1
                if 2 * self._used > mask:  # more merges than announced: twice the room
                    self._grow()
                return
            slot = (slot + 1) & mask

    def _grow(self) -> None:
        pairs = [(k, v) for k, v in zip(self._keys, self._values, strict=True) if k != -1]
        self.__init__(2 * len(pairs))  # type: ignore[misc]
        for key, value in pairs:
            self.setdefault(key, value)

    def get(self, key: int) -> int | None:
        keys, mask = self._keys, self._mask
        slot = ((key * 2654435761) >> 16) & mask
        while True:
            found = keys[slot]
            if found == key:
                return self._values[slot]
            if found == -1:
                return None
            slot = (slot + 1) & mask

    def __getitem__(self, key: int) -> int:
        value = self.get(key)
        if value is None:
            raise KeyError(key)
        return value


def _read_config(path: Path) -> tuple[dict[str, Any], list[str]]:
    """The tokenizer file's configuration, and its merges.

    The merges (61,249 strings) are the shipped file's last array; parsed with the rest, they
    would be objects alive beside the table built from them. Read one string at a time from
    their own text, the load's peak memory is several MB lower; here they are only checked
    and kept as their text, which ``_merge_strings`` reads (and refuses if it is not one
    array ending there). A file laid out otherwise is parsed whole."""
    data = path.read_bytes()
    at = data.find(b'"merges"')
    bracket = data.find(b"[", at) if at >= 0 else -1
    end = data.rfind(b"]")
    if bracket >= 0 and end > bracket and data[end + 1:].strip(b" \r\n}") == b"":
        try:
            config: dict[str, Any] = json.loads(data[:bracket] + b"[]" + data[end + 1:])
        except ValueError:
            config = {}
        model = config.get("model")
        if isinstance(model, dict) and model.get("merges") == [] and model.get("vocab"):
            return config, [data[bracket + 1 : end + 1].decode("utf-8")]
    config = json.loads(data)
    model = config.get("model")
    merges = model.get("merges") if isinstance(model, dict) else None
    return config, merges if isinstance(merges, list) else []


def _merge_strings(text: str, pos: int, strict: bool = False) -> Iterator[str]:
    """The strings of a JSON array whose items start at ``text[pos]``, up to its closing
    bracket (``strict``: which must be the text's end)."""
    scan = json.decoder.scanstring  # type: ignore[attr-defined]
    length = len(text)
    while pos < length:
        char = text[pos]
        if char in " \t\r\n,":
            pos += 1
        elif char == '"':
            value, pos = scan(text, pos + 1)
            yield value
        elif char == "]" and (not strict or pos == length - 1):
            return
        else:
            raise ValueError(f"unexpected {char!r} in the merges at {pos}")
    raise ValueError("the merges are not closed")


class LlamaBpeTokenizer:
    """Llama 2's BPE tokenizer as wordllama ships it, in pure Python (ids only, no special tokens added).

    Only the configuration of ``l2_supercat_tokenizer_config.json`` is supported; the constructor
    refuses a file that differs in a way this class does not reproduce. Merges are kept as one
    ``dict[int, int]`` (pair of ids -> rank and merged id), so no token strings stay in memory.
    """

    def __init__(self, path: Path) -> None:
        try:
            config, merge_list = _read_config(path)
        except (OSError, ValueError) as exc:
            raise EmbeddingUnavailable(f"cannot read the tokenizer {path}: {exc}") from exc
        model = config.get("model") or {}
        vocab: dict[str, int] = model.get("vocab") or {}
        if (
            model.get("type") != "BPE"
            or not model.get("byte_fallback")
            or model.get("dropout") is not None
            or model.get("continuing_subword_prefix")
            or model.get("end_of_word_suffix")
            or config.get("pre_tokenizer") is not None
            or config.get("normalizer") != _EXPECTED_NORMALIZER
            or not vocab
            or max(vocab.values()) >= 1 << _SHIFT
        ):
            raise EmbeddingUnavailable(f"{path} is not the Llama 2 BPE tokenizer this module reproduces")
        self.vocab_size = max(vocab.values()) + 1
        self.unk_id: int = vocab.get(model.get("unk_token") or "<unk>", 0)
        self._fuse_unk = bool(model.get("fuse_unk"))
        listed: Iterable[Any] = merge_list
        count = len(merge_list)
        if model.get("merges") == [] and merge_list:  # the merges' text, read one by one
            text = merge_list.pop()
            listed, count = _merge_strings(text, 0, strict=True), text.count('",') + 1
        merges = _PairTable(count)
        try:
            for rank, merge in enumerate(listed):
                left, right = merge.split(" ", 1) if isinstance(merge, str) else merge
                a, b, merged = vocab.get(left), vocab.get(right), vocab.get(left + right)
                if a is not None and b is not None and merged is not None:
                    merges.setdefault(a << _SHIFT | b, rank << _SHIFT | merged)
        except ValueError as exc:
            raise EmbeddingUnavailable(f"cannot read the tokenizer {path}: {exc}") from exc
        self._merges = merges
        self._chars = {token: i for token, i in vocab.items() if len(token) == 1}
        self._bytes = [vocab.get(f"<0x{b:02X}>") for b in range(256)]
        self._special: dict[str, int] = {
            token["content"]: token["id"] for token in config.get("added_tokens") or []
        }
        self._special_re = (
            re.compile("|".join(re.escape(t) for t in sorted(self._special, key=len, reverse=True)))
            if self._special
            else None
        )

    def encode(self, text: str) -> list[int]:
        """The token ids of ``text``, as ``Tokenizer.encode(text, add_special_tokens=False).ids``."""
        ids: list[int] = []
        start = 0
        if self._special_re is not None:
            for found in self._special_re.finditer(text):
                self._encode_piece(text[start : found.start()], ids)
                ids.append(self._special[found.group()])
                start = found.end()
        self._encode_piece(text[start:], ids)
        return ids

    def _encode_piece(self, piece: str, out: list[int]) -> None:
        if not piece:
            return
        symbols: list[int] = []
        chars = self._chars
        for char in _SPACE + piece.replace(" ", _SPACE):
            found = chars.get(char)
            if found is not None:
                symbols.append(found)
                continue
            byte_ids = [self._bytes[b] for b in char.encode("utf-8", "surrogatepass")]
            if all(i is not None for i in byte_ids):
                symbols.extend(i for i in byte_ids if i is not None)
            elif not (self._fuse_unk and symbols and symbols[-1] == self.unk_id):
                symbols.append(self.unk_id)
        out.extend(self._merge(symbols))

    def _merge(self, symbols: list[int]) -> list[int]:
        """Apply the merges by (rank, position), as ``tokenizers``' ``Word.merge_all`` does."""
        count = len(symbols)
        if count < 2:
            return symbols
        merges = self._merges
        mask = (1 << _SHIFT) - 1
        tokens: list[int] = list(symbols)  # -1: merged into its left neighbour
        nxt = [*range(1, count), -1]
        prv = [-1, *range(count - 1)]
        heap: list[tuple[int, int, int]] = []  # (rank, position, pair)
        for i in range(count - 1):
            pair = symbols[i] << _SHIFT | symbols[i + 1]
            value = merges.get(pair)
            if value is not None:
                heap.append((value >> _SHIFT, i, pair))
        heapq.heapify(heap)
        while heap:
            _, pos, pair = heapq.heappop(heap)
            after = nxt[pos]
            if after == -1 or (tokens[pos] << _SHIFT | tokens[after]) != pair:
                continue  # stale: one side was merged into something else since
            merged = merges[pair] & mask
            tokens[pos] = merged
            tokens[after] = -1
            follow = nxt[after]
            nxt[pos] = follow
            if follow != -1:
                prv[follow] = pos
                pair = merged << _SHIFT | tokens[follow]
                value = merges.get(pair)
                if value is not None:
                    heapq.heappush(heap, (value >> _SHIFT, pos, pair))
            before = prv[pos]
            if before != -1:
                pair = tokens[before] << _SHIFT | merged
                value = merges.get(pair)
                if value is not None:
                    heapq.heappush(heap, (value >> _SHIFT, before, pair))
        return [t for t in tokens if t != -1]


_EXPECTED_NORMALIZER: Final = {
    "type": "Sequence",
    "normalizers": [
        {"type": "Prepend", "prepend": _SPACE},
        {"type": "Replace", "pattern": {"String": " "}, "content": _SPACE},
    ],
}


@dataclass(frozen=True)
class _Model:
    tokenizer: LlamaBpeTokenizer
    weights: NDArray[Any]  # (vocab, FULL_DIMS) float16 or float32, possibly memory-mapped


def _load_weights(path: Path) -> NDArray[Any]:
    try:
        import numpy as np
    except ImportError as exc:
        raise EmbeddingUnavailable("numpy is not installed") from exc
    try:
        with path.open("rb") as handle:
            (header_len,) = struct.unpack("<Q", handle.read(8))
            if not 0 < header_len <= _MAX_HEADER:
                raise ValueError(f"implausible safetensors header length {header_len}")
            header: dict[str, Any] = json.loads(handle.read(header_len))
        info = header[TENSOR_KEY]
        dtype = np.dtype(_DTYPES[info["dtype"]])
        rows, cols = (int(n) for n in info["shape"])
        begin, end = (int(n) for n in info["data_offsets"])
        if end - begin != rows * cols * dtype.itemsize or cols < FULL_DIMS:
            raise ValueError(f"tensor {TENSOR_KEY} has an unexpected layout: {info}")
        offset = 8 + header_len + begin
        if path.stat().st_size < offset + (end - begin):
            raise ValueError("the file is shorter than its header says")
        weights: NDArray[Any] = np.memmap(path, dtype=dtype, mode="r", offset=offset, shape=(rows, cols))
    except (OSError, ValueError, KeyError, TypeError, struct.error) as exc:
        raise EmbeddingUnavailable(f"cannot read the embedding weights {path}: {exc}") from exc
    return weights


def _return_freed_heap() -> None:
    """Give glibc's freed heap back to the system (~7 MB of the tokenizer's parsed JSON); best effort."""
    if sys.platform != "linux":
        return
    try:
        import ctypes

        ctypes.CDLL(None).malloc_trim(0)
    except (ImportError, OSError, AttributeError):  # musl, no ctypes: the memory is merely reused
        pass


class Embedder:
    """L2-normalised sentence embeddings from wordllama's shipped ``l2_supercat`` model.

    The model loads on first use (or :meth:`load`), once per instance, thread-safely. Repeated
    texts come from an in-process LRU of ``cache_size`` entries (0 turns it off).
    """

    def __init__(
        self, *, dims: int = FULL_DIMS, cache_size: int = 1024, directory: Path | None = None
    ) -> None:
        if dims not in ALLOWED_DIMS:
            raise ValueError(f"dims must be one of {ALLOWED_DIMS}, not {dims}")
        if cache_size < 0:
            raise ValueError("cache_size must be >= 0")
        self.dims = dims
        self.cache_size = cache_size
        self._directory = directory
        self._model: _Model | None = None
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, NDArray[np.float32]] = OrderedDict()

    @classmethod
    def available(cls, directory: Path | None = None) -> bool:
        """Whether numpy and the model's files are installed (checked without importing either)."""
        root = directory or package_dir()
        if root is None or importlib.util.find_spec("numpy") is None:
            return False
        return (root / WEIGHTS_FILE).is_file() and (root / TOKENIZER_FILE).is_file()

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def load(self) -> None:
        """Load the model now; raises :class:`EmbeddingUnavailable` if it cannot be."""
        self._get_model()

    def _get_model(self) -> _Model:
        model = self._model
        if model is not None:
            return model
        with self._lock:
            if self._model is None:
                root = self._directory or package_dir()
                if root is None:
                    raise EmbeddingUnavailable(f"the {PACKAGE!r} package is not installed")
                for name in (WEIGHTS_FILE, TOKENIZER_FILE):
                    if not (root / name).is_file():
                        raise EmbeddingUnavailable(f"{root / name} is missing")
                weights = _load_weights(root / WEIGHTS_FILE)
                tokenizer = LlamaBpeTokenizer(root / TOKENIZER_FILE)
                if tokenizer.vocab_size > weights.shape[0]:
                    raise EmbeddingUnavailable("the tokenizer's vocabulary is larger than the weights")
                self._model = _Model(tokenizer=tokenizer, weights=weights)
                _return_freed_heap()
            return self._model

    def release_pages(self) -> None:
        """Let the system take back the pages of the weights read so far (best effort).

        The weights are a read-only memory map: building the index over many texts reads
        rows from all over the file, and those pages would stay counted in the process's
        memory. Dropped, they are read again from the file only when a question needs them.
        """
        model = self._model
        mapping = getattr(model.weights, "_mmap", None) if model is not None else None
        advice = getattr(mmap, "MADV_DONTNEED", None)
        if mapping is None or advice is None:
            return
        with contextlib.suppress(OSError, ValueError):  # a closed map, no madvise
            mapping.madvise(advice)

    def tokenize(self, text: str) -> list[int]:
        """The token ids that :meth:`embed` averages for ``text``."""
        return self._get_model().tokenizer.encode(text)

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """One float32 row per text, L2-normalised (a zero row for a text without tokens)."""
        if isinstance(texts, str):
            raise TypeError("embed() takes a sequence of texts, not one str")
        import numpy as np

        model = self._get_model()
        out = np.zeros((len(texts), self.dims), dtype=np.float32)
        for row, text in enumerate(texts):
            cached = self._cache_get(text)
            if cached is None:
                cached = self._embed_one(model, text)
                self._cache_put(text, cached)
            out[row] = cached
        return out

    def _embed_one(self, model: _Model, text: str) -> NDArray[np.float32]:
        import numpy as np

        ids = model.tokenizer.encode(text)
        if not ids:
            return np.zeros(self.dims, dtype=np.float32)
        index = np.clip(np.asarray(ids, dtype=np.int64), 0, model.weights.shape[0] - 1)
        rows = np.asarray(model.weights[index, : self.dims], dtype=np.float32)
        vector: NDArray[np.float32] = rows.sum(axis=0, dtype=np.float32) / np.float32(len(ids))
        norm = float(np.linalg.norm(vector))
        if norm == 0.0 or not math.isfinite(norm):
            return np.zeros(self.dims, dtype=np.float32)
        vector /= np.float32(norm)
        return vector

    def _cache_get(self, text: str) -> NDArray[np.float32] | None:
        if not self.cache_size:
            return None
        with self._lock:
            vector = self._cache.get(text)
            if vector is not None:
                self._cache.move_to_end(text)
            return vector

    def _cache_put(self, text: str, vector: NDArray[np.float32]) -> None:
        if not self.cache_size:
            return
        vector.flags.writeable = False
        with self._lock:
            self._cache[text] = vector
            self._cache.move_to_end(text)
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)


class Similarities:
    """One cosine per entry (a float32 vector), as the matcher reads it."""

    def __init__(self, values: NDArray[np.float32]) -> None:
        self.values = values

    def of(self, index: int) -> float:
        return float(self.values[index])

    def top(self, count: int) -> list[int]:
        """The indices of the ``count`` closest entries, closest first."""
        import numpy as np

        count = min(count, len(self.values))
        if count <= 0:
            return []
        best = np.argpartition(-self.values, count - 1)[:count]
        return [int(i) for i in best[np.argsort(-self.values[best])]]

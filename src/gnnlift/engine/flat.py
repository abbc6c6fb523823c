"""A computation graph as flat arrays, the input of the native backend's kernels.

Each level becomes one row of an integer table (kind, size, dimension, offset of its values in
one value buffer, activation, bias, input groups …) and each input group one row of another
(source level, weight offset, mode, offsets of its indices and coefficients). Edge groups are
stored CSR-style by destination, so a neuron's inputs, and a sample's edges, are contiguous.

A sum over edges whose weight shrinks the vectors (``W`` applied first, as the torch backend
does) becomes a *transform level* ``T = W · source`` inserted after the source, and the group
then sums ``T`` without a weight; :func:`transform_first` decides by counting multiply-adds.

Several graphs can be flattened into one program, one after the other (``units``), and a graph
whose every level is stored sample by sample can be executed one sample's ranges at a time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from gnnlift.engine import kernels as K
from gnnlift.engine.graph import CompGraph, Inputs, Level


class UnsupportedGraph(ValueError):
    """An IR construct the native backend does not execute."""


@dataclass(frozen=True)
class ParamLayout:
    """Canonical parameters laid out back to back in one flat vector (row-major)."""

    names: tuple[str, ...]
    shapes: tuple[tuple[int, ...], ...]

    @classmethod
    def of(cls, shapes: Mapping[str, tuple[int, ...]]) -> ParamLayout:
        return cls(tuple(shapes), tuple(tuple(s) for s in shapes.values()))

    @property
    def offsets(self) -> list[int]:
        out, total = [], 0
        for shape in self.shapes:
            out.append(total)
            total += int(np.prod(shape))
        return out

    @property
    def size(self) -> int:
        return int(sum(np.prod(s) for s in self.shapes))

    def tensors(self) -> np.ndarray:
        """(tensors, 2): offset and length of each parameter."""
        return np.array([[o, int(np.prod(s))] for o, s in zip(self.offsets, self.shapes, strict=True)], np.int64)

    def pack(self, weights: Mapping[str, torch.Tensor], dtype: np.dtype) -> np.ndarray:
        parts = [weights[n].detach().cpu().numpy().astype(dtype).ravel() for n in self.names]
        return np.ascontiguousarray(np.concatenate(parts) if parts else np.zeros(0, dtype))

    def unpack(self, theta: np.ndarray) -> dict[str, torch.Tensor]:
        return {
            n: torch.from_numpy(theta[o : o + int(np.prod(s))].reshape(s).copy())
            for n, s, o in zip(self.names, self.shapes, self.offsets, strict=True)
        }


@dataclass
class FlatGraph:
    """Flat arrays of one or more graphs; see :mod:`gnnlift.engine.kernels` for the columns."""

    lv: np.ndarray  # (levels, LEVEL_COLUMNS) int64
    scale: np.ndarray  # (levels,) float64
    gr: np.ndarray  # (groups, GROUP_COLUMNS) int64
    ptr: np.ndarray
    idx: np.ndarray
    coef: np.ndarray
    val: np.ndarray  # value buffer, fact values filled in
    units: np.ndarray  # (units, 5): first level, end level, sample (-1: all neurons), first/end output
    out_pos: np.ndarray  # value-buffer position of each output
    out_target: np.ndarray  # index of each output's target
    unit_touch: np.ndarray  # (units, tensors) int64: parameters each unit refers to
    sptr: np.ndarray  # (levels, samples + 1): each sample's neuron range per level; (1, 1) when unused
    neurons: int  # neurons and edges executed (transform levels included), all units together
    edges: int

    def arrays(self) -> tuple:
        return (self.lv, self.scale, self.gr, self.ptr, self.idx, self.coef, self.sptr)


def transform_first(group: Inputs, size: int, source_size: int, din: int, dout: int, nnz: float) -> bool:
    """Whether applying W to the sources first takes fewer multiply-adds than after the sum.

    ``nnz``: mean non-zeros of a source vector (a one-hot fact has one), which the kernels skip.
    """
    if group.transform_first is not None:
        return bool(group.transform_first)
    edges = len(group.dst)
    after = edges * din + size * dout * min(din, nnz * max(edges / max(size, 1), 1.0))
    before = source_size * (din + dout * nnz) + edges * dout
    return before < after


class _Builder:
    """Appends graphs level by level into growing lists of arrays."""

    def __init__(self, layout: ParamLayout, dtype: np.dtype):
        self.dtype = dtype
        self.offset = dict(zip(layout.names, layout.offsets, strict=True))
        self.shape = dict(zip(layout.names, layout.shapes, strict=True))
        self.tensor = {n: i for i, n in enumerate(layout.names)}
        self.lv: list[list[int]] = []
        self.scale: list[float] = []
        self.gr: list[list[int]] = []
        self.ptr: list[np.ndarray] = []
        self.idx: list[np.ndarray] = []
        self.coef: list[np.ndarray] = []
        self.vals: list[tuple[int, np.ndarray]] = []  # fact values and their offsets
        self.counts = {"ptr": 0, "idx": 0, "coef": 0, "val": 0}
        self.neurons = self.edges = 0

    def _push(self, kind: str, array: np.ndarray) -> int:
        getattr(self, kind).append(array)
        start = self.counts[kind]
        self.counts[kind] += len(array)
        return start

    def _weight(self, level: Level, name: str, rows: int | None, cols: int | None) -> tuple[int, int]:
        if name not in self.offset:
            raise UnsupportedGraph(f"level {level.name}: unknown parameter {name!r}")
        shape = self.shape[name]
        if rows is not None and (len(shape) != 2 or shape[1] != cols):
            raise UnsupportedGraph(f"level {level.name}: {name} has shape {shape}, its input has dimension {cols}")
        return self.offset[name], self.tensor[name]

    def add_level(self, kind: int, size: int, dim: int, act: int, bias: tuple[int, int], groups: list, scale=1.0):
        first = len(self.gr)
        self.gr += groups
        off = self.counts["val"]
        self.counts["val"] += size * dim
        row = [kind, size, dim, off, act, bias[0], bias[1], first, len(self.gr), 0, 0]
        self.lv.append(row)
        self.scale.append(float(scale))
        self.neurons += size
        return len(self.lv) - 1

    def graph(self, graph: CompGraph) -> tuple[int, int, list[int]]:
        """Append ``graph``; returns its first and end level and each original level's new index."""
        first = len(self.lv)
        where: list[int] = []  # original level -> flat level
        transforms: dict[tuple[int, str], int] = {}
        nnz: dict[int, float] = {}
        for li, level in enumerate(graph.levels):
            where.append(self._level(graph, li, level, where, transforms, nnz))
        self._mark(first, where[graph.output_level])
        return first, len(self.lv), where

    def _level(self, graph, li, level: Level, where, transforms, nnz) -> int:
        act = K.ACTIVATION_CODES.get(level.activation)
        if act is None:
            raise UnsupportedGraph(f"level {level.name}: unknown activation {level.activation!r}")
        if level.values is not None:
            if level.inputs or level.bias is not None:
                raise UnsupportedGraph(f"level {level.name}: a fact level cannot have inputs or a bias")
            values = level.values.detach().cpu().numpy().astype(self.dtype)
            if values.ndim != 2 or len(values) != level.size:
                raise UnsupportedGraph(f"level {level.name}: fact values must have shape (size, dim)")
            index = self.add_level(K.FACT, level.size, values.shape[1], act, (-1, -1), [])
            self.vals.append((self.lv[index][K.L_OFF], values.ravel()))
            nnz[index] = float(np.count_nonzero(values)) / max(level.size, 1)
            return index
        for group in level.inputs:
            if not 0 <= group.source < li:
                raise UnsupportedGraph(f"level {level.name}: input from level {group.source}, not an earlier level")
        if level.operation == "outer":
            return self._outer(level, act, where)
        if level.operation != "sum":
            raise UnsupportedGraph(f"level {level.name}: unknown operation {level.operation!r}")
        groups, dim = [], None
        for group in level.inputs:
            row, dout = self._group(graph, level, group, where, transforms, nnz)
            if dim is not None and dout != dim:
                raise UnsupportedGraph(f"level {level.name}: input groups of dimensions {dim} and {dout}")
            dim = dout
            groups.append(row)
        bias = (-1, -1)
        if level.bias is not None:
            offset, tensor = self._weight(level, level.bias, None, None)
            shape = self.shape[level.bias]
            if len(shape) != 1 or (dim is not None and shape[0] != dim):
                raise UnsupportedGraph(f"level {level.name}: bias {level.bias} of shape {shape} for dimension {dim}")
            bias, dim = (offset, tensor), shape[0]
        return self.add_level(K.SUM, level.size, 1 if dim is None else dim, act, bias, groups)

    def _group(self, graph, level: Level, group: Inputs, where, transforms, nnz) -> tuple[list[int], int]:
        source = where[group.source]
        din = self.lv[source][K.L_DIM]
        w, wt, dout = -1, -1, din
        if group.weight is not None:
            w, wt = self._weight(level, group.weight, 0, din)
            dout = self.shape[group.weight][0]
        if group.dst is None:
            if group.coef is not None:
                raise UnsupportedGraph(f"level {level.name}: coefficients on a one-input-a-neuron group")
            if group.src is None:
                if self.lv[source][K.L_SIZE] != level.size:
                    raise UnsupportedGraph(f"level {level.name}: one input a neuron from a level of another size")
                self.edges += level.size
                return [source, w, wt, K.SELF, -1, -1, -1, din, dout], dout
            src = _array(group.src)
            _check_index(level, src, level.size, self.lv[source][K.L_SIZE])
            self.edges += level.size
            return [source, w, wt, K.GATHER, -1, self._push("idx", src), -1, din, dout], dout
        dst, src = _array(group.dst), _array(group.src)
        if len(dst) != len(src) or (group.coef is not None and len(group.coef) != len(dst)):
            raise UnsupportedGraph(f"level {level.name}: dst, src and coef of an edge group differ in length")
        _check_index(level, dst, None, level.size)
        _check_index(level, src, None, self.lv[source][K.L_SIZE])
        if w >= 0 and transform_first(group, level.size, self.lv[source][K.L_SIZE], din, dout, nnz.get(source, din)):
            key = (source, group.weight)
            if key not in transforms:
                size = self.lv[source][K.L_SIZE]
                row = [source, w, wt, K.SELF, -1, -1, -1, din, dout]
                transforms[key] = self.add_level(K.SUM, size, dout, K.IDENTITY, (-1, -1), [row])
                self.edges += size
            source, w, wt, din = transforms[key], -1, -1, dout
        order = np.argsort(dst, kind="stable")
        ptr = np.zeros(level.size + 1, np.int64)
        np.cumsum(np.bincount(dst, minlength=level.size), out=ptr[1:])
        coef = -1
        if group.coef is not None:
            coef = self._push("coef", group.coef.detach().cpu().numpy().astype(self.dtype)[order])
        self.edges += len(dst)
        row = [source, w, wt, K.EDGES, self._push("ptr", ptr), self._push("idx", src[order]), coef, din, dout]
        return row, dout

    def _outer(self, level: Level, act: int, where) -> int:
        groups, dim = [], 1
        for group in level.inputs:
            if group.weight is not None or group.dst is not None or group.coef is not None:
                raise UnsupportedGraph(f"level {level.name}: an outer level takes one unweighted input a neuron")
            source = where[group.source]
            din = self.lv[source][K.L_DIM]
            if group.src is None:
                if self.lv[source][K.L_SIZE] != level.size:
                    raise UnsupportedGraph(f"level {level.name}: one input a neuron from a level of another size")
                groups.append([source, -1, -1, K.SELF, -1, -1, -1, din, din])
            else:
                src = _array(group.src)
                _check_index(level, src, level.size, self.lv[source][K.L_SIZE])
                groups.append([source, -1, -1, K.GATHER, -1, self._push("idx", src), -1, din, din])
            self.edges += level.size
            dim *= din
        if level.bias is not None or not groups:
            raise UnsupportedGraph(f"level {level.name}: an outer level needs inputs and takes no bias")
        return self.add_level(K.OUTER, level.size, dim, act, (-1, -1), groups, level.scale)

    def _mark(self, first: int, output: int) -> None:
        """Live levels (the output depends on them) and levels that need gradients."""
        live = {output}
        for li in range(output, first - 1, -1):
            if li in live:
                live.update(self.gr[g][K.G_SRC] for g in range(self.lv[li][K.L_G0], self.lv[li][K.L_G1]))
        for li in range(first, len(self.lv)):
            row = self.lv[li]
            groups = self.gr[row[K.L_G0] : row[K.L_G1]]
            row[K.L_LIVE] = int(li in live)
            row[K.L_GRAD] = int(
                row[K.L_BIAS] >= 0 or any(g[K.G_W] >= 0 or self.lv[g[K.G_SRC]][K.L_GRAD] for g in groups)
            )

    def touched(self, first: int, end: int, tensors: int) -> np.ndarray:
        """Parameters that live levels in [first, end) refer to."""
        out = np.zeros(tensors, np.int64)
        for row in self.lv[first:end]:
            if not row[K.L_LIVE]:
                continue
            if row[K.L_BIAS_T] >= 0:
                out[row[K.L_BIAS_T]] = 1
            for g in self.gr[row[K.L_G0] : row[K.L_G1]]:
                if g[K.G_WT] >= 0:
                    out[g[K.G_WT]] = 1
        return out

    def finish(self, units, out_pos, out_target, touch, sptr) -> FlatGraph:
        val = np.zeros(self.counts["val"], self.dtype)
        for off, values in self.vals:
            val[off : off + len(values)] = values

        def cat(parts: list[np.ndarray], dtype) -> np.ndarray:
            return np.ascontiguousarray(np.concatenate(parts).astype(dtype)) if parts else np.zeros(1, dtype)

        return FlatGraph(
            lv=np.array(self.lv, np.int64).reshape(-1, K.LEVEL_COLUMNS),
            scale=np.array(self.scale, np.float64),
            gr=np.array(self.gr, np.int64).reshape(-1, K.GROUP_COLUMNS),
            ptr=cat(self.ptr, np.int64),
            idx=cat(self.idx, np.int64),
            coef=cat(self.coef, self.dtype),
            val=val,
            units=np.array(units, np.int64).reshape(-1, 5),
            out_pos=np.asarray(out_pos, np.int64),
            out_target=np.asarray(out_target, np.int64),
            unit_touch=np.asarray(touch, np.int64).reshape(len(units), -1),
            sptr=sptr,
            neurons=self.neurons,
            edges=self.edges,
        )


def _array(t: torch.Tensor) -> np.ndarray:
    return np.ascontiguousarray(t.detach().cpu().numpy().astype(np.int64))


def _check_index(level: Level, index: np.ndarray, length: int | None, bound: int) -> None:
    if length is not None and len(index) != length:
        raise UnsupportedGraph(f"level {level.name}: {len(index)} input indices for {length} neurons")
    if len(index) and (index.min() < 0 or index.max() >= bound):
        raise UnsupportedGraph(f"level {level.name}: an input index is outside its level")


def _output_level(builder: _Builder, graph: CompGraph, where: list[int]) -> tuple[int, int]:
    out = where[graph.output_level]
    row = builder.lv[out]
    if row[K.L_DIM] != 1:
        raise UnsupportedGraph(f"level {graph.levels[graph.output_level].name}: outputs must be scalars")
    return row[K.L_OFF], out


def flatten_units(
    graphs: Sequence[CompGraph], targets: Sequence[np.ndarray], layout: ParamLayout, dtype: np.dtype
) -> FlatGraph:
    """Stand-alone graphs one after the other: unit ``u`` is all of ``graphs[u]``, with targets ``targets[u]``."""
    builder = _Builder(layout, np.dtype(dtype))
    units, out_pos, out_target, touch = [], [], [], []
    for graph, target in zip(graphs, targets, strict=True):
        first, end, where = builder.graph(graph)
        offset, _ = _output_level(builder, graph, where)
        start = len(out_pos)
        out_pos += (offset + _array(graph.output_index)).tolist()
        out_target += np.asarray(target, np.int64).tolist()
        if len(out_pos) != len(out_target):
            raise ValueError("a graph's outputs and targets differ in number")
        units.append([first, end, -1, start, len(out_pos)])
        touch.append(builder.touched(first, end, len(layout.names)))
    return builder.finish(units, out_pos, out_target, touch, np.zeros((1, 1), np.int64))


def flatten_samples(graph: CompGraph, layout: ParamLayout, dtype: np.dtype) -> FlatGraph:
    """A whole-dataset graph stored sample by sample; unit ``k`` is sample ``k``'s neurons in every level."""
    samples = graph.num_samples
    if not np.array_equal(_array(graph.output_index), np.arange(samples)):
        raise UnsupportedGraph("the output level must hold one neuron per sample, in sample order")
    builder = _Builder(layout, np.dtype(dtype))
    first, end, where = builder.graph(graph)
    offset, out_level = _output_level(builder, graph, where)
    pointers = {}
    for li, level in enumerate(graph.levels):
        if level.owner is None:
            raise UnsupportedGraph(f"level {level.name} is shared by all samples: it cannot be run sample by sample")
        owner = _array(level.owner)
        if len(owner) and (np.diff(owner) < 0).any():
            raise UnsupportedGraph(f"level {level.name}: neurons are not stored sample by sample")
        pointers[where[li]] = np.concatenate([[0], np.cumsum(np.bincount(owner, minlength=samples))])
    sptr = np.zeros((end - first, samples + 1), np.int64)
    for li in range(first, end):
        source = li
        while source not in pointers:  # a transform level splits like its source
            source = builder.gr[builder.lv[source][K.L_G0]][K.G_SRC]
        sptr[li] = pointers[source]
    touch = builder.touched(first, end, len(layout.names))
    units = [[first, end, k, k, k + 1] for k in range(samples)]
    return builder.finish(units, offset + np.arange(samples), np.arange(samples), np.tile(touch, (samples, 1)), sptr)

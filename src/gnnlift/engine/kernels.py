"""Compiled kernels of the native backend: a computation graph executed neuron by neuron.

One interpreter, with no branch on the model: it reads a flat graph (see
:mod:`gnnlift.engine.flat`) and runs forward, backward, loss and optimizer step over it, so
that its cost grows with the neurons and edges it visits. A *unit* is what one call visits: one
sample's neuron ranges of a whole-dataset graph (``sample >= 0``), or every neuron of a
stand-alone graph (``sample < 0``). A training step is a list of units.

Loss and optimizer follow ``torch.nn.functional.binary_cross_entropy`` / ``mse_loss`` (mean over
the batch) and ``torch.optim.Adam`` / ``SGD`` with their defaults, including that a tensor no
level of the step refers to gets no update (its gradient would be ``None`` in torch).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit as _njit

# Why the kernels run without numba's on-disk cache, where they do (None: the cache is in use).
CACHE_OFF: str | None = None


def njit(cache: bool = True):
    """numba's ``njit``, cached on disk where numba can locate a cache folder; compiled per process where
    it cannot (a read-only install with no writable home), which :data:`CACHE_OFF` records."""

    def decorate(function):
        global CACHE_OFF
        try:
            return _njit(cache=cache)(function)
        except RuntimeError as exc:  # "cannot cache function ...: no locator available for file ..."
            CACHE_OFF = f"numba finds no folder for its cache ({' '.join(str(exc).split())})"
            return _njit(function)

    return decorate


# level kinds
FACT, SUM, OUTER = 0, 1, 2
# activations
IDENTITY, RELU, SIGMOID, TANH = 0, 1, 2, 3
ACTIVATION_CODES = {"identity": IDENTITY, "relu": RELU, "sigmoid": SIGMOID, "tanh": TANH}
# input modes of a group: neuron n reads source n / source idx[n] / the CSR edges of n
SELF, GATHER, EDGES = 0, 1, 2
# columns of the level table
L_KIND, L_SIZE, L_DIM, L_OFF, L_ACT, L_BIAS, L_BIAS_T, L_G0, L_G1, L_GRAD, L_LIVE = range(11)
LEVEL_COLUMNS = 11
# columns of the group table
G_SRC, G_W, G_WT, G_MODE, G_PTR, G_IDX, G_COEF, G_DIN, G_DOUT = range(9)
GROUP_COLUMNS = 9
# losses and optimizers
BCE, MSE = 0, 1
ADAM, SGD = 0, 1
LOSS_CODES = {"bce": BCE, "mse": MSE}
OPTIMIZER_CODES = {"adam": ADAM, "sgd": SGD}
BETA1, BETA2, ADAM_EPS = 0.9, 0.999, 1e-8
BCE_EPS = 1e-12  # torch's clamp of p(1-p) in the gradient of binary cross-entropy


@njit(cache=True)
def _range(lv, sptr, level, sample):
    if sample < 0:
        return 0, lv[level, L_SIZE]
    return sptr[level, sample], sptr[level, sample + 1]


@njit(cache=True)
def _activate(code, x):
    if code == RELU:
        return x if x > 0 else 0.0 * x
    if code == SIGMOID:
        return 1.0 / (1.0 + math.exp(-x))
    if code == TANH:
        return math.tanh(x)
    return x


@njit(cache=True)
def _derivative(code, y):
    """d act / d pre, from the activation's output ``y``."""
    if code == RELU:
        return 1.0 if y > 0 else 0.0
    if code == SIGMOID:
        return y * (1.0 - y)
    if code == TANH:
        return 1.0 - y * y
    return 1.0


@njit(cache=True)
def _source_row(gr, g, n, idx):
    """The source neuron of neuron ``n`` in a one-input-a-neuron group."""
    if gr[g, G_MODE] == SELF:
        return n
    return idx[gr[g, G_IDX] + n]


@njit(cache=True)
def _aggregate(gr, g, n, lv, ptr, idx, coef, val, acc):
    """acc[:din] = the coefficient-weighted sum of neuron n's inputs in an edge group."""
    din = gr[g, G_DIN]
    soff = lv[gr[g, G_SRC], L_OFF]
    for j in range(din):
        acc[j] = 0.0
    p0 = ptr[gr[g, G_PTR] + n]
    p1 = ptr[gr[g, G_PTR] + n + 1]
    base = gr[g, G_IDX]
    cbase = gr[g, G_COEF]
    for e in range(p0, p1):
        row = soff + idx[base + e] * din
        if cbase >= 0:
            c = coef[cbase + e]
            for j in range(din):
                acc[j] += c * val[row + j]
        else:
            for j in range(din):
                acc[j] += val[row + j]


@njit(cache=True)
def _forward_sum(lv, gr, ptr, idx, coef, theta, val, acc, level, lo, hi):
    dim, off, act, bias = lv[level, L_DIM], lv[level, L_OFF], lv[level, L_ACT], lv[level, L_BIAS]
    for n in range(lo, hi):
        out = off + n * dim
        for i in range(dim):
            val[out + i] = 0.0
        for g in range(lv[level, L_G0], lv[level, L_G1]):
            din, w = gr[g, G_DIN], gr[g, G_W]
            if gr[g, G_MODE] == EDGES:
                _aggregate(gr, g, n, lv, ptr, idx, coef, val, acc)
                if w < 0:
                    for i in range(dim):
                        val[out + i] += acc[i]
                else:
                    for j in range(din):
                        a = acc[j]
                        if a != 0.0:
                            for i in range(dim):
                                val[out + i] += theta[w + i * din + j] * a
            else:
                row = lv[gr[g, G_SRC], L_OFF] + _source_row(gr, g, n, idx) * din
                if w < 0:
                    for i in range(dim):
                        val[out + i] += val[row + i]
                else:
                    for j in range(din):
                        a = val[row + j]
                        if a != 0.0:
                            for i in range(dim):
                                val[out + i] += theta[w + i * din + j] * a
        for i in range(dim):
            x = val[out + i]
            if bias >= 0:
                x += theta[bias + i]
            val[out + i] = _activate(act, x)


@njit(cache=True)
def _forward_outer(lv, gr, idx, val, scale, level, lo, hi):
    dim, off, act = lv[level, L_DIM], lv[level, L_OFF], lv[level, L_ACT]
    g0, g1 = lv[level, L_G0], lv[level, L_G1]
    for n in range(lo, hi):
        out = off + n * dim
        val[out] = 1.0
        width = 1
        for g in range(g0, g1):  # grow the product one group at a time, first group most significant
            din = gr[g, G_DIN]
            row = lv[gr[g, G_SRC], L_OFF] + _source_row(gr, g, n, idx) * din
            for p in range(width - 1, -1, -1):
                left = val[out + p]
                for j in range(din - 1, -1, -1):
                    val[out + p * din + j] = left * val[row + j]
            width *= din
        for i in range(dim):
            val[out + i] = _activate(act, scale * val[out + i])


@njit(cache=True)
def forward_unit(lv, scale, gr, ptr, idx, coef, sptr, theta, val, acc, lv0, lv1, sample):
    """Values of every live level of one unit."""
    for level in range(lv0, lv1):
        if lv[level, L_LIVE] == 0 or lv[level, L_KIND] == FACT:
            continue
        lo, hi = _range(lv, sptr, level, sample)
        if lv[level, L_KIND] == SUM:
            _forward_sum(lv, gr, ptr, idx, coef, theta, val, acc, level, lo, hi)
        else:
            _forward_outer(lv, gr, idx, val, scale[level], level, lo, hi)


@njit(cache=True)
def _backward_sum(lv, gr, ptr, idx, coef, theta, val, gval, gtheta, acc, dpre, level, lo, hi):
    dim, off, act, bias = lv[level, L_DIM], lv[level, L_OFF], lv[level, L_ACT], lv[level, L_BIAS]
    for n in range(lo, hi):
        out = off + n * dim
        nonzero = False
        for i in range(dim):
            d = gval[out + i] * _derivative(act, val[out + i])
            dpre[i] = d
            if d != 0.0:
                nonzero = True
        if not nonzero:
            continue
        if bias >= 0:
            for i in range(dim):
                gtheta[bias + i] += dpre[i]
        for g in range(lv[level, L_G0], lv[level, L_G1]):
            din, w, src = gr[g, G_DIN], gr[g, G_W], gr[g, G_SRC]
            propagate = lv[src, L_GRAD] != 0
            if w < 0 and not propagate:
                continue
            edges = gr[g, G_MODE] == EDGES
            if edges:
                if w >= 0:  # the weight's gradient needs the aggregate again
                    _aggregate(gr, g, n, lv, ptr, idx, coef, val, acc)
                x, xoff = acc, 0
            else:
                x, xoff = val, lv[src, L_OFF] + _source_row(gr, g, n, idx) * din
            if w >= 0:
                for j in range(din):
                    a = x[xoff + j]
                    if a != 0.0:
                        for i in range(dim):
                            gtheta[w + i * din + j] += dpre[i] * a
            if not propagate:
                continue
            # d aggregate = W^T dpre (or dpre itself), kept in acc[din:2 din]
            for j in range(din):
                if w < 0:
                    acc[din + j] = dpre[j]
                else:
                    s = 0.0
                    for i in range(dim):
                        s += theta[w + i * din + j] * dpre[i]
                    acc[din + j] = s
            soff = lv[src, L_OFF]
            if edges:
                p0 = ptr[gr[g, G_PTR] + n]
                p1 = ptr[gr[g, G_PTR] + n + 1]
                base, cbase = gr[g, G_IDX], gr[g, G_COEF]
                for e in range(p0, p1):
                    row = soff + idx[base + e] * din
                    c = coef[cbase + e] if cbase >= 0 else 1.0
                    for j in range(din):
                        gval[row + j] += c * acc[din + j]
            else:
                for j in range(din):
                    gval[xoff + j] += acc[din + j]


@njit(cache=True)
def _backward_outer(lv, gr, idx, val, gval, scale, acc, dpre, level, lo, hi):
    dim, off, act = lv[level, L_DIM], lv[level, L_OFF], lv[level, L_ACT]
    g0, g1 = lv[level, L_G0], lv[level, L_G1]
    k = g1 - g0
    rows = np.empty(k, dtype=np.int64)
    dins = np.empty(k, dtype=np.int64)
    digit = np.empty(k, dtype=np.int64)
    prefix = np.empty(k + 1, dtype=dpre.dtype)
    suffix = np.empty(k + 1, dtype=dpre.dtype)
    for n in range(lo, hi):
        out = off + n * dim
        for t in range(k):
            g = g0 + t
            dins[t] = gr[g, G_DIN]
            rows[t] = lv[gr[g, G_SRC], L_OFF] + _source_row(gr, g, n, idx) * dins[t]
            digit[t] = 0
        for i in range(dim):
            d = gval[out + i] * _derivative(act, val[out + i]) * scale
            if d != 0.0:
                prefix[0] = 1.0
                for t in range(k):
                    prefix[t + 1] = prefix[t] * val[rows[t] + digit[t]]
                suffix[k] = 1.0
                for t in range(k - 1, -1, -1):
                    suffix[t] = suffix[t + 1] * val[rows[t] + digit[t]]
                for t in range(k):
                    src = gr[g0 + t, G_SRC]
                    if lv[src, L_GRAD] != 0:
                        gval[rows[t] + digit[t]] += d * prefix[t] * suffix[t + 1]
            t = k - 1  # next multi-index, last group fastest
            while t >= 0:
                digit[t] += 1
                if digit[t] < dins[t]:
                    break
                digit[t] = 0
                t -= 1


@njit(cache=True)
def zero_unit(lv, sptr, gval, lv0, lv1, sample):
    for level in range(lv0, lv1):
        lo, hi = _range(lv, sptr, level, sample)
        dim, off = lv[level, L_DIM], lv[level, L_OFF]
        for p in range(off + lo * dim, off + hi * dim):
            gval[p] = 0.0


@njit(cache=True)
def backward_unit(lv, scale, gr, ptr, idx, coef, sptr, theta, val, gval, gtheta, acc, dpre, lv0, lv1, sample):
    """Gradients of one unit, given d loss / d value at its outputs in ``gval`` (zeroed elsewhere)."""
    for level in range(lv1 - 1, lv0 - 1, -1):
        if lv[level, L_LIVE] == 0 or lv[level, L_KIND] == FACT or lv[level, L_GRAD] == 0:
            continue
        lo, hi = _range(lv, sptr, level, sample)
        if lv[level, L_KIND] == SUM:
            _backward_sum(lv, gr, ptr, idx, coef, theta, val, gval, gtheta, acc, dpre, level, lo, hi)
        else:
            _backward_outer(lv, gr, idx, val, gval, scale[level], acc, dpre, level, lo, hi)


@njit(cache=True)
def _loss(kind, p, y):
    """(loss, d loss / d p) of one output, before the mean over the batch."""
    if kind == MSE:
        return (p - y) * (p - y), 2.0 * (p - y)
    log_p = max(math.log(p), -100.0) if p > 0 else -100.0
    log_q = max(math.log1p(-p), -100.0) if p < 1 else -100.0
    loss = (y - 1.0) * log_q - y * log_p
    return loss, (p - y) / max((1.0 - p) * p, BCE_EPS)


@njit(cache=True)
def _optimize(kind, lr, theta, gtheta, tensors, touched, m, v, steps):
    for t in range(tensors.shape[0]):
        if touched[t] == 0:
            continue
        o0, o1 = tensors[t, 0], tensors[t, 0] + tensors[t, 1]
        if kind == SGD:
            for p in range(o0, o1):
                theta[p] = theta[p] - lr * gtheta[p]
            continue
        steps[t] += 1
        step = float(steps[t])
        step_size = lr / (1.0 - BETA1**step)
        correction2 = math.sqrt(1.0 - BETA2**step)
        for p in range(o0, o1):
            g = gtheta[p]
            m[p] = m[p] + (1.0 - BETA1) * (g - m[p])
            v[p] = v[p] * BETA2 + (1.0 - BETA2) * g * g
            theta[p] = theta[p] - step_size * (m[p] / (math.sqrt(v[p]) / correction2 + ADAM_EPS))


@njit(cache=True)
def train_steps(
    lv, scale, gr, ptr, idx, coef, sptr, units, out_pos, out_target, unit_touch,
    step_ptr, step_units, targets, loss_kind, opt_kind, lr,
    theta, m, v, steps, tensors, val, gval, gtheta, losses,
):  # fmt: skip
    """Train ``len(step_ptr) - 1`` steps; ``losses[s]`` gets each step's mean loss.

    ``units[u] = (first level, end level, sample, first output, end output)``;
    ``out_pos`` are value-buffer positions of outputs, ``out_target`` their indices into ``targets``.
    """
    acc = np.zeros(2 * _max_width(lv, gr), dtype=val.dtype)
    dpre = np.zeros(_max_width(lv, gr), dtype=val.dtype)
    touched = np.zeros(tensors.shape[0], dtype=np.int64)
    for s in range(len(step_ptr) - 1):
        u0, u1 = step_ptr[s], step_ptr[s + 1]
        count = 0
        for k in range(u0, u1):
            u = step_units[k]
            forward_unit(lv, scale, gr, ptr, idx, coef, sptr, theta, val, acc, units[u, 0], units[u, 1], units[u, 2])
            count += units[u, 4] - units[u, 3]
        for p in range(len(gtheta)):
            gtheta[p] = 0.0
        for t in range(len(touched)):
            touched[t] = 0
        total = 0.0
        for k in range(u0, u1):
            u = step_units[k]
            zero_unit(lv, sptr, gval, units[u, 0], units[u, 1], units[u, 2])
            for t in range(len(touched)):
                touched[t] |= unit_touch[u, t]
        for k in range(u0, u1):
            u = step_units[k]
            for o in range(units[u, 3], units[u, 4]):
                loss, grad = _loss(loss_kind, val[out_pos[o]], targets[out_target[o]])
                total += loss
                gval[out_pos[o]] += grad / count
        for k in range(u1 - 1, u0 - 1, -1):
            u = step_units[k]
            backward_unit(
                lv, scale, gr, ptr, idx, coef, sptr, theta, val, gval, gtheta, acc, dpre,
                units[u, 0], units[u, 1], units[u, 2],
            )  # fmt: skip
        _optimize(opt_kind, lr, theta, gtheta, tensors, touched, m, v, steps)
        losses[s] = total / count


@njit(cache=True)
def forward_backward(lv, scale, gr, ptr, idx, coef, sptr, units, out_pos, theta, val, gval, gtheta, out_grad):
    """One forward and backward pass over every unit; ``out_grad`` is d loss / d output, per output."""
    acc = np.zeros(2 * _max_width(lv, gr), dtype=val.dtype)
    dpre = np.zeros(_max_width(lv, gr), dtype=val.dtype)
    for u in range(units.shape[0]):
        forward_unit(lv, scale, gr, ptr, idx, coef, sptr, theta, val, acc, units[u, 0], units[u, 1], units[u, 2])
        zero_unit(lv, sptr, gval, units[u, 0], units[u, 1], units[u, 2])
    for p in range(len(gtheta)):
        gtheta[p] = 0.0
    for o in range(len(out_pos)):
        gval[out_pos[o]] += out_grad[o]
    for u in range(units.shape[0] - 1, -1, -1):
        backward_unit(
            lv,
            scale,
            gr,
            ptr,
            idx,
            coef,
            sptr,
            theta,
            val,
            gval,
            gtheta,
            acc,
            dpre,
            units[u, 0],
            units[u, 1],
            units[u, 2],
        )


@njit(cache=True)
def _max_width(lv, gr):
    width = 1
    for level in range(lv.shape[0]):
        width = max(width, lv[level, L_DIM])
    for g in range(gr.shape[0]):
        width = max(width, gr[g, G_DIN])
    return width

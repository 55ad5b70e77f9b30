"""Reference table: matmul (1-D, batched and broadcast rules), einsum, outer, dot (see ops_harness)."""
from __future__ import annotations

import torch
from hypothesis import strategies as st

import ember
from ops_harness import FLOATS, INTS, Case, Example, Operand, broadcast_shapes

_SIZES = st.integers(0, 3)


@st.composite
def matmul_examples(draw):
    """Operand shapes for every branch of PyTorch's matmul rules."""
    n, k, m = draw(_SIZES), draw(_SIZES), draw(_SIZES)
    batch_a, batch_b = draw(broadcast_shapes(2, max_dims=2, max_side=3))
    left = draw(st.sampled_from(["vector", "matrix", "batched"]))
    right = draw(st.sampled_from(["vector", "matrix", "batched"]))
    a = {"vector": (k,), "matrix": (n, k), "batched": batch_a + (n, k)}[left]
    b = {"vector": (k,), "matrix": (k, m), "batched": batch_b + (k, m)}[right]
    return Example((Operand(a), Operand(b)))


@st.composite
def batched_examples(draw, batch_dims):
    n, k, m = draw(_SIZES), draw(_SIZES), draw(_SIZES)
    batch = tuple(draw(_SIZES) for _ in range(batch_dims))
    return Example((Operand(batch + (n, k)), Operand(batch + (k, m))))


_EQUATIONS = ["ij,jk->ik", "bij,bjk->bik", "i,i->", "i,j->ij", "ij->ji", "ij->", "ij->j",
              "ijk,ik->ij", "ij,ij->ij", "abc,cd->abd", "ij,jk,kl->il", "ij,jk", "ba,ca->bc",
              "ii->", "ii->i", "iij,j->i", "ij,ii->j"]


@st.composite
def einsum_examples(draw):
    equation = draw(st.sampled_from(_EQUATIONS))
    subscripts = equation.split("->")[0].split(",")
    sizes = {letter: draw(_SIZES) for letter in sorted(set("".join(subscripts)))}
    operands = tuple(Operand(tuple(sizes[c] for c in s)) for s in subscripts)
    return Example(operands, {"equation": equation})


_ELLIPSIS_EQUATIONS = ["...ij,...jk->...ik", "...ij,...jk", "i...->...", "...,...->...", "bi...,bj...->bij...",
                       "...i,...i->...", "i...j->ij"]


@st.composite
def einsum_ellipsis_examples(draw):
    """Equations with '...': the dims it stands for broadcast (size 1 stretches), as in PyTorch."""
    equation = draw(st.sampled_from(_ELLIPSIS_EQUATIONS))
    subscripts = equation.split("->")[0].split(",")
    sizes = {letter: draw(_SIZES) for letter in sorted(set("".join(subscripts).replace(".", "")))}
    batch = draw(broadcast_shapes(len(subscripts), max_dims=2, max_side=3))
    operands = tuple(Operand(tuple(sizes[c] for c in s.split("...")[0]) + (extra if "..." in s else ()) +
                             tuple(sizes[c] for c in (s.split("...")[1] if "..." in s else "")))
                     for s, extra in zip(subscripts, batch))
    return Example(operands, {"equation": equation})


@st.composite
def vector_pairs(draw, same_length):
    first = draw(_SIZES)
    return Example((Operand((first,)), Operand((first if same_length else draw(_SIZES),))))


CASES = [
    Case("matmul", lambda a, b: a @ b, lambda a, b: a @ b, ("matmul",), matmul_examples(), FLOATS + INTS,
         second_order=True),
    Case("mm", ember.mm, torch.mm, ("matmul",), batched_examples(0), second_order=True),
    Case("bmm", ember.bmm, torch.bmm, ("matmul",), batched_examples(1)),
    Case("einsum", lambda *xs, equation: ember.einsum(equation, *xs),
         lambda *xs, equation: torch.einsum(equation, *xs), ("einsum",), einsum_examples(),
         second_order=True),
    Case("einsum with ...", lambda *xs, equation: ember.einsum(equation, *xs),
         lambda *xs, equation: torch.einsum(equation, *xs), ("einsum", "broadcast_to"), einsum_ellipsis_examples()),
    Case("outer", ember.outer, torch.outer, ("mul",), vector_pairs(False), FLOATS + INTS),
    Case("dot", ember.dot, torch.dot, ("matmul",), vector_pairs(True), FLOATS + INTS, second_order=True),
]

"""ember.ops.functions stays the one place the public ops are reached, after its split by category."""
import ember.ops.functions as F

# Every public name ``ember.ops.functions`` held when it was one file (ops and the names it imported).
PUBLIC_NAMES = [
    "DTypeError", "E", "EmberIndexError", "EmberValueError", "L", "R", "S", "ShapeError", "Tensor",
    "ValuesIndices", "abs", "add", "all", "allclose", "amax", "amin", "annotations", "any",
    "argmax", "argmin", "as_dtype", "backend", "bind", "bmm", "broadcast_tensors", "broadcast_to",
    "builtins", "cast", "cat", "ceil", "chunk", "clamp", "clip", "clone", "concat", "concatenate",
    "cos", "count_nonzero", "cumsum", "dispatch", "div", "dot", "dropout", "einsum", "eq", "equal",
    "equal_all", "erf", "exp", "expand", "explain_failure", "expm1", "flatten", "flip", "floor",
    "floor_divide", "full_scalar", "gather", "ge", "gelu", "ger", "get_default_dtype", "getitem",
    "getitem_index", "greater", "gt", "index_add_zeros", "index_put_value", "isfinite", "isinf",
    "isnan", "le", "less", "log", "log10", "log1p", "log2", "log_softmax", "logical_and",
    "logical_not", "logical_or", "logical_xor", "logsumexp", "lt", "masked_fill", "math", "matmul",
    "max", "maximum", "mean", "min", "minimum", "mm", "mul", "namedtuple", "ne", "neg", "negative",
    "norm", "normalize_axis", "not_equal", "numbers", "numpy", "ones_like_bool", "outer", "pad",
    "permute", "pow", "prod", "reciprocal", "relu", "remainder", "repeat", "reshape",
    "result_type", "round", "rsqrt", "scatter_add", "scatter_add_zeros", "setitem", "sigmoid",
    "sign", "silu", "sin", "softmax", "softplus", "split", "sqrt", "square", "squeeze", "stack",
    "std", "sub", "sum", "sum_to", "swap_last", "swapaxes", "swapdims", "t", "take_along_dim",
    "tan", "tanh", "tile", "to_array", "transpose", "tril", "triu", "true_divide", "unbind",
    "unflatten", "unsqueeze", "var", "var_mean", "view", "where", "zeros_like_tensor",
]


def test_every_public_name_is_still_reachable():
    missing = [name for name in PUBLIC_NAMES if not hasattr(F, name)]
    assert missing == []


def test_reexports_are_the_category_modules_objects():
    from ember.ops import elementwise as arithmetic, indexing, reduce as reductions, shape as shaping
    assert F.add is arithmetic.add and F.sum is reductions.sum
    assert F.reshape is shaping.reshape and F.getitem_index is indexing.getitem_index

"""Every reference-table entry, gathered from the family tables."""
from __future__ import annotations

import ops_table_bitwise
import ops_table_fused
import ops_table_complex
import ops_table_decompositions
import ops_table_elementwise
import ops_table_linalg
import ops_table_linalg_more
import ops_table_losses
import ops_table_nn
import ops_table_numeric
import ops_table_random
import ops_table_recurrent
import ops_table_reduce
import ops_table_shape
import ops_table_selection
import ops_table_sorting
import ops_table_special_more
import ops_table_torch_names

ALL_CASES = [*ops_table_elementwise.CASES, *ops_table_reduce.CASES, *ops_table_shape.CASES,
             *ops_table_linalg.CASES, *ops_table_linalg_more.CASES, *ops_table_nn.CASES, *ops_table_random.CASES,
             *ops_table_sorting.CASES, *ops_table_selection.CASES, *ops_table_numeric.CASES,
             *ops_table_losses.CASES, *ops_table_decompositions.CASES,
             *ops_table_fused.CASES,
             *ops_table_complex.CASES, *ops_table_recurrent.CASES, *ops_table_torch_names.CASES, *ops_table_bitwise.CASES,
             *ops_table_special_more.CASES]

"""zeros/ones/empty/rand/randn take the shape as ``size=``, as PyTorch's do."""
import pytest

import ember


@pytest.mark.parametrize("name", ["zeros", "ones", "empty", "rand", "randn"])
def test_size_keyword_gives_the_shape(name):
    function = getattr(ember, name)
    assert function(size=(2, 3)).shape == (2, 3)
    assert function(size=[4]).shape == (4,)
    assert function(size=(2, 3), dtype=ember.float64).dtype == ember.float64
    with pytest.raises(TypeError, match="both positionally and as size="):
        function(2, size=(2, 3))

"""NumPy's floating-point RuntimeWarnings stay inside Ember, as PyTorch is silent on inf/nan."""
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import numpy, ember
    x = ember.tensor([0.0, 1.0, -1.0], requires_grad=True)
    y = (x.log() / x).exp() * 1e38 * 1e38          # log(0), 0/0, sqrt(-1)-style nan, overflow
    y.sum().backward()
    step = ember.function(lambda a: (a.log() / a).sum())
    step(ember.tensor([0.0, 1.0]))
    step(ember.tensor([0.0, 2.0]))
    numpy.log(numpy.zeros(1))                      # the user's own NumPy call still warns
""")


def test_ember_ops_do_not_warn_but_user_numpy_does():
    result = subprocess.run([sys.executable, "-W", "default", "-c", SCRIPT], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if "RuntimeWarning" in line]
    assert len(lines) == 1 and "<string>" in lines[0] and "divide by zero encountered in log" in lines[0], \
        result.stderr


def test_a_warning_the_user_turned_into_an_error_is_raised_as_it_is():
    import warnings

    import pytest

    import ember
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(RuntimeWarning, match="divide by zero encountered in log"):
            ember.tensor([0.0]).log()

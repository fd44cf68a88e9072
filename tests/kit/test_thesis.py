"""Thesis numbers the reference solutions must reproduce beyond the self-checks."""

import pytest
import tensorflow as tf

from solutions import perceptron
from tests.benchmarks import mnist_thesis


def test_a_single_sample_gets_the_shape_explained():
    with pytest.raises(ValueError, match=r"shape \(1, 2\)"):
        perceptron.and_gate()(tf.constant([1.0, 0.0]))


@pytest.mark.timeout(600)
def test_mnist_thesis_configuration_reaches_the_thesis_accuracy():
    result = mnist_thesis.run(seed=0)
    assert result["accuracy"] == pytest.approx(mnist_thesis.THESIS_ACCURACY, abs=1.5)
    assert result["losses"][-1] < result["losses"][0]

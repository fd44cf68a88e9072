"""Exercise 3: gradient descent and backpropagation, derived by hand.

Thesis: §Backpropagation, its sections §The Simple Network (the cost, gradient descent and its tables),
§The Multi-Layered Network (the chain rule), §The Simple Example Revisited (the sigmoid) and §The
Fully Connected Network; the δ rule of `backward` as the lecture notes write it (§Setting up the back
propagation algorithm).
Every function takes its inputs as arguments and keeps their dtype: given float64 tensors it
computes in float64, given Python floats in float32. `tf.GradientTape` is the judge of every
partial derivative here. A derivation (cost_partial, chain_partials, sigmoid_partials, backward)
is checked as `tf.function` runs it, traced into a TensorFlow graph: compute with TensorFlow
operations on the arguments (no `.numpy()`, no `float()` of a tensor), and by hand: a graph holding
TensorFlow's automatic differentiation fails. The descents get each partial from the function
they are to use, as it is when they run (the checks may hand them another one).
"""

import tensorflow as tf


def cost(actual, desired) -> tf.Tensor:
    """The squared-error cost C = Σ (actual − desired)², summed over every element.

    Thesis §The Simple Network: for one output a and desired value ŷ this is (a − ŷ)².

    actual, desired: numbers, NumPy arrays or tensors of the same shape. Returns a scalar tensor.
    """
    # YOUR CODE HERE
    raise NotImplementedError('backprop.cost is not implemented yet — thesis §The Simple Network')


def cost_partial(a, w, desired) -> tf.Tensor:
    """∂C/∂w for the simple network f(w) = a·w with cost C = (a·w − ŷ)².

    Thesis §The Simple Network: apply the chain rule to the square, then to a·w.

    a, w, desired: scalars (numbers or scalar tensors). Returns a scalar tensor.
    """
    a, w = tf.convert_to_tensor(a), tf.convert_to_tensor(w)
    # YOUR CODE HERE
    raise NotImplementedError('backprop.cost_partial is not implemented yet — thesis §The Simple Network')


def update(value, gradient, learning_rate) -> tf.Tensor:
    """One gradient-descent update: step from `value` against its gradient.

    Thesis §The Simple Network: the learning rate scales how far one update moves.

    value, gradient: numbers, NumPy arrays or tensors of the same shape; learning_rate: a number. Returns a
    tensor of value's shape (float32 for Python numbers, as the module says).
    """
    # YOUR CODE HERE
    raise NotImplementedError('backprop.update is not implemented yet — thesis §The Simple Network')


def descend(a, w, desired, learning_rate, steps: int):
    """Gradient descent on f(w) = a·w for `steps` updates, each partial from `cost_partial` and each
    step by `update`.

    Thesis §The Simple Network (its table): with a=2, w=0.8, ŷ=1 and learning rate 0.1 the weight
    goes 0.56, 0.512, 0.5024, …

    Returns (weights, outputs): two lists of `steps` Python floats, the weight after each update
    and the network's output a·w with that weight.
    """
    weights, outputs = [], []
    # YOUR CODE HERE
    raise NotImplementedError('backprop.descend is not implemented yet — thesis §The Simple Network')
    return weights, outputs


def chain_partials(a1, w1, w2, desired):
    """(∂C/∂w1, ∂C/∂w2) for the two-weight network a3 = a1·w1·w2 with C = (a3 − ŷ)².

    Thesis §The Multi-Layered Network: a2 = a1·w1 and a3 = a2·w2; multiply the local derivatives along the path
    from C back to each weight.

    a1, w1, w2, desired: scalars. Returns a pair of scalar tensors.
    """
    a1, w1, w2 = (tf.convert_to_tensor(t) for t in (a1, w1, w2))
    # YOUR CODE HERE
    raise NotImplementedError('backprop.chain_partials is not implemented yet — thesis §The Multi-Layered Network')


def descend_two(a1, w1, w2, desired, learning_rate, steps: int):
    """Gradient descent on a3 = a1·w1·w2, updating both weights at once each step, the partials from
    `chain_partials` and each step by `update`.

    Thesis §The Multi-Layered Network: with a1=2, w1=0.8, w2=3.0, ŷ=1, learning rate 0.01, after 25 updates
    w1 ≈ 0.1748, w2 ≈ 2.8606 and a3 ≈ 1.0.

    Returns (w1s, w2s, outputs): three lists of `steps` Python floats, after each update.
    """
    w1s, w2s, outputs = [], [], []
    # YOUR CODE HERE
    raise NotImplementedError('backprop.descend_two is not implemented yet — thesis §The Multi-Layered Network')
    return w1s, w2s, outputs


def sigmoid_partials(x, w, b, desired):
    """(∂C/∂w, ∂C/∂b) for one sigmoid neuron a = σ(x·w + b) with C = (a − ŷ)².

    Thesis §The Simple Example Revisited: σ'(z) = σ(z)·(1 − σ(z)); z = x·w + b, so ∂z/∂w = x and ∂z/∂b = 1.

    x, w, b, desired: scalars or tensors of one shape (element-wise). Returns two tensors of it.
    """
    x, w, b = (tf.convert_to_tensor(t) for t in (x, w, b))
    # YOUR CODE HERE
    raise NotImplementedError('backprop.sigmoid_partials is not implemented yet — thesis §The Simple Example Revisited')


def backward(weights, biases, x, desired):
    """The gradients of C = Σ (output − desired)² for a sigmoid MLP, by hand, layer by layer.

    Thesis §The Fully Connected Network, with the δ rule as lecture notes §Setting up the back
    propagation algorithm write it: run the forward pass keeping every layer's activation
    a[0] = x, a[1], …, a[L]. At the output δ[L] = 2·(a[L] − desired)·a[L]·(1 − a[L]). For each
    layer l from the last to the first: ∂C/∂W[l] = a[l−1]ᵀ @ δ[l], ∂C/∂b[l] = δ[l] summed over the
    batch (keep the shape (1, n_out)), and δ[l−1] = (δ[l] @ W[l]ᵀ)·a[l−1]·(1 − a[l−1]).

    weights[i]: (n_i, n_{i+1}); biases[i]: (1, n_{i+1}); x: (batch, n_0); desired: (batch, n_L);
    one dtype throughout (float32 or float64). Returns (weight_grads, bias_grads): two lists of
    tensors with the shapes of weights and biases. No tf.GradientTape here.
    """
    weights = [tf.convert_to_tensor(w) for w in weights]
    biases = [tf.convert_to_tensor(b) for b in biases]
    # YOUR CODE HERE
    raise NotImplementedError('backprop.backward is not implemented yet — thesis §The Fully Connected Network')

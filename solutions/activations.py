"""Exercise 7 (advanced track): activation functions, their derivatives by hand, and softmax.

Lecture notes (hjorth-jensen-week3-lecture.txt): §Which activation function should I use?,
§The ReLU function family; workshop (tensorflow-workshop-ucla.txt): §From binary to multi-class
classification, §Building up the neural network.
Every function works element-wise on a float tensor of any shape and keeps its dtype (float64 in,
float64 out). Use TensorFlow's element-wise math (tf.exp, tf.where, tf.maximum, …); derive every
derivative by hand: `tf.GradientTape` is the judge, not a tool, here. A derivative is checked as
`tf.function` runs it, traced into a TensorFlow graph, which must hold nothing of TensorFlow's
automatic differentiation (nor complex numbers: a complex step is no derivation).
"""

import numpy as np
import tensorflow as tf


def sigmoid(z) -> tf.Tensor:
    """The logistic function σ(z) = 1 / (1 + e^(−z)), element-wise.

    Lecture notes §The derivative of the Logistic function: it saturates at 0 and 1 for large |z|.
    z: a float tensor of any shape. Returns σ(z), same shape and dtype, without NaN at z = ±1000.
    """
    z = tf.convert_to_tensor(z)
    ### BEGIN SOLUTION
    return 1.0 / (1.0 + tf.exp(-z))
    ### END SOLUTION


def sigmoid_prime(z) -> tf.Tensor:
    """dσ/dz at every element of z, by hand: σ(z)·(1 − σ(z)).

    Lecture notes §The derivative of the Logistic function: near 0 for large |z|, which is what
    makes gradients vanish in deep sigmoid networks. Same shape and dtype as z.
    """
    z = tf.convert_to_tensor(z)
    ### BEGIN SOLUTION
    s = sigmoid(z)
    return s * (1.0 - s)
    ### END SOLUTION


def tanh(z) -> tf.Tensor:
    """The hyperbolic tangent (e^z − e^(−z)) / (e^z + e^(−z)), element-wise, in (−1, 1).

    Lecture notes §Insights from the paper by Glorot and Bengio: unlike σ, tanh has mean 0.
    z: a float tensor of any shape. Returns tanh(z), same shape and dtype, without NaN at ±1000.
    """
    z = tf.convert_to_tensor(z)
    ### BEGIN SOLUTION
    return tf.tanh(z)
    ### END SOLUTION


def tanh_prime(z) -> tf.Tensor:
    """d tanh/dz at every element of z, by hand: 1 − tanh(z)².

    Lecture notes §Insights from the paper by Glorot and Bengio. Same shape and dtype as z.
    """
    z = tf.convert_to_tensor(z)
    ### BEGIN SOLUTION
    return 1.0 - tf.square(tanh(z))
    ### END SOLUTION


def relu(z) -> tf.Tensor:
    """The rectified linear unit max(0, z), element-wise.

    Lecture notes §The ReLU function family. Same shape and dtype as z.
    """
    z = tf.convert_to_tensor(z)
    ### BEGIN SOLUTION
    return tf.maximum(z, tf.zeros_like(z))
    ### END SOLUTION


def relu_prime(z) -> tf.Tensor:
    """dReLU/dz at every element of z, by hand: 1 where z > 0, else 0 (0 at the kink z = 0, as
    TensorFlow's gradient takes it).

    Lecture notes §The ReLU function family: a unit whose z stays negative gets no gradient (a
    dying ReLU). Same shape and dtype as z.
    """
    z = tf.convert_to_tensor(z)
    ### BEGIN SOLUTION
    return tf.where(z > 0, tf.ones_like(z), tf.zeros_like(z))
    ### END SOLUTION


def leaky_relu(z, alpha: float = 0.01) -> tf.Tensor:
    """The leaky ReLU: z where z > 0, else alpha·z, element-wise (0 < alpha < 1).

    Lecture notes §The ReLU function family: a small slope keeps negative units alive. Same shape
    and dtype as z.
    """
    z = tf.convert_to_tensor(z)
    ### BEGIN SOLUTION
    return tf.where(z > 0, z, alpha * z)
    ### END SOLUTION


def leaky_relu_prime(z, alpha: float = 0.01) -> tf.Tensor:
    """d leaky_relu/dz at every element of z, by hand: 1 where z > 0, else alpha (alpha at z = 0,
    as TensorFlow's gradient takes it).

    Lecture notes §The ReLU function family. Same shape and dtype as z.
    """
    z = tf.convert_to_tensor(z)
    ### BEGIN SOLUTION
    return tf.where(z > 0, tf.ones_like(z), alpha * tf.ones_like(z))
    ### END SOLUTION


def elu(z, alpha: float = 1.0) -> tf.Tensor:
    """The exponential linear unit: z where z ≥ 0, else alpha·(e^z − 1), element-wise.

    Lecture notes §The ReLU function family (its ELU formula). Same shape and dtype as z, without
    NaN or infinity at z = ±1000.
    """
    z = tf.convert_to_tensor(z)
    ### BEGIN SOLUTION
    return tf.where(z >= 0, z, alpha * (tf.exp(tf.minimum(z, 0.0)) - 1.0))
    ### END SOLUTION


def elu_prime(z, alpha: float = 1.0) -> tf.Tensor:
    """d elu/dz at every element of z, by hand: 1 where z ≥ 0, else alpha·e^z.

    Lecture notes §The ReLU function family. Same shape and dtype as z, without NaN or infinity at
    z = ±1000.
    """
    z = tf.convert_to_tensor(z)
    ### BEGIN SOLUTION
    return tf.where(z >= 0, tf.ones_like(z), alpha * tf.exp(tf.minimum(z, 0.0)))
    ### END SOLUTION


def softmax(logits) -> tf.Tensor:
    """Softmax along the last axis: e^(z_i) / Σ_j e^(z_j) for every row of logits.

    Workshop §From binary to multi-class classification. Numerically stable: subtract each row's
    largest logit before exp (the result does not change), so logits of ±1000 give no NaN or
    infinity. Same shape and dtype as logits; every row sums to 1.
    """
    logits = tf.convert_to_tensor(logits)
    ### BEGIN SOLUTION
    shifted = logits - tf.reduce_max(logits, axis=-1, keepdims=True)
    exps = tf.exp(shifted)
    return exps / tf.reduce_sum(exps, axis=-1, keepdims=True)
    ### END SOLUTION


def softmax_cross_entropy(logits, labels) -> tf.Tensor:
    """The mean over the batch of the cross-entropy −Σ_i y_i·log softmax(z)_i, from logits.

    Workshop §Building up the neural network: the loss of a softmax output layer. Stable:
    log softmax(z) = (z − max z) − log Σ e^(z − max z), so logits of ±1000 give a finite loss.
    logits: (n, k) float; labels: (n, k) one-hot (or probability) rows. Returns a scalar tensor of
    logits' dtype.
    """
    logits = tf.convert_to_tensor(logits)
    labels = tf.cast(labels, logits.dtype)
    ### BEGIN SOLUTION
    shifted = logits - tf.reduce_max(logits, axis=-1, keepdims=True)
    log_softmax = shifted - tf.math.log(tf.reduce_sum(tf.exp(shifted), axis=-1, keepdims=True))
    return tf.reduce_mean(-tf.reduce_sum(labels * log_softmax, axis=-1))
    ### END SOLUTION


def softmax_cross_entropy_gradient(logits, labels) -> tf.Tensor:
    """∂/∂logits of `softmax_cross_entropy(logits, labels)`, by hand: (softmax(z) − y) / n for a
    batch of n rows.

    Workshop §Building up the neural network: why softmax and cross-entropy go together. Same
    shape and dtype as logits.
    """
    logits = tf.convert_to_tensor(logits)
    labels = tf.cast(labels, logits.dtype)
    ### BEGIN SOLUTION
    return (softmax(logits) - labels) / tf.cast(tf.shape(logits)[0], logits.dtype)
    ### END SOLUTION


def deep_network(depth: int = 10, width: int = 32, seed: int = 0) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """Given: the weights of a `depth`-layer network of `width` units per layer (no biases), drawn
    normal(0, √(2 / width)) (He's start, which keeps ReLU's signal steady), a batch x of 64
    normal(0, 1) inputs and targets y uniform in [0, 1), all float64 from numpy's default_rng(seed)."""
    rng = np.random.default_rng(seed)
    weights = [rng.normal(scale=np.sqrt(2.0 / width), size=(width, width)) for _ in range(depth)]
    return weights, rng.normal(size=(64, width)), rng.uniform(size=(64, width))


def layer_gradient_norms(activation, derivative, depth: int = 10, width: int = 32, seed: int = 0) -> list[float]:
    """‖∂C/∂W_l‖ (the Frobenius norm) for every layer l = 1, …, depth of `deep_network(depth,
    width, seed)`, first layer first, as Python floats, by backpropagation by hand.

    Lecture notes §Which activation function should I use? and §The derivative of the Logistic
    function: each layer back multiplies δ by f′(z), at most 1/4 for the sigmoid, so the first
    layers of a deep sigmoid network get almost no gradient; ReLU's f′ is 1 where it is active.
    The network: a_0 = x, z_l = a_(l−1)·W_l, a_l = activation(z_l); the cost C = mean of
    (a_depth − y)² over every element. `derivative` is activation's derivative (e.g. sigmoid and
    sigmoid_prime): use it for every f′ (the checks may hand another one). Backward:
    δ_depth = ∂C/∂a_depth ⊙ f′(z_depth), ∂C/∂W_l = a_(l−1)ᵀ·δ_l, δ_(l−1) = (δ_l·W_lᵀ) ⊙ f′(z_(l−1)).
    """
    weights, x, y = deep_network(depth, width, seed)
    ### BEGIN SOLUTION
    activations, sums = [tf.constant(x)], []
    for w in weights:
        sums.append(activations[-1] @ w)
        activations.append(activation(sums[-1]))
    delta = 2.0 * (activations[-1] - y) / tf.cast(tf.size(y), tf.float64) * derivative(sums[-1])
    norms = []
    for layer in range(depth - 1, -1, -1):
        norms.append(float(tf.norm(tf.transpose(activations[layer]) @ delta)))
        if layer:
            delta = (delta @ tf.transpose(weights[layer])) * derivative(sums[layer - 1])
    return norms[::-1]
    ### END SOLUTION


def plot_vanishing_gradients(path: str = "vanishing_gradients.png", depth: int = 10, seed: int = 0) -> dict:
    """Given: `layer_gradient_norms` of a sigmoid and a ReLU network (your functions), plotted per
    layer on a log scale to `path` (PNG); returns {"sigmoid": norms, "relu": norms}."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    norms = {"sigmoid": layer_gradient_norms(sigmoid, sigmoid_prime, depth, seed=seed),
             "relu": layer_gradient_norms(relu, relu_prime, depth, seed=seed)}
    figure, axes = pyplot.subplots(figsize=(6, 3.5))
    for name, values in norms.items():
        axes.semilogy(range(1, depth + 1), values, marker="o", label=name)
    axes.set(xlabel="layer (1 = next to the input)", ylabel="‖∂C/∂W‖", title=f"Gradient per layer, {depth} layers")
    axes.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    pyplot.close(figure)
    return norms

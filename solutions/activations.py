"""Exercise 7 (advanced track): activation functions, their derivatives by hand, and softmax.

Lecture notes (hjorth-jensen-week3-lecture.txt): §Which activation function should I use?,
§The ReLU function family; workshop (tensorflow-workshop-ucla.txt): §From binary to multi-class
classification, §Building up the neural network.
Every function works element-wise on a float tensor of any shape and keeps its dtype (float64 in,
float64 out). Use TensorFlow's element-wise math (tf.exp, tf.where, tf.maximum, …); derive every
derivative by hand: `tf.GradientTape` is the judge, not a tool, here.
"""

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

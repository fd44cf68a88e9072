"""The grader's own objects, built where the student's code runs: models, steps and optimizers a
check hands to a task so that its result depends on nothing else the student wrote (exercises 4,
6, 8, 9 and 10)."""


def batched(x, y, batch_size: int, seed=None):
    """(x, y) as a tf.data.Dataset of batches, reshuffled every epoch when a seed is given; the
    same batches on both sides of the channel for the same seed. A global seed changes what an
    op's seed draws, and correct student code sets one (keras.utils.set_random_seed): it is
    cleared first, so that the shuffle depends on `seed` alone."""
    import tensorflow as tf

    tf.random.set_seed(None)
    dataset = tf.data.Dataset.from_tensor_slices((x, y))
    if seed is not None:
        dataset = dataset.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    return dataset.batch(batch_size)


def harness_mlp(weights, biases, gain: bool = False, logits: bool = False):
    """The grader's own sigmoid MLP (float32 variables `weights`, `biases`), so that a test of
    `train` or of the training loop depends on nothing else the student wrote. `gain`: one more
    trainable variable, `gain` (1.0), scales the last layer's input to the sigmoid, so that a step
    that updates only `weights` and `biases` misses one of the model's trainable variables.
    `logits`: the workshop's network instead: ReLU hidden layers, an output layer without activation."""
    import tensorflow as tf

    class HarnessMLP(tf.Module):
        def __init__(self):
            super().__init__(name="HarnessMLP")
            self.weights = [tf.Variable(w, dtype=tf.float32) for w in weights]
            self.biases = [tf.Variable(b, dtype=tf.float32) for b in biases]
            if gain:
                self.gain = tf.Variable(1.0)

        def __call__(self, x):
            x = tf.convert_to_tensor(x, dtype=tf.float32)
            for w, b in zip(self.weights, self.biases):
                z = x @ w + b
                last = w is self.weights[-1]
                z = self.gain * z if gain and last else z
                x = (z if last else tf.nn.relu(z)) if logits else tf.sigmoid(z)
            return x

    return HarnessMLP()


def harness_keras(weights, dropout: float, learning_rate):
    """The grader's own Keras model of exercise 10 (see grader.scoring.student.KerasModel)."""
    import keras

    layers = [keras.Input((28, 28)), keras.layers.Flatten(), keras.layers.Dense(len(weights[1]), activation="relu")]
    layers += [keras.layers.Dropout(dropout)] if dropout else []
    model = keras.Sequential([*layers, keras.layers.Dense(10, activation="softmax")])
    model.set_weights(weights)
    if learning_rate is not None:
        model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
    return model


def marked_step(mark: float):
    """A training step that updates nothing and returns the model's mean squared error on the batch,
    with a constant of value `mark` in its computation: the graph of a function that runs it holds
    that constant, so the grader can tell its own step inside the graph it is handed."""
    import tensorflow as tf

    def step(model, x_batch, y_batch, learning_rate):
        return tf.reduce_mean(tf.square(model(x_batch) - y_batch)) + 0.0 * tf.constant(mark, tf.float32)

    return step


def frozen_step(model, x_batch, y_batch, learning_rate):
    """A training step that trains nothing: the model's mean squared error on the batch."""
    import tensorflow as tf

    return tf.reduce_mean(tf.square(model(x_batch) - y_batch))


def order_step(model, x_batch, y_batch, learning_rate):
    """A step whose effect depends on the order of the batches, not on the student's code: it halves
    the last bias and adds ten times the batch's mean pixel (which differs from batch to batch) to
    it. Returns 0."""
    import tensorflow as tf

    bias = model.biases[-1]
    bias.assign(bias * 0.5 + 10.0 * tf.reduce_mean(x_batch))
    return tf.constant(0.0)


def softmax_cross_entropy(logits, y):
    """The mean softmax cross-entropy of a batch, TensorFlow's own (a loss that is not the student's)."""
    import tensorflow as tf

    return tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=logits))


def probability_squared_error(logits, y):
    """The mean over every element of (softmax(logits) − y)², TensorFlow's own: a loss that is neither
    the student's nor a cross-entropy (a step that ignores the loss it is given shows)."""
    import tensorflow as tf

    return tf.reduce_mean(tf.square(tf.nn.softmax(logits) - y))


class TanhActivation:
    """tf.tanh as an object of a type of its own: a network that keeps the activation it is given
    shows it by that type's name."""

    def __call__(self, z):
        import tensorflow as tf

        return tf.tanh(z)


def softmax_step(model, x_batch, y_batch, learning_rate, loss):
    """One step of gradient descent on `loss` (a step that is not the student's); returns the loss."""
    import tensorflow as tf

    with tf.GradientTape() as tape:
        value = loss(model(x_batch), y_batch)
    for variable, gradient in zip(model.trainable_variables, tape.gradient(value, model.trainable_variables)):
        variable.assign_sub(learning_rate * gradient)
    return value


def tracing_step():
    """A step that trains nothing and returns 1.0 inside tf.function for its first two traces (a
    smaller last batch may trace it again), 100.0 for any later trace, and 1000.0 when run eagerly:
    a train that compiles its step once returns only 1.0s."""
    import tensorflow as tf

    traces = []

    def step(model, x_batch, y_batch, learning_rate, loss):
        if not tf.inside_function():
            return tf.constant(1000.0)
        traces.append(1)
        return tf.constant(1.0 if len(traces) <= 2 else 100.0)

    return step


class EscalatingOptimizer:
    """An optimizer for one parameter whose t-th change is learning_rate · t · gradient: its result
    shows whether each parameter has its own optimizer, made once and used every step."""

    def __init__(self, learning_rate):
        self.learning_rate, self.t = learning_rate, 0

    def change(self, gradient):
        self.t += 1
        return self.learning_rate * self.t * gradient


class HarnessFactory:
    """Builds a fresh harness MLP with the same initial parameters at every call; counts them."""

    def __init__(self, weights, biases):
        self.weights, self.biases, self.builds = weights, biases, 0

    def __call__(self):
        self.builds += 1
        return harness_mlp(self.weights, self.biases)


class Recording:
    """A function of the submission that also keeps, for every call, the arguments it was given
    under these names (its defaults applied): the grader reads them as `calls`. A tf.data.Dataset is
    kept as the number of examples in its first batch, read after the call (the call's own pass
    over it is not disturbed)."""

    def __init__(self, function, names):
        self.function, self.names, self.calls = function, names, []

    def __call__(self, *args, **kwargs):
        import inspect

        import tensorflow as tf

        from grader.scoring import judges

        try:
            bound = inspect.signature(self.function).bind(*args, **kwargs)
            bound.apply_defaults()
            kept = {name: bound.arguments[name] for name in self.names if name in bound.arguments}
        except (TypeError, ValueError):  # arguments its signature does not take: the call itself says so
            kept = {}
        self.calls.append(kept)
        result = self.function(*args, **kwargs)
        for name, value in kept.items():
            if isinstance(value, tf.data.Dataset):
                kept[name] = judges.first_batch_size(value)
        return result


def cost_partial(a, w, desired):
    """∂C/∂w of C = (a·w − desired)² (exercise 3), the grader's own."""
    return 2.0 * (a * w - desired) * a


def chain_partials(a1, w1, w2, desired):
    """(∂C/∂w1, ∂C/∂w2) of C = (a1·w1·w2 − desired)² (exercise 3), the grader's own."""
    error = 2.0 * (a1 * w1 * w2 - desired)
    return error * a1 * w2, error * a1 * w1

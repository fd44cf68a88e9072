"""A corpus of realistic student mistakes, each planted alone in the reference solutions, and what
both suites must make of it.

    python -m tests.kit.corpora.mistakes [--seed N] [--seeds K] [--part I N] [--only NAME]

For every mistake the visible self-checks of its exercise's tasks up to its own run in-process on
the package `mistake` (a copy of solutions/ with the one edit), then the exercise's hidden suite
with K grading seeds from N (each mistake must cost points on every seed: a check whose draws
can hide a mistake is found here). Prints one JSON line per mistake: the tasks whose self-checks
fail (in task order), the first failure's message, the seeds on which the hidden suite took no
points; then a summary line.
"""

import argparse
import json
import linecache
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path


from grader.catalogue import HIDDEN, KIT, SOLUTIONS, all_regions
from grader.lab.in_process import OwnTaskFirst, run_suite
from grader.scoring.report import GRADER_FAULT


@dataclass
class Mistake:
    name: str
    module: str
    old: str
    new: str
    task: str  # the task that holds it: its self-checks must fail first
    names: str = ""  # what the first message must say to name the misconception ('' = not named yet)


M = Mistake
# a backward that asks tf.GradientTape instead of deriving by hand (replaces the solution's first line)
TAPED_BACKWARD = """    params = [tf.convert_to_tensor(v) for v in weights + biases]
    with tf.GradientTape() as tape:
        tape.watch(params)
        a = tf.convert_to_tensor(x)
        for w, b in zip(params[:len(weights)], params[len(weights):]):
            a = tf.sigmoid(a @ w + b)
        cost = tf.reduce_sum((a - desired) ** 2)
    grads = tape.gradient(cost, params)
    return grads[:len(weights)], grads[len(weights):]
"""
TAPED_BACKWARD_WITH_VARIABLES = TAPED_BACKWARD.replace("tf.convert_to_tensor(v) for v", "tf.Variable(v) for v").replace(
    "        tape.watch(params)\n", "")
# layer_gradient_norms' backward pass, from the output's derivative on
LAYER_NORMS_BACKWARD = """derivative(sums[-1])
    norms = []
    for layer in range(depth - 1, -1, -1):
        norms.append(float(tf.norm(tf.transpose(activations[layer]) @ delta)))
        if layer:
            delta = (delta @ tf.transpose(weights[layer])) * derivative(sums[layer - 1])"""
CORPUS = [
    # perceptron
    M("step at zero fires", "perceptron", "1.0 if a > 0 else", "1.0 if a >= 0 else", "perceptron.step_fn", "fires at zero"),
    M("step returns a bool", "perceptron", "return 1.0 if a > 0 else 0.0", "return a > 0", "perceptron.step_fn",
      "not a float"),
    M("step returns an int", "perceptron", "return 1.0 if a > 0 else 0.0", "return 1 if a > 0 else 0", "perceptron.step_fn",
      "not a float"),
    M("tf step at zero fires", "perceptron", "tf.where(a > 0,", "tf.where(a >= 0,", "perceptron.tf_step_fn", "strict inequality"),
    M("tf step loses the dtype", "perceptron", "tf.where(a > 0, tf.ones_like(a), tf.zeros_like(a))",
      "tf.cast(a > 0, tf.float32)", "perceptron.tf_step_fn", "wrong dtype"),
    M("tf step in a Python loop", "perceptron", "return tf.where(a > 0, tf.ones_like(a), tf.zeros_like(a))",
      "return tf.constant([[1.0 if v > 0 else 0.0 for v in row] for row in a.numpy()], a.dtype)", "perceptron.tf_step_fn",
      "a Python loop over rows fits only one shape"),
    M("tf step through numpy", "perceptron", "return tf.where(a > 0, tf.ones_like(a), tf.zeros_like(a))",
      "return tf.constant((a.numpy() > 0) * 1.0, a.dtype)", "perceptron.tf_step_fn",
      "inside tf.function a tensor has no value yet"),
    M("perceptron without bias", "perceptron", "x @ self.weights + self.biases", "x @ self.weights",
      "perceptron.Perceptron.__call__", "includes the bias"),
    M("perceptron weights transposed", "perceptron", "x @ self.weights", "x @ tf.transpose(self.weights)",
      "perceptron.Perceptron.__call__", "stored as (inputs, outputs)"),
    M("AND bias too small", "perceptron", '[[1.0], [1.0]], [[-1.0]], name="AND"', '[[1.0], [1.0]], [[-0.5]], name="AND"',
      "perceptron.and_gate", "lets a sum of 1 land above zero"),
    M("OR bias negative", "perceptron", '[[1.0], [1.0]], [[0.0]], name="OR"', '[[1.0], [1.0]], [[-1.0]], name="OR"',
      "perceptron.or_gate", "keeps a sum of 1 at or below zero"),
    M("NAND as AND", "perceptron", '[[-1.0], [-1.0]], [[2.0]], name="NAND"', '[[1.0], [1.0]], [[-1.0]], name="NAND"',
      "perceptron.nand_gate", "that is AND"),
    # mlp
    M("layers all square", "mlp", "layers = list(zip(sizes[:-1], sizes[1:]))", "layers = list(zip(sizes[:-1], sizes[:-1]))",
      "mlp.MLP.from_sizes", "(square layers)"),
    M("weights in [0, 1)", "mlp", "rng.uniform((n_in, n_out), -1.0, 1.0)", "rng.uniform((n_in, n_out), 0.0, 1.0)",
      "mlp.MLP.from_sizes", "negative values as well"),
    M("activation only at the end", "mlp", "            x = self.activation(x @ w + b)\n        return x",
      "            x = x @ w + b\n        return self.activation(x)", "mlp.MLP.__call__", "after every layer"),
    M("bias forgotten in the MLP", "mlp", "x = self.activation(x @ w + b)", "x = self.activation(x @ w)", "mlp.MLP.__call__", "adds its bias vector"),
    M("XOR not scaled", "mlp", "[tf.constant(w) * scale for w in XOR_WEIGHTS]\n    biases = [tf.constant(b) * scale",
      "[tf.constant(w) for w in XOR_WEIGHTS]\n    biases = [tf.constant(b)", "mlp.xor_network", "multiply every weight and bias by `scale`"),
    M("parameter count without biases", "mlp", "for v in model.weights + model.biases", "for v in model.weights",
      "mlp.parameter_count", "the biases are parameters too"),
    # backprop
    M("mlp drawn with op seeds", "mlp",
      "weights = [rng.uniform((n_in, n_out), -1.0, 1.0) for n_in, n_out in layers]\n        biases = [rng.uniform((1, n_out), -1.0, 1.0) for _, n_out in layers]",
      "weights = [tf.random.uniform((n_in, n_out), -1.0, 1.0, seed=seed) for n_in, n_out in layers]\n"
      "        biases = [tf.random.uniform((1, n_out), -1.0, 1.0, seed=seed) for _, n_out in layers]",
      "mlp.MLP.from_sizes", "the same seed gives other values"),
    M("output layer without its activation", "mlp", "            x = self.activation(x @ w + b)",
      "            x = x @ w + b if w is self.weights[-1] else self.activation(x @ w + b)", "mlp.MLP.__call__",
      "no activation on the last layer"),
    M("XOR biases not scaled", "mlp", "biases = [tf.constant(b) * scale for b in XOR_BIASES]",
      "biases = [tf.constant(b) for b in XOR_BIASES]", "mlp.xor_network", "the biases not scaled"),
    M("bias after the activation", "mlp", "            x = self.activation(x @ w + b)", "            x = self.activation(x @ w) + b",
      "mlp.MLP.__call__", "the bias added after the activation"),
    M("xor network ignores its activation", "mlp", "return MLP(weights, biases, activation=activation, name=\"XOR\")",
      "return MLP(weights, biases, name=\"XOR\")", "mlp.xor_network", "the activation not passed on"),
    M("update without the learning rate", "backprop", "tf.convert_to_tensor(value) - learning_rate * tf.convert_to_tensor(gradient)",
      "tf.convert_to_tensor(value) - tf.convert_to_tensor(gradient)", "backprop.update", "the learning rate left out"),
    M("sigmoid derivative at z", "backprop", "    a = tf.sigmoid(x * w + b)\n    delta = 2.0 * (a - desired) * a * (1.0 - a)",
      "    z = x * w + b\n    a = tf.sigmoid(z)\n    delta = 2.0 * (a - desired) * z * (1.0 - z)", "backprop.sigmoid_partials",
      "σ′ taken at z"),
    M("epoch losses never reset", "training",
      "    for _ in range(epochs):\n        batch_losses = [float(step(model, x_batch, y_batch, learning_rate)) for x_batch, y_batch in dataset]",
      "    batch_losses = []\n    for _ in range(epochs):\n        batch_losses += [float(step(model, x_batch, y_batch, learning_rate)) for x_batch, y_batch in dataset]",
      "training.training_loop", "not started afresh each epoch"),
    M("accuracy of 10,000 images", "training", "return 100.0 * correct / len(x), correct", "return 100.0 * correct / 10000, correct",
      "training.testing_loop", "not by the images given"),
    M("totals of the predictions", "training", "total = np.bincount(labels, minlength=10)",
      "total = np.bincount(predict(model, x), minlength=10)", "training.correct_per_digit", "the totals of the predicted digits"),
    M("chain partial of w2 without a1", "backprop", "return error * a1 * w2, error * a1 * w1", "return error * a1 * w2, error * w1",
      "backprop.chain_partials", "leaves every other factor"),
    M("cost as a mean", "backprop", "return tf.reduce_sum(tf.square(", "return tf.reduce_mean(tf.square(", "backprop.cost", "a sum, not a mean"),
    M("cost with a ½ in front", "backprop", "return tf.reduce_sum(tf.square(", "return 0.5 * tf.reduce_sum(tf.square(",
      "backprop.cost", "a factor 2 is missing"),
    M("cost without the square", "backprop", "tf.reduce_sum(tf.square(tf.convert_to_tensor(actual) - desired))",
      "tf.reduce_sum(tf.abs(tf.convert_to_tensor(actual) - desired))", "backprop.cost", "absolute value"),
    M("partial without the factor 2", "backprop", "return 2.0 * (a * w - desired) * a", "return (a * w - desired) * a",
      "backprop.cost_partial", "brings down a factor 2"),
    M("partial with the sign flipped", "backprop", "return 2.0 * (a * w - desired) * a", "return 2.0 * (desired - a * w) * a",
      "backprop.cost_partial", "as it stands"),
    M("partial without the inner derivative", "backprop", "return 2.0 * (a * w - desired) * a",
      "return 2.0 * (a * w - desired)", "backprop.cost_partial", "multiply by the inner one"),
    M("update climbs", "backprop", "tf.convert_to_tensor(value) - learning_rate", "tf.convert_to_tensor(value) + learning_rate",
      "backprop.update", "went up the gradient"),
    M("update loses float64", "backprop", "return tf.convert_to_tensor(value) - learning_rate * tf.convert_to_tensor(gradient)",
      "return tf.cast(tf.convert_to_tensor(value) - learning_rate * tf.convert_to_tensor(gradient), tf.float32)",
      "backprop.update", "wrong dtype"),
    M("descend records before the update", "backprop",
      "        w = update(w, cost_partial(a, w, desired), learning_rate)\n        weights.append(float(w))",
      "        weights.append(float(w))\n        w = update(w, cost_partial(a, w, desired), learning_rate)",
      "backprop.descend", "after its update"),
    M("descend returns tensors", "backprop", "weights.append(float(w))", "weights.append(w)", "backprop.descend",
      "Python floats"),
    M("chain partial misses w2", "backprop", "return error * a1 * w2, error * a1 * w1", "return error * a1, error * a1 * w1",
      "backprop.chain_partials", "leaves every other factor"),
    M("chain partials swapped", "backprop", "return error * a1 * w2, error * a1 * w1", "return error * a1 * w1, error * a1 * w2",
      "backprop.chain_partials", "with respect to the other weight"),
    M("descend_two updates w1 before computing w2's partial", "backprop",
      "        g1, g2 = chain_partials(a1, w1, w2, desired)\n        w1, w2 = update(w1, g1, learning_rate), update(w2, g2, learning_rate)",
      "        g1, _ = chain_partials(a1, w1, w2, desired)\n        w1 = update(w1, g1, learning_rate)\n"
      "        _, g2 = chain_partials(a1, w1, w2, desired)\n        w2 = update(w2, g2, learning_rate)",
      "backprop.descend_two", "update w1 first"),
    M("sigmoid partial without the sigmoid derivative", "backprop", "delta = 2.0 * (a - desired) * a * (1.0 - a)",
      "delta = 2.0 * (a - desired)", "backprop.sigmoid_partials", "multiply by its derivative"),
    M("sigmoid partial with the sign flipped", "backprop", "delta = 2.0 * (a - desired) * a * (1.0 - a)",
      "delta = 2.0 * (desired - a) * a * (1.0 - a)", "backprop.sigmoid_partials", "sign flipped"),
    M("sigmoid partial: bias times x", "backprop", "return delta * x, delta", "return delta * x, delta * x",
      "backprop.sigmoid_partials", "has no factor x"),
    M("backward without the output's sigmoid derivative", "backprop", "delta = 2.0 * (out - desired) * out * (1.0 - out)",
      "delta = 2.0 * (out - desired)", "backprop.backward",
      "∂C/∂z, not ∂C/∂a"),
    M("backward bias gradient as a mean", "backprop", "tf.reduce_sum(delta, axis=0, keepdims=True)",
      "tf.reduce_mean(delta, axis=0, keepdims=True)", "backprop.backward", "adds δ up over the batch"),
    M("backward weight gradient transposed", "backprop", "weight_grads.insert(0, tf.transpose(below) @ delta)",
      "weight_grads.insert(0, tf.transpose(delta) @ below)", "backprop.backward",
      "the right one transposed"),
    M("backward with the tape", "backprop", "    activations = [tf.convert_to_tensor(x)]\n", TAPED_BACKWARD,
      "backprop.backward", "by hand"),
    M("backward with the tape on tf.Variables", "backprop", "    activations = [tf.convert_to_tensor(x)]\n",
      TAPED_BACKWARD_WITH_VARIABLES, "backprop.backward", "not by hand"),
    M("cost_partial through numpy", "backprop", "return 2.0 * (a * w - desired) * a",
      "return 2.0 * (tf.convert_to_tensor(a * w - desired).numpy()) * a", "backprop.cost_partial", "has no value yet"),
    M("cost_partial keeps w in a tf.Variable", "backprop", "return 2.0 * (a * w - desired) * a",
      "w = tf.Variable(w)\n    return 2.0 * (a * w - desired) * a", "backprop.cost_partial", "a tf.Variable made from the inputs"),
    M("descend asks a tape", "backprop", "        w = update(w, cost_partial(a, w, desired), learning_rate)",
      "        w = tf.convert_to_tensor(w, tf.float32)\n        with tf.GradientTape() as tape:\n            tape.watch(w)\n"
      "            cost = (a * w - desired) ** 2\n        w = update(w, tape.gradient(cost, w), learning_rate)",
      "backprop.descend", "must come from cost_partial"),
    M("descend_two writes the partials again", "backprop", "        g1, g2 = chain_partials(a1, w1, w2, desired)",
      "        error = 2.0 * (a1 * w1 * w2 - desired)\n        g1, g2 = error * a1 * w2, error * a1 * w1",
      "backprop.descend_two", "must come from chain_partials"),
    # training
    M("preprocess not scaled", "training", "tf.cast(images, tf.float32) / 255.0", "tf.cast(images, tf.float32)",
      "training.preprocess", "divide by 255"),
    M("preprocess scaled by the batch maximum", "training", "tf.cast(images, tf.float32) / 255.0",
      "tf.cast(images, tf.float32) / float(np.max(images))", "training.preprocess", "not by the largest pixel"),
    M("preprocess labels not one-hot", "training", "y = tf.one_hot(tf.cast(labels, tf.int32), 10, dtype=tf.float32)",
      "y = tf.cast(labels, tf.float32)", "training.preprocess",
      "(one-hot)"),
    M("loss as a sum", "training", "tf.reduce_mean(tf.square(predicted - desired))",
      "tf.reduce_sum(tf.square(predicted - desired))", "training.loss", "not their sum"),
    M("loss without the square", "training", "tf.reduce_mean(tf.square(predicted - desired))",
      "tf.reduce_mean(predicted - desired)", "training.loss", "square each difference"),
    M("train climbs the gradient", "training", "variable.assign_sub(learning_rate * gradient)",
      "variable.assign_add(learning_rate * gradient)", "training.train", "moved up the gradient"),
    M("train forgets the learning rate", "training", "variable.assign_sub(learning_rate * gradient)",
      "variable.assign_sub(gradient)", "training.train", "not by the gradient alone"),
    M("train returns the loss after the step", "training", "        variable.assign_sub(learning_rate * gradient)\n    return batch_loss",
      "        variable.assign_sub(learning_rate * gradient)\n    return loss(model(x_batch), y_batch)", "training.train", "before the update"),
    M("loop sums the batch losses", "training", "epoch_losses.append(float(np.mean(batch_losses)))",
      "epoch_losses.append(float(np.sum(batch_losses)))", "training.training_loop", "mean of its batches' losses"),
    M("loop ignores step", "training", "float(step(model, x_batch, y_batch, learning_rate))",
      "float(train(model, x_batch, y_batch, learning_rate))", "training.training_loop", "must call the step function"),
    M("loop runs one epoch", "training", "for _ in range(epochs):", "for _ in range(1):", "training.training_loop",
      "one mean loss for each pass"),
    M("predict along the batch axis", "training", "np.argmax(model(x).numpy(), axis=1)", "np.argmax(model(x).numpy(), axis=0)",
      "training.predict", "not the image with the largest value"),
    M("predict returns int32", "training", "axis=1).astype(np.int64)", "axis=1).astype(np.int32)", "training.predict",
      "wrong dtype"),
    M("predict returns a list", "training", "return np.argmax(model(x).numpy(), axis=1).astype(np.int64)",
      "return np.argmax(model(x).numpy(), axis=1).astype(np.int64).tolist()", "training.predict", "not a numpy array"),
    M("accuracy as a fraction", "training", "return 100.0 * correct / len(x), correct", "return correct / len(x), correct",
      "training.testing_loop", "a percentage"),
    M("per digit without minlength", "training", "correct = np.bincount(labels[hits], minlength=10)",
      "correct = np.bincount(labels[hits])", "training.correct_per_digit", "also for digits that do not occur"),
    # evaluation
    M("folds off by one", "evaluation", "folds = np.split(np.arange(n, dtype=np.int64), k)",
      "folds = np.split(np.arange(1, n + 1, dtype=np.int64), k)", "evaluation.fold_indices", "indices start at 0"),
    M("folds as int32", "evaluation", "np.arange(n, dtype=np.int64)", "np.arange(n, dtype=np.int32)", "evaluation.fold_indices",
      "wrong dtype"),
    M("folds accept k = 1", "evaluation", "if k <= 1:", "if k < 1:", "evaluation.fold_indices", "raise ValueError yourself"),
    M("folds check divisibility first", "evaluation",
      '    if k >= n:\n        raise ValueError(f"k = {k} breaks the rule k < n (n = {n}): a fold needs at least one sample")\n'
      '    if n % k:\n        raise ValueError(f"k = {k} breaks the rule k divides n (n = {n}): the folds would differ in size")',
      '    if n % k:\n        raise ValueError(f"k = {k} breaks the rule k divides n (n = {n}): the folds would differ in size")\n'
      '    if k >= n:\n        raise ValueError(f"k = {k} breaks the rule k < n (n = {n}): a fold needs at least one sample")',
      "evaluation.fold_indices", "another rule named first"),
    M("folds allow k = n", "evaluation", "if k >= n:", "if k > n:", "evaluation.fold_indices", "k = n leaves folds of one"),
    M("folds name no rule", "evaluation",
      'raise ValueError(f"k = {k} breaks the rule k > 1: one fold would leave nothing to train on")',
      'raise ValueError("invalid k")', "evaluation.fold_indices", "names the rule k breaks"),
    M("kfold trains on everything", "evaluation", "make_dataset(x[train_idx], y[train_idx]", "make_dataset(x, y",
      "evaluation.kfold", "may train only on the other folds"),
    M("kfold tests on the training folds", "evaluation", "testing_loop(model, x[test_idx], y[test_idx])",
      "testing_loop(model, x[train_idx], y[train_idx])", "evaluation.kfold", "may train only on the other folds"),
    M("kfold reuses one model", "evaluation", "    for train_idx, test_idx in fold_indices(len(x), k):\n        model = build_model()",
      "    model = build_model()\n    for train_idx, test_idx in fold_indices(len(x), k):", "evaluation.kfold",
      "build_model called once per fold"),
    M("kfold sample variance", "evaluation", '"variance": float(np.var(accuracies))',
      '"variance": float(np.var(accuracies, ddof=1))', "evaluation.kfold", "population variance"),
    M("kfold standard deviation", "evaluation", '"variance": float(np.var(accuracies))', '"variance": float(np.std(accuracies))',
      "evaluation.kfold", "the standard deviation, not the variance"),
    M("kfold error as 100 − accuracy", "evaluation", "errors.append(float(loss(model(x[test_idx]), y[test_idx])))",
      "errors.append(100.0 - accuracies[-1])", "evaluation.kfold", "not 100 − its accuracy"),
    M("kfold ignores its step", "evaluation", "epochs, learning_rate, step)", "epochs, learning_rate)",
      "evaluation.kfold", "hand `step` on"),
    M("kfold error on the training folds", "evaluation", "errors.append(float(loss(model(x[test_idx]), y[test_idx])))",
      "errors.append(float(loss(model(x[train_idx]), y[train_idx])))", "evaluation.kfold",
      "measured on its own test fold"),
    # speed
    M("compile without tf.function", "speed", "    @tf.function(input_signature=signature)\n", "", "speed.compile_step",
      "not compiled with tf.function"),
    # activations
    M("relu with Python's max", "activations", "return tf.maximum(z, tf.zeros_like(z))", "return max(0.0, z)",
      "activations.relu", "look at one number at a time"),
    M("relu in float32", "activations", "return tf.maximum(z, tf.zeros_like(z))", "return tf.nn.relu(tf.cast(z, tf.float32))",
      "activations.relu", "wrong dtype"),
    M("tanh by its formula", "activations", "return tf.tanh(z)",
      "return (tf.exp(z) - tf.exp(-z)) / (tf.exp(z) + tf.exp(-z))", "activations.tanh", "the textbook formula overflows"),
    M("sigmoid′ returns σ", "activations", "    s = sigmoid(z)\n    return s * (1.0 - s)", "    return sigmoid(z)", "activations.sigmoid_prime",
      "you returned σ(z) itself"),
    M("sigmoid′ from z", "activations", "    s = sigmoid(z)\n    return s * (1.0 - s)", "    return z * (1.0 - z)", "activations.sigmoid_prime",
      "takes the sigmoid's output"),
    M("tanh′ not squared", "activations", "return 1.0 - tf.square(tanh(z))", "return 1.0 - tanh(z)", "activations.tanh_prime",
      "with the square"),
    M("tanh′ from z", "activations", "return 1.0 - tf.square(tanh(z))", "return 1.0 - tf.square(z)", "activations.tanh_prime",
      "takes tanh's output"),
    M("relu′ fires at zero", "activations", "return tf.where(z > 0, tf.ones_like(z), tf.zeros_like(z))",
      "return tf.where(z >= 0, tf.ones_like(z), tf.zeros_like(z))", "activations.relu_prime", "z = 0 belongs to the flat side"),
    M("relu′ returns the ReLU", "activations", "return tf.where(z > 0, tf.ones_like(z), tf.zeros_like(z))", "return relu(z)",
      "activations.relu_prime", "the slope, 1 or 0"),
    M("leaky relu′ without the leak", "activations", "return tf.where(z > 0, tf.ones_like(z), alpha * tf.ones_like(z))",
      "return tf.where(z > 0, tf.ones_like(z), tf.zeros_like(z))", "activations.leaky_relu_prime", "the point of the leak"),
    M("leaky relu′ at the kink", "activations", "return tf.where(z > 0, tf.ones_like(z), alpha * tf.ones_like(z))",
      "return tf.where(z >= 0, tf.ones_like(z), alpha * tf.ones_like(z))", "activations.leaky_relu_prime", "taken as alpha"),
    M("elu′ returns the function", "activations", "return tf.where(z >= 0, tf.ones_like(z), alpha * tf.exp(tf.minimum(z, 0.0)))",
      "return tf.where(z >= 0, tf.ones_like(z), alpha * (tf.exp(tf.minimum(z, 0.0)) - 1.0))", "activations.elu_prime",
      "its derivative there is alpha·e^z"),
    M("elu′ without alpha", "activations", "return tf.where(z >= 0, tf.ones_like(z), alpha * tf.exp(tf.minimum(z, 0.0)))", "return tf.where(z >= 0, tf.ones_like(z), tf.exp(tf.minimum(z, 0.0)))",
      "activations.elu_prime", "keeps the factor alpha"),
    M("softmax along the batch", "activations", "exps = tf.exp(shifted)\n    return exps / tf.reduce_sum(exps, axis=-1, keepdims=True)",
      "exps = tf.exp(logits - tf.reduce_max(logits, axis=0, keepdims=True))\n    return exps / tf.reduce_sum(exps, axis=0, keepdims=True)",
      "activations.softmax", "not axis 0"),
    M("softmax without the shift", "activations", "exps = tf.exp(shifted)\n    return exps / tf.reduce_sum(exps, axis=-1, keepdims=True)",
      "exps = tf.exp(logits)\n    return exps / tf.reduce_sum(exps, axis=-1, keepdims=True)", "activations.softmax",
      "subtract each row's largest logit before exp"),
    M("cross-entropy summed over the batch", "activations", "return tf.reduce_mean(-tf.reduce_sum(labels * log_softmax, axis=-1))",
      "return tf.reduce_sum(-tf.reduce_sum(labels * log_softmax, axis=-1))", "activations.softmax_cross_entropy",
      "not their sum"),
    M("cross-entropy as log(softmax)", "activations",
      "log_softmax = shifted - tf.math.log(tf.reduce_sum(tf.exp(shifted), axis=-1, keepdims=True))",
      "log_softmax = tf.math.log(softmax(logits))", "activations.softmax_cross_entropy", "never log(softmax(z))"),
    M("cross-entropy gradient not divided by n", "activations", "return (softmax(logits) - labels) / tf.cast(tf.shape(logits)[0], logits.dtype)", "return softmax(logits) - labels",
      "activations.softmax_cross_entropy_gradient", "carries the factor 1/n"),
    M("cross-entropy gradient y − softmax", "activations", "return (softmax(logits) - labels) / tf.cast(tf.shape(logits)[0], logits.dtype)",
      "return (labels - softmax(logits)) / tf.cast(tf.shape(logits)[0], logits.dtype)",
      "activations.softmax_cross_entropy_gradient", "sign flipped"),
    M("loss averages the rows' sums", "training", "return tf.reduce_mean(tf.square(predicted - desired))",
      "return tf.reduce_mean(tf.reduce_sum(tf.square(predicted - desired), axis=1))", "training.loss",
      "multiplies the loss by the number of outputs"),
    M("testing loop returns numpy numbers", "training", "return 100.0 * correct / len(x), correct",
      "return np.float64(100.0 * correct / len(x)), np.int64(correct)", "training.testing_loop", "Python int"),
    M("loop returns tensors", "training", "epoch_losses.append(float(np.mean(batch_losses)))",
      "epoch_losses.append(tf.reduce_mean(batch_losses))", "training.training_loop", "convert each value with float()"),
    M("loss in numpy", "training", "return tf.reduce_mean(tf.square(predicted - desired))",
      "return np.mean(np.square(predicted - desired))", "training.loss", "not a tensor"),
    M("and gate with a scalar bias", "perceptron", 'Perceptron([[1.0], [1.0]], [[-1.0]], name="AND")',
      'Perceptron([[1.0], [1.0]], -1.0, name="AND")', "perceptron.and_gate", "a bias of shape (1, 1)"),
    M("cost returns a Python float", "backprop", "return tf.reduce_sum(tf.square(tf.convert_to_tensor(actual) - desired))",
      "return float(tf.reduce_sum(tf.square(tf.convert_to_tensor(actual) - desired)))", "backprop.cost", "not a tensor"),
    M("cost partial in float64", "backprop", "    return 2.0 * (a * w - desired) * a",
      "    a, w = tf.cast(a, tf.float64), tf.cast(w, tf.float64)\n    return 2.0 * (a * w - desired) * a",
      "backprop.cost_partial", "wrong dtype"),
    M("update returns numbers", "backprop", "return tf.convert_to_tensor(value) - learning_rate * tf.convert_to_tensor(gradient)",
      "return value - learning_rate * gradient", "backprop.update", "not a tensor"),
    M("descend through a tape", "backprop", "        w = update(w, cost_partial(a, w, desired), learning_rate)",
      "        v = tf.Variable(w)\n        with tf.GradientTape() as tape:\n            c = (a * v - desired) ** 2\n"
      "        w = update(w, tape.gradient(c, v), learning_rate)", "backprop.descend", "its partials are not cost_partial's"),
    M("descend measures the partial once", "backprop", "        w = update(w, cost_partial(a, w, desired), learning_rate)",
      "        if not weights:\n            factor = float(cost_partial(a, w, desired)) / float(2.0 * (a * w - desired) * a)\n"
      "        w = update(w, factor * 2.0 * (a * w - desired) * a, learning_rate)", "backprop.descend",
      "measures cost_partial once"),
    M("descend_two measures the partials once", "backprop", "        g1, g2 = chain_partials(a1, w1, w2, desired)",
      "        if not w1s:\n            factor = float(chain_partials(a1, w1, w2, desired)[0]) / float(2.0 * (a1 * w1 * w2 - desired) * a1 * w2)\n"
      "        g1 = factor * 2.0 * (a1 * w1 * w2 - desired) * a1 * w2\n        g2 = factor * 2.0 * (a1 * w1 * w2 - desired) * a1 * w1",
      "backprop.descend_two", "measures chain_partials once"),
    M("kfold errors as tensors", "evaluation", "errors.append(float(loss(model(x[test_idx]), y[test_idx])))",
      "errors.append(loss(model(x[test_idx]), y[test_idx]))", "evaluation.kfold", "convert each value with float()"),
    M("compile_step ignores its step", "speed", "return step(model, x_batch, y_batch, learning_rate)",
      "return train(model, x_batch, y_batch, learning_rate)", "speed.compile_step", "must call the `step` it is given"),
    M("biases in [0, 1)", "mlp", "rng.uniform((1, n_out), -1.0, 1.0)", "rng.uniform((1, n_out), 0.0, 1.0)",
      "mlp.MLP.from_sizes", "negative values as well"),
    M("backward in float64", "backprop", "    activations = [tf.convert_to_tensor(x)]\n",
      "    weights, biases = [tf.cast(w, tf.float64) for w in weights], [tf.cast(b, tf.float64) for b in biases]\n"
      "    x, desired = tf.cast(x, tf.float64), tf.cast(desired, tf.float64)\n    activations = [tf.convert_to_tensor(x)]\n",
      "backprop.backward", "wrong dtype"),
    M("kfold ignores its seed", "evaluation", "make_dataset(x[train_idx], y[train_idx], batch_size, seed)",
      "make_dataset(x[train_idx], y[train_idx], batch_size)", "evaluation.kfold", "the same seed must give the same batches"),
    M("train on the MLP's attributes", "training",
      "    gradients = tape.gradient(batch_loss, model.trainable_variables)\n"
      "    for variable, gradient in zip(model.trainable_variables, gradients):",
      "    gradients = tape.gradient(batch_loss, model.weights + model.biases)\n"
      "    for variable, gradient in zip(model.weights + model.biases, gradients):", "training.train",
      "ask the model for model.trainable_variables"),
    M("leaky relu with alpha 0.01", "activations", "return tf.where(z > 0, z, alpha * z)",
      "return tf.where(z > 0, z, 0.01 * z)", "activations.leaky_relu", "only the default value"),
    M("leaky relu′ with alpha 0.01", "activations", "return tf.where(z > 0, tf.ones_like(z), alpha * tf.ones_like(z))",
      "return tf.where(z > 0, tf.ones_like(z), 0.01 * tf.ones_like(z))", "activations.leaky_relu_prime",
      "only the default value"),
    M("elu with alpha 1", "activations", "return tf.where(z >= 0, z, alpha * (tf.exp(tf.minimum(z, 0.0)) - 1.0))",
      "return tf.where(z >= 0, z, tf.exp(tf.minimum(z, 0.0)) - 1.0)", "activations.elu", "only the default value"),
    M("relu′ as the sign", "activations", "return tf.where(z > 0, tf.ones_like(z), tf.zeros_like(z))", "return tf.sign(z)",
      "activations.relu_prime", "not −1"),
    M("elu′ alpha at zero", "activations", "return tf.where(z >= 0, tf.ones_like(z), alpha * tf.exp(tf.minimum(z, 0.0)))",
      "return tf.where(z > 0, tf.ones_like(z), alpha * tf.exp(tf.minimum(z, 0.0)))", "activations.elu_prime",
      "ELU's slope is taken as 1"),
    M("cross-entropy over the classes", "activations", "return tf.reduce_mean(-tf.reduce_sum(labels * log_softmax, axis=-1))",
      "return tf.reduce_sum(-tf.reduce_sum(labels * log_softmax, axis=-1)) / tf.cast(tf.shape(logits)[1], logits.dtype)",
      "activations.softmax_cross_entropy", "not over the k classes"),
    M("cross-entropy mean of every element", "activations", "return tf.reduce_mean(-tf.reduce_sum(labels * log_softmax, axis=-1))", "return tf.reduce_mean(-labels * log_softmax)",
      "activations.softmax_cross_entropy", "a row's loss is a sum"),
    M("cross-entropy log of softmax plus epsilon", "activations",
      "log_softmax = shifted - tf.math.log(tf.reduce_sum(tf.exp(shifted), axis=-1, keepdims=True))",
      "log_softmax = tf.math.log(softmax(logits) + 1e-12)", "activations.softmax_cross_entropy", "hides the overflow"),
    M("cross-entropy gradient over the classes", "activations", "return (softmax(logits) - labels) / tf.cast(tf.shape(logits)[0], logits.dtype)",
      "return (softmax(logits) - labels) / tf.cast(tf.shape(logits)[1], logits.dtype)",
      "activations.softmax_cross_entropy_gradient", "not 1/k"),
    M("cross-entropy gradient divides by a float32 count", "activations",
      "/ tf.cast(tf.shape(logits)[0], logits.dtype)", "/ tf.cast(tf.shape(logits)[0], tf.float32)",
      "activations.softmax_cross_entropy_gradient", "a float64 tensor and a float32 one met"),
    M("cost partial mixes float32 into float64", "backprop", "return 2.0 * (a * w - desired) * a",
      "return tf.constant(2.0) * (a * w - desired) * a", "backprop.cost_partial", "a float64 tensor and a float32 one met"),
    M("layer norms with f′ at the activations", "activations", LAYER_NORMS_BACKWARD,
      LAYER_NORMS_BACKWARD.replace("derivative(sums[-1])", "derivative(activations[-1])").replace(
          "derivative(sums[layer - 1])", "derivative(activations[layer])"),
      "activations.layer_gradient_norms", "that layer's own input z"),
    M("layer norms last layer first", "activations", "    return norms[::-1]\n", "    return norms\n",
      "activations.layer_gradient_norms", "reverse what you collected"),
    M("layer norms with their own derivative", "activations",
      "    delta = 2.0 * (activations[-1] - y) / tf.cast(tf.size(y), tf.float64) * derivative(sums[-1])",
      "    derivative = sigmoid_prime if activation is sigmoid else relu_prime if activation is relu else tanh_prime\n"
      "    delta = 2.0 * (activations[-1] - y) / tf.cast(tf.size(y), tf.float64) * derivative(sums[-1])",
      "activations.layer_gradient_norms", "use the derivative you are handed"),
    M("layer norms cost over the batch only", "activations", "/ tf.cast(tf.size(y), tf.float64)", "/ y.shape[0]",
      "activations.layer_gradient_norms", "n·width of them"),
    # optimizers
    M("momentum forgotten", "optimizers", "self.previous = self.momentum * self.previous + self.learning_rate * gradient",
      "self.previous = self.learning_rate * gradient", "optimizers.Momentum.change", "momentum adds momentum times"),
    M("momentum as Keras' velocity", "optimizers", "self.previous = self.momentum * self.previous + self.learning_rate * gradient",
      "self.previous = self.momentum * self.previous - self.learning_rate * gradient", "optimizers.Momentum.change",
      "Keras stores −change"),
    M("momentum kept on the class", "optimizers", "self.previous = self.momentum * self.previous + self.learning_rate * gradient\n        return self.previous",
      "Momentum.shared = self.momentum * getattr(Momentum, 'shared', 0.0) + self.learning_rate * gradient\n        return Momentum.shared",
      "optimizers.Momentum.change", "keep the state on self"),
    M("adagrad from zero", "optimizers", "tf.cast(self.initial_accumulator_value, gradient.dtype)", "tf.cast(0.0, gradient.dtype)",
      "optimizers.Adagrad.change", "not at 0"),
    M("adagrad epsilon outside the root", "optimizers", "tf.sqrt(self.accumulator + self.epsilon)",
      "(tf.sqrt(self.accumulator) + self.epsilon)", "optimizers.Adagrad.change", "√(sum + ε)"),
    M("rmsprop epsilon outside the root", "optimizers", "tf.sqrt(self.average + self.epsilon)",
      "(tf.sqrt(self.average) + self.epsilon)", "optimizers.RMSprop.change", "√(average + ε)"),
    M("rmsprop without 1 − rho", "optimizers", "(1.0 - self.rho) * tf.square(gradient)", "tf.square(gradient)",
      "optimizers.RMSprop.change", "so that it stays an average"),
    M("adam without bias correction", "optimizers",
      "step = self.learning_rate * np.sqrt(1.0 - self.beta_2 ** self.t) / (1.0 - self.beta_1 ** self.t)",
      "step = self.learning_rate", "optimizers.Adam.change", "too small"),
    M("adam with the lecture notes' epsilon", "optimizers",
      "step = self.learning_rate * np.sqrt(1.0 - self.beta_2 ** self.t) / (1.0 - self.beta_1 ** self.t)\n        return step * self.m / (tf.sqrt(self.v) + self.epsilon)",
      "m_hat, v_hat = self.m / (1.0 - self.beta_1 ** self.t), self.v / (1.0 - self.beta_2 ** self.t)\n        return self.learning_rate * m_hat / (tf.sqrt(v_hat) + self.epsilon)",
      "optimizers.Adam.change", "adds ε to √v, not to √v̂"),
    M("adam counts from zero", "optimizers", "        self.t += 1\n        self.m", "        self.m", "optimizers.Adam.change",
      "increase t before you use it"),
    M("adam counts steps on the class", "optimizers", "        self.t += 1\n",
      "        Adam.steps = getattr(Adam, 'steps', 0) + 1\n        self.t = Adam.steps\n", "optimizers.Adam.change",
      "keep m, v and t on self"),
    M("xor with one optimizer for all", "optimizers", "optimizers = [optimizer(learning_rate) for _ in parameters]",
      "optimizers = [optimizer(learning_rate)] * len(parameters)", "optimizers.train_xor", "one optimizer per parameter"),
    M("xor with new optimizers every epoch", "optimizers", "        for parameter, opt, gradient in zip(parameters, optimizers,",
      "        optimizers = [optimizer(learning_rate) for _ in parameters]\n        for parameter, opt, gradient in zip(parameters, optimizers,",
      "optimizers.train_xor", "keep using the same ones"),
    M("xor loss summed", "optimizers", "loss = tf.reduce_mean(tf.square(output - XOR_TARGETS))",
      "loss = tf.reduce_sum(tf.square(output - XOR_TARGETS))", "optimizers.train_xor", "average over the four examples"),
    # softmax network
    M("workshop start not truncated", "softmax_network", "generator.truncated_normal((n_in, n_out), stddev=0.1)",
      "generator.normal((n_in, n_out), stddev=0.1)", "softmax_network.SoftmaxNetwork.from_sizes", "|w| ≤ 0.2"),
    M("workshop biases zero", "softmax_network", "tf.fill((1, n_out), 0.1)", "tf.zeros((1, n_out))",
      "softmax_network.SoftmaxNetwork.from_sizes", "every ReLU starts active"),
    M("workshop start unseeded", "softmax_network", "generator = tf.random.Generator.from_seed(seed)",
      "generator = tf.random.Generator.from_non_deterministic_state()", "softmax_network.SoftmaxNetwork.from_sizes",
      "the same seed must give the same network"),
    M("softmax network returns probabilities", "softmax_network", "return x @ self.weights[-1] + self.biases[-1]",
      "return tf.nn.softmax(x @ self.weights[-1] + self.biases[-1])", "softmax_network.SoftmaxNetwork.__call__",
      "returns logits"),
    M("softmax network activates the output", "softmax_network",
      "for w, b in zip(self.weights[:-1], self.biases[:-1]):\n            x = self.activation(x @ w + b)\n        return x @ self.weights[-1] + self.biases[-1]",
      "for w, b in zip(self.weights, self.biases):\n            x = self.activation(x @ w + b)\n        return x",
      "softmax_network.SoftmaxNetwork.__call__", "no activation on the output layer"),
    M("workshop cross-entropy summed", "softmax_network", "return tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(",
      "return tf.reduce_sum(tf.nn.softmax_cross_entropy_with_logits(", "softmax_network.cross_entropy", "not their sum"),
    M("squared error of the logits", "softmax_network", "tf.square(tf.nn.softmax(logits) - y)", "tf.square(logits - y)",
      "softmax_network.squared_error", "not the raw logits"),
    M("workshop train never compiles its step", "softmax_network",
      "compiled = tf.function(lambda x_batch, y_batch:", "compiled = (lambda x_batch, y_batch:", "softmax_network.train",
      "made once before the loops"),
    M("workshop train compiles its step every batch", "softmax_network", "            total += float(compiled(x_batch, y_batch))",
      "            compiled = tf.function(compiled.python_function)\n            total += float(compiled(x_batch, y_batch))",
      "softmax_network.train", "traced anew for every batch"),
    M("workshop start from the global seed", "softmax_network",
      "generator = tf.random.Generator.from_seed(seed)\n        pairs = list(zip(sizes[:-1], sizes[1:]))\n        weights = [generator.truncated_normal(",
      "tf.random.set_seed(seed)\n        pairs = list(zip(sizes[:-1], sizes[1:]))\n        weights = [tf.random.truncated_normal(",
      "softmax_network.SoftmaxNetwork.from_sizes", "a generator of the network's own"),
    M("workshop output without its bias", "softmax_network", "return x @ self.weights[-1] + self.biases[-1]",
      "return x @ self.weights[-1]", "softmax_network.SoftmaxNetwork.__call__", "the output layer too"),
    M("workshop softmax before the loss", "softmax_network", "logits=logits))", "logits=tf.nn.softmax(logits)))",
      "softmax_network.cross_entropy", "applies softmax itself"),
    M("workshop step climbs", "softmax_network", "variable.assign_sub(learning_rate * gradient)\n    return value",
      "variable.assign_add(learning_rate * gradient)\n    return value", "softmax_network.train_step", "against its gradient"),
    M("workshop epoch loss of its last batch", "softmax_network", "            total += float(compiled(x_batch, y_batch))",
      "            total = float(compiled(x_batch, y_batch))\n            batches = 0", "softmax_network.train",
      "not only the latest batch's loss"),
    M("workshop epoch loss of its first batch", "softmax_network", "            total += float(compiled(x_batch, y_batch))\n            batches += 1",
      "            value = float(compiled(x_batch, y_batch))\n            total, batches = (value, 1) if batches == 0 else (total, batches)",
      "softmax_network.train", "not the loss of its first one"),
    M("workshop epoch loss summed", "softmax_network", "        means.append(total / batches)", "        means.append(total)",
      "softmax_network.train", "divide the total by their number"),
    M("workshop accuracy as a fraction", "softmax_network", "return float(100.0 * tf.reduce_mean(", "return float(tf.reduce_mean(",
      "softmax_network.accuracy", "from 0 to 100"),
    # keras_mlp
    M("parameters without biases", "keras_mlp", "n_in * n_out + n_out for", "n_in * n_out for", "keras_mlp.parameter_count",
      "n_out biases per layer"),
    M("a bias per input", "keras_mlp", "n_in * n_out + n_out for", "n_in * n_out + n_in for", "keras_mlp.parameter_count",
      "not to one of its inputs"),
    M("keras model unseeded", "keras_mlp", "    keras.utils.set_random_seed(seed)\n", "", "keras_mlp.build_model",
      "seeds their weight initializers"),
    M("keras input flattened already", "keras_mlp", "[keras.Input((28, 28)),", "[keras.Input((784,)),", "keras_mlp.build_model",
      "keras.Input((28, 28)), then Flatten"),
    M("compiled with the string adam", "keras_mlp", "optimizer=adam,", 'optimizer="adam",', "keras_mlp.compile_model",
      "Keras' default learning rate: an optimizer given by its name"),
    M("compiled with plain gradient descent", "keras_mlp", "adam = keras.optimizers.Adam(learning_rate)",
      "adam = keras.optimizers.SGD(learning_rate)", "keras_mlp.compile_model", "trains this network with Adam"),
    M("compiled with a fixed learning rate", "keras_mlp", "optimizer=adam,", "optimizer=keras.optimizers.Adam(0.005),",
      "keras_mlp.compile_model", "not at a number of its own"),
    M("compiled for one-hot labels", "keras_mlp", 'loss="sparse_categorical_crossentropy"', 'loss="categorical_crossentropy"',
      "keras_mlp.compile_model", "these labels are digits"),
    M("compiled without accuracy", "keras_mlp", ', metrics=["accuracy"])', ")", "keras_mlp.compile_model",
      "without it fit's history has no accuracy"),
    M("fit ignores the batch size", "keras_mlp", "epochs=epochs, batch_size=batch_size,", "epochs=epochs,", "keras_mlp.fit",
      "its defaults are 1 epoch and batches of 32"),
    M("fit returns the History", "keras_mlp",
      "    return {key: [float(value) for value in values] for key, values in history.history.items()}",
      "    return history", "keras_mlp.fit", "its .history attribute is the dict"),
    M("dropout scaled in inference", "keras_mlp", "        a = layer(a, training=training)\n    return a",
      "        a = layer(a, training=training)\n    return a if training else a * 0.8", "keras_mlp.hidden_activations",
      "in inference the values pass unchanged"),
    M("dropout never told it is training", "keras_mlp", "a = layer(a, training=training)", "a = layer(a)",
      "keras_mlp.hidden_activations", "each told training=training"),
    M("keras hidden size written in", "keras_mlp", 'keras.layers.Dense(hidden, activation="relu")',
      'keras.layers.Dense(512, activation="relu")', "keras_mlp.build_model", "not the write-up's numbers written in"),
    M("fit validates on a split", "keras_mlp", "validation_data=(x_val, labels_val),", "validation_split=0.2,",
      "keras_mlp.fit", "validation_split trains on only part of x"),
    M("fit without validation", "keras_mlp", " validation_data=(x_val, labels_val),", "", "keras_mlp.fit",
      "Keras then adds val_loss and val_accuracy"),
    M("table trains keras for fit's default epochs", "keras_mlp", "fit(model, x, labels, x_test, labels_test, epochs=epochs)",
      "fit(model, x, labels, x_test, labels_test)", "keras_mlp.compare", "train the Keras model with your fit for `epochs`"),
    M("table trains another network than it measures", "keras_mlp", "train(network, dataset, epochs, learning_rate=0.5)",
      "train(SoftmaxNetwork.from_sizes(seed=seed), dataset, epochs, learning_rate=0.5)", "keras_mlp.compare",
      "not trained as the docstring fixes it"),
    M("table measured on the training images", "keras_mlp", '"accuracy": accuracy(network, flat_test, labels_test)',
      '"accuracy": accuracy(network, flat, labels)', "keras_mlp.compare", "images it has never trained on"),
    M("table accuracy as a fraction", "keras_mlp", '"accuracy": 100.0 * float(np.mean(', '"accuracy": float(np.mean(',
      "keras_mlp.compare", "a percentage, 0 to 100"),
    M("xor one epoch short", "optimizers", "    for _ in range(epochs):\n        with tf.GradientTape() as tape:\n            hidden_out",
      "    for _ in range(1, epochs):\n        with tf.GradientTape() as tape:\n            hidden_out", "optimizers.train_xor",
      "mind range's bounds"),
    M("xor learning rate twice", "optimizers", "parameter.assign_sub(opt.change(gradient))",
      "parameter.assign_sub(learning_rate * opt.change(gradient))", "optimizers.train_xor", "already holds the learning rate"),
    M("adagrad without the running sum", "optimizers",
      "self.accumulator = self.accumulator + tf.square(gradient)\n        return self.learning_rate * gradient / tf.sqrt(self.accumulator + self.epsilon)",
      "return self.learning_rate * gradient / tf.sqrt(self.accumulator + tf.square(gradient) + self.epsilon)",
      "optimizers.Adagrad.change", "a running sum over every step"),
    M("rmsprop rho swapped", "optimizers", "self.average = self.rho * self.average + (1.0 - self.rho) * tf.square(gradient)",
      "self.average = (1.0 - self.rho) * self.average + self.rho * tf.square(gradient)", "optimizers.RMSprop.change",
      "the average forgets slowly"),
    M("rmsprop average on the class", "optimizers",
      "self.average = self.rho * self.average + (1.0 - self.rho) * tf.square(gradient)\n        return self.learning_rate * gradient / tf.sqrt(self.average + self.epsilon)",
      "RMSprop.shared = self.rho * getattr(RMSprop, 'shared', 0.0) + (1.0 - self.rho) * tf.square(gradient)\n        return self.learning_rate * gradient / tf.sqrt(RMSprop.shared + self.epsilon)",
      "optimizers.RMSprop.change", "keep the average on self"),
    M("adam without the root of v", "optimizers", "return step * self.m / (tf.sqrt(self.v) + self.epsilon)",
      "return step * self.m / (self.v + self.epsilon)", "optimizers.Adam.change", "to get back to the gradient's scale"),
    M("workshop stddev as the mean", "softmax_network", "generator.truncated_normal((n_in, n_out), stddev=0.1)",
      "generator.truncated_normal((n_in, n_out), 0.1)", "softmax_network.SoftmaxNetwork.from_sizes", "pass stddev=0.1 by name"),
    M("workshop generator per layer", "softmax_network", "weights = [generator.truncated_normal(",
      "weights = [tf.random.Generator.from_seed(seed).truncated_normal(", "softmax_network.SoftmaxNetwork.from_sizes",
      "repeats the same numbers"),
    M("adagrad without the root", "optimizers", "return self.learning_rate * gradient / tf.sqrt(self.accumulator + self.epsilon)",
      "return self.learning_rate * gradient / (self.accumulator + self.epsilon)", "optimizers.Adagrad.change",
      "the root brings the step back"),
    M("rmsprop without the root", "optimizers", "return self.learning_rate * gradient / tf.sqrt(self.average + self.epsilon)",
      "return self.learning_rate * gradient / (self.average + self.epsilon)", "optimizers.RMSprop.change",
      "the root brings the step back"),
    M("compile without a signature", "speed", "@tf.function(input_signature=signature)", "@tf.function", "speed.compile_step", "give the batch dimension as None"),
    M("compiled step forgets to train", "speed", "return step(model, x_batch, y_batch, learning_rate)",
      "return tf.reduce_mean(tf.square(model(x_batch) - y_batch))", "speed.compile_step", "must call the `step` it is given"),
    M("from_sizes biases without their row", "mlp", "biases = [rng.uniform((1, n_out), -1.0, 1.0)",
      "biases = [rng.uniform((n_out,), -1.0, 1.0)", "mlp.MLP.from_sizes", "a dimension of length 1 dropped"),
    M("backward bias gradient without keepdims", "backprop", "tf.reduce_sum(delta, axis=0, keepdims=True)",
      "tf.reduce_sum(delta, axis=0)", "backprop.backward", "a dimension of length 1 dropped"),
    M("descend_two one update short", "backprop", "    for _ in range(steps):\n        g1, g2 = chain_partials",
      "    for _ in range(1, steps):\n        g1, g2 = chain_partials", "backprop.descend_two", "one entry too few"),
    M("train leaves the biases untrained", "training", "gradients = tape.gradient(batch_loss, model.trainable_variables)\n"
      "    for variable, gradient in zip(model.trainable_variables, gradients):",
      "gradients = tape.gradient(batch_loss, model.weights)\n    for variable, gradient in zip(model.weights, gradients):",
      "training.train", "left as it started"),
    M("fold_indices shuffles the indices", "evaluation", "folds = np.split(np.arange(n, dtype=np.int64), k)",
      "folds = np.split(np.random.default_rng(0).permutation(n).astype(np.int64), k)", "evaluation.fold_indices",
      "out of order"),
    M("fold_indices trains on every index", "evaluation", "return [(np.concatenate(folds[:i] + folds[i + 1:]), test)",
      "return [(np.arange(n, dtype=np.int64), test)", "evaluation.fold_indices", "the test fold kept in the training part"),
    M("loss keeps its dimensions", "training", "return tf.reduce_mean(tf.square(predicted - desired))",
      "return tf.reduce_mean(tf.square(predicted - desired), keepdims=True)", "training.loss",
      "a dimension of length 1 added"),
    M("descend records the start too", "backprop", "    weights, outputs = [], []", "    weights, outputs = [float(w)], [float(a * w)]",
      "backprop.descend", "one entry too many"),
    M("and_gate's threshold on the boundary", "perceptron", 'Perceptron([[1.0], [1.0]], [[-1.0]], name="AND")',
      'Perceptron([[1.0], [1.0]], [[-2.0]], name="AND")', "perceptron.and_gate", "a weighted sum of exactly 0 where it must fire"),
    M("nand_gate's threshold on the boundary", "perceptron", 'Perceptron([[-1.0], [-1.0]], [[2.0]], name="NAND")',
      'Perceptron([[-1.0], [-1.0]], [[1.0]], name="NAND")', "perceptron.nand_gate", "a weighted sum of exactly 0 where it must fire"),
    M("or_gate's bias above zero", "perceptron", 'Perceptron([[1.0], [1.0]], [[0.0]], name="OR")',
      'Perceptron([[1.0], [1.0]], [[1.0]], name="OR")', "perceptron.or_gate", "fires with both inputs off"),
    M("compile_step fixes the batch size", "speed",
      "signature = [tf.TensorSpec((None, n_in), tf.float32), tf.TensorSpec((None, n_out), tf.float32)]",
      "signature = [tf.TensorSpec((32, n_in), tf.float32), tf.TensorSpec((32, n_out), tf.float32)]", "speed.compile_step",
      "fixed the batch size"),
    M("compile_step makes a tf.function on every call", "speed",
      "    @tf.function(input_signature=signature)\n    def compiled(x_batch, y_batch):\n        return step(model, x_batch, y_batch, learning_rate)",
      "    def compiled(x_batch, y_batch):\n        return tf.function(lambda x, y: step(model, x, y, learning_rate), input_signature=signature)(x_batch, y_batch)",
      "speed.compile_step", "made once"),
    M("keras output without softmax", "keras_mlp", 'keras.layers.Dense(10, activation="softmax")])\n    ### END',
      'keras.layers.Dense(10)])\n    ### END', "keras_mlp.build_model", "the output layer without its softmax"),
    M("keras hidden layer without relu", "keras_mlp", 'keras.layers.Dense(hidden, activation="relu"),\n',
      'keras.layers.Dense(hidden),\n', "keras_mlp.build_model", "a hidden layer without its activation"),
    M("keras dropout as keep probability", "keras_mlp", "keras.layers.Dropout(dropout)", "keras.layers.Dropout(1 - dropout)",
      "keras_mlp.build_model", "the keep probability as the dropout rate"),
    M("workshop start uniform", "softmax_network", "generator.truncated_normal((n_in, n_out), stddev=0.1)",
      "generator.uniform((n_in, n_out), -0.2, 0.2)", "softmax_network.SoftmaxNetwork.from_sizes", "uniform, not normal"),
    M("workshop step leaves the biases", "softmax_network", "gradients = tape.gradient(value, model.trainable_variables)\n"
      "    for variable, gradient in zip(model.trainable_variables, gradients):",
      "gradients = tape.gradient(value, model.weights)\n    for variable, gradient in zip(model.weights, gradients):",
      "softmax_network.train_step", "left as it started"),
    M("testing loop floors the percentage", "training", "return 100.0 * correct / len(x), correct",
      "return float(100 * correct // len(x)), correct", "training.testing_loop", "a whole number of percent"),
    M("update applies the rate twice", "backprop", "return tf.convert_to_tensor(value) - learning_rate * tf.convert_to_tensor(gradient)",
      "return tf.convert_to_tensor(value) - learning_rate * learning_rate * tf.convert_to_tensor(gradient)", "backprop.update", "the learning rate applied twice"),
    M("compile_step signature in float64", "speed",
      "signature = [tf.TensorSpec((None, n_in), tf.float32), tf.TensorSpec((None, n_out), tf.float32)]",
      "signature = [tf.TensorSpec((None, n_in), tf.float64), tf.TensorSpec((None, n_out), tf.float64)]", "speed.compile_step",
      "the input_signature says float64"),
    M("kfold skips the last fold", "evaluation", "for train_idx, test_idx in fold_indices(len(x), k):",
      "for train_idx, test_idx in fold_indices(len(x), k)[:-1]:", "evaluation.kfold", "a fold skipped"),
    M("sigmoid with e^z", "activations", "return 1.0 / (1.0 + tf.exp(-z))", "return 1.0 / (1.0 + tf.exp(z))",
      "activations.sigmoid", "look at the sign of the exponent"),
    M("elu without the − 1", "activations", "alpha * (tf.exp(tf.minimum(z, 0.0)) - 1.0)", "alpha * tf.exp(tf.minimum(z, 0.0))",
      "activations.elu", "flattens out at −alpha"),
    M("softmax summed along the batch", "activations", "return exps / tf.reduce_sum(exps, axis=-1, keepdims=True)",
      "return exps / tf.reduce_sum(exps, axis=0, keepdims=True)", "activations.softmax", "like its largest logit"),
    M("layer norms from the sum of squares", "activations", "delta = 2.0 * (activations[-1] - y) / tf.cast(tf.size(y), tf.float64) * derivative(sums[-1])",
      "delta = 2.0 * (activations[-1] - y) * derivative(sums[-1])", "activations.layer_gradient_norms", "a factor 1/(n·width)"),
    M("layer norms with f′ at the hidden activations", "activations", "* derivative(sums[layer - 1])",
      "* derivative(activations[layer])", "activations.layer_gradient_norms", "f′ taken at the activation"),
    M("workshop stddev left at 1", "softmax_network", "generator.truncated_normal((n_in, n_out), stddev=0.1)",
      "generator.truncated_normal((n_in, n_out))", "softmax_network.SoftmaxNetwork.from_sizes", "stddev defaults to 1.0"),
    M("workshop hidden layers without biases", "softmax_network", "x = self.activation(x @ w + b)", "x = self.activation(x @ w)",
      "softmax_network.SoftmaxNetwork.__call__", "the hidden layers too"),
    M("workshop train calls train_step by name", "softmax_network",
      "compiled = tf.function(lambda x_batch, y_batch: step(model, x_batch, y_batch, learning_rate, loss))",
      "compiled = tf.function(lambda x_batch, y_batch: train_step(model, x_batch, y_batch, learning_rate, loss))",
      "softmax_network.train", "calling train_step by name"),
    M("momentum remembers the gradient", "optimizers",
      "        self.previous = self.momentum * self.previous + self.learning_rate * gradient\n        return self.previous",
      "        change = self.momentum * self.previous + self.learning_rate * gradient\n        self.previous = gradient\n"
      "        return change", "optimizers.Momentum.change", "not the last gradient"),
    M("adagrad divides before adding the square", "optimizers",
      "        self.accumulator = self.accumulator + tf.square(gradient)\n"
      "        return self.learning_rate * gradient / tf.sqrt(self.accumulator + self.epsilon)",
      "        change = self.learning_rate * gradient / tf.sqrt(self.accumulator + self.epsilon)\n"
      "        self.accumulator = self.accumulator + tf.square(gradient)\n        return change",
      "optimizers.Adagrad.change", "add it first"),
    M("xor loss recorded after the step", "optimizers",
      "        losses.append(float(loss))\n        for parameter, opt, gradient in zip(parameters, optimizers, tape.gradient(loss, parameters)):\n"
      "            parameter.assign_sub(opt.change(gradient))",
      "        for parameter, opt, gradient in zip(parameters, optimizers, tape.gradient(loss, parameters)):\n"
      "            parameter.assign_sub(opt.change(gradient))\n"
      "        losses.append(float(tf.reduce_mean(tf.square(tf.sigmoid(tf.sigmoid(XOR_INPUTS @ w1 + b1) @ w2 + b2) - XOR_TARGETS))))",
      "optimizers.train_xor", "before the parameters move"),
    M("xor adds the change", "optimizers", "parameter.assign_sub(opt.change(gradient))", "parameter.assign_add(opt.change(gradient))",
      "optimizers.train_xor", "subtract it (assign_sub)"),
    M("workshop squared error of the rows' sums", "softmax_network", "return tf.reduce_mean(tf.square(tf.nn.softmax(logits) - y))",
      "return tf.reduce_mean(tf.reduce_sum(tf.square(tf.nn.softmax(logits) - y), axis=1))", "softmax_network.squared_error",
      "number of classes times too large"),
    M("workshop step returns the loss after it", "softmax_network", "        variable.assign_sub(learning_rate * gradient)\n    return value",
      "        variable.assign_sub(learning_rate * gradient)\n    return loss(model(x_batch), y_batch)", "softmax_network.train_step",
      "computed before any variable moves"),
    M("workshop accuracy along the batch", "softmax_network",
      "predicted = tf.argmax(model(x), axis=1, output_type=tf.int64)\n"
      "    return float(100.0 * tf.reduce_mean(tf.cast(predicted == tf.cast(labels, tf.int64), tf.float64)))",
      "predicted = tf.argmax(model(x), axis=0, output_type=tf.int64)\n"
      "    return float(100.0 * tf.reduce_mean(tf.cast(tf.equal(predicted, tf.cast(labels, tf.int64)), tf.float64)))",
      "softmax_network.accuracy", "one index per class"),
    M("keras hidden layer with sigmoid", "keras_mlp", 'keras.layers.Dense(hidden, activation="relu")',
      'keras.layers.Dense(hidden, activation="sigmoid")', "keras_mlp.build_model", "sigmoid where relu belongs"),
    M("table counts the Keras sizes twice", "keras_mlp", '{"model": network, "parameters": parameter_count(sizes)',
      '{"model": network, "parameters": parameter_count([784, 512, 10])', "keras_mlp.compare", "each row counts its own network's"),
    M("softmax shifted by the largest logit of all", "activations", "shifted = logits - tf.reduce_max(logits, axis=-1, keepdims=True)\n    exps = tf.exp(shifted)",
      "shifted = logits - tf.reduce_max(logits)\n    exps = tf.exp(shifted)", "activations.softmax", "0 / 0 are NaN"),
    M("and gate weights as a row", "perceptron", 'Perceptron([[1.0], [1.0]], [[-1.0]], name="AND")',
      'Perceptron([[1.0, 1.0]], [[-1.0]], name="AND")', "perceptron.and_gate", "weights of shape (2, 1)"),
    # the advanced track's fresh trial of 2026-12-07 (evening): first messages that named the mistake only partly
    M("sigmoid as e^z / (1 + e^z)", "activations", "return 1.0 / (1.0 + tf.exp(-z))", "return tf.exp(z) / (1.0 + tf.exp(z))",
      "activations.sigmoid", "a form with e^z overflows for large z"),
    M("leaky relu slope as alpha times z", "activations", "alpha * tf.ones_like(z))", "alpha * z)",
      "activations.leaky_relu_prime", "alpha·z, the function, for z < 0"),
    M("adam corrects m only", "optimizers", "step = self.learning_rate * np.sqrt(1.0 - self.beta_2 ** self.t) / (1.0 - self.beta_1 ** self.t)",
      "step = self.learning_rate / (1.0 - self.beta_1 ** self.t)", "optimizers.Adam.change", "m's bias correction without v's"),
    M("adam step counter in a local", "optimizers",
      "        self.t += 1\n        self.m = self.beta_1 * self.m + (1.0 - self.beta_1) * gradient\n"
      "        self.v = self.beta_2 * self.v + (1.0 - self.beta_2) * tf.square(gradient)\n"
      "        step = self.learning_rate * np.sqrt(1.0 - self.beta_2 ** self.t) / (1.0 - self.beta_1 ** self.t)",
      "        t = self.t + 1\n        self.m = self.beta_1 * self.m + (1.0 - self.beta_1) * gradient\n"
      "        self.v = self.beta_2 * self.v + (1.0 - self.beta_2) * tf.square(gradient)\n"
      "        step = self.learning_rate * np.sqrt(1.0 - self.beta_2 ** t) / (1.0 - self.beta_1 ** t)",
      "optimizers.Adam.change", "the step counter stuck at 1"),
    M("optimizers made without the learning rate", "optimizers", "optimizers = [optimizer(learning_rate) for _ in parameters]",
      "optimizers = [optimizer() for _ in parameters]", "optimizers.train_xor", "made without the learning rate"),
    M("keras dropout before the hidden layer", "keras_mlp",
      'keras.layers.Dense(hidden, activation="relu"),\n                             keras.layers.Dropout(dropout),',
      'keras.layers.Dropout(dropout),\n                             keras.layers.Dense(hidden, activation="relu"),',
      "keras_mlp.build_model", "the layers in the wrong order"),
    M("keras accuracy measured with dropout on", "keras_mlp",
      '"accuracy": 100.0 * float(np.mean(np.argmax(model(x_test, training=False), axis=1) == labels_test)),',
      '"accuracy": 100.0 * float(np.mean(np.argmax(model(x_test, training=True), axis=1) == labels_test)),',
      "keras_mlp.compare", "measured with dropout on"),
    M("leaky_relu with another default alpha", "activations", "def leaky_relu(z, alpha: float = 0.01)",
      "def leaky_relu(z, alpha: float = 0.1)", "activations.leaky_relu", "alpha not 0.01 by default"),
    M("elu_prime with another default alpha", "activations", "def elu_prime(z, alpha: float = 1.0)",
      "def elu_prime(z, alpha: float = 0.5)", "activations.elu_prime", "alpha not 1.0 by default"),
    M("preprocess one-hot by whole columns", "training", "y = tf.one_hot(tf.cast(labels, tf.int32), 10, dtype=tf.float32)",
      "y = np.zeros((len(labels), 10), np.float32)\n    y[:, labels] = 1.0\n    y = tf.constant(y)", "training.preprocess",
      "every digit of the batch"),
    M("kfold unpacks each fold as (test, train)", "evaluation", "for train_idx, test_idx in fold_indices(len(x), k):",
      "for test_idx, train_idx in fold_indices(len(x), k):", "evaluation.kfold", "train and test parts swapped"),
    M("descend_two moves w2 by w1's partial", "backprop",
      "w1, w2 = update(w1, g1, learning_rate), update(w2, g2, learning_rate)",
      "w1, w2 = update(w1, g1, learning_rate), update(w2, g1, learning_rate)", "backprop.descend_two", "w2 moved by w1's partial"),
    M("sigmoid partials take the sigmoid of a again", "backprop", "delta = 2.0 * (a - desired) * a * (1.0 - a)",
      "delta = 2.0 * (a - desired) * tf.sigmoid(a) * (1.0 - tf.sigmoid(a))", "backprop.sigmoid_partials", "the sigmoid taken twice"),
    M("layer norms carry delta back without the transpose", "activations",
      "delta = (delta @ tf.transpose(weights[layer])) * derivative(sums[layer - 1])",
      "delta = (delta @ weights[layer]) * derivative(sums[layer - 1])", "activations.layer_gradient_norms", "the layers below it not"),
    M("compiled with the Accuracy metric class", "keras_mlp", 'metrics=["accuracy"]', "metrics=[keras.metrics.Accuracy()]",
      "keras_mlp.compile_model", "exactly equal to their labels"),
    M("momentum with Nesterov's look-ahead", "optimizers",
      "        self.previous = self.momentum * self.previous + self.learning_rate * gradient\n        return self.previous",
      "        self.previous = self.momentum * self.previous + self.learning_rate * gradient\n"
      "        return self.momentum * self.previous + self.learning_rate * gradient",
      "optimizers.Momentum.change", "Nesterov's look-ahead"),
    M("adam steps along the gradient, not its average", "optimizers",
      "return step * self.m / (tf.sqrt(self.v) + self.epsilon)", "return step * gradient / (tf.sqrt(self.v) + self.epsilon)",
      "optimizers.Adam.change", "not its average m"),
    M("compare trains exercise 9's network for the workshop's epochs", "keras_mlp",
      "train(network, dataset, epochs, learning_rate=0.5)", "train(network, dataset, 5, learning_rate=0.5)",
      "keras_mlp.compare", "hand them on to exercise 9's train"),
    M("compare trains exercise 9's network at train's default rate", "keras_mlp",
      "train(network, dataset, epochs, learning_rate=0.5)", "train(network, dataset, epochs)",
      "keras_mlp.compare", "wrong learning rate"),
    # the second fresh trials of 2026-12-07 (mistakes none of the earlier trials had): uncaught or misnamed
    M("tf step as a rounded sigmoid", "perceptron", "return tf.where(a > 0, tf.ones_like(a), tf.zeros_like(a))",
      "return tf.round(tf.sigmoid(a))", "perceptron.tf_step_fn", "0 for a tiny positive a"),
    M("from_sizes biases start at zero", "mlp", "biases = [rng.uniform((1, n_out), -1.0, 1.0) for _, n_out in layers]",
      "biases = [tf.zeros((1, n_out)) for _, n_out in layers]", "mlp.MLP.from_sizes", "biases all 0"),
    M("from_sizes seeds 0 when no seed is given", "mlp",
      "rng = tf.random.Generator.from_non_deterministic_state() if seed is None else tf.random.Generator.from_seed(seed)",
      "rng = tf.random.Generator.from_seed(seed or 0)", "mlp.MLP.from_sizes", "the same start without a seed"),
    M("forward pass hard-codes the sigmoid", "mlp", "            x = self.activation(x @ w + b)",
      "            x = tf.sigmoid(x @ w + b)", "mlp.MLP.__call__", "the sigmoid, whatever activation"),
    M("xor_network scales the constants in place", "mlp",
      "    weights = [tf.constant(w) * scale for w in XOR_WEIGHTS]\n    biases = [tf.constant(b) * scale for b in XOR_BIASES]",
      "    for constant in XOR_WEIGHTS + XOR_BIASES:\n        for row in constant:\n            for j in range(len(row)):\n"
      "                row[j] *= scale\n    weights, biases = [tf.constant(w) for w in XOR_WEIGHTS], [tf.constant(b) for b in XOR_BIASES]",
      "mlp.xor_network", "the module's constants scaled in place"),
    M("train assigns the step", "training", "variable.assign_sub(learning_rate * gradient)",
      "variable.assign(learning_rate * gradient)", "training.train", "assign, not assign_sub"),
    M("kfold records the count as the accuracy", "evaluation", "accuracies.append(float(testing_loop(model, x[test_idx], y[test_idx])[0]))",
      "accuracies.append(float(testing_loop(model, x[test_idx], y[test_idx])[1]))", "evaluation.kfold", "a count, not a percentage"),
    M("compile_step's specs transposed", "speed",
      "signature = [tf.TensorSpec((None, n_in), tf.float32), tf.TensorSpec((None, n_out), tf.float32)]",
      "signature = [tf.TensorSpec((n_in, None), tf.float32), tf.TensorSpec((n_out, None), tf.float32)]",
      "speed.compile_step", "the batch dimension comes first"),
    M("compiled step without return", "speed", "        return step(model, x_batch, y_batch, learning_rate)",
      "        step(model, x_batch, y_batch, learning_rate)", "speed.compile_step", "a `return` is missing"),
    M("adam betas swapped in the corrections", "optimizers",
      "step = self.learning_rate * np.sqrt(1.0 - self.beta_2 ** self.t) / (1.0 - self.beta_1 ** self.t)",
      "step = self.learning_rate * np.sqrt(1.0 - self.beta_1 ** self.t) / (1.0 - self.beta_2 ** self.t)",
      "optimizers.Adam.change", "beta_1 and beta_2 swapped"),
    M("keras hidden layer started with he_normal", "keras_mlp", 'keras.layers.Dense(hidden, activation="relu"),',
      'keras.layers.Dense(hidden, activation="relu", kernel_initializer="he_normal"),', "keras_mlp.build_model",
      "not Keras' default start"),
    M("sigmoid from tanh without the half", "activations", "return 1.0 / (1.0 + tf.exp(-z))", "return (1.0 + tf.tanh(z)) / 2.0",
      "activations.sigmoid", "tanh(z/2) belongs"),
    M("adam ε inside the root", "optimizers", "return step * self.m / (tf.sqrt(self.v) + self.epsilon)",
      "return step * self.m / tf.sqrt(self.v + self.epsilon)", "optimizers.Adam.change", "ε inside the root"),
    M("workshop accuracy as an integer mean", "softmax_network",
      "tf.reduce_mean(tf.cast(predicted == tf.cast(labels, tf.int64), tf.float64))",
      "tf.cast(tf.reduce_mean(tf.cast(predicted == tf.cast(labels, tf.int64), tf.int64)), tf.float64)",
      "softmax_network.accuracy", "an integer mean"),
    M("cost squares the sum", "backprop", "return tf.reduce_sum(tf.square(tf.convert_to_tensor(actual) - desired))",
      "return tf.square(tf.reduce_sum(tf.convert_to_tensor(actual) - desired))", "backprop.cost", "the square of the sum"),
    M("cost_partial times w", "backprop", "return 2.0 * (a * w - desired) * a", "return 2.0 * (a * w - desired) * w",
      "backprop.cost_partial", "the inner derivative w, not a"),
    M("descend records the cost", "backprop", "        outputs.append(float(a * w))",
      "        outputs.append(float(cost(a * w, desired)))", "backprop.descend", "the cost, not the output"),
    M("descend takes the partial once", "backprop",
      "    for _ in range(steps):\n        w = update(w, cost_partial(a, w, desired), learning_rate)",
      "    gradient = cost_partial(a, w, desired)\n    for _ in range(steps):\n        w = update(w, gradient, learning_rate)",
      "backprop.descend", "the first step's partial used at every step"),
    M("step answers -1 below the threshold", "perceptron", "return 1.0 if a > 0 else 0.0", "return 1.0 if a > 0 else -1.0",
      "perceptron.step_fn", "−1, not 0"),
    M("parameter_count counts the variables", "mlp", "return int(sum(tf.size(v) for v in model.weights + model.biases))",
      "return len(model.weights + model.biases)", "mlp.parameter_count", "the number of variables"),
    M("training_loop keeps the last batch's loss", "training", "epoch_losses.append(float(np.mean(batch_losses)))",
      "epoch_losses.append(float(batch_losses[-1]))", "training.training_loop", "the last batch's loss"),
    M("kfold variance of the errors", "evaluation", '"variance": float(np.var(accuracies)),', '"variance": float(np.var(errors)),',
      "evaluation.kfold", "the variance of the errors"),
    M("fold_indices as a generator", "evaluation", "return [(np.concatenate(folds[:i] + folds[i + 1:]), test) for i, test in enumerate(folds)]",
      "return ((np.concatenate(folds[:i] + folds[i + 1:]), test) for i, test in enumerate(folds))", "evaluation.fold_indices",
      "has no length"),
    M("compile_step's signature given positionally", "speed", "@tf.function(input_signature=signature)", "@tf.function(signature)",
      "speed.compile_step", "give the signature by name"),
    M("loss from Keras' tf.keras.losses", "training", "return tf.reduce_mean(tf.square(predicted - desired))",
      "return tf.keras.losses.mean_squared_error(desired, predicted)", "training.loss",
      "one number per row anyway"),
    # the core track's fresh trial of 2026-12-07 (evening): wrong or partial first messages
    M("every layer fed the network's input", "mlp", "            x = self.activation(x @ w + b)\n        return x",
      "            h = self.activation(x @ w + b)\n        return h", "mlp.MLP.__call__", "the output of the layer before it"),
    M("train rebinds the variable", "training", "variable.assign_sub(learning_rate * gradient)",
      "variable = variable - learning_rate * gradient", "training.train", "only binds a new tensor"),
    M("train runs the forward pass outside the tape", "training",
      "    with tf.GradientTape() as tape:\n        batch_loss = loss(model(x_batch), y_batch)",
      "    predicted = model(x_batch)\n    with tf.GradientTape() as tape:\n        batch_loss = loss(predicted, y_batch)",
      "training.train", "must both run inside"),
    M("compile_step's y spec as wide as x", "speed", "tf.TensorSpec((None, n_out), tf.float32)]",
      "tf.TensorSpec((None, n_in), tf.float32)]", "speed.compile_step", "the width of its own tensor"),
    M("compile_step returns .numpy()", "speed", "return step(model, x_batch, y_batch, learning_rate)",
      "return step(model, x_batch, y_batch, learning_rate).numpy()", "speed.compile_step", "return the tensor itself"),
    M("perceptron without the step", "perceptron", "return tf_step_fn(x @ self.weights + self.biases)",
      "return x @ self.weights + self.biases", "perceptron.Perceptron.__call__", "the weighted sum, without the step"),
    M("perceptron sum without keepdims", "perceptron", "return tf_step_fn(x @ self.weights + self.biases)",
      "return tf_step_fn(tf.reduce_sum(x * tf.transpose(self.weights), axis=1) + self.biases)",
      "perceptron.Perceptron.__call__", "without keepdims=True"),
    M("folds as (test, train)", "evaluation", "return [(np.concatenate(folds[:i] + folds[i + 1:]), test) for",
      "return [(test, np.concatenate(folds[:i] + folds[i + 1:])) for", "evaluation.fold_indices",
      "(test, train) pairs, not (train, test)"),
    M("descend records the output before the update", "backprop",
      "        w = update(w, cost_partial(a, w, desired), learning_rate)\n        weights.append(float(w))\n"
      "        outputs.append(float(a * w))",
      "        outputs.append(float(a * w))\n        w = update(w, cost_partial(a, w, desired), learning_rate)\n"
      "        weights.append(float(w))", "backprop.descend", "the output of the weight before the update"),
    M("backward without the hidden layers' sigmoid derivative", "backprop",
      "delta = (delta @ tf.transpose(weights[layer])) * below * (1.0 - below)",
      "delta = delta @ tf.transpose(weights[layer])", "backprop.backward", "without the hidden layer's a·(1 − a)"),
    # the third fresh trial's mistakes that no message named before
    M("tanh′ of z squared", "activations", "return 1.0 - tf.square(tanh(z))", "return 1.0 - tanh(tf.square(z))",
      "activations.tanh_prime", "1 − tanh(z²), not 1 − tanh(z)²"),
    M("leaky relu gives alpha, not alpha·z", "activations", "return tf.where(z > 0, z, alpha * z)",
      "return tf.where(z > 0, z, alpha * tf.ones_like(z))", "activations.leaky_relu", "alpha, not alpha·z"),
    M("leaky relu′ adds alpha", "activations", "return tf.where(z > 0, tf.ones_like(z), alpha * tf.ones_like(z))",
      "return tf.where(z > 0, tf.ones_like(z), tf.zeros_like(z)) + alpha", "activations.leaky_relu_prime",
      "alpha added on both sides"),
    M("elu without its parentheses", "activations", "alpha * (tf.exp(tf.minimum(z, 0.0)) - 1.0))",
      "alpha * tf.exp(tf.minimum(z, 0.0)) - 1.0)", "activations.elu", "not alpha·(e^z − 1)"),
    M("softmax cross-entropy by sigmoid's", "activations",
      "return tf.reduce_mean(-tf.reduce_sum(labels * log_softmax, axis=-1))",
      "return tf.reduce_mean(tf.reduce_sum(tf.nn.sigmoid_cross_entropy_with_logits(labels, logits), axis=-1))",
      "activations.softmax_cross_entropy", "a sigmoid cross-entropy"),
    M("softmax cross-entropy by sigmoid's mean of every element", "activations",
      "return tf.reduce_mean(-tf.reduce_sum(labels * log_softmax, axis=-1))",
      "return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels, logits))",
      "activations.softmax_cross_entropy", "a sigmoid cross-entropy's mean over every element"),
    M("Adagrad adds 2·g for g²", "optimizers", "self.accumulator = self.accumulator + tf.square(gradient)",
      "self.accumulator = self.accumulator + gradient * 2", "optimizers.Adagrad.change", "never negative"),
    M("RMSprop averages 2·g for g²", "optimizers", "(1.0 - self.rho) * tf.square(gradient)",
      "(1.0 - self.rho) * gradient * 2", "optimizers.RMSprop.change", "never negative"),
    M("Adam's m averaged with beta_2", "optimizers", "self.m = self.beta_1 * self.m + (1.0 - self.beta_1) * gradient",
      "self.m = self.beta_2 * self.m + (1.0 - self.beta_2) * gradient", "optimizers.Adam.change", "m averaged with beta_2"),
    M("compare trains exercise 9's network in batches of 32", "keras_mlp", ".batch(100)", ".batch(32)", "keras_mlp.compare",
      "wrong batch size"),
    M("from_sizes drops its activation", "softmax_network", "return cls(weights, biases, activation)",
      "return cls(weights, biases)", "softmax_network.SoftmaxNetwork.from_sizes", "activation ignored"),
    M("train_step rebinds its variables", "softmax_network", "variable.assign_sub(learning_rate * gradient)",
      "variable = variable - learning_rate * gradient", "softmax_network.train_step", "no variable moved"),
    M("relu′ with NumPy's where", "activations", "return tf.where(z > 0, tf.ones_like(z), tf.zeros_like(z))",
      "return np.where(z > 0, 1.0, 0.0)", "activations.relu_prime", "use the TensorFlow operation of the same name"),
    M("cross-entropy with labels and logits swapped", "softmax_network",
      "tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=logits)",
      "tf.nn.softmax_cross_entropy_with_logits(logits, y)", "softmax_network.cross_entropy", "labels and logits swapped"),
    M("train_step ignores its loss", "softmax_network", "value = loss(model(x_batch), y_batch)",
      "value = cross_entropy(model(x_batch), y_batch)", "softmax_network.train_step", "the loss it is given ignored"),
    M("parameter count with biases for the inputs", "mlp",
      "return int(sum(tf.size(v) for v in model.weights + model.biases))",
      "sizes = [w.shape[0] for w in model.weights] + [model.weights[-1].shape[1]]\n"
      "    return sum(a * b for a, b in zip(sizes, sizes[1:])) + sum(sizes)", "mlp.parameter_count", "biases for the inputs too"),
]


def _reports(args: list[str], *plugins) -> list:
    class Collect:
        def __init__(self):
            self.reports = []

        def pytest_runtest_logreport(self, report):
            if report.failed:
                self.reports.append(report)

    collect = Collect()
    run_suite(args, collect, *plugins)
    return collect.reports


def judge(mistake: Mistake, package: Path, seeds) -> dict:
    """Plant one mistake in the package and run both suites on its exercise (the hidden one once
    per grading seed)."""
    for path in package.glob("*.py"):
        path.unlink()
    for path in SOLUTIONS.glob("*.py"):
        shutil.copy(path, package)
    module = package / f"{mistake.module}.py"
    source = module.read_text(encoding="utf-8")
    assert source.count(mistake.old) == 1, f"{mistake.name}: the text to replace is not in {module.name} exactly once"
    module.write_text(source.replace(mistake.old, mistake.new), encoding="utf-8")
    for name in [m for m in sys.modules if m == package.name or m.startswith(package.name + ".")]:
        del sys.modules[name]
    linecache.clearcache()  # tf.function's AutoGraph reads the source: this mistake's, not the last one's
    order = [region.task for region in all_regions()]
    exercise = mistake.task.split(".")[0]
    os.environ["KIT_TARGET"] = package.name
    # the self-checks of the exercise's tasks up to the mistake's own, to the first failure: later
    # ones cannot fail first (a self-check file lists its tasks in the order of the solution's)
    upto = [task for task in order[:order.index(mistake.task) + 1] if task.startswith(exercise + ".")]
    visible = _reports([str(KIT / "exercises" / f"test_{exercise}.py"), "-x", *(f"--task={task}" for task in upto)])
    failing = sorted({getattr(r, "task", "?") for r in visible}, key=lambda t: order.index(t) if t in order else len(order))
    first = next((r.longreprtext for r in visible if getattr(r, "task", "") == failing[0]), "") if failing else ""
    missed = [seed for seed in seeds if not [  # a check that fails as the grader's fault catches nothing
        r for r in _reports([str(HIDDEN / f"test_{exercise}.py"), "-x", "--submission", package.name, "--in-process",
                             "--grading-seed", str(seed)], OwnTaskFirst(mistake.task))
        if not r.longreprtext.startswith(GRADER_FAULT)]]
    return {"mistake": mistake.name, "task": mistake.task, "failing": failing, "first": first,
            "hidden_missed": missed, "named": bool(mistake.names) and mistake.names in first}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.kit.corpora.mistakes", description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2021, help="the first grading seed")
    parser.add_argument("--seeds", type=int, default=1, help="grading seeds the hidden suite is run with")
    parser.add_argument("--part", type=int, nargs=2, default=(0, 1), metavar=("I", "N"),
                        help="judge only every N-th mistake from the I-th (for N processes side by side)")
    parser.add_argument("--only", action="append", default=[], metavar="NAME", help="judge only this mistake (repeatable)")
    args = parser.parse_args(argv)
    unknown = set(args.only) - {m.name for m in CORPUS}
    if unknown:
        parser.error(f"no such mistake: {', '.join(sorted(unknown))}")
    first, step = args.part
    scratch = Path(tempfile.mkdtemp(prefix="nnkit-mistakes-"))
    package = scratch / "mistake"
    package.mkdir()
    sys.path.insert(0, str(scratch))
    os.chdir(KIT)
    try:
        seeds = range(args.seed, args.seed + args.seeds)
        chosen = [m for m in CORPUS if m.name in args.only] if args.only else CORPUS
        results = [judge(mistake, package, seeds) for mistake in chosen[first::step]]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    for result in results:
        print(json.dumps(result))
    caught = sum(bool(r["failing"]) for r in results)
    right_first = sum(bool(r["failing"]) and r["failing"][0] == r["task"] for r in results)
    print(f"mistakes: {len(results)}, caught by the self-checks {caught}, right task first {right_first}, "
          f"caught by the hidden suites on all {args.seeds} seed(s) {sum(not r['hidden_missed'] for r in results)}, "
          f"misconception named {sum(r['named'] for r in results)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The mistakes the tests name, per graded function: what a failure's first line says, and its misconception.

A visible test cell names the mistakes its own cases would show (``{M.g0: the value that mistake gives}``);
the hidden tests' answer key (never released) gives each one a wrong implementation, which the variant
catalogues use too. The names are no secret: they are what a student reads when a test fails.
"""

from math import erf, exp, pi, sqrt
from types import SimpleNamespace

from .checks import Mistake
from .samples import rule_mistakes, weight_mistakes

# ---------------------------------------------------------------- 01_symmetry_breaking
COUNT_DISTINCT_UNITS = SimpleNamespace(
    atol_ignored=Mistake("atol was ignored: rows within atol of each other are one unit", "tolerance"),
    rounding=Mistake("rounding is no tolerance: compare the largest difference with atol", "tolerance"),
    norm=Mistake("atol was compared with the norm, not the largest entry difference", "tolerance"),
    columns=Mistake("the columns were counted, not the rows (one row per unit)", "transposed"),
    default_atol=Mistake("the default 1e-6 was used instead of the atol argument", "tolerance"),
    negative=Mistake("a row and its negative were counted as one unit"),
    every_row=Mistake("every row was counted, equal ones too: count the distinct rows", "symmetry"),
    allclose=Mistake("np.allclose adds a relative tolerance rtol·|b|: pass rtol=0", "tolerance"),
)

# ---------------------------------------------------------------- 02_exploding_vanishing
SCALED_IDENTITY_CHAIN = SimpleNamespace(
    full=Mistake("the matrices are full of scale; scale * I_n is 0 off the diagonal"),
    squared=Mistake("the matrices are scale**2 * I_n: multiply by scale once"),
    unscaled=Mistake("the identity was not multiplied by scale"),
)

LINEAR_CHAIN_FORWARD = SimpleNamespace(
    transposed=Mistake("multiplied by W^[l].T: the forward pass is W^[l] @ a^[l-1]", "transposed"),
    reversed=Mistake("the layers were applied in reversed order: weights[0] is W^[1]", "layer-indexing"),
    unchained=Mistake("each a^[l] was computed from x: chain them (W^[l] @ a^[l-1])", "layer-indexing"),
)

LINEAR_CHAIN_BACKWARD = SimpleNamespace(
    untransposed=Mistake("the transpose is missing: da^[l-1] = W^[l].T @ da^[l]", "transposed"),
    reversed=Mistake("the list is reversed: it starts with da0, the input side", "layer-indexing"),
    forward_walk=Mistake("the layers were taken in the wrong order: start with W^[L]", "layer-indexing"),
)

RANDOM_MATRIX_PRODUCT = SimpleNamespace(
    left=Mistake("the factors multiply on the left (G @ P); multiply on the right"),
    std_squared=Mistake("std**2 scaled the factors; std is their standard deviation", "variance-as-std"),
    reversed=Mistake("the factors were multiplied in reversed order: M @ G1 @ G2"),
    no_std=Mistake("std was ignored: multiply each factor by std"),
    elementwise=Mistake("the factors were multiplied entry by entry (*): use M @ G1 @ G2"),
)

SIGMOID_DERIVATIVE = SimpleNamespace(
    sigma=Mistake("sigma(z) itself was returned, not sigma(z) * (1 - sigma(z))", "activation"),
    tanh=Mistake("tanh's derivative was returned, not sigma(z) * (1 - sigma(z))", "activation"),
    plus=Mistake("sigma * (1 + sigma) was returned, not sigma * (1 - sigma)", "activation"),
    overflow=Mistake("NaN at |z| = 1000: exp(-z) overflows to inf, and inf/inf is nan", "finite",
                     "Compute sigma(z) first, then sigma * (1 - sigma); or use exp(-|z|), which never overflows."),
)

# ---------------------------------------------------------------- 03_xavier_derivation
VARIANCE_OF_PRODUCT = SimpleNamespace(
    no_cross=Mistake("the cross terms E[X]²·Var(Y) and Var(X)·E[Y]² are missing", "variance-algebra"),
    means=Mistake("the cross terms have the means, not their squares", "variance-algebra"),
    second_moment=Mistake("E[X]²·E[Y]² was added: that makes E[(XY)²], not the variance", "variance-algebra"),
    own_variance=Mistake("each mean was paired with its own variance in the cross terms", "variance-algebra"),
    no_product=Mistake("the term Var(X)·Var(Y) is missing", "variance-algebra"),
    added=Mistake("the variances were added instead of multiplied", "variance-algebra"),
)

LINEAR_OUTPUT_VARIANCE = SimpleNamespace(
    no_fan_in=Mistake("the factor fan_in is missing: the sum has fan_in terms", "variance-algebra"),
    no_var_in=Mistake("the factor var_in is missing", "variance-algebra"),
    no_var_w=Mistake("the factor var_w is missing", "variance-algebra"),
    fan_in_squared=Mistake("fan_in is squared: the sum has fan_in terms, each var_w·var_in", "variance-algebra"),
    root=Mistake("a square root was taken: variances add, not stds", "variance-as-std"),
    added=Mistake("the factors were added instead of multiplied", "variance-algebra"),
)

FORWARD_VARIANCES = SimpleNamespace(
    fan_out=Mistake("n_l multiplies v_l; it is n_{l-1}, the fan-in of layer l", "fans-swapped"),
    halved_first=Mistake("the ReLU halving was applied at layer 1 too (x is no ReLU output)", "relu-half"),
    not_halved=Mistake("the ReLU halving E[ReLU(z)²] = Var(z)/2 was skipped", "relu-half"),
    halved_always=Mistake("the halving Var(z)/2 was applied for tanh/linear: only ReLU halves", "relu-half"),
    no_input_var=Mistake("input_var was ignored"),
)

MEASURE_FORWARD_VARIANCES = SimpleNamespace(
    ddof=Mistake("ddof=1: np.var's ddof=0 is meant", "population-variance",
                 "The variance of the course is the population variance, np.var's default."),
    rows=Mistake("the rows' variances were averaged", "population-variance", "Take np.var over every entry of z^[l]."),
    columns=Mistake("the columns' variances were averaged", "population-variance",
                    "Take np.var over every entry of z^[l]."),
    var_of_a=Mistake("the variance of a^[l] = g(z^[l]) was taken, not of z^[l]", "activation"),
    no_bias=Mistake("the biases b^[l] were left out of z^[l]"),
    g_first=Mistake("g was applied to X before layer 1", "activation", "a^[0] = x, as it is."),
    skip_last=Mistake("g was not applied after every layer", "activation"),
    tanh_used=Mistake("the activation was ignored (tanh used)", "activation"),
    none_applied=Mistake("the activation was ignored (none applied)", "activation"),
    skip_first=Mistake("g was not applied after layer 1", "activation"),
    relu_used=Mistake("the activation was ignored (ReLU used)", "activation"),
)

# ---------------------------------------------------------------- 04_he_relu
RELU = SimpleNamespace(
    absolute=Mistake("|z| was returned; ReLU sets the negative entries to 0", "activation"),
    derivative=Mistake("the derivative (z > 0) was returned, not max(0, z)", "activation"),
    leaky=Mistake("a leaky ReLU was used: max(0, z) is 0 for z < 0", "activation"),
    minimum=Mistake("min(0, z) was returned, not max(0, z)", "activation"),
)

RELU_SECOND_MOMENT = SimpleNamespace(
    variance=Mistake("Var(ReLU(z)) was returned; the next layer needs E[ReLU(z)²]", "relu-half"),
    no_half=Mistake("the halving is missing: ReLU sets half of the entries to 0", "relu-half"),
    std=Mistake("the std was used: the second moment is in the units of var_z", "variance-as-std"),
    quarter=Mistake("the factor is 1/4: ReLU keeps z², not (z/2)², where z > 0", "relu-half"),
    squared_mean=Mistake("the squared mean E[ReLU(z)]² was returned, not E[ReLU(z)²]", "relu-half"),
)

BACKWARD_VARIANCES = SimpleNamespace(
    fan_in=Mistake("n_{l-1} multiplies v_l; the backward sum has n_l terms", "fans-swapped"),
    not_halved=Mistake("the ReLU factor 1/2 was left out (E[g'(z)²] = P(z > 0) = 1/2)", "relu-half"),
    halved_always=Mistake("the factor 1/2 was applied for tanh/linear: only ReLU halves", "relu-half"),
    halved_last=Mistake("the output entry was halved too: entry L is output_grad_var", "relu-half"),
    v_shift=Mistake("the step to layer l-1 used v_{l-1}; it is v_l = weight_vars[l-1]", "layer-indexing"),
    reversed=Mistake("the list is in backward order: entry l-1 is Var(dz^[l])", "layer-indexing"),
    no_output_var=Mistake("output_grad_var was ignored (taken as 1)"),
)

MEASURE_BACKWARD_VARIANCES = SimpleNamespace(
    g0=Mistake("g'(0) was taken as 1 (z >= 0); use z > 0", "activation"),
    no_gprime=Mistake("the factor g'(z) is missing: dz^[l-1] = da^[l-1] * g'(z)", "activation"),
    var_da=Mistake("the variance of da was recorded, not of dz = da * g'(z)", "activation"),
    reversed=Mistake("the list is in backward order (layer L first)", "layer-indexing"),
    ddof=Mistake("ddof=1: np.var's ddof=0 is meant", "population-variance"),
    no_bias=Mistake("the biases were left out of the forward pass"),
    g_first=Mistake("g was applied to X before layer 1", "activation"),
    gprime_top=Mistake("g' was applied to grad_output too", "activation"),
    tanh_of_a=Mistake("tanh' was taken at a = tanh(z), not at z", "activation"),
    relu_used=Mistake("the activation was ignored (ReLU used)", "activation"),
    tanh_used=Mistake("the activation was ignored (tanh used)", "activation"),
)

# ---------------------------------------------------------------- 05_uniform_bound
UNIFORM_VARIANCE = SimpleNamespace(
    zero_to_a=Mistake("a²/12 is the variance of U(0, a); U(-a, a) has length 2a", "uniform-vs-normal"),
    not_squared=Mistake("a/3: the bound a must be squared", "uniform-vs-normal"),
    std=Mistake("sqrt(a²/3) is the standard deviation, not the variance", "variance-as-std"),
    density=Mistake("a²: the density 1/(2a) (or the division by 3) was left out", "uniform-vs-normal"),
    half=Mistake("a²/2: the integral of x² is x³/3, and the density is 1/(2a)", "uniform-vs-normal"),
    twice=Mistake("a²/6: the integral over (-a, a) is twice that over (0, a)", "uniform-vs-normal"),
    length=Mistake("(2a)²/3: a is half the interval's length, not all of it", "uniform-vs-normal"),
)

UNIFORM_BOUND = SimpleNamespace(
    std=Mistake("the std sqrt(variance) is not the bound: a = sqrt(3) · std", "uniform-vs-normal"),
    no_root=Mistake("the square root is missing: a² = 3 · variance", "variance-as-std"),
    numerator=Mistake("sqrt(variance / 3): the 3 belongs in the numerator", "uniform-vs-normal"),
    glorot_6=Mistake("sqrt(6 · variance) takes Glorot's 6 for the 3 of a²/3", "uniform-vs-normal"),
    length=Mistake("sqrt(12 · variance) takes L²/12 with L = a; the length is 2a", "uniform-vs-normal"),
    only_3=Mistake("3 · sqrt(variance): the 3 goes inside the square root", "variance-as-std"),
)

VARIANCE_SCALING = SimpleNamespace(
    scale_ignored=Mistake("the scale was ignored"),
    scale_std=Mistake("the scale multiplies the std; it multiplies the variance", "variance-as-std",
                      "The standard deviation is sqrt(scale / n)."),
    fan_sum=Mistake("fan_avg is the average (n_in + n_out) / 2, not the sum"),
    no_correction=Mistake("the 0.8796 correction is missing: cut N(0, v) has 0.774·v", "truncated-normal"),
    clipped=Mistake("values beyond ±2 std were clipped, not redrawn", "truncated-normal"),
    cut_off=Mistake("s or the cut is off: s = sqrt(scale/n) / 0.8796, cut at ±2 s", "truncated-normal",
                    "Divide the standard deviation (not the variance) by 0.8796, and cut at ±2 s, not at "
                    "±2·sqrt(scale/n)."),
    multiplied=Mistake("the std was multiplied by 0.8796 instead of divided", "truncated-normal"),
    double_bound=Mistake("the bound sqrt(6 · scale/n) doubles the variance", "uniform-vs-normal",
                         "U(-a, a) with variance scale/n has a = sqrt(3 · scale/n)."),
)


def variance_scaling_mistakes(n_in, n_out, scale, mode, distribution):
    """{Mistake: the variance it gives} for variance_scaling(n_in, n_out, scale, mode, distribution)."""
    fans = {"fan_in": lambda i, o: i, "fan_out": lambda i, o: o, "fan_avg": lambda i, o: (i + o) / 2}
    n, c, m = fans[mode](n_in, n_out), 0.87962566103423978, VARIANCE_SCALING
    v = scale / n
    cut = 2 * c  # a standard normal cut at ±2c keeps the variance below
    named = {m.scale_ignored: 1 / n, m.scale_std: scale ** 2 / n, m.fan_sum: scale / (n_in + n_out),
             Mistake(f"mode {mode!r} used n_in (the fan-in), not n_{mode[4:]}", "fans-swapped"): scale / n_in,
             Mistake(f"mode {mode!r} used n_out (the fan-out), not n_{mode[4:]}", "fans-swapped"): scale / n_out}
    if distribution == "truncated_normal":
        named.update({m.no_correction: v * c ** 2, m.multiplied: v * c ** 4,
                      m.clipped: v / c ** 2 * (c ** 2 * erf(sqrt(2)) + 4 * (1 - erf(sqrt(2)))),
                      m.cut_off: v / c ** 2 * (1 - 2 * cut * exp(-cut * cut / 2) / sqrt(2 * pi) / erf(cut / sqrt(2)))})
    if distribution == "uniform":
        named[m.double_bound] = 2 * v
    return weight_mistakes(lambda a, b: scale / fans[mode](a, b), n_in, n_out,
                           "uniform" if distribution == "uniform" else "normal", named)


def sparse_mistakes(std, k):
    """{Mistake: the variance of the non-zero values it gives} for sparse_init(..., k, std)."""
    return {Mistake("std² was used as the standard deviation (a missing square root)", "variance-as-std"): std ** 4,
            Mistake("the values were not multiplied by std"): 1.0,
            Mistake("the values were also divided by sqrt(k)"): std ** 2 / k,
            Mistake("uniform values U(-std, std) instead of N(0, std²)", "uniform-vs-normal"): std ** 2 / 3}

# ---------------------------------------------------------------- 06_training_playground
INITIALIZE_NETWORK = SimpleNamespace(
    small_as_variance=Mistake('0.01 was used as the variance; it is the std of "small"', "variance-as-std"),
    small_variance_as_std=Mistake('1e-4 was used as the std; it is the variance of "small"', "variance-as-std"),
    small_took_large=Mistake('the scale 10 of "large" was used for "small"'),
    large_as_variance=Mistake('10 was used as the variance; it is the std of "large"', "variance-as-std"),
    large_variance_as_std=Mistake('100 was used as the std; it is the variance of "large"', "variance-as-std"),
    large_one=Mistake('1 was used instead of 10 for "large"'),
    large_took_small=Mistake('the scale 0.01 of "small" was used for "large"'),
    input_size=Mistake("the input size n_0 was used as the fan-in of every layer", "layer-indexing",
                       "Layer l has fan-in n_{l-1}."),
    zeros=Mistake('"zeros": every W should be 0, and the biases are 0 for every method'),
    biases=Mistake("the biases should be 0, whatever the method"),
)


def initialize_network_mistakes(method, n_in, n_out, n0):
    """{Mistake: the variance it gives} for layer (n_in -> n_out) of initialize_network(..., method); n0: the
    input size of the network."""
    m = INITIALIZE_NETWORK
    if method == "small":
        return weight_mistakes(lambda i, o: 1e-4, n_in, n_out, named={
            m.small_as_variance: 0.01, m.small_variance_as_std: 1e-8, m.small_took_large: 100.0})
    if method == "large":
        return weight_mistakes(lambda i, o: 100.0, n_in, n_out, named={
            m.large_as_variance: 10.0, m.large_variance_as_std: 1e4, m.large_one: 1.0, m.large_took_small: 1e-4})
    first = {m.input_size: 2 / n0} if method == "he" else {}
    return {**first, **rule_mistakes({"xavier": "glorot", "he": "he"}[method], n_in, n_out)}


CLIP_BY_GLOBAL_NORM = SimpleNamespace(
    per_array=Mistake("each array was clipped on its own: use ONE norm over every entry", "global-norm"),
    per_entry=Mistake("each entry was clipped (np.clip), which turns the direction", "global-norm",
                      "Multiply every array by the same factor min(1, max_norm / global norm)."),
    no_sqrt=Mistake("the global norm is missing its square root", "global-norm"),
    scaled_up=Mistake("small gradients were scaled up: use min(1, max_norm / norm)", "global-norm"),
    weights_only=Mistake("only the dW arrays entered the norm: the db count too", "global-norm"),
    sum_of_norms=Mistake("the arrays' norms were added up: sqrt(|dW1|² + |db1|² + ...)", "global-norm"),
    zero_norm=Mistake("all-zero gradients: a division by the global norm 0", "finite",
                      "When the global norm is at most max_norm the factor is 1: nothing needs dividing."),
)

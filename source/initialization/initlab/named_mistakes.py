"""The mistakes the tests name, per graded function: what a failure's first line says, and its misconception.

A visible test cell names the mistakes its own cases would show (``{M.g0: the value that mistake gives}``);
the hidden tests' answer key (never released) gives each one a wrong implementation, which the variant
catalogues use too. The names are no secret: they are what a student reads when a test fails.
"""

from types import SimpleNamespace

from .checks import Mistake

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

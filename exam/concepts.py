"""Conceptual exam questions with model answers; a practice exam draws a few of them.

Each entry is ``(question, model answer, chapter label)``; the text is MyST markdown. No numbers
here need computing: the ones that appear are exact (e.g. the maximum of the sigmoid's
derivative, 1/4).
"""

CONCEPTS = [
    ("What is the difference between a loss and a cost? Give the formula that links them.",
     "A loss measures the error of **one** prediction, $\\ell(y_i, \\hat y_i)$; the cost is the mean "
     "(or sum) over the data set, $J = \\frac1N\\sum_i \\ell(y_i, \\hat y_i)$. The optimizer minimizes "
     "the cost; its gradient is the mean of the per-sample gradients.",
     "chap-loss-vs-cost"),
    ("Why is MSE sensitive to outliers while MAE is not? Where does Huber sit between them?",
     "MSE's gradient $2(\\hat y - y)$ grows with the residual, so one large residual dominates the "
     "update; MAE's gradient is $\\pm1$ whatever the residual. Huber is quadratic for "
     "$|d| \\le \\delta$ (MSE-like, smooth at the minimum) and linear beyond (MAE-like, gradient capped "
     "at $\\pm\\delta$).",
     "chap-regression-losses"),
    ("Why does binary cross-entropy punish a confident wrong prediction so hard, and what does MSE do "
     "with the same prediction?",
     "For $y = 1$, $L = -\\log\\hat y \\to \\infty$ as $\\hat y \\to 0$; with a sigmoid output the "
     "gradient with respect to the logit is $\\hat y - y$, close to $-1$, so learning is fast. With MSE "
     "on a sigmoid the gradient carries $\\sigma'(z) \\approx 0$ and learning stalls.",
     "chap-classification-losses"),
    ("What does label smoothing change in the target, and why is it used?",
     "The one-hot target $y$ becomes $(1-\\varepsilon)y + \\varepsilon/C$. The loss is then minimized "
     "by finite logits, so the model is kept from becoming over-confident.",
     "chap-classification-losses"),
    ("Hinge loss is zero for some correctly classified points. Which ones, and what does that mean "
     "for their gradient?",
     "$\\max(0, 1 - y\\hat y)$ is zero when the margin $y\\hat y \\ge 1$: those points are correct with "
     "a margin, contribute no gradient, and do not move the decision boundary.",
     "chap-margins-divergences"),
    ("Is the KL divergence a distance? Explain with its formula.",
     "$D_{KL}(P\\|Q) = \\sum_x P(x)\\log\\frac{P(x)}{Q(x)} \\ge 0$, zero only for $P = Q$, but it is not "
     "symmetric ($D_{KL}(P\\|Q) \\ne D_{KL}(Q\\|P)$ in general) and has no triangle inequality: a "
     "divergence, not a distance.",
     "chap-margins-divergences"),
    ("What happens when the learning rate is too small, and when it is too large?",
     "Too small: every step is tiny and training is slow (it may stop before reaching the minimum). "
     "Too large: the steps overshoot the minimum, the loss oscillates or diverges (for $f = "
     "\\frac{a}{2}\\theta^2$, gradient descent diverges when $\\eta > 2/a$).",
     "chap-optimization-basics"),
    ("Compare batch gradient descent, SGD and mini-batch gradient descent.",
     "Batch GD uses all $N$ samples per update: exact gradient, smooth but one update per epoch. SGD uses "
     "one sample: $N$ noisy, cheap updates per epoch. Mini-batch uses $m$ samples: less noise than SGD, "
     "vectorized on a GPU; the usual choice.",
     "chap-gd-variants"),
    ("The exam notes write momentum as $v_t = \\beta v_{t-1} + \\eta g_t$, $\\theta \\leftarrow \\theta - v_t$; "
     "PyTorch as $b_t = \\mu b_{t-1} + g_t$, $\\theta \\leftarrow \\theta - \\eta b_t$. When do they agree?",
     "With a constant learning rate $v_t = \\eta b_t$, so the updates are identical. When $\\eta$ changes "
     "(a schedule), the notes' $v$ keeps old steps scaled by old learning rates while PyTorch scales the "
     "whole buffer by the current one: the trajectories differ.",
     "chap-momentum"),
    ("What does Nesterov momentum do differently from classical momentum?",
     "It evaluates the gradient at the look-ahead point $\\theta - \\eta\\mu b$ (PyTorch's equivalent "
     "form: $\\theta \\leftarrow \\theta - \\eta(g + \\mu b)$), so it corrects a step that would "
     "overshoot before taking it.",
     "chap-momentum"),
    ("How do AdaGrad and RMSprop scale the learning rate per parameter, and why does AdaGrad's step "
     "shrink forever?",
     "Both divide by the root of accumulated squared gradients. AdaGrad sums them, $G_t = \\sum g^2$, so "
     "$\\eta/\\sqrt{G_t}$ only decreases; RMSprop uses a moving average $v_t = \\alpha v_{t-1} + "
     "(1-\\alpha)g_t^2$, which forgets old gradients.",
     "chap-adaptive"),
    ("What problem does Adam's bias correction fix?",
     "$m$ and $v$ start at zero, so early averages are biased towards zero: $E[m_t] = (1-\\beta_1^t)E[g]$ "
     "and $E[v_t] = (1-\\beta_2^t)E[g^2]$. Dividing by $1-\\beta^t$ removes the bias. Without it the first "
     "steps would be too large, not too small: $v$'s bias, under a square root in the denominator, outweighs "
     "$m$'s; the first step would be $m_1/\\sqrt{v_1} = 0.1\\,g/(\\sqrt{0.001}\\,|g|) = \\sqrt{10}$ "
     "times $\\eta$ instead of $\\eta$.",
     "chap-adaptive"),
    ("Why would you decay the learning rate, and what are warm restarts for?",
     "Early on a large rate makes fast progress; near a minimum it makes the iterates bounce, so decay "
     "(step, exponential, cosine) lets them settle. Warm restarts jump back to a large rate periodically "
     "to leave a sharp region and explore, then anneal again.",
     "chap-lr-schedules"),
    ("Why can deep sigmoid networks learn slowly in their first layers?",
     "Each layer multiplies the backward signal by $\\sigma'(z) \\le 1/4$ (and by weights); over many "
     "layers the product shrinks geometrically: vanishing gradients.",
     "chap-backprop-matrix"),
    ("List the four steps of one training iteration and what each needs from the others.",
     "Forward pass (activations, kept for later), loss, backward pass (the chain rule, using the kept "
     "activations, gives every parameter's gradient), update (the optimizer uses the gradients); then "
     "zero the gradients and repeat.",
     "chap-training-cycle"),
    ("How do you check that a backward pass is correct?",
     "A gradient check: compare each analytic gradient with the central difference "
     "$(L(\\theta + h) - L(\\theta - h))/(2h)$; the relative error should be tiny (about $10^{-7}$ or less "
     "in double precision).",
     "chap-worked-example"),
]

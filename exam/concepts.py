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
     "a margin. Beyond it ($y\\hat y > 1$) they contribute no gradient and do not move the decision "
     "boundary; exactly on it ($y\\hat y = 1$, the kink) any value between $-y$ and $0$ is a subgradient, "
     "and `nnlib` takes $0$.",
     "chap-margins-divergences"),
    ("Is the KL divergence a distance? Explain with its formula.",
     "$D_{KL}(P\\|Q) = \\sum_x P(x)\\log\\frac{P(x)}{Q(x)} \\ge 0$, zero only for $P = Q$, but it is not "
     "symmetric ($D_{KL}(P\\|Q) \\ne D_{KL}(Q\\|P)$ in general) and need not satisfy the triangle "
     "inequality: a "
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
    ("The exam notes write momentum as $v_t = \\beta v_{t-1} + \\eta g_t$, "
     "$\\theta \\leftarrow \\theta - v_t$; "
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
     "Each layer multiplies the backward signal by $\\sigma'(z) \\le 1/4$ and by its weights; unless the "
     "weights are large enough to make up for it (a factor $\\lvert w\\rvert\\sigma'(z) \\ge 1$ needs "
     "$\\lvert w\\rvert \\ge 4$), the product shrinks geometrically over many layers: vanishing gradients.",
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

    # ---- added with the larger generator: at least two questions per chapter ----
    (r"Why is the cost usually the *mean* of the losses rather than their sum? Does the choice change "
     r"the minimizer?",
     r"Not the minimizer: $\frac1N\sum_i\ell_i$ and $\sum_i\ell_i$ differ by the positive factor $N$, so "
     r"they have the same minimum. The mean keeps the gradient's scale independent of $N$: with the sum "
     r"the gradient, and so the right learning rate, changes with the size of the data set. For "
     r"mini-batches the mean makes the gradient's *expected value* independent of the batch size; its "
     r"noise still shrinks with the batch size.",
     "chap-loss-vs-cost"),
    (r"A model predicts one constant $c$ for every sample. Which $c$ minimizes the MSE cost, and which "
     r"the MAE cost?",
     r"MSE: $\frac{\mathrm d}{\mathrm dc}\frac1N\sum_i (y_i - c)^2 = \frac2N\sum_i (c - y_i) = 0$ gives the "
     r"**mean** of the targets. MAE: the derivative $\frac1N\sum_i\operatorname{sign}(c - y_i)$ "
     r"is zero when as "
     r"many targets lie above $c$ as below: the **median**. One huge outlier moves the mean, not the median.",
     "chap-regression-losses"),
    (r"Huber's two pieces meet at $\lvert d\rvert = \delta$. Which piece applies there, and does it matter?",
     r"It does not matter: the quadratic piece gives $\tfrac12\delta^2$ and the linear piece "
     r"$\delta(\delta - \tfrac12\delta) = \tfrac12\delta^2$, and both slopes are $\pm\delta$. "
     r"The loss and its "
     r"derivative are continuous at the seam, so $\lvert d\rvert \le \delta$ and $\lvert d\rvert < \delta$ "
     r"(PyTorch's choice) define the same function.",
     "chap-regression-losses"),
    (r"Why do libraries compute cross-entropy from logits instead of from probabilities?",
     r"A probability computed first can round to exactly 0 or 1 in floating point, and then $\log 0 = "
     r"-\infty$. From the logit the loss is $\max(z, 0) - zy + \log(1 + e^{-\lvert z\rvert})$ (binary) or "
     r"$\operatorname{logsumexp}(z) - z_y$ (categorical): every term is finite, and the gradient "
     r"$\sigma(z) - y$ or $\operatorname{softmax}(z) - y$ comes without a division.",
     "chap-classification-losses"),
    (r"Derive $\partial L/\partial z = \hat y - y$ for a sigmoid output $\hat y = \sigma(z)$ with binary "
     r"cross-entropy.",
     r"$\partial L/\partial\hat y = -\frac{y}{\hat y} + \frac{1-y}{1-\hat y}"
     r" = \frac{\hat y - y}{\hat y(1-\hat y)}$ "
     r"and $\sigma'(z) = \hat y(1 - \hat y)$; their product is $\hat y - y$. The $\sigma'$ that would slow "
     r"learning cancels.",
     "chap-classification-losses"),
    (r"A correctly classified point has margin $y\hat y = 3$. What do the hinge loss and the logistic "
     r"(binary cross-entropy) loss do with it?",
     r"Hinge: $\max(0, 1 - 3) = 0$, zero gradient; the point no longer influences the boundary. Logistic "
     r"loss: $\log(1 + e^{-3}) \approx 0.049 > 0$ with a small nonzero gradient, so it keeps pushing every "
     r"point further out, ever more weakly.",
     "chap-margins-divergences"),
    (r"Show that minimizing the cross-entropy $H(P, Q)$ over the model's distribution $Q$ is the same as "
     r"minimizing $D_{KL}(P\Vert Q)$.",
     r"$H(P, Q) = -\sum p\log q = -\sum p\log p + \sum p\log\frac pq = H(P) + D_{KL}(P\Vert Q)$. The entropy "
     r"$H(P)$ of the data does not depend on $Q$, so both have the same minimizer and the same gradient "
     r"with respect to $Q$.",
     "chap-margins-divergences"),
    (r"Which output activation and which loss would you use to predict (a) a house price, (b) whether an "
     r"e-mail is spam, (c) which of ten digits an image shows?",
     r"(a) A linear output with MSE (Huber or MAE if the targets have outliers). (b) One sigmoid output "
     r"with binary cross-entropy. (c) Ten logits, softmax, categorical cross-entropy (computed from the "
     r"logits).",
     "chap-choosing-a-loss"),
    (r"Your regression targets contain a few gross measurement errors. Which loss do you choose and why?",
     r"Huber (or MAE): beyond $\delta$ its gradient is capped at $\pm\delta$, so a wrong target pulls the "
     r"fit no harder than any other large residual, while MSE's gradient $2d$ grows with the error and "
     r"lets the outliers dominate. Huber keeps MSE's smooth minimum for the normal residuals.",
     "chap-choosing-a-loss"),
    (r"Why does a small step against the gradient lower the cost?",
     r"To first order $J(\theta - \eta g) \approx J(\theta) - \eta\, g^\top g"
     r" = J(\theta) - \eta\lVert g\rVert^2$, "
     r"which is below $J(\theta)$ for any small $\eta > 0$ unless $g = 0$. The negative gradient is the "
     r"direction of steepest descent; for larger $\eta$ the curvature term decides.",
     "chap-optimization-basics"),
    (r"Gradient descent on $J(\theta) = \tfrac12(a_1\theta_1^2 + a_2\theta_2^2)$ with $a_2 \gg a_1$ "
     r"is slow. Why?",
     r"Each step multiplies coordinate $i$ by $1 - \eta a_i$. Stability needs $\eta < 2/a_2$ (the largest "
     r"curvature), and then the flat coordinate shrinks by only $1 - \eta a_1 > 1 - 2a_1/a_2$ per step: "
     r"close to 1 when the condition number $a_2/a_1$ is large.",
     "chap-optimization-basics"),
    (r"Why is a mini-batch gradient an unbiased estimate of the full gradient, and how does its noise "
     r"depend on the batch size $B$?",
     r"A batch drawn uniformly at random has, on average, the mean gradient of the whole set: its expected "
     r"value is $\nabla J$. Its variance is the per-sample variance divided by $B$, times "
     r"$(N - B)/(N - 1)$ when drawn without replacement: zero for $B = N$ (batch GD), largest for $B = 1$.",
     "chap-gd-variants"),
    (r"A training set has $N = 10\,000$ samples and the batch size is $32$. How many updates does one epoch "
     r"make, and how large is the last batch?",
     r"$\lceil 10\,000/32\rceil = \lceil 312.5\rceil = 313$ updates; 312 full batches hold 9984 samples, so "
     r"the last batch has 16. (Batch GD: 1 update per epoch; SGD: 10 000.)",
     "chap-gd-variants"),
    (r"Momentum ($\mu = 0.9$, PyTorch's form) sees the same gradient $g$ at every step. What step does it "
     r"approach?",
     r"$b_t = \mu b_{t-1} + g$ tends to $g/(1 - \mu) = 10g$, so the step tends to "
     r"$\eta g/(1-\mu) = 10\,\eta g$: "
     r"ten times plain gradient descent's along a consistent direction.",
     "chap-momentum"),
    (r"Why does momentum damp the zig-zag of gradient descent in a narrow valley?",
     r"Across the valley the gradient changes sign from step to step, so those components largely cancel "
     r"in the buffer $b_t = \mu b_{t-1} + g_t$; along the valley the gradient keeps its sign and the "
     r"components add up. The step turns towards the valley's floor direction.",
     "chap-momentum"),
    (r"RMSprop starts with $v_0 = 0$ and has no bias correction. How large is its first step with "
     r"$\alpha = 0.99$?",
     r"$v_1 = 0.01\,g_1^2$, so the step is $\eta g_1/\sqrt{0.01\,g_1^2} = 10\,\eta\operatorname{sign}(g_1)$ "
     r"(ignoring $\epsilon$): ten times $\eta$. Adam's bias correction is what prevents this.",
     "chap-adaptive"),
    (r"Is every Adam step at most $\eta$ per coordinate?",
     r"No. Roughly $\eta$ when the gradient is steady, but after a long run of small gradients a sudden "
     r"large one gives $\hat m \approx (1-\beta_1) g$ and $\hat v \approx (1-\beta_2) g^2$, a step of about "
     r"$\eta(1-\beta_1)/\sqrt{1-\beta_2} \approx 3.16\,\eta$ with the defaults. A gradient that grows "
     r"steadily can push the step higher still (about $7.27\,\eta$ at most with the defaults, as the "
     r"adaptive-methods chapter measures).",
     "chap-adaptive"),
    (r"With Adam, why is an L2 penalty in the gradient not the same as weight decay, and what does AdamW "
     r"do?",
     r"The L2 term $\lambda\theta$ added to the gradient is divided by $\sqrt{\hat v}$ like the rest, so "
     r"parameters with large gradients are hardly decayed. AdamW decouples it: "
     r"$\theta \leftarrow \theta(1 - \eta\lambda)$ outside the adaptive step, the same relative shrinking "
     r"for every weight.",
     "chap-adaptive"),
    (r"`CosineAnnealingWarmRestarts` with $T_0 = 10$, $T_{mult} = 2$: at which epochs does the learning "
     r"rate jump back to $\eta_0$? Describe the schedule's shape.",
     r"Cycles last 10, 20, 40, ... epochs, so the restarts are at epochs 10, 30 and 70. Within each "
     r"cycle the rate falls along half a cosine from $\eta_0$ towards $\eta_{\min}$, slowly at first, "
     r"fastest in the middle, slowly at the end, then jumps back to $\eta_0$; each arc is twice as long "
     r"as the previous one.",
     "chap-lr-schedules"),
    (r"Describe (sketch) step decay with $\gamma = 0.1$ every 10 epochs against cosine annealing with "
     r"$T_{\max} = 30$, both from $\eta_0 = 0.1$.",
     r"Step decay is a staircase: $0.1$ for epochs 0-9, $0.01$ for 10-19, $0.001$ for 20-29 (flat, then "
     r"sudden drops by a factor 10). Cosine is one smooth arc from $0.1$ at epoch 0 through $0.05$ at epoch "
     r"15 down to 0 at epoch 30, flat at both ends and steepest in the middle.",
     "chap-lr-schedules"),
    (r"For one sigmoid neuron $a = \sigma(w^\top x + b)$, what are $\partial a/\partial w$ and "
     r"$\partial a/\partial b$, and where is $\sigma'$ largest?",
     r"$\partial a/\partial w = \sigma'(z)\,x$ and $\partial a/\partial b = \sigma'(z)$ with "
     r"$\sigma'(z) = \sigma(z)(1 - \sigma(z))$, largest at $z = 0$ where it is $1/4$; it tends to 0 for "
     r"large $\lvert z\rvert$ (a saturated neuron learns slowly).",
     "chap-chain-rule"),
    (r"In the exam notes' 2-2-1 example the input is $x = (1, 0)$. Which gradients are zero and why?",
     r"$\partial L/\partial w_{21} = \delta_1 x_2$ and $\partial L/\partial w_{22} = \delta_2 x_2$ are zero "
     r"because $x_2 = 0$: a weight's gradient is its neuron's delta times the input it multiplies, and a "
     r"zero input contributed nothing to this sample's prediction.",
     "chap-worked-example"),
    (r"Why are all gradients computed before any weight is updated?",
     r"The hidden deltas use the output weights: $\delta_k = w_{k3}\,\delta_3\,a_k(1 - a_k)$. Updating "
     r"$w_{k3}$ first would mix the old and the new network, and the result would not be the gradient of "
     r"the loss at the current weights.",
     "chap-worked-example"),
    (r"Why does a backward pass cost about twice the forward pass?",
     r"Per Linear layer the forward pass does one matrix product, $A W^\top$. The backward pass does two of "
     r"the same size: $\Delta^\top A$ for the weight gradient and $\Delta W$ for the signal to the previous "
     r"layer (the activations' elementwise factors are cheap).",
     "chap-backprop-matrix"),
    (r"With a mean loss over a batch of $N$, where does the factor $1/N$ enter $\partial J/\partial W = "
     r"\Delta^\top A$?",
     r"In the loss gradient $\partial J/\partial\hat Y$ (for softmax with cross-entropy: $(P - Y)/N$), and "
     r"from there in every $\Delta$. $\Delta^\top A$ then sums over the batch; dividing by $N$ again would "
     r"count the mean twice.",
     "chap-backprop-matrix"),
    (r"What goes wrong if a training loop never zeros the gradients?",
     r"Each `backward` adds to the stored gradients, so the optimizer at iteration $t$ sees the sum of all "
     r"gradients so far: for SGD like momentum with $\mu = 1$, which never forgets, and its steps grow "
     r"for as long as the gradients keep their sign. Adam divides by the root of its average squared "
     r"gradient, so its steps stay of the order of $\eta$, but they follow the old gradients too. It may "
     r"even train for a while, but the step no longer follows the current gradient: a bug.",
     "chap-training-cycle"),
    (r"Why do you keep a validation split apart from the training data?",
     r"The training loss only says how well the model fits the data it learns from. The validation loss "
     r"estimates performance on new data: it shows overfitting (training loss falls, validation loss "
     r"rises) and is what you use to choose the learning rate, the number of epochs and other "
     r"hyperparameters.",
     "chap-training-cycle"),
    (r"The loss becomes `nan` after a few iterations. Name two likely causes and how to check them.",
     r"A learning rate above the stability bound (the loss grows before it overflows: try a rate 10 times "
     r"smaller) and a logarithm of a probability that rounded to 0 (compute cross-entropy from logits). "
     r"A gradient check on a small batch tells a calculus bug apart from both.",
     "chap-training-cycle"),
]

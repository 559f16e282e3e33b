"""Print the environment that makes numpy and OpenBLAS compute as an older x86-64 CPU does.

``make test`` runs nbval a second time under it (issue 19): the committed outputs must hold on any machine
a student has, and the summation order of OpenBLAS's kernels and numpy's SIMD loops is what differs between
CPUs.

- ``OPENBLAS_CORETYPE=Prescott``: OpenBLAS's kernels for a 2004 Pentium 4 (SSE3), whatever this CPU is;
- ``OPENBLAS_NUM_THREADS=1``: one thread (a threaded dot product sums in another order than one thread);
- ``NPY_DISABLE_CPU_FEATURES``: numpy's dispatched loops above its baseline (AVX2, AVX-512...) switched
  off. Numpy warns about a name this CPU does not have, so only the names it found are listed.

Usage: ``env $(python scripts/older_cpu_env.py) COMMAND``.
"""

from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__

disabled = [name for name in __cpu_dispatch__ if __cpu_features__.get(name)]
settings = ["OPENBLAS_CORETYPE=Prescott", "OPENBLAS_NUM_THREADS=1"]
if disabled:
    settings.append("NPY_DISABLE_CPU_FEATURES=" + ",".join(disabled))
print(" ".join(settings))

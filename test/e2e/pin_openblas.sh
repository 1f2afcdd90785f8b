# Sourced by the end-to-end tests whose numbers must not depend on the machine: OpenBLAS picks
# its float32 GEMM kernels by CPU (AVX-512, AVX2 with FMA, ...) and, for small products, sums
# differently on one thread than on several, so the bits of a digital layer's product vary
# between machines. Pinned to the AVX kernels without FMA (any x86-64 with AVX runs them) on
# one thread: they also round every output channel alike, which the zoo-light SqueezeNet
# (equal fill weights, logits near 1e8) needs to reproduce onnx's tie of all classes; with the
# AVX2 kernels it failed on an AMD EPYC, 0.25 against 0.001.
export OPENBLAS_CORETYPE=Sandybridge OPENBLAS_NUM_THREADS=1

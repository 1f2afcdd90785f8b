#include "kernels/cuda/Einsum.h"

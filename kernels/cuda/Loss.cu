#include "kernels/cuda/Loss.h"

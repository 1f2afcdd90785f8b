#include "kernels/cuda/Resize.h"

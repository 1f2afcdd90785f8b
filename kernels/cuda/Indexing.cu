#include "kernels/cuda/Indexing.h"

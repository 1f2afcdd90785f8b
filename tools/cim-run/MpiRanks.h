// cim-run's ranks when an MPI launcher started it (docs/scale-out.md): MPI_COMM_WORLD, the
// GPU of each rank chosen by its rank on its host. Built with CIMLIR_MPI (Open MPI from
// Debian's packages, or any MPI 3 implementation).
#pragma once

#include "runtime/tooling/Ranks.h"

#include <memory>

namespace cimlir {

/// The ranks this process belongs to: MPI's when an MPI launcher (mpirun, mpiexec, srun)
/// started it, else this process alone. Throws cimlir::Error when a launcher started several
/// processes but cim-run was built without MPI (each would do all the work).
std::unique_ptr<Ranks> processRanks();

} // namespace cimlir

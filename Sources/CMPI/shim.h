// Shim over the system MPI header. On Debian this is Open MPI's mpi.h (package
// libopenmpi-dev), found through pkg-config "ompi". Open MPI spells MPI_COMM_WORLD, the
// datatypes, MPI_SUM and MPI_IN_PLACE as macros over casts, which Swift does not import; the
// inline functions below hand them to Swift.
#ifndef AUXMTL_CMPI_SHIM_H
#define AUXMTL_CMPI_SHIM_H
#include <mpi.h>

static inline MPI_Comm cmpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype cmpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype cmpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Op cmpi_sum(void) { return MPI_SUM; }
static inline void *cmpi_in_place(void) { return MPI_IN_PLACE; }
static inline MPI_Errhandler cmpi_errors_return(void) { return MPI_ERRORS_RETURN; }
static inline int cmpi_success(void) { return MPI_SUCCESS; }
static inline int cmpi_max_error_string(void) { return MPI_MAX_ERROR_STRING; }
#endif

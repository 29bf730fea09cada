#ifndef LGMCL_CMPI_SHIM_H
#define LGMCL_CMPI_SHIM_H
// Open MPI's handles and constants are macros over addresses of globals, which Swift cannot
// import; each gets one getter.
#include <mpi.h>

static inline MPI_Comm lgmcl_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Comm lgmcl_mpi_comm_null(void) { return MPI_COMM_NULL; }
static inline MPI_Datatype lgmcl_mpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype lgmcl_mpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Datatype lgmcl_mpi_int64(void) { return MPI_INT64_T; }
static inline MPI_Datatype lgmcl_mpi_int32(void) { return MPI_INT32_T; }
static inline MPI_Datatype lgmcl_mpi_uint8(void) { return MPI_UINT8_T; }
static inline MPI_Datatype lgmcl_mpi_char(void) { return MPI_CHAR; }
static inline MPI_Op lgmcl_mpi_sum(void) { return MPI_SUM; }
static inline MPI_Op lgmcl_mpi_max(void) { return MPI_MAX; }
static inline MPI_Op lgmcl_mpi_min(void) { return MPI_MIN; }
static inline void *lgmcl_mpi_in_place(void) { return MPI_IN_PLACE; }
static inline MPI_Request lgmcl_mpi_request_null(void) { return MPI_REQUEST_NULL; }
static inline MPI_Status *lgmcl_mpi_status_ignore(void) { return MPI_STATUS_IGNORE; }
static inline MPI_Errhandler lgmcl_mpi_errors_return(void) { return MPI_ERRORS_RETURN; }
static inline int lgmcl_mpi_thread_funneled(void) { return MPI_THREAD_FUNNELED; }
static inline int lgmcl_mpi_max_processor_name(void) { return MPI_MAX_PROCESSOR_NAME; }
static inline int lgmcl_mpi_max_library_version_string(void) { return MPI_MAX_LIBRARY_VERSION_STRING; }
static inline int lgmcl_mpi_max_error_string(void) { return MPI_MAX_ERROR_STRING; }

#endif

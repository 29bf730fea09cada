/* The raw-MPI peer of `lgmcl-dist benchmark allreduce`: the same protocol in plain C on
 * MPI_Allreduce, so the difference between the two columns is what lgmcl's Swift layer costs.
 * Built by cluster/bench/allreduce.sh with mpicc into a temporary directory (never committed).
 *
 *   mpirun -np N allreduce_peer MIN_BYTES MAX_BYTES ITERATIONS LARGE_ITERATIONS LARGE_FROM WARMUP
 *
 * Per size: one call checked for exact sums, then zeros, warm-up calls, a barrier, the timed
 * calls; each rank's latency is its loop time over the calls; rank 0 prints one JSON line with
 * the average, minimum and maximum over ranks and the bus bandwidth size/avg × 2(n−1)/n. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static long timed_calls(long bytes, long iterations, long large_iterations, long large_from) {
    if (bytes < large_from) return iterations;
    long budget = (1L << 30) / bytes;
    long calls = large_iterations < budget ? large_iterations : budget;
    return calls < 10 ? 10 : calls;
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (argc != 7) {
        if (rank == 0) fprintf(stderr, "usage: %s MIN_BYTES MAX_BYTES ITERATIONS LARGE_ITERATIONS LARGE_FROM WARMUP\n", argv[0]);
        MPI_Abort(MPI_COMM_WORLD, 64);
    }
    long min_bytes = atol(argv[1]), max_bytes = atol(argv[2]), iterations = atol(argv[3]);
    long large_iterations = atol(argv[4]), large_from = atol(argv[5]), warmup = atol(argv[6]);
    float *buffer = malloc((size_t)max_bytes);
    if (!buffer) MPI_Abort(MPI_COMM_WORLD, 1);
    double bus_factor = size > 1 ? 2.0 * (size - 1) / size : 0.0;
    float rank_sum = (float)(size * (size + 1) / 2);

    if (rank == 0) printf("{\"method\":\"c-mpi\",\"ranks\":%d,\"results\":[", size);
    for (long bytes = min_bytes; bytes <= max_bytes; bytes *= 2) {
        long count = bytes / (long)sizeof(float);
        for (long i = 0; i < count; i++) buffer[i] = (float)((rank + 1) * (i % 5 + 1));
        MPI_Allreduce(MPI_IN_PLACE, buffer, (int)count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
        long probes[3] = {0, count / 2, count - 1};
        for (int p = 0; p < 3; p++) {
            long i = probes[p];
            if (buffer[i] != rank_sum * (float)(i % 5 + 1)) {
                fprintf(stderr, "allreduce_peer: %ld B: element %ld is %g, want %g\n", bytes, i,
                        buffer[i], rank_sum * (float)(i % 5 + 1));
                MPI_Abort(MPI_COMM_WORLD, 1);
            }
        }
        for (long i = 0; i < count; i++) buffer[i] = 0;
        long calls = timed_calls(bytes, iterations, large_iterations, large_from);
        long warm = bytes >= large_from ? warmup / 10 : warmup;
        for (long k = 0; k < warm; k++)
            MPI_Allreduce(MPI_IN_PLACE, buffer, (int)count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
        MPI_Barrier(MPI_COMM_WORLD);
        double start = MPI_Wtime();
        for (long k = 0; k < calls; k++)
            MPI_Allreduce(MPI_IN_PLACE, buffer, (int)count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
        double seconds = (MPI_Wtime() - start) / (double)calls;
        MPI_Barrier(MPI_COMM_WORLD);
        double sum, low, high;
        MPI_Reduce(&seconds, &sum, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
        MPI_Reduce(&seconds, &low, 1, MPI_DOUBLE, MPI_MIN, 0, MPI_COMM_WORLD);
        MPI_Reduce(&seconds, &high, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
        if (rank == 0) {
            double average = sum / size;
            printf("%s{\"bytes\":%ld,\"iterations\":%ld,\"avg_us\":%.3f,\"min_us\":%.3f,\"max_us\":%.3f,\"busbw_gbps\":%.6f}",
                   bytes == min_bytes ? "" : ",", bytes, calls, average * 1e6, low * 1e6, high * 1e6,
                   (double)bytes / average * bus_factor / 1e9);
            fflush(stdout);
        }
    }
    if (rank == 0) printf("]}\n");
    free(buffer);
    MPI_Finalize();
    return 0;
}

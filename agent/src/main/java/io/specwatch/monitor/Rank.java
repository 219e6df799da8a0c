package io.specwatch.monitor;

import java.util.List;
import java.util.Map;

/**
 * This process's place in a multi-process training job: its rank among all processes, their
 * number (the world size) and its rank on this machine (for a port per process). A launcher
 * says so in the environment; {@link #detect} reads, in this order:
 *
 * <ul>
 *   <li>{@code torchrun} (and {@code torch.distributed.launch}, DeepSpeed, Accelerate): {@code RANK},
 *       {@code WORLD_SIZE}, {@code LOCAL_RANK};</li>
 *   <li>Open MPI's {@code mpirun}: {@code OMPI_COMM_WORLD_RANK}, {@code OMPI_COMM_WORLD_SIZE},
 *       {@code OMPI_COMM_WORLD_LOCAL_RANK};</li>
 *   <li>Slurm's {@code srun}: {@code SLURM_PROCID}, {@code SLURM_NTASKS}, {@code SLURM_LOCALID}.</li>
 * </ul>
 *
 * A launcher counts when both its rank and its size variable are set (Slurm's batch script has
 * {@code SLURM_PROCID} without {@code SLURM_NTASKS}, and is one process); torchrun inside a Slurm
 * allocation is torchrun. Without any, the process is {@link #SINGLE}.
 *
 * @param rank      0 ≤ rank < worldSize
 * @param worldSize number of processes in the job (≥ 1)
 * @param localRank rank among the processes on this machine (0 when the launcher does not say)
 * @param origin    where the numbers came from, for the log: e.g. {@code torchrun (RANK, WORLD_SIZE)}
 */
public record Rank(int rank, int worldSize, int localRank, String origin) {

    /** One process: rank 0 of 1. */
    public static final Rank SINGLE = new Rank(0, 1, 0, "single process");

    /** One launcher's variables. */
    private record Launcher(String name, String rank, String size, String local) {
    }

    private static final List<Launcher> LAUNCHERS = List.of(
            new Launcher("torchrun", "RANK", "WORLD_SIZE", "LOCAL_RANK"),
            new Launcher("Open MPI", "OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_LOCAL_RANK"),
            new Launcher("Slurm", "SLURM_PROCID", "SLURM_NTASKS", "SLURM_LOCALID"));

    public Rank {
        if (worldSize < 1 || rank < 0 || rank >= worldSize) {
            throw new IllegalArgumentException("rank " + rank + " of world size " + worldSize + ": expected 0 <= rank < world size");
        }
        if (localRank < 0) {
            throw new IllegalArgumentException("local rank must be >= 0, got " + localRank);
        }
    }

    /** Rank 0 of a job (also a single process). */
    public boolean isFirst() {
        return rank == 0;
    }

    /**
     * The rank the environment's launcher set, or {@link #SINGLE}.
     *
     * @param environment the variables ({@code System.getenv()})
     * @throws IllegalArgumentException naming the variable when a value is not a number or out of range
     */
    public static Rank detect(Map<String, String> environment) {
        for (Launcher l : LAUNCHERS) {
            String rank = value(environment, l.rank());
            String size = value(environment, l.size());
            if (rank == null || size == null) {
                continue;
            }
            String local = value(environment, l.local());
            int worldSize = number(l.size(), size);
            int r = number(l.rank(), rank);
            if (worldSize < 1 || r < 0 || r >= worldSize) {
                throw new IllegalArgumentException(l.rank() + "=" + rank + " and " + l.size() + "=" + size
                        + " (set by " + l.name() + ") are not a rank: expected 0 <= " + l.rank() + " < " + l.size()
                        + "; or set the rank on the monitor's builder (rank, worldSize)");
            }
            int localRank = local == null ? 0 : number(l.local(), local);
            if (localRank < 0) {
                throw new IllegalArgumentException(l.local() + "=" + local + " (set by " + l.name() + ") must be >= 0");
            }
            return new Rank(r, worldSize, localRank, l.name() + " (" + l.rank() + ", " + l.size() + ")");
        }
        return SINGLE;
    }

    private static String value(Map<String, String> environment, String name) {
        String v = environment.get(name);
        return v == null || v.isBlank() ? null : v.strip();
    }

    private static int number(String name, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + "=" + value + " is not a whole number (a launcher's rank variable); "
                    + "fix the environment or set the rank on the monitor's builder (rank, worldSize)");
        }
    }
}

package io.specwatch.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

/** The rank as the launchers set it in the environment. */
class RankTest {

    @Test
    void torchrunsVariables() {
        // what torchrun --nproc-per-node 4 --nnodes 2 sets for the second process of the second node
        Rank r = Rank.detect(Map.of("RANK", "5", "WORLD_SIZE", "8", "LOCAL_RANK", "1", "LOCAL_WORLD_SIZE", "4", "GROUP_RANK", "1",
                "MASTER_ADDR", "node0", "MASTER_PORT", "29500"));
        assertEquals(5, r.rank());
        assertEquals(8, r.worldSize());
        assertEquals(1, r.localRank());
        assertTrue(r.origin().startsWith("torchrun"), r.origin());
    }

    @Test
    void openMpiAndSlurm() {
        Rank mpi = Rank.detect(Map.of("OMPI_COMM_WORLD_RANK", "3", "OMPI_COMM_WORLD_SIZE", "4", "OMPI_COMM_WORLD_LOCAL_RANK", "3"));
        assertEquals(new Rank(3, 4, 3, mpi.origin()), mpi);
        assertTrue(mpi.origin().startsWith("Open MPI"));
        Rank slurm = Rank.detect(Map.of("SLURM_PROCID", "7", "SLURM_NTASKS", "16", "SLURM_LOCALID", "3"));
        assertEquals(7, slurm.rank());
        assertEquals(16, slurm.worldSize());
        assertEquals(3, slurm.localRank());
        assertTrue(slurm.origin().startsWith("Slurm"));
    }

    @Test
    void torchrunInsideASlurmAllocationIsTorchrun() {
        // srun started one torchrun per node (SLURM_NTASKS 2); torchrun's RANK is this process's
        Rank r = Rank.detect(Map.of("SLURM_PROCID", "1", "SLURM_NTASKS", "2", "RANK", "6", "WORLD_SIZE", "8", "LOCAL_RANK", "2"));
        assertEquals(6, r.rank());
        assertEquals(8, r.worldSize());
    }

    @Test
    void aSlurmBatchScriptAndNoLauncherAreOneProcess() {
        assertEquals(Rank.SINGLE, Rank.detect(Map.of("SLURM_PROCID", "0", "SLURM_JOB_ID", "123")));
        assertEquals(Rank.SINGLE, Rank.detect(Map.of()));
        assertEquals(Rank.SINGLE, Rank.detect(Map.of("RANK", "", "WORLD_SIZE", "")));
    }

    @Test
    void badValuesAreRefusedNamingTheVariable() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Rank.detect(Map.of("RANK", "two", "WORLD_SIZE", "4")));
        assertTrue(e.getMessage().contains("RANK=two"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Rank.detect(Map.of("RANK", "4", "WORLD_SIZE", "4")));
        assertTrue(e.getMessage().contains("RANK=4") && e.getMessage().contains("WORLD_SIZE=4"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Rank.detect(Map.of("SLURM_PROCID", "0", "SLURM_NTASKS", "0")));
        assertTrue(e.getMessage().contains("SLURM_NTASKS=0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Rank.detect(Map.of("RANK", "0", "WORLD_SIZE", "2", "LOCAL_RANK", "-1")));
        assertTrue(e.getMessage().contains("LOCAL_RANK=-1"), e.getMessage());
    }

    @Test
    void theBuildersRankWinsOverTheEnvironmentAndIsValidated() {
        MonitorSettings.Builder b = SpectralMonitor.builder().environment(Map.of("RANK", "1", "WORLD_SIZE", "2"));
        assertEquals(1, b.settings().rank().rank());
        assertEquals(3, b.rank(3).worldSize(4).settings().rank().rank());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SpectralMonitor.builder().rank(1).settings());
        assertTrue(e.getMessage().contains("together"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SpectralMonitor.builder().rank(4).worldSize(4).settings());
        assertTrue(e.getMessage().contains("[0, worldSize)"), e.getMessage());
    }

    @Test
    void workSharingNames() {
        assertEquals(WorkSharing.RANK0_ONLY, WorkSharing.parse("rank0-only"));
        assertEquals("rank0-only", WorkSharing.RANK0_ONLY.label());
        assertEquals(WorkSharing.SPLIT, WorkSharing.parse("split"));
        assertEquals(WorkSharing.ALL, WorkSharing.parse("ALL"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WorkSharing.parse("half"));
        assertTrue(e.getMessage().contains("split, rank0-only or all"), e.getMessage());
    }
}

package io.specwatch.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class CpuBudgetTest {

    private static final long MS = 1_000_000;
    private final CpuBudget tenth = new CpuBudget(0.1, Duration.ofMillis(250));

    @Test
    void creditRefillsAtTheShareAndHoldsAtMostTheBurst() {
        assertEquals(100 * MS, tenth.credit(0, 1000 * MS, 0));
        assertEquals(250 * MS, tenth.credit(0, 10_000 * MS, 0));
        assertEquals(250 * MS, tenth.credit(200 * MS, 1000 * MS, 0));
    }

    @Test
    void spendingBeyondTheCreditMakesTheNextConnectionWaitForTheDebtToBeEarned() {
        long credit = tenth.credit(250 * MS, 0, 300 * MS);
        assertEquals(-50 * MS, credit);
        assertEquals(500 * MS, tenth.waitNanos(credit)); // 50 ms of CPU at a tenth of a core
        assertEquals(0, tenth.waitNanos(0));
        assertEquals(0, tenth.waitNanos(10 * MS));
    }

    @Test
    void oneExpensiveAnswerDelaysTheNextByAtMostBurstOverShare() {
        long credit = tenth.credit(0, 0, 10_000 * MS);
        assertEquals(-250 * MS, credit);
        assertEquals(2500 * MS, tenth.waitNanos(credit));
    }

    @Test
    void aFloodOfConnectionsGetsTheShareOfACoreOverTime() {
        // connections costing 3 ms each, accepted whenever the budget allows, for 100 simulated seconds
        long now = 0;
        long credit = tenth.burst().toNanos();
        long spent = 0;
        long end = 100_000 * MS;
        while (now < end) {
            long wait = tenth.waitNanos(credit);
            if (wait > 0) {
                credit = tenth.credit(credit, wait, 0);
                now += wait;
            } else {
                credit = tenth.credit(credit, MS, 3 * MS); // the connection takes 1 ms of wall time
                now += MS;
                spent += 3 * MS;
            }
        }
        // at most a tenth of 100 s plus the initial burst and one connection
        assertTrue(spent <= 10_000 * MS + 250 * MS + 3 * MS, "spent " + spent / MS + " ms");
        assertTrue(spent >= 10_000 * MS - 3 * MS, "spent " + spent / MS + " ms");
    }

    @Test
    void unlimitedNeverWaits() {
        long credit = CpuBudget.UNLIMITED.credit(0, 0, 10_000 * MS);
        assertEquals(0, CpuBudget.UNLIMITED.waitNanos(credit));
        assertTrue(CpuBudget.UNLIMITED.unlimited());
    }

    @Test
    void theSettingIsAFractionOfACoreOrOff() {
        assertEquals(0.5, CpuBudget.parse("0.5").share());
        assertEquals(2.0, CpuBudget.parse(" 2 ").share());
        assertEquals(CpuBudget.UNLIMITED, CpuBudget.parse("off"));
        for (String bad : new String[] {"", "0", "-0.1", "NaN", "Infinity", "a tenth", "10%"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CpuBudget.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("http-cpu must be"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> new CpuBudget(0.1, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new CpuBudget(0.1, Duration.ofHours(1)));
    }
}

package io.specwatch.charts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/** The ESD chart's numbers against analytic results. */
class EsdPlotTest {

    static ObjectNode record(double... eigenvalues) {
        ObjectNode o = new ObjectMapper().createObjectNode();
        var a = o.putArray("eigenvalues");
        for (double v : eigenvalues) {
            a.add(v);
        }
        return o;
    }

    static double area(List<double[]> bins) {
        return bins.stream().mapToDouble(b -> b[2] * (b[1] - b[0])).sum();
    }

    @Test
    void bothHistogramsAreDensitiesThatIntegrateToOne() {
        double[] ev = new double[500];
        for (int i = 0; i < ev.length; i++) {
            ev[i] = Math.exp(-3 + 6.0 * i / ev.length);
        }
        EsdPlot p = EsdPlot.of(record(ev));
        assertEquals(1, area(p.logBins()), 1e-12);
        assertEquals(1, area(p.linearBins()), 1e-12);
        assertEquals(EsdPlot.BINS, p.logBins().size());
        // 200 equal eigenvalues (issue 16's reproducer): one finite spike of density, no endless loop
        EsdPlot zeros = EsdPlot.of(record(new double[200]));
        assertEquals(List.of(), zeros.logBins(), "no positive eigenvalue: nothing on log axes");
        assertEquals(1, area(zeros.linearBins()), 1e-9);
        double[] ones = new double[200];
        java.util.Arrays.fill(ones, 1.0);
        EsdPlot flat = EsdPlot.of(record(ones));
        assertEquals(1, area(flat.logBins()), 1e-9);
        assertEquals(1, area(flat.linearBins()), 1e-9);
        assertNull(EsdPlot.of(record(3, 1, 2)), "unsorted eigenvalues give no plot");
        assertNull(EsdPlot.of(record(1, Double.POSITIVE_INFINITY)));
    }

    @Test
    void thePowerLawStartsAtItsAnalyticValueAndCoversTheTailOnly() {
        double[] ev = {0.1, 0.5, 1, 2, 4, 8, 16};
        ObjectNode r = record(ev).put("alpha", 2.5).put("xmin", 2.0).put("tail_size", 4).put("n_evals", 7);
        List<double[]> pl = EsdPlot.of(r).powerLaw();
        // p(x) = (k/n)(α−1)/xmin (x/xmin)^−α: at xmin (4/7)(1.5)/2; at 16: that times 8^−2.5
        assertEquals(4.0 / 7 * 1.5 / 2, pl.get(0)[1], 1e-12);
        assertEquals(2.0, pl.get(0)[0], 1e-12);
        assertEquals(16.0, pl.get(pl.size() - 1)[0], 1e-9);
        assertEquals(4.0 / 7 * 1.5 / 2 * Math.pow(8, -2.5), pl.get(pl.size() - 1)[1], 1e-12);
        assertTrue(EsdPlot.of(record(ev).put("alpha", 2.5).put("xmin", 1e-300).put("tail_size", 4).put("n_evals", 7)).powerLaw().size()
                == EsdPlot.CURVE_POINTS, "a bounded number of points whatever xmin");
    }

    @Test
    void theMarchenkoPasturCurveIsAUnitDensityEndingAtTheBulkEdge() {
        // σ = 1 on the rescaled scale, Q = 4: rescaled bulk [0.25, 2.25]; bulk_max 9 means a scale of 0.25
        ObjectNode r = record(1, 2, 3).put("mp_sigma", 1.0).put("mp_bulk_max", 9.0).put("rows", 400).put("cols", 100);
        List<double[]> mp = EsdPlot.of(r).mp();
        double integral = 0;
        for (int i = 1; i < mp.size(); i++) {
            integral += (mp.get(i)[0] - mp.get(i - 1)[0]) * (mp.get(i)[1] + mp.get(i - 1)[1]) / 2;
        }
        assertEquals(1, integral, 0.02, "the MP law has unit mass (Q ≥ 1)");
        assertTrue(mp.get(0)[0] > 1.0 && mp.get(0)[0] < 1.05, "starts at the lower edge 0.25 / 0.25 = 1: " + mp.get(0)[0]);
        assertTrue(mp.get(mp.size() - 1)[0] < 9.0 && mp.get(mp.size() - 1)[0] > 8.9, "ends at the bulk edge");
    }
}

package dev.ipckit.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The arithmetic of the per-segment ratios: median, spread, the unstable rule, and the lines of {@code ratios.csv}.
 */
class SegmentRatioTest {
    private static final double EPSILON = 1e-12;

    @Test
    void shouldDivideRoundByRoundAndSkipRoundsWithoutFigures() {
        final SegmentRatio ratio = SegmentRatio.of(new double[] {200, 300, Double.NaN, 800},
            new double[] {100, 100, 100, Double.NaN});
        assertEquals(2, ratio.segments(), "a round where either side has no figure has no ratio");
        assertEquals(2.0, ratio.min(), EPSILON);
        assertEquals(3.0, ratio.max(), EPSILON);
        assertEquals(2.5, ratio.median(), EPSILON, "the median of an even count is the mean of the two middle ones");
        assertThrows(IllegalArgumentException.class, () -> SegmentRatio.of(new double[2], new double[3]));
    }

    @Test
    void shouldTakeTheMiddleRatioOfAnOddCountWhateverTheOrder() {
        final SegmentRatio ratio = new SegmentRatio(new double[] {1.5, 1.1, 1.3, 1.2, 1.4});
        assertEquals(1.3, ratio.median(), EPSILON);
        assertEquals("1.10-1.50", ratio.spread());
        assertEquals((1.4 - 1.2) / 1.3, ratio.middleSpread(), EPSILON,
            "from five segments on, the lowest and highest are set aside");
        assertTrue(ratio.stable());
        assertEquals("", ratio.why());
    }

    @Test
    void shouldCallAComparisonUnstableWhenItsMiddleSegmentsDisagree() {
        // middle segments 1.0 .. 1.4 around a median of 1.2: a span of 33 %
        final SegmentRatio wide = new SegmentRatio(new double[] {0.5, 1.0, 1.2, 1.4, 3.0});
        assertFalse(wide.stable());
        assertEquals("the middle segments span 33 % of the median (the limit is 30 %)", wide.why());
        // one stalled segment among agreeing ones is set aside
        final SegmentRatio outlier = new SegmentRatio(new double[] {1.0, 1.05, 1.1, 1.08, 9.0, 1.02});
        assertTrue(outlier.stable(), outlier.why());
        assertEquals("1.00-9.00", outlier.spread(), "the reported spread is the full one");
        // below five segments nothing is set aside
        final SegmentRatio four = new SegmentRatio(new double[] {1.0, 1.05, 1.1, 2.0});
        assertFalse(four.stable());
        final SegmentRatio stalls = new SegmentRatio(new double[] {0.001, 1.0, 1.2, 50.0, 1000.0});
        assertEquals("the middle segments span 41 times the median (the limit is 30 %)", stalls.why());
    }

    @Test
    void shouldNeedThreeSegmentsForAStableComparison() {
        final SegmentRatio two = new SegmentRatio(new double[] {1.0, 1.0});
        assertFalse(two.stable());
        assertEquals("2 segments with figures on both sides (at least 3 are needed)", two.why());
        assertTrue(new SegmentRatio(new double[] {1.0, 1.0, 1.0}).stable());
        assertFalse(new SegmentRatio(new double[0]).stable());
        assertEquals("", new SegmentRatio(new double[0]).spread());
        assertThrows(IllegalArgumentException.class, () -> new SegmentRatio(new double[] {1.0, 0.0}));
        assertThrows(IllegalArgumentException.class,
            () -> new SegmentRatio(new double[] {Double.POSITIVE_INFINITY}));
    }

    @Test
    void shouldWriteRatiosCsvWithItsColumnsAndNoNumberForAnUnstableComparison() {
        final Comparison stable = new Comparison("mmap/spin", "c/shm-spin",
            new SegmentRatio(new double[] {1.5, 1.4, 1.6}), new SegmentRatio(new double[] {2.0, 2.2, 2.1}));
        final Comparison unstable = new Comparison("mmap/backoff", "c/shm-spin",
            new SegmentRatio(new double[] {1.0, 3.0, 1.2}), new SegmentRatio(new double[] {5.0, 5.0, 5.0}));
        final List<String> lines = Comparison.csvLines(List.of(stable, unstable));
        assertEquals("row,reference,p50_ratio,p99_ratio,segments,spread,verdict", lines.get(0));
        assertEquals("mmap/spin,c/shm-spin,1.50,2.10,3,1.40-1.60,stable", lines.get(1));
        assertEquals("mmap/backoff,c/shm-spin,,,3,1.00-3.00,unstable: the middle segments span 167 % of the median "
            + "(the limit is 30 %)", lines.get(2));
        for (final String line : lines) {
            assertEquals(7, line.split(",", -1).length, line);
        }
        assertTrue(unstable.tableLine().contains("unstable"), unstable.tableLine());
        assertTrue(stable.tableLine().contains("1.50x"), stable.tableLine());
    }

    @Test
    void shouldNumberThePassesByRoundAndCallDisagreeingPassesUnstable() {
        // rounds 0-1 are pass 0, rounds 2-3 pass 1; the first pass measures 1.05, the second 1.28
        final SegmentRatio apart = SegmentRatio.of(new double[] {100, 110, 124, 132}, new double[] {100, 100, 100, 100},
            2);
        assertEquals(List.of(0, 0, 1, 1), java.util.Arrays.stream(apart.passes()).boxed().toList());
        assertEquals(1.05, apart.passMedians()[0], 1e-9);
        assertEquals(1.28, apart.passMedians()[1], 1e-9);
        assertTrue(apart.middleSpread() <= SegmentRatio.UNSTABLE_SPREAD_PERCENT / 100.0,
            "the segments alone would pass the spread rule");
        assertFalse(apart.stable(), "two passes 20 % apart");
        assertEquals("its two passes (minutes apart) disagree: medians 1.05 and 1.28 differ by 20 % of the median (the "
            + "limit is 15 %)", apart.why());

        final SegmentRatio close = SegmentRatio.of(new double[] {100, 104, 108, 110}, new double[] {100, 100, 100, 100},
            2);
        assertTrue(close.stable(), close.why());
        assertEquals("", close.why());
        assertTrue(close.passSpread() <= SegmentRatio.PASS_AGREEMENT_PERCENT / 100.0);

        final SegmentRatio onePass = SegmentRatio.of(new double[] {100, 100, 150, 150},
            new double[] {100, 100, 100, 100});
        assertEquals(0, onePass.passSpread(), "a run in one pass has nothing to disagree with");
        assertThrows(IllegalArgumentException.class, () -> new SegmentRatio(new double[] {1.0}, new int[2]));
    }
}

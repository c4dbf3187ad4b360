package dev.ipckit.mmap;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.ipckit.conformance.Reliability;

/**
 * The ring header validator on seeded random input, {@value Reliability#FUZZ_CASES} cases (a million by
 * default): valid headers with fields overwritten and file sizes off, and raw noise, each checked against the
 * rules written out again ({@link RingHeaderProperty}). Repeat a run with its printed seed through
 * {@code -Dipckit.chaos.seed=}. The coverage-guided counterpart is {@link RingHeaderFuzzTest}.
 */
@Timeout(value = 30, unit = TimeUnit.MINUTES)
class RingHeaderRandomInputTest {

    @Test
    void shouldAcceptExactlyTheValidHeadersAndNameTheFileAndFieldOfEveryOther() {
        final long cases = Reliability.fuzzCases();
        final long seed = Reliability.chaosSeed();
        final SplittableRandom random = new SplittableRandom(seed);
        final RingHeaderProperty property = new RingHeaderProperty();
        final long started = System.nanoTime();
        for (long i = 0; i < cases; i++) {
            final int kind = random.nextInt(16);
            final byte[] data = new byte[kind == 0 ? random.nextInt(0, 140) : 4 + 6 * random.nextInt(0, 3)];
            random.nextBytes(data);
            if (kind != 0 && data.length > 0) {
                data[0] &= ~1; // a valid header, changed a little
                for (int patch = 4; patch + 6 <= data.length; patch += 6) {
                    data[patch] &= 0x3F; // mostly the static fields
                    data[patch + 1] = 0;
                }
            }
            try {
                property.check(data);
            } catch (final AssertionError e) {
                throw new AssertionError("case " + i + " of seed " + seed + ": " + e.getMessage(), e);
            }
        }
        assertTrue(property.accepted() > cases / 20 && property.refused() > cases / 20,
            "both outcomes were exercised: " + property.accepted() + " accepted, " + property.refused() + " refused");
        System.out.printf("fuzz ring header: %,d seeded cases (seed %d) in %d s: %,d valid headers accepted, %,d "
                + "refused naming the file and the field; every outcome as the rules'%n", cases, seed,
            TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started), property.accepted(), property.refused());
    }
}

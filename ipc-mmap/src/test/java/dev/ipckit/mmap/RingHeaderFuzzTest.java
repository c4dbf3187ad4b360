package dev.ipckit.mmap;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterAll;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of the ring header validator with Jazzer: the same property as the seeded
 * {@link RingHeaderRandomInputTest} ({@link RingHeaderProperty}), on inputs Jazzer mutates towards new branches
 * (its comparison hooks find the magic and the version by themselves). Runs in fuzzing mode in its own surefire
 * execution (see the module's pom); findings are written under {@code target/jazzer}.
 */
class RingHeaderFuzzTest {
    private static final RingHeaderProperty PROPERTY = new RingHeaderProperty();
    private static final AtomicLong INPUTS = new AtomicLong();

    @FuzzTest(maxDuration = "15s")
    void shouldAcceptExactlyTheValidHeaders(final byte[] data) {
        INPUTS.incrementAndGet();
        PROPERTY.check(data);
    }

    @AfterAll
    static void summary() {
        System.out.printf("jazzer ring header: %,d inputs (%,d accepted, %,d refused), every outcome as the rules'%n",
            INPUTS.get(), PROPERTY.accepted(), PROPERTY.refused());
    }
}

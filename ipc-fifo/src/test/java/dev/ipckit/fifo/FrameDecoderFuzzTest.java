package dev.ipckit.fifo;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterAll;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of the FIFO frame decoder with Jazzer: the same property as the seeded
 * {@link FrameDecoderRandomInputTest} ({@link FrameDecoderProperty}), on inputs Jazzer mutates towards new
 * branches. Runs in fuzzing mode in its own surefire execution (see the module's pom); findings are written
 * under {@code target/jazzer}.
 */
class FrameDecoderFuzzTest {
    private static final FrameDecoderProperty PROPERTY = new FrameDecoderProperty();
    private static final AtomicLong INPUTS = new AtomicLong();

    @FuzzTest(maxDuration = "15s")
    void shouldDecodeEveryStreamAsTheModelDoes(final byte[] data) {
        INPUTS.incrementAndGet();
        PROPERTY.check(data);
    }

    @AfterAll
    static void summary() {
        System.out.printf("jazzer frame decoder: %,d inputs, every outcome as the model's%n", INPUTS.get());
    }
}

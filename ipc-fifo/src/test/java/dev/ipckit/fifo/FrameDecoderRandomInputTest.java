package dev.ipckit.fifo;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.ipckit.conformance.Reliability;

/**
 * The FIFO frame decoder on seeded random input, {@value Reliability#FUZZ_CASES} cases (a million by default):
 * raw byte streams and streams of frames with damaged headers, cut into reads at random places, each checked
 * against a model of the format ({@link FrameDecoderProperty}). Repeat a run with its printed seed through
 * {@code -Dipckit.chaos.seed=}. The coverage-guided counterpart is {@link FrameDecoderFuzzTest}.
 */
@Timeout(value = 30, unit = TimeUnit.MINUTES)
class FrameDecoderRandomInputTest {

    @Test
    void shouldDecodeEveryStreamAsTheModelDoesAndNameEveryCorruption() {
        final long cases = Reliability.fuzzCases();
        final long seed = Reliability.chaosSeed();
        final SplittableRandom random = new SplittableRandom(seed);
        final FrameDecoderProperty property = new FrameDecoderProperty();
        long corrupt = 0;
        long partial = 0;
        long frames = 0;
        final long started = System.nanoTime();
        for (long i = 0; i < cases; i++) {
            final byte[] data = new byte[random.nextInt(8) == 0 ? random.nextInt(4, 400) : random.nextInt(4, 48)];
            random.nextBytes(data);
            if (random.nextInt(8) != 0) {
                data[3] |= 1; // mostly well-formed frames with damage here and there, sometimes raw noise
            }
            try {
                property.check(data);
            } catch (final AssertionError e) {
                throw new AssertionError("case " + i + " of seed " + seed + ": " + e.getMessage(), e);
            }
            final FrameDecoderProperty.Model model = property.lastModel();
            frames += model.frames.size();
            corrupt += model.badLength != null ? 1 : 0;
            partial += model.badLength == null && model.partial > 0 ? 1 : 0;
        }
        System.out.printf("fuzz frame decoder: %,d seeded cases (seed %d) in %d s: %,d frames delivered whole, "
                + "%,d corrupt streams named, %,d unfinished frames discarded; every outcome as the model's%n",
            cases, seed, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started), frames, corrupt, partial);
    }
}

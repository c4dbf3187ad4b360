package dev.ipckit.mmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.ipckit.conformance.Chaos;
import dev.ipckit.conformance.Reliability;

/**
 * kill -9 across processes on rings whose idle receivers sleep until a signal wakes them ({@code wait=signal}):
 * one-to-one and many-to-one, each with the child sending and with the child receiving slowly. A receiver
 * asleep in sigtimedwait must still notice its sender's death, and a held-back sender its receiver's. See
 * {@link Chaos} for what is checked; {@value Reliability#CHAOS_ROUNDS} sets the rounds.
 */
@Timeout(value = 60, unit = TimeUnit.MINUTES)
class MmapSignalChaosTest {
    @TempDir
    Path dir;

    private final List<String> rings = new ArrayList<>();

    @AfterEach
    void removeRings() {
        rings.forEach(TestRings::remove);
    }

    private String ring(final String label, final String options) {
        final String name = TestRings.uniqueName("signal-chaos-" + label);
        rings.add(name);
        return "mmap:" + MmapOptions.DEFAULT_DIRECTORY + "/" + name + "?wait=signal&" + options;
    }

    @Test
    void shouldDeliverIntactPrefixesAndReportEveryKilledPeerWithSignalWakeUps() {
        final List<Chaos.Channel> channels = List.of(
            MmapChaosTest.childSends("signal one-to-one", List.of(1), ring("o2o", "capacity=64k")),
            MmapChaosTest.childSends("signal many-to-one", List.of(2, 3), ring("m2o", "capacity=64k&producers=many")),
            MmapChaosTest.childReceives("signal one-to-one held back", 4, ring("o2o-back", "capacity=16k")),
            MmapChaosTest.childReceives("signal many-to-one held back", 5,
                ring("m2o-back", "capacity=16k&producers=many&signal=SIGRTMIN+6")));
        final int rounds = Reliability.chaosRounds();
        final Chaos.Summary summary = MmapChaosTest.run("mmap wait=signal (one-to-one, many-to-one)", channels,
            "signal", dir);
        assertEquals(rounds, summary.kills());
        assertEquals(rounds * 2, summary.sendersGone());
        assertEquals(rounds * 2, summary.receiversGone());
        assertTrue(summary.received() > 0 && summary.sent() > 0, summary.toString());
    }
}

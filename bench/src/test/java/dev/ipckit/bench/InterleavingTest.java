package dev.ipckit.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.ipckit.bench.Interleaving.Slot;

/**
 * The order of an interleaved run, the grouping of rows, and the pause of a child between its segments.
 */
class InterleavingTest {
    @Test
    void shouldGiveEveryRowOneSegmentPerRoundInTheGroupsOrder() {
        assertEquals(List.of(new Slot(0, "A"), new Slot(0, "B"), new Slot(0, "C"),
            new Slot(1, "A"), new Slot(1, "B"), new Slot(1, "C")),
            Interleaving.schedule(List.of("A", "B", "C"), 2));
        assertEquals(List.of(), Interleaving.schedule(List.of("A"), 0));
    }

    @Test
    void shouldJoinRowsThroughTheirReferencesAndKeepTheirOrder() {
        final Map<String, List<String>> references = Map.of("a", List.of("x"), "b", List.of("y"), "c", List.of("x",
            "y"), "d", List.of("missing"), "x", List.of(), "y", List.of());
        assertEquals(List.of(List.of("a", "b", "c", "x", "y"), List.of("d")),
            Interleaving.groups(List.of("a", "b", "c", "d", "x", "y"), references::get),
            "a and b meet through c; a reference that is not run is ignored");
        assertEquals(List.of(List.of("y"), List.of("x")), Interleaving.groups(List.of("y", "x"), references::get));
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldStopAChildBetweenSegmentsAndResumeIt() throws Exception {
        final Process child = new ProcessBuilder("sleep", "60").start();
        try {
            final PeerPause pause = PeerPause.of(child);
            pause.stop();
            assertTrue(pause.stopped());
            awaitState(child.pid(), 'T');
            pause.resume();
            assertFalse(pause.stopped());
            awaitState(child.pid(), 'S');
            pause.resume(); // idempotent: no second SIGCONT needed, none sent
            assertTrue(child.isAlive());
        } finally {
            child.destroyForcibly().waitFor();
        }
        final PeerPause ended = PeerPause.of(child);
        ended.stop();
        assertFalse(ended.stopped(), "a child that has ended is never signalled");
    }

    /** Waits until /proc/PID/stat shows the state. */
    private static void awaitState(final long pid, final char state) throws IOException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        char seen = '?';
        while (System.nanoTime() < deadline) {
            final String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            seen = stat.charAt(stat.lastIndexOf(')') + 2);
            if (seen == state) {
                return;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        throw new AssertionError("process " + pid + " is in state " + seen + ", not " + state);
    }

    @Test
    void shouldSplitTheRoundsIntoTwoPassesFromFourRoundsOn() {
        assertEquals(1, Interleaving.passes(3));
        assertEquals(2, Interleaving.passes(Interleaving.TWO_PASSES_FROM));
        assertEquals(2, Interleaving.passes(20));
        assertEquals(List.of(0, 2, 5), List.of(Interleaving.firstRound(5, 2, 0), Interleaving.firstRound(5, 2, 1),
            Interleaving.firstRound(5, 2, 2)));
        assertEquals(List.of(0, 0, 1, 1, 1), java.util.stream.IntStream.range(0, 5)
            .map(round -> Interleaving.passOf(5, 2, round)).boxed().toList());
        assertEquals(List.of(new Interleaving.Slot(2, "A"), new Interleaving.Slot(2, "B"), new Interleaving.Slot(3, "A"),
            new Interleaving.Slot(3, "B")), Interleaving.schedule(List.of("A", "B"), 4, 2, 1));
    }
}

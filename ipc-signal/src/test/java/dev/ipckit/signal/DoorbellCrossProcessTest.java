package dev.ipckit.signal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.ipckit.PeerGoneException;
import dev.ipckit.posix.Errno;
import dev.ipckit.posix.NativeException;

@Timeout(120)
class DoorbellCrossProcessTest {
    private static final int ROUNDS = 100_000;

    @TempDir
    Path dir;

    @Test
    void shouldLoseNoWakeUpInAHundredThousandRoundsBetweenTwoProcesses() throws Exception {
        final Path parentBell = dir.resolve("parent.bell");
        final Path childBell = dir.resolve("child.bell");
        final Path ready = dir.resolve("ready");
        final Path result = dir.resolve("result");
        // Neither side spins: every await that finds no ring sleeps, so nearly every round needs a signal, and
        // the child widens its fall-asleep window so that many rings land between its last check and its sleep.
        try (Doorbell mine = Doorbell.create(parentBell, new Doorbell.Context().spin(Duration.ZERO))) {
            final Process child = Children.startPeer(List.of("pong", parentBell.toString(), childBell.toString(),
                Integer.toString(ROUNDS), ready.toString(), result.toString()));
            try {
                Children.awaitFile(ready, child);
                try (Doorbell theirs = Doorbell.open(childBell)) {
                    for (int i = 0; i < ROUNDS; i++) {
                        // 0..16 us before each ring, so that the child is at every stage of falling asleep when
                        // rings arrive, not only awake or sound asleep
                        final long ringAt = System.nanoTime() + (i % 17) * 1_000;
                        while (System.nanoTime() - ringAt < 0) {
                            Thread.onSpinWait();
                        }
                        theirs.ring();
                        if (!mine.await(DoorbellPeer.ROUND_TIMEOUT)) {
                            fail("round " + i + ": no ring back within " + DoorbellPeer.ROUND_TIMEOUT
                                + " (child alive: " + child.isAlive() + ")");
                        }
                    }
                    assertEquals(0, Children.awaitExit(child), "the child checked every round");
                    final String[] counters = Files.readString(result).split(" ");
                    assertEquals(Integer.toString(ROUNDS), counters[0]);
                    final long childSleeps = Long.parseLong(counters[1]);
                    final long childMissed = Long.parseLong(counters[2]);
                    final long childStrangers = Long.parseLong(counters[3]);
                    final long ringsInWindow = Long.parseLong(counters[4]);
                    final long childSignalsSent = Long.parseLong(counters[5]);
                    System.out.printf("doorbell ping-pong: %d rounds; parent slept %d times, sent %d signals; child "
                            + "slept %d times, sent %d signals; %d rings landed between the child's last check and "
                            + "its sleep%n", ROUNDS, mine.sleeps(), theirs.signalsSent(), childSleeps, childSignalsSent,
                        ringsInWindow);
                    assertEquals(0, mine.missedWakeups(), "every sleep of the parent ended by a signal");
                    assertEquals(0, childMissed, "every sleep of the child ended by a signal");
                    assertEquals(0, mine.strangersIgnored());
                    assertEquals(0, childStrangers);
                    assertTrue(mine.sleeps() > 0 && childSleeps > 0, "both sides slept");
                    assertTrue(theirs.signalsSent() > 0 && childSignalsSent > 0, "both sides woke the other");
                    assertTrue(ringsInWindow > 0, "some rings landed just as the child fell asleep");
                }
            } finally {
                Children.kill(child);
            }
        }
    }

    @Test
    void shouldReportAWaiterKilledInItsSleepAndLetTheNextOneAdoptTheBell() throws Exception {
        final Path bell = dir.resolve("bell");
        final Path ready = dir.resolve("ready");
        final Process child = Children.startPeer(List.of("sleep", bell.toString(), ready.toString()));
        try {
            final int childPid = Integer.parseInt(Children.awaitFile(ready, child).split(" ")[0]);
            try (Doorbell ringer = Doorbell.open(bell)) {
                assertTrue(ringer.isPeerAlive());
                Children.awaitCondition(() -> ringer.lvWaiting() == 1, "the child is asleep");
                child.destroyForcibly(); // SIGKILL: the waiting word stays set
                assertEquals(128 + 9, Children.awaitExit(child));
                assertFalse(ringer.isPeerAlive(), "the kernel dropped the dead waiter's lock");
                final PeerGoneException e = assertThrows(PeerGoneException.class, ringer::ring);
                assertTrue(e.getMessage().contains("the waiting process " + childPid + " is gone"), e.getMessage());
                try (Doorbell adopted = Doorbell.create(bell)) {
                    assertTrue(adopted.isPeerAlive(), "the ringer is still there");
                    assertFalse(ringer.ring(), "the new waiter is awake");
                    assertTrue(adopted.await(Duration.ZERO));
                }
            }
        } finally {
            Children.kill(child);
        }
    }

    @Test
    void shouldExplainAFullSignalQueue() throws Exception {
        final Path bell = dir.resolve("bell");
        final Path ready = dir.resolve("ready");
        // The waiter runs with RLIMIT_SIGPENDING 0: no real-time signal can be queued for it.
        final List<String> command = new ArrayList<>(List.of("bash", "-c", "ulimit -i 0 && exec \"$@\"", "bash"));
        command.addAll(Children.peerCommand(List.of("sleep", bell.toString(), ready.toString())));
        final Process child = Children.start(command);
        try {
            final int childPid = Integer.parseInt(Children.awaitFile(ready, child).split(" ")[0]);
            try (Doorbell ringer = Doorbell.open(bell)) {
                Children.awaitCondition(() -> ringer.lvWaiting() == 1, "the child is asleep");
                final NativeException e = assertThrows(NativeException.class, ringer::ring);
                assertEquals(Errno.EAGAIN, e.errno());
                assertEquals("tgkill", e.call());
                assertTrue(e.getMessage().contains("process " + childPid
                    + " allows 0 pending signals (RLIMIT_SIGPENDING, 'ulimit -i')"), e.getMessage());
                assertTrue(e.getMessage().contains("only when its bounded sleep ends"), e.getMessage());
                assertEquals(0, ringer.signalsSent());
            }
        } finally {
            Children.kill(child);
        }
    }
}

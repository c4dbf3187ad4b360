package dev.ipckit.mmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.ipckit.conformance.Peer;
import dev.ipckit.conformance.Reliability;

/**
 * Broadcast chaos: each round, a child sender and four child subscribers (three {@code slow=block}, one
 * {@code slow=drop}) on a subscribers=4 ring; one block subscriber is killed with SIGKILL at a random moment and,
 * in half the rounds, the sender too. The surviving block subscribers lose nothing: each gets every message the
 * sender committed, from the first, in order and whole, and they all get the same number; the drop subscriber
 * never sees a torn message nor one out of order. Rounds: {@link Reliability#chaosRounds()} / 10 (at least 3), so
 * a few by default and many under {@code -Preliability}; the seed is printed.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class MmapFanOutChaosTest {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final int COUNT = 20_000;
    private static final int MAX = 200;

    @TempDir
    Path dir;

    /**
     * What a subscriber child reported: see {@link FanOutPeer}.
     */
    private record Outcome(long received, long first, long last, long torn, long disorder, long gaps, long laps) {
        static Outcome read(final Path file) throws Exception {
            final String[] f = Files.readString(file).trim().split(" ");
            return new Outcome(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]),
                Long.parseLong(f[4]), Long.parseLong(f[5]), Long.parseLong(f[6]));
        }
    }

    @Test
    void shouldLoseNothingForSurvivingBlockSubscribersAndNeverTearForDropOnesWhenEndsAreKilled() throws Exception {
        final int rounds = Math.max(3, Reliability.chaosRounds() / 10);
        final long seed = Reliability.chaosSeed();
        System.out.println("fan-out chaos: " + rounds + " rounds, -D" + Reliability.CHAOS_SEED + "=" + seed);
        final SplittableRandom random = new SplittableRandom(seed);
        int senderKills = 0;
        for (int round = 0; round < rounds; round++) {
            senderKills += round(round, random) ? 1 : 0;
        }
        System.out.println("fan-out chaos: " + rounds + " rounds, " + rounds + " subscribers and " + senderKills
            + " senders killed");
    }

    /**
     * @return whether the sender was killed.
     */
    private boolean round(final int round, final SplittableRandom random) throws Exception {
        final String name = TestRings.uniqueName("fanchaos");
        final String uri = "mmap:" + name + "?capacity=16k&maxMessage=" + MAX + "&subscribers=4"
            + (round % 2 == 0 ? "&wait=futex" : "") + (round % 3 == 2 ? "&producers=many" : "");
        final List<Peer> subscribers = new ArrayList<>();
        final List<Path> outs = new ArrayList<>();
        Peer sender = null;
        try {
            for (int i = 0; i < 4; i++) {
                final Path ready = dir.resolve("r" + round + "-" + i);
                final Path out = dir.resolve("o" + round + "-" + i);
                outs.add(out);
                final Peer child = Peer.startJvm(FanOutPeer.class, List.of("subscribe", uri + (i == 3 ? "&slow=drop"
                    : ""), ready.toString(), out.toString(), Long.toString(COUNT)), null);
                subscribers.add(child);
                MmapPeers.awaitReady(ready, child, DEADLINE);
            }
            final Path senderReady = dir.resolve("s" + round);
            sender = Peer.startJvm(FanOutPeer.class, List.of("send", uri, senderReady.toString(),
                Integer.toString(COUNT), Integer.toString(MAX)), null);
            MmapPeers.awaitReady(senderReady, sender, DEADLINE);
            final int victim = random.nextInt(3);
            final long victimAt = random.nextLong(COUNT * 100L);
            final boolean killSender = random.nextBoolean();
            final long senderAt = random.nextLong(COUNT * 100L);
            final long deadline = System.nanoTime() + DEADLINE.toNanos();
            boolean victimKilled = false;
            boolean senderKilled = false;
            while (!victimKilled || killSender && !senderKilled) {
                final long tail = tail(name);
                final boolean senderDone = sender.awaitExit(Duration.ZERO) != null;
                if (!victimKilled && (tail >= victimAt || senderDone)) {
                    subscribers.get(victim).kill();
                    victimKilled = true;
                }
                if (killSender && !senderKilled && (tail >= senderAt || senderDone)) {
                    sender.kill();
                    senderKilled = true;
                }
                assertTrue(System.nanoTime() - deadline < 0, "round " + round + ": the kill moments never came");
                Thread.onSpinWait();
            }
            final Integer senderExit = sender.awaitExit(DEADLINE);
            assertNotNull(senderExit, "round " + round + ": the sender is held back after a subscriber was killed");
            final boolean senderCompleted = !killSender || senderExit == 0;
            long survivorsReceived = -1;
            for (int i = 0; i < 4; i++) {
                if (i == victim) {
                    continue;
                }
                assertEquals(0, subscribers.get(i).awaitExit(DEADLINE), "round " + round + ": subscriber " + i);
                final Outcome outcome = Outcome.read(outs.get(i));
                final String what = "round " + round + " (" + uri + "), subscriber " + i + ": " + outcome;
                assertEquals(0, outcome.torn(), what);
                assertEquals(0, outcome.disorder(), what);
                if (i == 3) {
                    continue; // slow=drop: may be lapped, never torn or out of order
                }
                assertEquals(0, outcome.gaps(), what);
                assertTrue(outcome.received() == 0 || outcome.first() == 0, what);
                if (senderCompleted) {
                    assertEquals(COUNT, outcome.received(), what);
                }
                if (survivorsReceived >= 0) {
                    assertEquals(survivorsReceived, outcome.received(), what + ": every survivor gets every commit");
                }
                survivorsReceived = outcome.received();
            }
            return killSender && senderExit != 0;
        } finally {
            subscribers.forEach(Peer::kill);
            if (sender != null) {
                sender.kill();
            }
            TestRings.remove(name);
        }
    }

    private static long tail(final String name) {
        try (RingFileInspector inspector = RingFileInspector.open(name)) {
            return inspector.stat().tailPosition();
        }
    }
}

package dev.ipckit.mmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.ipckit.conformance.Peer;
import dev.ipckit.conformance.Reliability;

/**
 * Subscribers that create a fan-out ring at the same moment: each round, three child subscribers of a ring that
 * does not exist yet wait for one go-file and then open at once (one creates the file, the others attach to it,
 * all take slots). Then a child sender sends {@value #COUNT} messages and closes: every subscriber receives all of
 * them, whole and in order, and sees the sender close ({@code PeerGoneException} CLOSED). In the rounds where the
 * sender opens at the same moment as the subscribers, each subscriber gets every message committed after it
 * joined, in order, a contiguous run ending at the last, and sees the close; or, when it opened only after the
 * sender had closed and every other end had gone, it is in a new session and waits for the next sender. Half the
 * rounds put the ring in a directory of its own (an absolute path), half in the default one. Rounds:
 * {@link Reliability#chaosRounds()} / 20 (at least 3), a few by default and many under {@code -Preliability}.
 */
@Timeout(value = 900, unit = TimeUnit.SECONDS)
class MmapFanOutJoinRaceTest {
    private static final Duration DEADLINE = Duration.ofSeconds(90);
    private static final int SUBSCRIBERS = 3;
    private static final int COUNT = 5_000;
    private static final int MAX = 200;

    @TempDir
    Path dir;

    /** Subscribers that opened after the sender and every other end had gone (sender with the subscribers). */
    private int lateJoins;

    /**
     * What a subscriber child reported: see {@link FanOutPeer}.
     */
    private record Outcome(long received, long first, long last, long torn, long disorder, long gaps, String gone) {
        static Outcome read(final Path file) throws Exception {
            final String[] f = Files.readString(file).trim().split(" ");
            return new Outcome(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]),
                Long.parseLong(f[4]), Long.parseLong(f[5]), f[8]);
        }
    }

    @ParameterizedTest(name = "producers={0}, sender after the subscribers={1}")
    @CsvSource({"one,true", "many,true", "one,false", "many,false"})
    void shouldDeliverEveryMessageAndTheCloseToSubscribersThatCreateTheRingTogether(final String producers,
                                                                                    final boolean senderAfter)
        throws Exception {
        final int rounds = Math.max(3, Reliability.chaosRounds() / 20);
        for (int round = 0; round < rounds; round++) {
            round(round, producers, senderAfter);
        }
        System.out.println("fan-out join race (producers=" + producers + ", sender " + (senderAfter ? "after" : "with")
            + " the subscribers): " + rounds + " rounds, " + lateJoins
            + " subscribers opened after everyone had gone");
    }

    private void round(final int round, final String producers, final boolean senderAfter) throws Exception {
        final Path roundDir = dir.resolve("round" + round);
        final String name = TestRings.uniqueName("joinrace");
        final boolean ownDirectory = round % 2 == 0;
        if (ownDirectory) {
            Files.createDirectories(roundDir);
        }
        final String location = ownDirectory ? roundDir.resolve("broadcast").toString() : name;
        final String uri = "mmap:" + location + "?capacity=256k&subscribers=4&producers=" + producers;
        final Path go = dir.resolve("go" + round);
        final List<Peer> children = new ArrayList<>();
        final List<Path> readies = new ArrayList<>();
        final List<Path> outs = new ArrayList<>();
        try {
            for (int i = 0; i < SUBSCRIBERS; i++) {
                final Path ready = dir.resolve("r" + round + "-" + i);
                final Path out = dir.resolve("o" + round + "-" + i);
                readies.add(ready);
                outs.add(out);
                children.add(Peer.startJvm(FanOutPeer.class, List.of("subscribe", uri, ready.toString(),
                    out.toString(), "-1", go.toString()), null));
            }
            final Path senderReady = dir.resolve("s" + round);
            final List<String> send = new ArrayList<>(List.of("send", uri, senderReady.toString(),
                Integer.toString(COUNT), Integer.toString(MAX)));
            if (!senderAfter) {
                send.add(go.toString());
                children.add(Peer.startJvm(FanOutPeer.class, send, null));
            }
            for (int i = 0; i < children.size(); i++) {
                final Path ready = i < SUBSCRIBERS ? readies.get(i) : senderReady;
                MmapPeers.awaitReady(Path.of(ready + ".armed"), children.get(i), DEADLINE);
            }
            Files.writeString(go, "go"); // every child is spinning on it: they open together
            for (int i = 0; i < SUBSCRIBERS; i++) {
                MmapPeers.awaitReady(readies.get(i), children.get(i), DEADLINE);
            }
            if (senderAfter) {
                children.add(Peer.startJvm(FanOutPeer.class, send, null));
            }
            final Peer sender = children.get(SUBSCRIBERS);
            final String what = "round " + round + " (" + uri + ", sender " + (senderAfter ? "after" : "with")
                + " the subscribers)";
            assertEquals(0, sender.awaitExit(DEADLINE), what + ": the sender");
            for (int i = 0; i < SUBSCRIBERS; i++) {
                final Integer exit = children.get(i).awaitExit(DEADLINE);
                final String subscriber = what + ", subscriber " + i + " (process " + children.get(i).pid() + ")";
                assertEquals(0, exit, subscriber);
                final Outcome outcome = Outcome.read(outs.get(i));
                final String said = subscriber + ": " + outcome;
                if (!senderAfter && outcome.received() == 0 && "nosender".equals(outcome.gone())) {
                    // it opened after the sender had closed and every other end had gone: a new session, in which
                    // a subscriber waits for the next sender (as one receiver does)
                    lateJoins++;
                    continue;
                }
                assertEquals("CLOSED", outcome.gone(), said + ": it must see the sender close");
                assertEquals(0, outcome.torn(), said);
                assertEquals(0, outcome.disorder(), said);
                assertEquals(0, outcome.gaps(), said);
                if (senderAfter) {
                    assertEquals(COUNT, outcome.received(), said);
                    assertEquals(0, outcome.first(), said);
                } else if (outcome.received() > 0) {
                    assertEquals(COUNT - 1, outcome.last(), said + ": a run ending at the last message");
                    assertEquals(outcome.last() - outcome.first() + 1, outcome.received(), said + ": contiguous");
                }
                assertTrue(outcome.received() <= COUNT, said);
            }
        } finally {
            children.forEach(Peer::kill);
            TestRings.remove(name);
            Files.deleteIfExists(roundDir.resolve("broadcast"));
        }
    }
}

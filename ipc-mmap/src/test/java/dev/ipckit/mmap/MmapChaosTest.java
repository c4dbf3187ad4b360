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

import dev.ipckit.Channels;
import dev.ipckit.conformance.Chaos;
import dev.ipckit.conformance.ChaosPeer;
import dev.ipckit.conformance.Peer;
import dev.ipckit.conformance.Reliability;

/**
 * kill -9 across processes on every kind of ring: one-to-one, many-to-one (two sender threads in the child) and
 * one-to-one with {@code wait=futex}, each once with the child sending and once with the child receiving slowly
 * while this process is held back. One child per round carries all six rings, and every round reuses the same
 * ring names. See {@link Chaos} for what is checked; {@value Reliability#CHAOS_ROUNDS} sets the rounds.
 */
@Timeout(value = 60, unit = TimeUnit.MINUTES)
class MmapChaosTest {
    private static final int MAX_PAYLOAD = 2000;
    private static final int BATCH = 8;

    @TempDir
    Path dir;

    private final List<String> rings = new ArrayList<>();

    @AfterEach
    void removeRings() {
        rings.forEach(TestRings::remove);
    }

    private String ring(final String label, final String options) {
        final String name = TestRings.uniqueName("chaos-" + label);
        rings.add(name);
        return "mmap:" + MmapOptions.DEFAULT_DIRECTORY + "/" + name + "?" + options;
    }

    @Test
    void shouldDeliverIntactPrefixesAndReportEveryKilledPeerOnEveryKindOfRing() {
        final List<Chaos.Channel> channels = List.of(
            childSends("one-to-one", List.of(1), ring("o2o", "capacity=64k")),
            childSends("many-to-one", List.of(2, 3), ring("m2o", "capacity=64k&producers=many")),
            childSends("futex", List.of(4), ring("futex", "capacity=64k&wait=futex")),
            childReceives("one-to-one held back", 5, ring("o2o-back", "capacity=16k")),
            childReceives("many-to-one held back", 6, ring("m2o-back", "capacity=16k&producers=many")),
            childReceives("futex held back", 7, ring("futex-back", "capacity=16k&wait=futex")),
            childSends("agrona one-to-one", List.of(8), ring("agrona-o2o", "capacity=64k&format=agrona")),
            childSends("agrona many-to-one", List.of(9, 10),
                ring("agrona-m2o", "capacity=64k&producers=many&wait=futex&format=agrona")),
            childReceives("agrona held back", 11, ring("agrona-back", "capacity=16k&format=agrona")));
        final int rounds = Reliability.chaosRounds();
        final Chaos.Summary summary = run("mmap (one-to-one, many-to-one, futex; both formats)", channels, "futex",
            dir);
        assertEquals(rounds, summary.kills());
        assertEquals(rounds * 5, summary.sendersGone());
        assertEquals(rounds * 4, summary.receiversGone());
        assertTrue(summary.received() > 0 && summary.sent() > 0, summary.toString());
    }

    /**
     * Runs {@link Reliability#chaosRounds()} rounds whose child carries {@code channels}.
     *
     * @param title names the run in its summary.
     * @param channels the rings, reused by every round.
     * @param warmWait the wait mode of the ring each next child warms up on.
     * @param dir scratch space.
     * @return what the rounds counted.
     */
    static Chaos.Summary run(final String title, final List<Chaos.Channel> channels, final String warmWait,
                             final Path dir) {
        return Chaos.run(title, (round, roundDir) -> new Chaos.Round() {
            @Override
            public List<Chaos.Channel> channels() {
                return channels;
            }

            @Override
            public Peer start(final List<String> childArgs) {
                return Peer.startJvm(ChaosPeer.class, childArgs, null);
            }

            @Override
            public String warmUri() {
                return "mmap:" + roundDir.resolve("warm") + "?capacity=4k&wait=" + warmWait + "&unlinkOnClose=true";
            }
        }, dir, Reliability.chaosRounds(), Reliability.chaosSeed(), 4000);
    }

    static Chaos.Channel childSends(final String label, final List<Integer> streams, final String uri) {
        return new Chaos.Channel(label, Chaos.Direction.CHILD_SENDS, streams, MAX_PAYLOAD, uri,
            () -> Channels.openReceiver(uri), null, BATCH);
    }

    static Chaos.Channel childReceives(final String label, final int stream, final String uri) {
        return new Chaos.Channel(label, Chaos.Direction.CHILD_RECEIVES, List.of(stream), MAX_PAYLOAD, uri,
            () -> Channels.openSender(uri), () -> Channels.openReceiver(uri), BATCH);
    }
}

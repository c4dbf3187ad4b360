package dev.ipckit.mmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.ipckit.ChannelException;
import dev.ipckit.Channels;
import dev.ipckit.PeerGoneException;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;
import dev.ipckit.conformance.Peer;

/**
 * One sender, many subscribers ({@code subscribers=N}): late join at the tail, slot exhaustion, a dead subscriber
 * dropped from flow control by its lock, and the options a fan-out ring validates.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MmapFanOutTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final int MAX = 200;

    private final FanOutEnds rings = new FanOutEnds("fan", MAX);

    @TempDir
    Path dir;

    @AfterEach
    void closeAndRemove() throws Exception {
        rings.close();
    }

    /**
     * Receives until {@code count} messages arrived, checking each is whole and that they come in order.
     *
     * @return the indices received.
     */
    private static List<Long> receive(final Receiver receiver, final int count) {
        final List<Long> indices = new ArrayList<>();
        final long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (indices.size() < count) {
            assertTrue(System.nanoTime() - deadline < 0, "received only " + indices + " of " + count);
            receiver.poll(m -> {
                final long index = FanOutMessages.check(m);
                assertTrue(index >= 0, "a torn message");
                indices.add(index);
            }, count - indices.size(), Duration.ofMillis(50));
        }
        return indices;
    }

    private static List<Long> range(final long from, final long to) {
        final List<Long> list = new ArrayList<>();
        for (long i = from; i < to; i++) {
            list.add(i);
        }
        return list;
    }

    @Test
    void shouldDeliverEveryMessageToEverySubscriberAndStartALateJoinerAtTheTail() {
        final String uri = rings.uri("?capacity=64k&subscribers=3");
        final MmapReceiver first = rings.end((MmapReceiver) Channels.openReceiver(uri));
        final Sender sender = rings.end(Channels.openSender(uri));
        for (long i = 0; i < 10; i++) {
            assertTrue(rings.send(sender, i, DEADLINE));
        }
        final MmapReceiver late = rings.end((MmapReceiver) Channels.openReceiver(uri));
        assertEquals(0, late.poll(m -> { }, 100), "a late joiner starts at the tail: nothing sent before it joined");
        for (long i = 10; i < 15; i++) {
            assertTrue(rings.send(sender, i, DEADLINE));
        }
        assertEquals(range(0, 15), receive(first, 15));
        assertEquals(range(10, 15), receive(late, 5), "the late joiner gets every message after it joined, in order");
        assertTrue(first.subscriber() != late.subscriber(), "each subscriber has its own slot");
    }

    @Test
    void shouldHoldTheSenderBackToTheSlowestSubscriberAndLoseNothing() {
        final String uri = rings.uri("?capacity=4k&subscribers=2");
        final Receiver fast = rings.end(Channels.openReceiver(uri));
        final Receiver slow = rings.end(Channels.openReceiver(uri));
        final Sender sender = rings.end(Channels.openSender(uri));
        long sent = 0;
        while (rings.send(sender, sent, Duration.ZERO)) {
            sent++;
        }
        assertTrue(sent > 0);
        assertEquals(range(0, sent), receive(fast, (int) sent));
        assertFalse(rings.send(sender, sent, Duration.ofMillis(20)), "the slow subscriber still holds the sender back");
        assertEquals(range(0, sent), receive(slow, (int) sent));
        assertTrue(rings.send(sender, sent, DEADLINE), "room once the slowest subscriber read");
    }

    @Test
    void shouldRefuseASubscriberWhenEverySlotIsTakenNamingTheHoldersPids() {
        final String uri = rings.uri("?capacity=64k&subscribers=2");
        final Path ready1 = dir.resolve("ready1");
        final Path ready2 = dir.resolve("ready2");
        try (Peer one = Peer.startJvm(FanOutPeer.class, List.of("hold", uri, ready1.toString()), null);
             Peer two = Peer.startJvm(FanOutPeer.class, List.of("hold", uri, ready2.toString()), null)) {
            MmapPeers.awaitReady(ready1, one, DEADLINE);
            MmapPeers.awaitReady(ready2, two, DEADLINE);
            final ChannelException refused = assertThrows(ChannelException.class, () -> Channels.openReceiver(uri));
            assertTrue(refused.getMessage().contains("no free subscriber slot"), refused.getMessage());
            assertTrue(refused.getMessage().contains(Long.toString(one.pid()))
                && refused.getMessage().contains(Long.toString(two.pid())), refused.getMessage());
            one.kill();
            rings.end(Channels.openReceiver(uri)); // the dead subscriber's slot is free at once
        }
    }

    @Test
    void shouldDropAKilledSubscriberFromFlowControlAtOnceAndReuseItsSlot() {
        final String uri = rings.uri("?capacity=4k&subscribers=2&wait=futex");
        final Receiver live = rings.end(Channels.openReceiver(uri));
        final Path ready = dir.resolve("ready");
        try (Peer stuck = Peer.startJvm(FanOutPeer.class, List.of("hold", uri, ready.toString()), null)) {
            MmapPeers.awaitReady(ready, stuck, DEADLINE);
            final Sender sender = rings.end(Channels.openSender(uri));
            long sent = 0;
            while (rings.send(sender, sent, Duration.ZERO)) {
                sent++;
            }
            assertEquals(range(0, sent), receive(live, (int) sent));
            assertFalse(rings.send(sender, sent, Duration.ofMillis(20)),
                "the subscriber that never polls holds it back");
            stuck.kill();
            assertTrue(rings.send(sender, sent, DEADLINE),
                "a killed subscriber no longer holds the sender back");
            assertTrue(sender.isPeerAlive(), "the sender's peer is the live subscriber");
            final Receiver reused = rings.end(Channels.openReceiver(uri)); // the killed subscriber's slot
            for (long i = sent + 1; i < sent + 200; i++) {
                assertTrue(rings.send(sender, i, DEADLINE));
                assertEquals(List.of(i), receive(reused, 1));
                assertEquals(List.of(i - 1), receive(live, 1));
            }
        }
    }

    @Test
    void shouldTellTheSenderOnlyWhenTheLastSubscriberClosed() {
        final String uri = rings.uri("?capacity=64k&subscribers=3");
        final Receiver one = Channels.openReceiver(uri);
        final Receiver two = Channels.openReceiver(uri);
        final Sender sender = rings.end(Channels.openSender(uri));
        one.close();
        assertTrue(rings.send(sender, 0, DEADLINE), "another subscriber is still there");
        assertTrue(sender.isPeerAlive());
        assertEquals(List.of(0L), receive(two, 1));
        two.close();
        final PeerGoneException gone = assertThrows(PeerGoneException.class, () -> rings.send(sender, 1, DEADLINE));
        assertEquals(PeerGoneException.Reason.CLOSED, gone.reason(), gone.getMessage());
    }

    @Test
    void shouldRefuseAnotherSubscriberCountAndAgronasFormatNamingBoth() {
        final String uri = rings.uri("?capacity=64k&subscribers=3");
        rings.end(Channels.openReceiver(uri));
        final ChannelException other = assertThrows(ChannelException.class,
            () -> Channels.openReceiver(uri.replace("subscribers=3", "subscribers=2")));
        assertTrue(other.getMessage().contains("subscribers app=2 file=3"), other.getMessage());
        final IllegalArgumentException agrona = assertThrows(IllegalArgumentException.class,
            () -> MmapOptions.parse("mmap:x?subscribers=2&format=agrona"));
        assertTrue(agrona.getMessage().contains("format=ipckit"), agrona.getMessage());
        final IllegalArgumentException many = assertThrows(IllegalArgumentException.class,
            () -> MmapOptions.parse("mmap:x?subscribers=65"));
        assertTrue(many.getMessage().contains("1..64"), many.getMessage());
        final String oneToOne = rings.uri("?capacity=64k");
        rings.end(Channels.openSender(oneToOne));
        final ChannelException drop = assertThrows(ChannelException.class,
            () -> Channels.openReceiver(oneToOne + "&slow=drop"));
        assertTrue(drop.getMessage().contains("subscribers > 1"), drop.getMessage());
    }
}

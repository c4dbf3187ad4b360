package dev.ipckit.mmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.ipckit.Channels;
import dev.ipckit.Sender;

/**
 * {@code slow=drop} subscribers: the sender never waits for them; a lapped one counts what it lost, resumes at the
 * tail and never hands over a torn message, on producers=one and producers=many rings.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MmapFanOutDropTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final int MAX = 200;

    private final FanOutEnds rings = new FanOutEnds("drop", MAX);

    @AfterEach
    void closeAndRemove() throws Exception {
        rings.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "&producers=many"})
    void shouldNeverHoldTheSenderBackAndCountTheLapWhenLapped(final String producers) {
        final String uri = rings.uri("?capacity=4k&subscribers=3" + producers);
        final MmapReceiver block = rings.end((MmapReceiver) Channels.openReceiver(uri));
        final MmapReceiver drop = rings.end((MmapReceiver) Channels.openReceiver(uri + "&slow=drop"));
        final Sender sender = rings.end(Channels.openSender(uri));
        final long count = 2_000; // some 200 KiB through a 4 KiB ring the drop subscriber does not read
        for (long i = 0; i < count; i++) {
            assertTrue(rings.send(sender, i, Duration.ZERO), "the sender waited at message " + i);
            final long expected = i;
            assertEquals(1, block.poll(m -> assertEquals(expected, FanOutMessages.check(m)), 1));
        }
        final List<Long> seen = new ArrayList<>();
        drop.poll(m -> seen.add(FanOutMessages.check(m)), 1000);
        assertEquals(1, drop.laps(), "one lap: " + seen);
        assertTrue(drop.droppedBytes() > 3 * 4096, "at least the bytes of the laps it missed: " + drop.droppedBytes());
        assertTrue(seen.isEmpty(), "nothing of the overwritten laps is handed over: " + seen);
        final MemorySegment slot = drop.segment().asSlice(4096 + StampedRingDescriptor.subscriberOffset(drop.subscriber()));
        assertEquals(1, slot.get(ValueLayout.JAVA_LONG, StampedRingDescriptor.SUBSCRIBER_LAPS), "the slot says so too");
        for (long i = count; i < count + 10; i++) {
            assertTrue(rings.send(sender, i, Duration.ZERO));
        }
        final List<Long> after = new ArrayList<>();
        final long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (after.size() < 10 && System.nanoTime() - deadline < 0) {
            drop.poll(m -> after.add(FanOutMessages.check(m)), 10, Duration.ofMillis(50));
        }
        final List<Long> expected = new ArrayList<>();
        for (long i = count; i < count + 10; i++) {
            expected.add(i);
        }
        assertEquals(expected, after, "it resumed at the tail and gets every message after it");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "&producers=many"})
    void shouldNeverHandOverATornMessageWhileTheSenderLapsIt(final String producers) throws Exception {
        final String uri = rings.uri("?capacity=4k&subscribers=2" + producers);
        final MmapReceiver drop = rings.end((MmapReceiver) Channels.openReceiver(uri + "&slow=drop"));
        final Sender sender = rings.end(Channels.openSender(uri));
        final AtomicBoolean done = new AtomicBoolean();
        final AtomicLong whole = new AtomicLong();
        final long[] counts = new long[3]; // whole, torn, out of order
        final CompletableFuture<Void> reading = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> {
            final long[] last = {-1};
            while (!done.get()) {
                drop.poll(m -> {
                    final long index = FanOutMessages.check(m);
                    if (index < 0) {
                        counts[1]++;
                    } else {
                        counts[index > last[0] ? 0 : 2]++;
                        last[0] = index;
                        whole.incrementAndGet();
                    }
                    for (int k = 0; k < 3; k++) {
                        FanOutMessages.check(m); // a slow handler: the sender laps it while it works
                    }
                }, 16);
            }
            reading.complete(null);
        });
        // at least 300,000 messages, and on until the subscriber has had 1,000 (a loaded machine may start it late)
        final long deadline = System.nanoTime() + DEADLINE.toNanos();
        for (long i = 0; i < 300_000 || whole.get() < 1000 && System.nanoTime() - deadline < 0; i++) {
            assertTrue(rings.send(sender, i, Duration.ZERO), "the sender waited for a drop subscriber at " + i);
        }
        done.set(true);
        reading.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        assertEquals(0, counts[1], "torn messages handed over");
        assertEquals(0, counts[2], "messages out of order");
        assertTrue(counts[0] > 0, "nothing received");
        assertTrue(counts[0] + drop.laps() > 0);
    }
}

package dev.ipckit.mmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.ipckit.Channels;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;
import dev.ipckit.conformance.ProcessResources;
import dev.ipckit.conformance.Reliability;

/**
 * Opening and closing {@value Reliability#RESOURCE_CHANNELS} (10,000 by default) channels of each kind of ring, each
 * carrying a message, leaves no descriptor, no mapping and no thread behind: half the rounds reopen one ring
 * (a new session each time), half create a ring and remove it on close.
 */
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class MmapResourceTest {
    private static final int SLACK = 64;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"one-to-one:", "many-to-one:&producers=many", "futex:&wait=futex"})
    void shouldLeaveNothingBehindAfterOpeningAndClosingManyRings(final String kind) {
        final String label = kind.substring(0, kind.indexOf(':'));
        final String options = "?capacity=4k" + kind.substring(kind.indexOf(':') + 1);
        final String own = dir.toString();
        cycle(label, options, 0, 200);
        final ProcessResources before = ProcessResources.take(path -> path.startsWith(own));
        final int channels = Reliability.resourceChannels();
        final long started = System.nanoTime();
        cycle(label, options, 200, channels);
        final ProcessResources after = ProcessResources.take(path -> path.startsWith(own));
        before.assertNothingLeftIn(after, channels + " " + label + " rings", SLACK);
        assertEquals(0, after.ownDescriptors());
        assertEquals(0, after.ownMappings());
        System.out.printf("resources mmap %s: %,d sender/receiver pairs opened, used and closed in %d ms; %s%n", label,
            channels, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), before.change(after));
    }

    private void cycle(final String label, final String options, final int from, final int count) {
        final byte[] message = {1, 2, 3};
        for (int i = from; i < from + count; i++) {
            final boolean fresh = i % 2 == 1;
            final String uri = "mmap:" + dir.resolve(label + (fresh ? "-fresh-" + i : "-reused")) + options
                + (fresh ? "&unlinkOnClose=true" : "");
            try (Receiver receiver = Channels.openReceiver(uri); Sender sender = Channels.openSender(uri)) {
                assertTrue(sender.offer(message));
                assertEquals(1, receiver.poll((b, o, l) -> { }, 1, Duration.ofSeconds(5)), uri);
            }
        }
    }

    @Test
    void shouldLeaveNothingBehindAfterInspectingARingManyTimes() {
        final Path ring = dir.resolve("inspected");
        Channels.openReceiver("mmap:" + ring + "?capacity=4k").close();
        final String own = dir.toString();
        for (int i = 0; i < 200; i++) {
            RingFileInspector.open(ring.toString()).close();
        }
        final ProcessResources before = ProcessResources.take(path -> path.startsWith(own));
        final int count = Reliability.resourceChannels();
        for (int i = 0; i < count; i++) {
            try (RingFileInspector inspector = RingFileInspector.open(ring.toString())) {
                assertEquals(4096, inspector.stat().capacity());
            }
        }
        final ProcessResources after = ProcessResources.take(path -> path.startsWith(own));
        before.assertNothingLeftIn(after, count + " inspections", SLACK);
        System.out.printf("resources mmap inspector: %,d inspections; %s%n", count, before.change(after));
    }
}

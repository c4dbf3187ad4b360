package dev.ipckit.signal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.ipckit.Channels;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;
import dev.ipckit.conformance.ProcessResources;
import dev.ipckit.conformance.Reliability;
import dev.ipckit.mmap.RingFileInspector;

/**
 * Opening and closing {@value Reliability#RESOURCE_CHANNELS} (10,000 by default) {@code wait=signal} rings whose
 * receiver sleeps on its signal before each message, and as many doorbells, leaves no descriptor, mapping or
 * thread behind, and leaves the wake-up signal unblocked in the thread that waited.
 */
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class SignalResourceTest {
    private static final int SLACK = 64;

    @TempDir
    Path dir;

    private ProcessResources snapshot() {
        final String own = dir.toString();
        return ProcessResources.take(path -> path.startsWith(own));
    }

    @Test
    void shouldLeaveNothingBehindAfterManySignalRingsWhoseReceiverSlept() {
        // spins=0&yields=0: the receiver sleeps on its signal at once, however loaded the machine is
        final String uri = "mmap:" + dir.resolve("signal-ring") + "?capacity=4k&wait=signal&spins=0&yields=0";
        signalCycle(uri, 200);
        final ProcessResources before = snapshot();
        final int count = Reliability.resourceChannels();
        final long started = System.nanoTime();
        final long slept = signalCycle(uri, count);
        final ProcessResources after = snapshot();
        before.assertNothingLeftIn(after, count + " wait=signal rings", SLACK);
        assertEquals(0, after.ownMappings());
        assertFalse(SignalWakeupProviderTest.blockedInThisThread(WakeSignal.DEFAULT),
            "the wake-up signal is unblocked again once every waiter closed");
        assertTrue(slept > count / 2, "the receiver slept on its signal in only " + slept + " of " + count + " rings");
        System.out.printf("resources signal: %,d wait=signal pairs opened and closed in %d ms, the receiver slept on "
            + "its signal in %,d of them; %s%n", count, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
            slept, before.change(after));
    }

    /**
     * @return in how many of the rings the receiver slept in the kernel (each reopening starts a new session, whose
     *     sleep counter starts at 0).
     */
    private static long signalCycle(final String uri, final int count) {
        long slept = 0;
        for (int i = 0; i < count; i++) {
            try (Receiver receiver = Channels.openReceiver(uri); Sender sender = Channels.openSender(uri)) {
                receiver.poll((b, o, l) -> { }, 1, Duration.ofNanos(300_000)); // nothing yet: sleeps on its signal
                assertTrue(sender.offer(new byte[] {7}));
                assertEquals(1, receiver.poll((b, o, l) -> { }, 1, Duration.ofSeconds(5)));
                try (RingFileInspector inspector = RingFileInspector.open(uri.substring(5, uri.indexOf('?')))) {
                    slept += inspector.stat().receiverSleeps() > 0 ? 1 : 0;
                }
            }
        }
        return slept;
    }

    @Test
    void shouldLeaveNothingBehindAfterManyDoorbells() {
        final Path path = dir.resolve("bell");
        doorbellCycle(path, 200);
        final ProcessResources before = snapshot();
        final int count = Reliability.resourceChannels();
        doorbellCycle(path, count);
        final ProcessResources after = snapshot();
        before.assertNothingLeftIn(after, count + " doorbells", SLACK);
        assertFalse(SignalWakeupProviderTest.blockedInThisThread(WakeSignal.DEFAULT));
        System.out.printf("resources doorbell: %,d doorbells created, rung, awaited and closed; %s%n", count,
            before.change(after));
    }

    private static void doorbellCycle(final Path path, final int count) {
        for (int i = 0; i < count; i++) {
            try (Doorbell waiter = Doorbell.create(path); Doorbell ringer = Doorbell.open(path)) {
                ringer.ring();
                assertTrue(waiter.await(Duration.ofSeconds(5)));
            }
        }
    }
}

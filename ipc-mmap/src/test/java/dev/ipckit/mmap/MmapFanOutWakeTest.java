package dev.ipckit.mmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import dev.ipckit.Channels;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;

/**
 * Wake-ups of sleeping subscribers: with futex one FUTEX_WAKE reaches all of them, with a wake-up provider each
 * live sleeping subscriber is woken once, and a sender whose subscribers do not sleep makes no wake-up call.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MmapFanOutWakeTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    private final FanOutEnds rings = new FanOutEnds("wake", 8);
    private final Arena arena = Arena.ofShared();

    @AfterEach
    void closeAndRemove() throws Exception {
        rings.close();
        arena.close();
    }

    private MemorySegment header(final String name) throws IOException {
        try (FileChannel channel = FileChannel.open(Path.of(MmapOptions.DEFAULT_DIRECTORY, name),
            StandardOpenOption.READ)) {
            return channel.map(FileChannel.MapMode.READ_ONLY, 0, RingFileDescriptor.HEADER_LENGTH, arena);
        }
    }

    private static long wakeups(final MemorySegment header) {
        return header.get(ValueLayout.JAVA_LONG, RingFileDescriptor.slotOffset(0) + RingFileDescriptor.SLOT_WAKEUPS);
    }

    @ParameterizedTest
    @CsvSource({"futex,1", "testpark,3"})
    void shouldWakeEverySleepingSubscriberWithOneFutexWakeOrOneWakeEach(final String wait, final int expectedWakes)
        throws Exception {
        final String name = rings.name();
        final String uri = "mmap:" + name + "?capacity=64k&subscribers=4&spins=0&yields=0&wait=" + wait;
        // each subscriber opens, polls and closes on a thread of its own: a provider's waiter belongs to the thread
        // that slept, and only a close on that thread releases it
        final List<Future<Integer>> polls = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            final ExecutorService thread = Executors.newSingleThreadExecutor();
            final Receiver receiver = thread.submit(() -> Channels.openReceiver(uri)).get(DEADLINE.toSeconds(),
                TimeUnit.SECONDS);
            rings.end(() -> {
                thread.submit(receiver::close).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
                thread.shutdown();
            });
            polls.add(thread.submit(() -> receiver.poll(m -> assertEquals(42, m.get(ValueLayout.JAVA_INT, 0)), 10,
                DEADLINE)));
        }
        final Sender sender = rings.end(Channels.openSender("mmap:" + name));
        final MemorySegment header = header(name);
        final long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (Long.bitCount(header.get(ValueLayout.JAVA_LONG, RingFileDescriptor.WAITING_OFFSET)) < 3) {
            assertTrue(System.nanoTime() - deadline < 0, "the three subscribers never all slept");
            Thread.onSpinWait();
        }
        final MemorySegment message = arena.allocate(4);
        message.set(ValueLayout.JAVA_INT, 0, 42);
        assertTrue(sender.offer(message));
        for (final Future<Integer> poll : polls) {
            assertEquals(1, poll.get(DEADLINE.toSeconds(), TimeUnit.SECONDS), "every sleeping subscriber woke");
        }
        assertEquals(expectedWakes, wakeups(header), wait + ": wake-up calls for one message");
    }

    @ParameterizedTest
    @ValueSource(strings = {"futex", "testpark"})
    void shouldMakeNoWakeUpCallWhenNoSubscriberSleeps(final String wait) throws Exception {
        final String name = rings.name();
        final String uri = "mmap:" + name + "?capacity=64k&subscribers=3&wait=" + wait;
        final Receiver one = rings.end(Channels.openReceiver(uri));
        final Receiver two = rings.end(Channels.openReceiver(uri));
        final Sender sender = rings.end(Channels.openSender(uri));
        final MemorySegment message = arena.allocate(8);
        for (int i = 0; i < 1000; i++) {
            assertTrue(sender.offer(message));
            assertEquals(1, one.poll(m -> { }, 1));
            assertEquals(1, two.poll(m -> { }, 1));
        }
        assertEquals(0, wakeups(header(name)), "no subscriber slept, so no message cost a wake-up");
    }
}

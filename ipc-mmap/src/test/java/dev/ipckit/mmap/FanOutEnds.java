package dev.ipckit.mmap;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.ipckit.Sender;

/**
 * What one in-process fan-out test opens: unique ring names and the ends on them, closed and removed by
 * {@link #close} (from the test's {@code @AfterEach}), and a buffer to send {@link FanOutMessages} from.
 */
final class FanOutEnds implements AutoCloseable {
    private final String prefix;
    private final int maxLength;
    private final List<String> names = new ArrayList<>();
    private final List<AutoCloseable> ends = new ArrayList<>();
    private final MemorySegment message;

    /**
     * @param prefix the start of each ring name.
     * @param maxLength the longest message {@link #send} sends.
     */
    FanOutEnds(final String prefix, final int maxLength) {
        this.prefix = prefix;
        this.maxLength = maxLength;
        this.message = Arena.ofAuto().allocate(maxLength, 8);
    }

    /**
     * @return a unique ring name, removed by {@link #close}.
     */
    String name() {
        final String name = TestRings.uniqueName(prefix);
        names.add(name);
        return name;
    }

    /**
     * @param options the URI's query, from its {@code ?}.
     * @return {@code mmap:} a new {@link #name()} with {@code options}.
     */
    String uri(final String options) {
        return "mmap:" + name() + options;
    }

    /**
     * @param end an end (or anything) to close after the test.
     * @return {@code end}.
     */
    <T extends AutoCloseable> T end(final T end) {
        ends.add(end);
        return end;
    }

    /**
     * Offers message {@code index} ({@link FanOutMessages#fill}).
     *
     * @return whether it was sent within {@code timeout}.
     */
    boolean send(final Sender sender, final long index, final Duration timeout) {
        return sender.offer(message.asSlice(0, FanOutMessages.fill(message, index, maxLength)), timeout);
    }

    /**
     * Closes every end, in the order they were opened, then removes every ring.
     */
    @Override
    public void close() throws Exception {
        for (final AutoCloseable end : ends) {
            end.close();
        }
        names.forEach(TestRings::remove);
    }
}

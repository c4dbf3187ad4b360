package dev.ipckit.mmap;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;

import dev.ipckit.Channels;
import dev.ipckit.PeerGoneException;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;

/**
 * A child for {@link MmapSegmentOnlyTest}: one end of an mmap ring that uses only the {@code MemorySegment} forms
 * of the API, run in a JVM without Agrona's flag.
 *
 * <pre>
 * SegmentOnlyPeer send URI COUNT     offers COUNT 16-byte messages (i, ~i), then closes
 * SegmentOnlyPeer recv URI COUNT     polls until COUNT arrived in order and the sender is gone, prints "received N"
 * </pre>
 */
public final class SegmentOnlyPeer {
    private static long next;

    private SegmentOnlyPeer() {
    }

    /**
     * @param args role, URI, count.
     */
    public static void main(final String[] args) {
        final String uri = args[1];
        final long count = Long.parseLong(args[2]);
        if (args[0].equals("agrona")) { // the Agrona forms without Agrona's flag: a sentence, not an IllegalAccessError
            try (Receiver receiver = Channels.openReceiver(uri)) {
                receiver.poll((buffer, offset, length) -> { }, 1);
                System.out.println("poll(MessageHandler) ran");
            } catch (final dev.ipckit.ChannelException e) {
                System.out.println("refused " + e.getClass().getSimpleName() + ": " + e.getMessage());
            }
            try (Receiver receiver = Channels.openReceiver(uri.replace("?", "-agrona?") + "&format=agrona")) {
                System.out.println("format=agrona opened");
            } catch (final dev.ipckit.ChannelException e) {
                System.out.println("refused " + e.getClass().getSimpleName() + ": " + e.getMessage());
            }
            return;
        }
        if (args[0].equals("send")) {
            try (Sender sender = Channels.openSender(uri); Arena arena = Arena.ofConfined()) {
                final MemorySegment message = arena.allocate(16, 8);
                for (long i = 0; i < count; i++) {
                    message.set(ValueLayout.JAVA_LONG, 0, i);
                    message.set(ValueLayout.JAVA_LONG, 8, ~i);
                    if (!sender.offer(message, Duration.ofSeconds(30))) {
                        throw new IllegalStateException("ring full for 30 s at message " + i);
                    }
                }
            }
            return;
        }
        try (Receiver receiver = Channels.openReceiver(uri)) {
            final long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() - deadline < 0) {
                try {
                    receiver.poll(message -> {
                        final long value = message.get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
                        if (message.byteSize() != 16 || value != next
                            || message.get(ValueLayout.JAVA_LONG_UNALIGNED, 8) != ~value || !message.isReadOnly()) {
                            throw new IllegalStateException("message " + next + " arrived as " + value + " ("
                                + message.byteSize() + " bytes, read-only " + message.isReadOnly() + ")");
                        }
                        next++;
                    }, 64, Duration.ofMillis(100));
                } catch (final PeerGoneException gone) {
                    System.out.println("received " + next);
                    return;
                }
            }
            throw new IllegalStateException("the sender was not gone after 60 s; received " + next + " of " + count);
        }
    }
}

package dev.ipckit.spi;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Arrays;

import org.agrona.DirectBuffer;

import dev.ipckit.MessageHandler;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;

/**
 * Child JVM of {@link AgronaAccessTest}: calls the core default methods of two stub ends (one that serves only
 * the Agrona forms, one that serves the segment form natively) and prints one {@code name=outcome} line per call.
 */
public final class AgronaFlagPeer {
    private AgronaFlagPeer() {
    }

    /**
     * @param args none.
     */
    public static void main(final String[] args) {
        System.out.println("available=" + AgronaAccess.available());
        final AgronaOnly agronaOnly = new AgronaOnly();
        report("offerSegment", () -> agronaOnly.offer(MemorySegment.ofArray(new byte[] {1, 2, 3})));
        report("offerSegmentTimed", () -> agronaOnly.offer(MemorySegment.ofArray(new byte[] {1, 2, 3}),
            Duration.ofMillis(1)));
        report("offerBytes", () -> agronaOnly.offer(new byte[] {4, 5}));
        report("pollSegment", () -> agronaOnly.poll(message -> { }, 1) == 1);
        report("check", () -> {
            AgronaAccess.check("offer(DirectBuffer, int, int)", agronaOnly.uri());
            return true;
        });
        final SegmentNative segmentNative = new SegmentNative();
        report("nativeOfferBytes", () -> segmentNative.offer(new byte[] {7, 8, 9})
            && Arrays.equals(segmentNative.last, new byte[] {7, 8, 9}));
        report("nativeOfferBytesTimed", () -> segmentNative.offer(new byte[] {6}, Duration.ofMillis(1))
            && Arrays.equals(segmentNative.last, new byte[] {6}));
        System.out.flush();
    }

    private interface Call {
        boolean run();
    }

    private static void report(final String name, final Call call) {
        String outcome;
        try {
            outcome = "returned " + call.run();
        } catch (final Throwable t) {
            outcome = "threw " + t.getClass().getName() + ": " + t.getMessage();
        }
        System.out.println(name + "=" + outcome.replace('\n', ' '));
    }

    /** A transport that serves only the Agrona forms: every other form goes through core's defaults. */
    private static class AgronaOnly implements Sender, Receiver {
        @Override
        public boolean offer(final DirectBuffer buffer, final int offset, final int length) {
            return buffer.getByte(offset) != 0;
        }

        @Override
        public boolean offer(final DirectBuffer buffer, final int offset, final int length, final Duration timeout) {
            return offer(buffer, offset, length);
        }

        @Override
        public int poll(final MessageHandler handler, final int limit) {
            final org.agrona.concurrent.UnsafeBuffer message = new org.agrona.concurrent.UnsafeBuffer(new byte[1]);
            handler.onMessage(message, 0, 1);
            return 1;
        }

        @Override
        public int poll(final MessageHandler handler, final int limit, final Duration timeout) {
            return poll(handler, limit);
        }

        @Override
        public String uri() {
            return "stub:agrona-only";
        }

        @Override
        public int maxMessageLength() {
            return 64;
        }

        @Override
        public boolean isPeerAlive() {
            return true;
        }

        @Override
        public boolean isClosed() {
            return false;
        }

        @Override
        public void close() {
        }
    }

    /** A transport that serves the segment form natively and never touches an Agrona buffer. */
    private static final class SegmentNative extends AgronaOnly {
        byte[] last;

        @Override
        public boolean offer(final MemorySegment message) {
            last = message.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            return true;
        }

        @Override
        public boolean offer(final MemorySegment message, final Duration timeout) {
            return offer(message);
        }

        @Override
        public String uri() {
            return "stub:segment-native";
        }
    }
}
